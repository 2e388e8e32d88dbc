#!/usr/bin/env bash
# Installs the Debian packages the tests and the demo need, when they are missing.
# As root it installs them (one `apt-get update` first); otherwise it names what is missing, and the
# tests that need those packages skip with that reason in the pytest summary.
set -euo pipefail
PACKAGES=(
  xvfb xauth libgl1-mesa-dri   # a real Kivy window on a virtual screen (Mesa llvmpipe)
  libmtdev1                    # Kivy's Linux multitouch input (real touch panels)
  chromium                     # Playwright drives Debian's Chromium for the web channel tests
  cups printer-driver-cups-pdf # a real CUPS daemon with a PDF printer for the document printer
  espeak-ng                    # audio guidance
  gettext                      # msgfmt -c cross-checks the UI translation catalogs
  poppler-utils                # pdftoppm / pdftotext: render and read the PDFs we print
  fonts-dejavu-core            # a font with Welsh letters (ŵ ŷ) for receipts and PDFs
  haproxy                      # the load balancer in front of several central nodes (deploy/haproxy.cfg)
)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "system-deps: all ${#PACKAGES[@]} Debian packages present"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "system-deps: NOT ROOT, cannot install: ${missing[*]} — tests needing them will skip and say so" >&2
  exit 0
fi
echo "system-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "system-deps: installed ${missing[*]}"
