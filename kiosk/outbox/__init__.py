"""The offline-first outbox: local case state and the operations still owed to central, in one
SQLite file, sealed at rest, relayed in order per case (see ``store``, ``crypto``, ``relay``), and
the session's funnel events as a stream of their own (``funnel``).

Exception tree::

    OutboxError
     └── OutboxFull        the disk is full; the write was rolled back whole
    ValueError
     └── Undecryptable     a sealed row that does not open with this kiosk's key
"""

from __future__ import annotations

from pathlib import Path

from kiosk.outbox.crypto import RowCipher, Undecryptable
from kiosk.outbox.relay import CaseSender, Relay, RelayStatus
from kiosk.outbox.store import Delivery, Outbox, OutboxError, OutboxFull

__all__ = [
    "FILE_NAME",
    "CaseSender",
    "Delivery",
    "Outbox",
    "OutboxError",
    "OutboxFull",
    "Relay",
    "RelayStatus",
    "RowCipher",
    "Undecryptable",
    "outbox_path",
]

FILE_NAME = "outbox.sqlite3"


def outbox_path(data_dir: Path) -> Path:
    return Path(data_dir) / FILE_NAME
