"""Helpers for the diary's screen tests on the walkthrough office (the seeded demo database)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from sqlalchemy import select

from desktop.app import DesktopApp
from desktop.movements.panel_hook import MovementsPanel
from safedesk.alarm_bus import make_bus
from safedesk.config import Config
from safedesk.db import Database
from safedesk.models import Marker, MarkerStatus, Office, Person, Staff
from safedesk.services.movements.desk import MovementsDesk
from safedesk.services.movements.entries import PREVISIT_QUESTIONS, VisitForm
from safedesk.services.shared.actor import Actor
from tests.walkthrough.conftest import OfficePCs


def movements(app: DesktopApp) -> MovementsPanel:
    panel = app.window.panel("Movements")
    assert isinstance(panel, MovementsPanel)
    return panel


def staff_id(pcs: OfficePCs, login: str) -> int:
    db = Database(pcs.url)
    try:
        with db.session() as s:
            return s.scalars(select(Staff.id).where(Staff.login == login)).one()
    finally:
        db.dispose()


def office_id(pcs: OfficePCs, name: str = "Derby Central Housing Office") -> int:
    db = Database(pcs.url)
    try:
        with db.session() as s:
            return s.scalars(select(Office.id).where(Office.name == name)).one()
    finally:
        db.dispose()


def flagged_person(pcs: OfficePCs) -> tuple[int, str, str, str]:
    """(id, name, address, postcode) of someone with an active, unrestricted marker."""
    db = Database(pcs.url)
    try:
        with db.session() as s:
            person = s.scalars(
                select(Person)
                .join(Marker, Marker.person_id == Person.id)
                .where(Marker.status == MarkerStatus.ACTIVE, Marker.restricted.is_(False))
                .order_by(Marker.id)
                .limit(1)
            ).one()
            return person.id, person.full_name, person.address or "", person.postcode or ""
    finally:
        db.dispose()


def log_visit_elsewhere(pcs: OfficePCs, officer: str = "rgreen", minutes: int = 60) -> int:
    """An entry made on another PC (its own connection): back in ``minutes``, nobody flagged."""
    db = Database(pcs.url)
    bus = make_bus(db, pcs.clock, Config().alarm)
    try:
        desk = MovementsDesk(db, bus, pcs.clock, Config(), "PC-ELSEWHERE")
        form = VisitForm(
            office_id=office_id(pcs),
            officer_id=staff_id(pcs, officer),
            address="2 Nowhere Row, Derby",
            postcode="DE99 9ZZ",
            person_name="Pat Nobody",
            expected_back_at=pcs.clock.now() + timedelta(minutes=minutes),
            phone="07700 900118",
            answers={k: "none known" for k, _ in PREVISIT_QUESTIONS},
        )
        check = desk.check(address=form.address, postcode=form.postcode, person_name="Pat Nobody")
        form = replace(form, acknowledged_marker_ids=check.marker_ids)
        return desk.log_visit(Actor(form.officer_id, officer, "PC-ELSEWHERE"), form)
    finally:
        bus.close()
        db.dispose()
