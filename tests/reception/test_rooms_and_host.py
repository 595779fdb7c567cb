"""Rooms with working alarms for flagged visitors, the manager override, the host's notice."""

from __future__ import annotations

import pytest

from safedesk.clock import FakeClock
from safedesk.db import Database
from safedesk.services.buttons.readiness import Readiness
from safedesk.services.reception.booking import BookingRequest, book_in
from safedesk.services.reception.host_officer import host_notices, mark_notice_seen
from safedesk.services.reception.person_search import PersonSearch
from safedesk.services.reception.room_choice import (
    OverrideRefused,
    ReadinessSource,
    RoomNeedsOverride,
    authorise_override,
    room_options,
)
from safedesk.services.shared import audit
from tests.reception.world import MANAGER_PASSWORD, World, fail_weekly_test


def _flagged_request(world: World, room: str, **extra: object) -> BookingRequest:
    john = world.people["john_smith"]
    return BookingRequest(
        office_id=world.office_id,
        person_id=john,
        host_officer_id=world.officer_id,
        room_id=world.rooms[room],
        acknowledged={john: [1]},
        **extra,  # type: ignore[arg-type]
    )


def test_room_list_marks_a_failed_weekly_test(
    db: Database, world: World, clock: FakeClock, readiness: ReadinessSource
) -> None:
    fail_weekly_test(db, world.rooms["Interview Room 2"], world.officer_id, clock.now())
    with db.session() as s:
        options = {o.name: o for o in room_options(s, world.office_id, readiness)}
    assert options["Interview Room 1"].alarm_ok
    assert options["Interview Room 2"].status is Readiness.FAILED
    assert not options["Interview Room 2"].alarm_ok
    assert "FAILED" in options["Interview Room 2"].summary


def test_flagged_visitor_cannot_get_a_room_with_a_failed_test_without_a_manager_override(
    db: Database, world: World, search: PersonSearch, clock: FakeClock, readiness: ReadinessSource
) -> None:
    fail_weekly_test(db, world.rooms["Interview Room 2"], world.officer_id, clock.now())
    with pytest.raises(RoomNeedsOverride, match="manager"), db.session() as s:
        book_in(
            s,
            world.receptionist,
            clock.now(),
            search,
            readiness,
            _flagged_request(world, "Interview Room 2"),
        )
    with db.session() as s:
        with pytest.raises(OverrideRefused, match="not a manager"):
            authorise_override(s, world.officer_login, MANAGER_PASSWORD, "Only room free")
        with pytest.raises(OverrideRefused, match="not recognised"):
            authorise_override(s, world.manager_login, "wrong", "Only room free")
        with pytest.raises(OverrideRefused, match="reason"):
            authorise_override(s, world.manager_login, MANAGER_PASSWORD, "  ")
        override = authorise_override(
            s, world.manager_login, MANAGER_PASSWORD, "Room 1 flooded; I will sit in with a radio"
        )
    with db.session() as s:
        visit = book_in(
            s,
            world.receptionist,
            clock.now(),
            search,
            readiness,
            _flagged_request(world, "Interview Room 2", override=override),
        )
        assert visit.room_name == "Interview Room 2"
        assert visit.room_override_reason == "Room 1 flooded; I will sit in with a radio"
        (entry,) = audit.entries(s, action="room_override")
        assert entry.detail["manager"] == "hmarsh"
        assert entry.detail["room_status"] == "failed"
        assert entry.actor == "psharma"


def test_flagged_visitor_gets_a_working_room_and_unflagged_visitor_any_room(
    db: Database, world: World, search: PersonSearch, clock: FakeClock, readiness: ReadinessSource
) -> None:
    fail_weekly_test(db, world.rooms["Interview Room 2"], world.officer_id, clock.now())
    with db.session() as s:
        flagged = book_in(
            s,
            world.receptionist,
            clock.now(),
            search,
            readiness,
            _flagged_request(world, "Interview Room 1"),
        )
        unflagged = book_in(
            s,
            world.receptionist,
            clock.now(),
            search,
            readiness,
            BookingRequest(
                office_id=world.office_id,
                person_id=world.people["alan_brown"],
                host_officer_id=world.officer_id,
                room_id=world.rooms["Interview Room 2"],
            ),
        )
    assert flagged.room_name == "Interview Room 1"
    assert unflagged.room_name == "Interview Room 2" and not unflagged.flagged


def test_host_officer_is_told_your_visitor_has_arrived_with_the_flag_and_instructions(
    db: Database, world: World, search: PersonSearch, clock: FakeClock, readiness: ReadinessSource
) -> None:
    with db.session() as s:
        assert host_notices(s, world.officer_id) == []
        visit = book_in(
            s,
            world.receptionist,
            clock.now(),
            search,
            readiness,
            _flagged_request(world, "Interview Room 1"),
        )
    with db.session() as s:
        (notice,) = host_notices(s, world.officer_id)
    assert notice.headline == "Your visitor has arrived: John Smith"
    assert notice.visit.flagged
    assert "No lone interviews" in notice.visit.instructions
    assert notice.visit.room_name == "Interview Room 1"
    with db.session() as s:
        mark_notice_seen(s, world.officer, clock.now(), visit.id)
    with db.session() as s:
        assert host_notices(s, world.officer_id) == []
        assert audit.entries(s, action="visit_host_notice_seen")[0].actor == "twhitfield"


def test_high_risk_meeting_needs_a_room_with_a_working_alarm_or_an_override(
    db: Database, world: World, search: PersonSearch, clock: FakeClock, readiness: ReadinessSource
) -> None:
    from datetime import timedelta

    from safedesk.services.reception.meetings import register_meeting

    fail_weekly_test(db, world.rooms["Interview Room 3"], world.officer_id, clock.now())
    meeting = {
        "office_id": world.office_id,
        "host_officer_id": world.officer_id,
        "expected_at": clock.now() + timedelta(hours=3),
        "person_id": world.people["alan_brown"],  # no marker: the meeting itself is high-risk
        "room_id": world.rooms["Interview Room 3"],
        "high_risk": True,
        "risk_notes": "Two officers; call me first",
        "readiness": readiness,
    }
    with pytest.raises(RoomNeedsOverride), db.session() as s:
        register_meeting(s, world.officer, clock.now(), search, **meeting)  # type: ignore[arg-type]
    with db.session() as s:
        visit = register_meeting(
            s,
            world.officer,
            clock.now(),
            search,
            **{**meeting, "room_id": world.rooms["Interview Room 1"]},  # type: ignore[arg-type]
        )
        assert visit.room_id == world.rooms["Interview Room 1"]
