"""The reception rules without a screen: host, room, names as typed, the record of stopping."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from safedesk.clock import FakeClock
from safedesk.db import Database
from safedesk.models import PanicDevice
from safedesk.services.reception.alarm_problems import host_alarm_problems, room_alarm_problems
from safedesk.services.reception.arrival import RoomNeeded
from safedesk.services.reception.booking import BookingRequest, WalkIn, book_in
from safedesk.services.reception.meetings import register_meeting
from safedesk.services.reception.person_search import PersonSearch
from safedesk.services.reception.room_assignment import RoomInUse
from safedesk.services.reception.room_choice import ReadinessSource
from safedesk.services.reception.visit_view import VisitError
from safedesk.services.reception.visit_warnings import WarnedPerson, record_stopped_after_warning
from safedesk.services.reception.walk_in_name import name_problem, typed_name
from safedesk.services.shared import audit
from tests.matching.people import index_with, person
from tests.reception.world import World


def _book(
    db: Database,
    world: World,
    search: PersonSearch,
    clock: FakeClock,
    readiness: ReadinessSource,
    **fields: object,
) -> int:
    with db.session() as s:
        visit = book_in(
            s,
            world.receptionist,
            clock.now(),
            search,
            readiness,
            BookingRequest(office_id=world.office_id, **fields),  # type: ignore[arg-type]
        )
        return visit.id


def test_a_desk_booking_names_the_host_officer(
    db: Database, world: World, search: PersonSearch, clock: FakeClock, readiness: ReadinessSource
) -> None:
    with pytest.raises(VisitError, match="Choose who the visitor is seeing"):
        _book(db, world, search, clock, readiness, person_id=world.people["alan_brown"])


def test_a_flagged_visitor_is_not_booked_in_without_a_room(
    db: Database, world: World, search: PersonSearch, clock: FakeClock, readiness: ReadinessSource
) -> None:
    john = world.people["john_smith"]
    with pytest.raises(RoomNeeded, match="interview room whose panic alarm works"):
        _book(
            db,
            world,
            search,
            clock,
            readiness,
            person_id=john,
            host_officer_id=world.officer_id,
            acknowledged={john: [1]},
        )


def test_a_room_in_use_is_refused_now_but_a_meeting_later_may_be_booked_there(
    db: Database, world: World, search: PersonSearch, clock: FakeClock, readiness: ReadinessSource
) -> None:
    room = world.rooms["Interview Room 3"]
    _book(
        db,
        world,
        search,
        clock,
        readiness,
        person_id=world.people["alan_brown"],
        host_officer_id=world.officer_id,
        room_id=room,
    )
    with pytest.raises(RoomInUse, match="Interview Room 3 is in use: Alan Brown is in it"):
        _book(
            db,
            world,
            search,
            clock,
            readiness,
            walk_in=WalkIn("Karen Walsh"),
            host_officer_id=world.officer_id,
            room_id=room,
        )
    with db.session() as s:
        later = register_meeting(
            s,
            world.officer,
            clock.now(),
            search,
            office_id=world.office_id,
            host_officer_id=world.officer_id,
            expected_at=clock.now() + timedelta(hours=3),
            walk_in=WalkIn("Karen Walsh"),
            room_id=room,
            readiness=readiness,
        )
        assert later.room_id == room


def test_a_walk_in_name_is_kept_as_typed_and_an_absurd_one_refused(
    db: Database, world: World, search: PersonSearch, clock: FakeClock, readiness: ReadinessSource
) -> None:
    visit_id = _book(
        db,
        world,
        search,
        clock,
        readiness,
        walk_in=WalkIn("  Mary-Kate   McDonald-O'Neill ", date(1990, 2, 2)),
        host_officer_id=world.officer_id,
    )
    with db.session() as s:
        from safedesk.models import Visit

        visit = s.get(Visit, visit_id)
        assert visit is not None and visit.walk_in_name == "Mary-Kate McDonald-O'Neill"
    with pytest.raises(VisitError, match="at most 100"):
        _book(
            db,
            world,
            search,
            clock,
            readiness,
            walk_in=WalkIn("Anne " + "Long" * 40),
            host_officer_id=world.officer_id,
        )


@pytest.mark.parametrize(
    ("typed", "name"),
    [
        ("Zoë Ní Bhriain 06/03/1985 DE1 2AB", "Zoë Ní Bhriain"),
        ("łukasz wiśniewski 6 March 1985", "łukasz wiśniewski"),
        ("Mary-Kate McDonald-O'Neill, T0001234", "Mary-Kate McDonald-O'Neill"),
        ("smith DE1 2AB", "smith"),
    ],
)
def test_the_name_part_of_a_search_line_is_taken_as_typed(typed: str, name: str) -> None:
    assert typed_name(typed) == name


def test_one_word_is_not_a_name_to_book_by() -> None:
    assert name_problem("Smith") == "Type the visitor's forename and surname."
    assert name_problem("Łukasz Wiśniewski") is None


def test_stopping_after_the_warning_is_audited_with_the_names_shown(
    db: Database, world: World, clock: FakeClock
) -> None:
    john = world.people["john_smith"]
    with db.session() as s:
        record_stopped_after_warning(
            s,
            world.receptionist,
            clock.now(),
            office_id=world.office_id,
            warned=[WarnedPerson(john, "John Smith", (1,), True)],
            typed_query="john smith 06/03/1985 ",
        )
    with db.session() as s:
        (entry,) = audit.entries(s, action="visit_stopped_after_warning")
        assert entry.subject_type == "office" and entry.subject_id == world.office_id
        assert entry.detail["people"] == [
            {"person_id": john, "name": "John Smith", "marker_ids": [1], "booked_person": True}
        ]
        assert entry.detail["typed_query"] == "john smith 06/03/1985"


def test_a_flagged_visitors_room_going_offline_is_a_problem_for_reception_and_host(
    db: Database, world: World, search: PersonSearch, clock: FakeClock, readiness: ReadinessSource
) -> None:
    john = world.people["john_smith"]
    room = world.rooms["Interview Room 1"]
    _book(
        db,
        world,
        search,
        clock,
        readiness,
        person_id=john,
        host_officer_id=world.officer_id,
        room_id=room,
        acknowledged={john: [1]},
    )
    _book(  # unflagged, in a room that will also go offline: not a problem to report
        db,
        world,
        search,
        clock,
        readiness,
        person_id=world.people["alan_brown"],
        host_officer_id=world.officer_id,
        room_id=world.rooms["Interview Room 2"],
    )
    with db.session() as s:
        assert room_alarm_problems(s, world.office_id, readiness) == []
        for device in s.scalars(select(PanicDevice)):
            device.last_seen_at = clock.now() - timedelta(minutes=1)
    with db.session() as s:
        (problem,) = room_alarm_problems(s, world.office_id, readiness)
        assert problem.room.name == "Interview Room 1"
        assert (
            problem.headline == "PANIC ALARM NOT WORKING in Interview Room 1: Panic button OFFLINE"
        )
        assert problem.who == "John Smith (flagged file) is in Interview Room 1 with Tom Whitfield."
        assert [p.key for p in host_alarm_problems(s, world.officer_id, readiness)] == [problem.key]
        assert host_alarm_problems(s, world.receptionist.staff_id or 0, readiness) == []


def test_match_reasons_are_said_in_plain_words() -> None:
    from safedesk.services.reception.match_reasons import plain_reasons

    bell = person("John", "Bell", date(1975, 8, 14), postcode="DE1 2AB", tenancy_ref="T0000045")
    index = index_with(bell)
    best = index.search("jon bel 14/08/1975")[0]
    assert (best.record.forenames, best.record.surname) == ("John", "Bell")
    assert best.reasons[:2] == ("forename nickname (jon→john)", "surname sounds alike (bel~bell)")
    words = plain_reasons(best)
    assert words == (
        "Jon is a short form of John",
        "surname sounds like Bell",
        "same date of birth",
    )
    assert not any(mark in " ".join(words) for mark in "~→")
