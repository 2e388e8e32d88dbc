"""One write path: no module of central but the case store builds or inserts a case event row.

Why: the policy table (:mod:`central.cases.policy`) holds for every channel only if every event
goes through :func:`central.cases.store.insert_events`. A second insert would bypass it; this test
reads central's source and fails naming the file and line that does.
"""

from __future__ import annotations

import re
from pathlib import Path

import central

CENTRAL = Path(central.__file__).parent
STORE = Path("cases/store.py")
WRITES = re.compile(
    r"CaseEvent\s*\("  # an ORM row built (and added to a session)
    r"|insert\s*\(\s*(?:\w+\.)?(?:EVENTS|CaseEvent)\b"  # a Core insert of the table
    r"|CaseEvent\.__table__\.insert"
    r"|insert\s+into\s+case_events",  # raw SQL
    re.IGNORECASE,
)
NOT_SHIPPED = {
    # Seeds a "created" row for tests and the demo (its docstring: "nothing here is used by the
    # running service"); it belongs in tests/, which is outside this rule.
    Path("web/testkit.py"),
}


def offending_lines(root: Path) -> list[str]:
    found = []
    for path in sorted(root.rglob("*.py")):
        inside = path.relative_to(root)
        if inside == STORE or inside in NOT_SHIPPED or "migrations" in inside.parts:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.lstrip().startswith("class CaseEvent("):
                continue  # the model's own definition
            if WRITES.search(line):
                found.append(f"{path.relative_to(root.parent)}:{number}: {line.strip()}")
    return found


def test_only_the_store_inserts_case_events() -> None:
    assert offending_lines(CENTRAL) == []


def test_the_rule_sees_an_insert_elsewhere(tmp_path: Path) -> None:
    """The pattern catches each way of writing the insert (so the test above can fail)."""
    pkg = tmp_path / "central"
    (pkg / "cases").mkdir(parents=True)
    (pkg / "cases" / "store.py").write_text("conn.execute(insert(EVENTS), rows)\n")
    (pkg / "a.py").write_text("session.add(CaseEvent(case_id=x))\n")
    (pkg / "b.py").write_text("conn.execute(insert(models.CaseEvent).values(**v))\n")
    (pkg / "c.py").write_text('conn.exec_driver_sql("INSERT INTO case_events VALUES (1)")\n')
    (pkg / "d.py").write_text("conn.execute(CaseEvent.__table__.insert(), rows)\n")
    found = offending_lines(pkg)
    assert [line.split(":")[0] for line in found] == [f"central/{n}.py" for n in "abcd"]
