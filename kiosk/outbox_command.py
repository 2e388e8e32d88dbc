"""`kiosk outbox [--json]`: what this kiosk still owes central, and what central refused.

It lists ids, references, kinds, attempts, ages and reasons — never answers (they are sealed and
this command does not even hold the key). Exit 0 when it could read the outbox (empty or not);
2 for a configuration problem, printed as file:line: key: message.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any

from kiosk.config import load_kiosk_config
from kiosk.config_checks import ConfigError
from kiosk.outbox import Outbox, outbox_path


def _age(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def outbox(config_path: str, as_json: bool) -> int:
    try:
        config = load_kiosk_config(config_path)
    except ConfigError as exc:
        print(f"kiosk: configuration problem(s):\n{exc}", file=sys.stderr)
        return 2
    path = outbox_path(config.data_dir)
    pending: list[dict[str, Any]] = []
    dead: list[dict[str, Any]] = []
    if path.exists():
        box = Outbox(path, None)
        try:
            pending, dead = box.pending(), box.dead_letters()
        finally:
            box.close()
    now = time.time()
    if as_json:
        print(json.dumps({"path": str(path), "pending": pending, "dead": dead}, indent=2))
        return 0
    print(f"outbox {path}: {len(pending)} waiting, {len(dead)} refused by central")
    funnel = [row for row in pending if row["kind"] == "funnel"]
    if funnel:  # one row per screen change: summed, not listed (they hold ids and times only)
        oldest = min(row["created_at"] for row in funnel)
        print(f"  {'funnel events':20} {len(funnel)} row(s), oldest waiting {_age(now - oldest)}")
    for row in (row for row in pending if row["kind"] != "funnel"):
        error = f" — last error: {row['last_error']}" if row["last_error"] else ""
        print(
            f"  {row['reference'] or row['case_id']:20} {row['kind']:7} "
            f"waiting {_age(now - row['created_at'])}, {row['attempts']} attempt(s){error}"
        )
    for row in dead:
        print(f"  REFUSED {row['reference'] or row['case_id']:20} {row['kind']:7} {row['reason']}")
    return 0
