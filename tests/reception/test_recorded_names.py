"""Visits, alarms and incidents keep the visitor's name as it was recorded at the time.

John Bell is booked in, flagged, and presses the alarm; then his record is changed to "Ann Lee".
Today's list, the live alarm screen and the incident record still say John Bell, who was in the
room; a visit booked after the change is recorded under the record's new name.
"""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from desktop.reception.reception_window import ReceptionPanel
from safedesk.clock import FakeClock
from safedesk.config import Config
from safedesk.db import Database
from safedesk.db.migrate import upgrade
from safedesk.models import Marker, Person, Staff, Visit
from safedesk.services.hub import Services
from safedesk.services.reception.booking import BookingRequest
from safedesk.services.reception.desk import ReceptionDesk
from safedesk.services.reception.person_identity import correct_identity
from safedesk.services.reception.person_search import PersonSearch
from safedesk.services.reception.room_choice import ReadinessSource
from safedesk.services.shared.actor import Actor
from tests.reception.world import World, place_marker

REASON = "Keyed from the wrong application form; checked against the tenancy agreement"


@pytest.fixture
def desk(
    db: Database, clock: FakeClock, search: PersonSearch, readiness: ReadinessSource
) -> ReceptionDesk:
    return ReceptionDesk(db, clock, search, readiness=readiness)


@pytest.fixture
def john(db: Database, world: World, clock: FakeClock, desk: ReceptionDesk) -> int:
    with db.session() as s:
        person = Person(
            forenames="John",
            surname="Bell",
            date_of_birth=date(1975, 8, 14),
            postcode="DE1 2AB",
            tenancy_ref="T0000045",
            created_at=clock.now(),
            updated_at=clock.now(),
        )
        s.add(person)
        s.flush()
        person_id = person.id
    place_marker(db, person_id, clock.now(), "Two officers present for any meeting")
    desk.refresh_search()
    return person_id


def _manager(db: Database, world: World) -> Actor:
    with db.session() as s:
        staff = s.scalar(select(Staff).where(Staff.login == world.manager_login))
        assert staff is not None
        return Actor(staff.id, staff.login, "MANAGER-PC")


def _book_in_and_press(
    db: Database, clock: FakeClock, desk: ReceptionDesk, world: World, person_id: int
) -> tuple[int, Services]:
    with db.session() as s:
        marker_ids = list(s.scalars(select(Marker.id).where(Marker.person_id == person_id)))
    desk.book_in(
        world.receptionist,
        BookingRequest(
            office_id=world.office_id,
            person_id=person_id,
            host_officer_id=world.officer_id,
            purpose="Rent arrears",
            room_id=world.rooms["Interview Room 1"],
            acknowledged={person_id: marker_ids},
        ),
    )
    services = Services.build(Config(), db, clock, "TEST-PC")
    clock.advance(600)
    alarm_id = services.alarms.press_room(world.rooms["Interview Room 1"]).alarm_id
    assert alarm_id is not None
    return alarm_id, services


def _rename_to_ann_lee(db: Database, world: World, clock: FakeClock, person_id: int) -> None:
    clock.advance(60)
    with db.session() as s:
        correct_identity(
            s,
            _manager(db, world),
            person_id,
            forenames="Ann",
            surname="Lee",
            date_of_birth=date(1960, 1, 1),
            reason=REASON,
            now=clock.now(),
        )


def test_after_the_record_is_changed_the_visit_alarm_and_incident_still_name_john_bell(
    db: Database, world: World, clock: FakeClock, desk: ReceptionDesk, john: int
) -> None:
    alarm_id, services = _book_in_and_press(db, clock, desk, world, john)
    try:
        _rename_to_ann_lee(db, world, clock, john)

        (visit,) = desk.todays_visits(world.office_id)
        assert (visit.visitor_name, visit.date_of_birth) == ("John Bell", date(1975, 8, 14))
        assert visit.flagged  # the flag is still on the record he was booked as
        (in_room,) = services.alarms.alert(alarm_id).visitors
        assert (in_room.name, in_room.flagged) == ("John Bell", True)
        (incident,) = services.incidents.list()
        assert incident.visitor == "John Bell"
        exported = io.StringIO()
        services.incidents.export_csv(exported)
        assert "John Bell" in exported.getvalue() and "Ann Lee" not in exported.getvalue()
    finally:
        services.close()


def test_a_visit_booked_after_the_change_is_recorded_under_the_new_name(
    db: Database, world: World, clock: FakeClock, desk: ReceptionDesk, john: int
) -> None:
    _rename_to_ann_lee(db, world, clock, john)
    desk.register_meeting(
        world.officer,
        office_id=world.office_id,
        host_officer_id=world.officer_id,
        expected_at=datetime(2026, 11, 23, 14, 0, tzinfo=UTC),
        person_id=john,
    )
    with db.session() as s:
        (visit,) = s.scalars(select(Visit))
        assert (visit.recorded_name, visit.recorded_date_of_birth) == ("Ann Lee", date(1960, 1, 1))


@pytest.mark.gui
def test_todays_list_on_screen_still_shows_john_bell_flagged_after_the_change(
    qtbot: QtBot, db: Database, world: World, clock: FakeClock, desk: ReceptionDesk, john: int
) -> None:
    _alarm_id, services = _book_in_and_press(db, clock, desk, world, john)
    services.close()
    _rename_to_ann_lee(db, world, clock, john)
    panel = ReceptionPanel(desk, world.office_id, lambda: world.receptionist, auto_refresh=False)
    qtbot.addWidget(panel)
    panel.resize(1366, 768)
    panel.show()
    qtbot.waitExposed(panel)
    panel.refresh()

    items = [panel.table.item(0, c) for c in range(panel.table.columnCount())]
    cells = [item.text() for item in items if item is not None]
    assert any(text.startswith("John Bell") for text in cells), cells
    assert not any("Ann Lee" in text for text in cells), cells
    assert any("FLAGGED" in text for text in cells), cells


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)]
)
def test_upgrading_fills_the_recorded_name_of_existing_visits(
    backend: str, tmp_path: object, request: pytest.FixtureRequest
) -> None:
    url = (
        f"sqlite:///{tmp_path}/old.sqlite3"
        if backend == "sqlite"
        else request.getfixturevalue("empty_pg_url")
    )
    db = Database(url)
    try:
        upgrade(db.engine, "0006")
        now = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
        with db.engine.begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO offices (id, name, address, time_zone) "
                    "VALUES (1, 'Derby', 'Corporation St', 'Europe/London')"
                )
            )
            conn.execute(
                sa.text(
                    "INSERT INTO people (id, forenames, surname, date_of_birth, source, "
                    "created_at, updated_at) VALUES "
                    "(1, 'John', 'Bell', :dob, 'import', :now, :now)"
                ),
                {"dob": date(1975, 8, 14), "now": now},
            )
            for visit_id, person_id, walk_in in ((1, 1, None), (2, None, "Zoë Ní Bhriain")):
                conn.execute(
                    sa.text(
                        "INSERT INTO visits (id, office_id, person_id, walk_in_name, "
                        "walk_in_date_of_birth, high_risk, created_at) "
                        "VALUES (:id, 1, :person, :walk_in, :dob, false, :now)"
                    ),
                    {
                        "id": visit_id,
                        "person": person_id,
                        "walk_in": walk_in,
                        "dob": date(1990, 4, 12) if walk_in else None,
                        "now": now,
                    },
                )
        upgrade(db.engine)
        with db.session() as s:
            rows = [
                (v.id, v.recorded_name, v.recorded_date_of_birth)
                for v in s.scalars(select(Visit).order_by(Visit.id))
            ]
        assert rows == [
            (1, "John Bell", date(1975, 8, 14)),
            (2, "Zoë Ní Bhriain", date(1990, 4, 12)),
        ]
    finally:
        db.dispose()
