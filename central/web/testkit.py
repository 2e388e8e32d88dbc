"""Building blocks for tests, benchmarks and the demo of the handoff/web/staff channels.

A small two-language service defined in code (so these channels can be exercised even when the
TOML catalogue changes), a manual clock, and :func:`build` which migrates a database, registers a
kiosk and returns an app wired to the clock. Nothing here is used by the running service.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import FastAPI
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from catalogue.model import Catalogue, Field, FieldType, Option, Service, Step, Text
from central.auth.devices import register_device
from central.catalogue_service import CatalogueService
from central.db.base import make_engine, make_sessionmaker
from central.db.models import Case, CaseEvent
from central.references import make_reference
from central.settings import Settings

SERVICE_ID = "change-of-address"


def demo_service() -> Service:
    return Service(
        id=SERVICE_ID,
        title=Text("Report a change of address", "Rhoi gwybod am newid cyfeiriad"),
        summary=Text("Tell us where you live now.", "Dywedwch wrthym ble rydych yn byw nawr."),
        help=Text("Ask a member of staff.", "Gofynnwch i aelod o staff."),
        life_events=("moving-home",),
        steps=(
            Step(
                id="name",
                title=Text("Your name", "Eich enw"),
                fields=(
                    Field("full_name", FieldType.TEXT, Text("Full name", "Enw llawn"), max=100),
                ),
            ),
            Step(
                id="address",
                title=Text("Your new address", "Eich cyfeiriad newydd"),
                fields=(
                    Field(
                        "address_line",
                        FieldType.TEXT,
                        Text("Address line 1", "Llinell cyfeiriad 1"),
                        max=200,
                    ),
                    Field("postcode", FieldType.POSTCODE, Text("Postcode", "Cod post")),
                ),
            ),
            Step(
                id="contact",
                title=Text("How can we contact you?", "Sut allwn ni gysylltu â chi?"),
                fields=(
                    Field(
                        "contact_method",
                        FieldType.CHOICE,
                        Text("Contact method", "Dull cysylltu"),
                        options=(
                            Option("phone", Text("Phone", "Ffôn")),
                            Option("post", Text("Post", "Post")),
                        ),
                    ),
                    Field(
                        "phone",
                        FieldType.PHONE,
                        Text("Phone number", "Rhif ffôn"),
                        required=False,
                        hint=Text("For example, 07700 900 982", "Er enghraifft, 07700 900 982"),
                    ),
                ),
            ),
        ),
        next_steps=Text(
            "We will write to you within 10 days.", "Byddwn yn ysgrifennu atoch o fewn 10 diwrnod."
        ),
    )


def demo_catalogue() -> CatalogueService:
    return CatalogueService(Catalogue(services={SERVICE_ID: demo_service()}))


@dataclass
class ManualClock:
    now: datetime = field(default_factory=lambda: datetime(2026, 11, 23, 9, 0, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def make_case(
    session: Session,
    *,
    office: str,
    device_id: str | None,
    now: datetime,
    service_id: str = SERVICE_ID,
    answers: dict[str, Any] | None = None,
) -> Case:
    """A case as a kiosk would have created it (the ``created`` event included)."""
    answers = dict(answers or {})
    case = Case(
        id=uuid.uuid4(),
        reference=make_reference(office),
        service_id=service_id,
        status="open",
        origin_channel="kiosk",
        origin_office=office,
        origin_device=device_id,
        answers=answers,
        version=1,
        created_at=now,
        updated_at=now,
    )
    session.add(case)
    session.flush()
    session.add(
        CaseEvent(
            case_id=case.id,
            event_id=uuid.uuid4(),
            seq=1,
            type="created",
            channel="kiosk",
            actor_type="citizen",
            actor_id=None,
            device_id=device_id,
            occurred_at=now,
            received_at=now,
            payload={"service_id": service_id, "answers": answers, "reference": case.reference},
        )
    )
    return case


@dataclass
class Kit:
    app: FastAPI
    engine: Engine
    sessions: sessionmaker[Session]
    clock: ManualClock
    device_id: str
    token: str
    office: str

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def new_case(self, answers: dict[str, Any] | None = None) -> Case:
        with self.sessions() as s:
            case = make_case(
                s, office=self.office, device_id=self.device_id, now=self.clock(), answers=answers
            )
            s.commit()
            return case


def build(db_url: str, *, office: str = "CARDIFF", migrate: bool = True, **settings: Any) -> Kit:
    from central.app import create_app
    from central.migrate import upgrade

    if migrate:
        upgrade(db_url)
    engine = make_engine(db_url)
    sessions = make_sessionmaker(engine)
    clock = ManualClock()
    with sessions() as s:
        device, token = register_device(s, office, "kiosk 1")
        s.commit()
        device_id = device.id
    options: dict[str, Any] = {
        "db_url": db_url,
        "secret_key": "test-secret",
        "base_url": "http://testserver",
    }
    options.update(settings)
    app = create_app(Settings(**options), engine=engine, catalogue=demo_catalogue(), clock=clock)
    return Kit(app, engine, sessions, clock, device_id, token, office)


PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/test"


@contextmanager
def fresh_postgres(admin_url: str = PG_ADMIN_URL) -> Iterator[str | None]:
    """A new, empty PostgreSQL database for one test or benchmark run (dropped afterwards), or
    None when the server is unreachable or refuses — the caller skips loudly."""
    import psycopg

    name = "kiosk_c2_" + secrets.token_hex(4)
    try:
        with psycopg.connect(admin_url, autocommit=True, connect_timeout=2) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error:
        yield None
        return
    try:
        yield (
            admin_url.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
            + "/"
            + name
        )
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
