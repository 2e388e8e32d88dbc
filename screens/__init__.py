"""The Kivy touchscreen app: presentation only; the kiosk core decides (DESIGN.md).

Importing this package does not import Kivy. Kivy reads its environment at import, so start
with :func:`screens.env.prepare_kivy` (``screens.main.run`` does).

* ``main`` — ``kiosk run`` (entry point ``screens.main:run``); ``app`` — the Kivy App and
  ``build_ui``; ``controller`` — session events → screens, worker threads; ``backend`` — the
  Protocol the runtime implements; ``workers`` — threads whose results return via the Clock.
* ``shell`` (root layout, reach mode), ``bar`` (Back, language, accessibility), ``overlays``
  (idle warning, accessibility panel), ``keyboard`` (on-screen keys), ``widgets``, ``context``.
* One screen per file: ``attract``, ``language``, ``services``, ``step`` (+ ``fields``),
  ``check_answers``, ``submitting``, ``outcome`` (+ ``qr``), ``feedback``, ``goodbye``.
* ``driver`` (synthetic touches, screenshots), ``script`` (a whole journey): shipped because
  ``make demo`` (``tools/demo_screens.py``) plays a journey on the real runtime with them; the
  tests' virtual screen (Xvfb) is ``tests/support/virtual_screen.py``.
* ``containers`` (``Column``, ``Row``, ``Scroll``; re-exported by ``widgets``).
"""
