"""A small office for the diary tests: the demo office's staff and rota, households with markers."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select

from safedesk.alarm_bus import AlarmBus, make_bus
from safedesk.clock import FakeClock
from safedesk.config import Config
from safedesk.db import Database
from safedesk.demo.office import seed_office
from safedesk.models import (
    Marker,
    MarkerCategory,
    MarkerRestricted,
    Staff,
)
from safedesk.services.movements.desk import MovementsDesk
from safedesk.services.movements.entries import PREVISIT_QUESTIONS, VisitForm
from safedesk.services.shared.actor import Actor
from tests.helpers.office import add_marker, add_person

OFFICE = "Derby Central Housing Office"
ANSWERS = {key: "none known" for key, _ in PREVISIT_QUESTIONS} | {
    "reason": "Rent arrears: agree a payment plan"
}

# key -> (forenames, surname, address, postcode)
PEOPLE: dict[str, tuple[str, str, str, str]] = {
    "jonathan": ("Jonathan", "Smith", "14 Abbey Street, Derby", "DE1 2AB"),
    "margaret": ("Margaret", "Smith", "14 Abbey Street, Derby", "DE1 2AB"),
    "lisa": ("Lisa", "Hart", "Flat 3, 22 Oak Road, Derby", "DE22 1QX"),
    "kevin": ("Kevin", "Doyle", "Flat 4, 22 Oak Road, Derby", "DE22 1QX"),
    "quiet": ("Brian", "Quiet", "9 Elm Close, Derby", "DE3 4RT"),
    "elsewhere": ("Jonathan", "Smith", "77 Far Lane, Leeds", "LS1 9ZZ"),
}


@dataclass
class DiaryWorld:
    db: Database
    clock: FakeClock
    bus: AlarmBus
    desk: MovementsDesk
    office_id: int
    staff: dict[str, int]
    people: dict[str, int]
    markers: dict[str, int] = field(default_factory=dict)

    def actor(self, login: str, pc: str = "PC-TEST") -> Actor:
        return Actor(staff_id=self.staff[login], login=login, workstation=pc)

    def form(self, **changes: Any) -> VisitForm:
        values: dict[str, Any] = dict(
            office_id=self.office_id,
            officer_id=self.staff["rgreen"],
            address="9 Elm Close, Derby",
            postcode="DE3 4RT",
            person_name="Brian Quiet",
            expected_back_at=self.clock.now() + timedelta(hours=1),
            phone="07700 900123",
            answers=dict(ANSWERS),
        )
        values.update(changes)
        return VisitForm(**values)

    def log(self, login: str = "rgreen", **changes: Any) -> int:
        """Log a visit as ``login`` after acknowledging whatever the check finds."""
        form = self.form(**changes)
        check = self.desk.check(
            address=form.address,
            postcode=form.postcode,
            person_id=form.person_id,
            person_name=form.person_name,
        )
        form = replace(form, acknowledged_marker_ids=check.marker_ids)
        return self.desk.log_visit(self.actor(login), form)


def _marker(s: Any, person_id: int, now: datetime, instructions: list[str], **extra: Any) -> Marker:
    return add_marker(
        s,
        person_id,
        placed_at=now - timedelta(days=30),
        review_due=(now + timedelta(days=150)).date(),
        instructions=instructions,
        **extra,
    )


def build_world(db: Database, clock: FakeClock, config: Config | None = None) -> DiaryWorld:
    now = clock.now()
    with db.session() as s:
        offices = seed_office(s, now)
        office_id = offices[OFFICE].id
        staff = {m.login: m.id for m in s.scalars(select(Staff))}
        people: dict[str, int] = {}
        for key, (fore, sur, address, postcode) in PEOPLE.items():
            people[key] = add_person(
                s,
                now,
                fore,
                sur,
                born=date(1980, 1, 1),
                address=address,
                postcode=postcode,
                source="import",
            )
        markers = {
            "jonathan": _marker(
                s, people["jonathan"], now, ["Visit in pairs", "No lone interviews"],
                visits_in_pairs=True,
            ).id,
            "kevin": _marker(
                s, people["kevin"], now, [], restricted=True, contact_role="asb_manager",
                category=MarkerCategory.OFFENDER,
            ).id,
            "elsewhere": _marker(s, people["elsewhere"], now, ["Telephone contact only"]).id,
        }  # fmt: skip
        s.add(MarkerRestricted(marker_id=markers["kevin"], reason="Scheduled offence (2019)"))
    bus = make_bus(db, clock, (config or Config()).alarm)
    desk = MovementsDesk(db, bus, clock, config or Config(), "PC-TEST")
    return DiaryWorld(db, clock, bus, desk, office_id, staff, people, markers)
