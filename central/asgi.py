"""``central.asgi:app`` — the app built from the environment (what ``kiosk-central serve`` runs).

Once built, everything alive (modules, the app, SQLAlchemy's and pydantic's machinery) is moved out
of the garbage collector's sight (``gc.freeze``): a full collection then walks only what requests
allocated since, instead of pausing every request in flight for the whole heap. Done here, not in
``create_app``, so tests that build many apps keep a normal collector.
"""

import gc

from central.app import create_app

app = create_app()
gc.collect()
gc.freeze()
