"""The demo's movements diary, so a newcomer sees the board and, a few minutes in, an OVERDUE alert.

Added only when the demo office has no diary entries today: Sarah Okafor and Dan Kowalski are
out together at the home of someone with a marker (acknowledged before they left), and Rachel
Green is out alone on an ordinary visit, due back long enough ago that her OVERDUE alert goes up
three minutes after the demo starts. The entries are logged through the diary's own service,
as if made earlier this morning, so they pass every rule a real entry does.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy import select

from safedesk.clock import FakeClock
from safedesk.models import Marker, MarkerStatus, Person, Staff
from safedesk.models.movements import Movement
from safedesk.services.movements.desk import MovementsDesk
from safedesk.services.movements.entries import PREVISIT_QUESTIONS, VisitForm
from safedesk.services.shared.actor import Actor
from safedesk.services.shared.office_time import local_date, local_midnight_utc

OVERDUE_AFTER = timedelta(minutes=3)
_ANSWERS = {
    "previous_violence": "Yes: see the marker",
    "health_risk": "None known",
    "household": "Lives with a partner",
    "environment": "Dog on the premises; keep the door clear",
    "reason": "Tenancy warning visit after the ASB hearing",
}


def _entries_today(desk: MovementsDesk, office_id: int, now: datetime) -> bool:
    start = local_midnight_utc(local_date(now, "Europe/London"), "Europe/London")
    with desk.db.session() as s:
        found = s.scalar(
            select(Movement.id)
            .where(Movement.office_id == office_id, Movement.leaving_at >= start)
            .limit(1)
        )
    return found is not None


def seed_demo_movements(desk: MovementsDesk, office_id: int) -> int:
    """Add the demo's diary entries if there are none today; returns how many were added."""
    now = desk.clock.now()
    if _entries_today(desk, office_id, now):
        return 0
    with desk.db.session() as s:
        staff = {m.login: m.id for m in s.scalars(select(Staff))}
        flagged = s.scalar(
            select(Person)
            .join(Marker, Marker.person_id == Person.id)
            .where(Marker.status == MarkerStatus.ACTIVE, Marker.restricted.is_(False))
            .where(Person.address.is_not(None))
            .order_by(Marker.id)
            .limit(1)
        )
        ordinary = s.scalar(
            select(Person)
            .where(Person.id.not_in(select(Marker.person_id)), Person.address.is_not(None))
            .order_by(Person.id.desc())
            .limit(1)
        )
        if flagged is None or ordinary is None:
            return 0
        flagged_visit = (flagged.address or "", flagged.postcode or "", flagged.id)
        ordinary_visit = (ordinary.address or "", ordinary.postcode or "", ordinary.id)
    needed = ("sokafor", "dkowalski", "rgreen")
    if any(login not in staff for login in needed):
        return 0
    grace = desk.timers.grace
    earlier = MovementsDesk(
        desk.db, desk.bus, FakeClock(now - timedelta(minutes=50)), desk.config, "DEMO"
    )
    visits = (
        ("sokafor", "dkowalski", flagged_visit, now + timedelta(minutes=45), "07700 900461"),
        ("rgreen", None, ordinary_visit, now - grace + OVERDUE_AFTER, "07700 900118"),
    )
    added = 0
    for officer, second, (address, postcode, person_id), back, phone in visits:
        check = earlier.check(address=address, postcode=postcode, person_id=person_id)
        form = VisitForm(
            office_id=office_id,
            officer_id=staff[officer],
            second_officer_id=staff[second] if second else None,
            address=address,
            postcode=postcode,
            person_id=person_id,
            expected_back_at=back,
            phone=phone,
            transport="Pool car, silver Corsa" if second else "On foot",
            answers=dict(_ANSWERS)
            if second
            else {k: "None known" for k, _ in PREVISIT_QUESTIONS} | {"reason": "Repairs check"},
        )
        form = replace(form, acknowledged_marker_ids=check.marker_ids)
        earlier.log_visit(Actor(staff[officer], officer, "DEMO"), form)
        added += 1
    return added
