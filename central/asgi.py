"""``central.asgi:app`` — the app built from the environment (what ``kiosk-central serve`` runs)."""

from central.app import create_app

app = create_app()
