"""Booking visitors in: warnings that must be acknowledged, dismissals with reasons, walk-ins."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from safedesk.clock import FakeClock
from safedesk.db import Database
from safedesk.services.reception.booking import BookingRequest, WalkIn, book_in
from safedesk.services.reception.day_list import todays_visits
from safedesk.services.reception.person_search import PersonSearch
from safedesk.services.reception.room_choice import ReadinessSource
from safedesk.services.reception.visit_view import VisitError, view_visit
from safedesk.services.reception.visit_warnings import (
    WarningsPending,
    acknowledge_warnings,
    dismiss_candidate,
    recheck_open_visits,
)
from safedesk.services.shared import audit
from tests.reception.world import RESTRICTED_REASON, World, place_marker


def test_unflagged_exact_match_never_hides_the_flagged_close_match(
    world: World, search: PersonSearch
) -> None:
    shortlist = search.shortlist("jon smyth 06/03/1985", limit=1)
    ids = [e.record.person_id for e in shortlist.entries]
    assert ids[0] == world.people["jon_smyth"]  # the exact, unflagged record ranks first
    assert world.people["john_smith"] in ids  # ...but the flagged close match is still shown
    flagged = shortlist.flagged_close
    assert [e.record.person_id for e in flagged] == [world.people["john_smith"]]
    assert "No lone interviews" in flagged[0].instructions
    assert not any(e.match.certain for e in shortlist.entries)  # two candidates: never certain


def test_booking_the_unflagged_record_still_warns_about_the_flagged_close_match(
    db: Database, world: World, search: PersonSearch, clock: FakeClock, readiness: ReadinessSource
) -> None:
    request = BookingRequest(
        office_id=world.office_id,
        person_id=world.people["jon_smyth"],
        typed_query="jon smyth 06/03/1985",
        host_officer_id=world.officer_id,
    )
    with pytest.raises(WarningsPending) as raised, db.session() as s:
        book_in(s, world.receptionist, clock.now(), search, readiness, request)
    (warning,) = raised.value.warnings
    assert warning.person_id == world.people["john_smith"]
    assert not warning.booked_person
    assert warning.instructions[0].startswith("Contact the ASB Manager")
    assert all(RESTRICTED_REASON not in text for text in warning.instructions)
    with db.session() as s:  # nothing was booked
        assert todays_visits(s, world.office_id, clock.now()) == []


def test_flagged_visitor_is_booked_in_only_after_the_warning_is_acknowledged_and_it_is_audited(
    db: Database, world: World, search: PersonSearch, clock: FakeClock, readiness: ReadinessSource
) -> None:
    john = world.people["john_smith"]
    request = BookingRequest(
        office_id=world.office_id,
        person_id=john,
        typed_query="john smith 06/03/1985",
        host_officer_id=world.officer_id,
    )
    with pytest.raises(WarningsPending) as raised, db.session() as s:
        book_in(s, world.receptionist, clock.now(), search, readiness, request)
    seen = {w.person_id: w.marker_ids for w in raised.value.warnings}
    assert john in seen
    dismiss = {
        pid: "Different person: DOB and address checked with the visitor"
        for pid in seen
        if pid != john
    }
    with db.session() as s:
        visit = book_in(
            s,
            world.receptionist,
            clock.now(),
            search,
            readiness,
            BookingRequest(
                office_id=world.office_id,
                person_id=john,
                typed_query="john smith 06/03/1985",
                host_officer_id=world.officer_id,
                room_id=world.rooms["Interview Room 1"],
                acknowledged={john: seen[john]},
                dismissed=dismiss,
            ),
        )
    assert visit.arrived_at == clock.now()
    assert visit.flagged and not visit.pending_warnings
    assert visit.room_name == "Interview Room 1"
    with db.session() as s:
        (ack,) = [
            e
            for e in audit.entries(s, action="visit_warning_acknowledged")
            if e.detail["person_id"] == john
        ]
        assert ack.actor == "psharma" and ack.workstation == "RECEPTION-PC1"
        assert ack.subject_id == visit.id
        assert "No lone interviews" in ack.detail["instructions"]
        assert view_visit(s, visit.id).warnings[0].acknowledged_by == "Priya Sharma"


def test_dismissing_a_flagged_candidate_as_not_this_person_needs_a_reason_and_is_audited(
    db: Database, world: World, search: PersonSearch, clock: FakeClock, readiness: ReadinessSource
) -> None:
    with db.session() as s:
        visit = book_in(
            s,
            world.receptionist,
            clock.now(),
            search,
            readiness,
            BookingRequest(
                office_id=world.office_id,
                person_id=world.people["alan_brown"],
                host_officer_id=world.officer_id,
            ),
        )
    place_marker(db, world.people["alan_brown"], clock.now(), "Visit in pairs")
    with db.session() as s:
        (flagged,) = recheck_open_visits(s, world.office_id, search, clock.now())
        (warning,) = flagged.pending_warnings
        with pytest.raises(VisitError, match="booked as"):
            dismiss_candidate(s, world.receptionist, clock.now(), warning.id, "not him, I know him")
    # A walk-in matching John Smith by name: the match may be dismissed, with a reason.
    with pytest.raises(WarningsPending) as raised, db.session() as s:
        book_in(
            s,
            world.receptionist,
            clock.now(),
            search,
            readiness,
            BookingRequest(
                office_id=world.office_id,
                walk_in=WalkIn("John Smith"),
                host_officer_id=world.officer_id,
            ),
        )
    john = world.people["john_smith"]
    assert john in {w.person_id for w in raised.value.warnings}
    with pytest.raises(VisitError, match="Say why"), db.session() as s:
        book_in(
            s,
            world.receptionist,
            clock.now(),
            search,
            readiness,
            BookingRequest(
                office_id=world.office_id,
                walk_in=WalkIn("John Smith"),
                host_officer_id=world.officer_id,
                dismissed={john: "no"},
            ),
        )
    reason = "Visitor's DOB is 01/12/1990 and he lives in Leeds"
    with db.session() as s:
        walk_in = book_in(
            s,
            world.receptionist,
            clock.now(),
            search,
            readiness,
            BookingRequest(
                office_id=world.office_id,
                walk_in=WalkIn("John Smith"),
                host_officer_id=world.officer_id,
                dismissed={john: reason},
            ),
        )
        assert not walk_in.flagged
        (entry,) = audit.entries(s, action="visit_candidate_dismissed")
        assert entry.detail == {
            "person_id": john,
            "marker_ids": entry.detail["marker_ids"],
            "reason": reason,
        }
        assert entry.actor == "psharma"
    assert visit.id != walk_in.id


def test_walk_in_later_matched_to_a_flagged_record_still_warns(
    db: Database, world: World, search: PersonSearch, clock: FakeClock, readiness: ReadinessSource
) -> None:
    with db.session() as s:
        visit = book_in(
            s,
            world.receptionist,
            clock.now(),
            search,
            readiness,
            BookingRequest(
                office_id=world.office_id,
                walk_in=WalkIn("Peggy Jones", date(1960, 5, 14)),
                host_officer_id=world.officer_id,
            ),
        )
    assert not visit.flagged
    # Later that morning the ASB team places a marker on Margaret Jones (known as Peggy).
    place_marker(db, world.people["margaret_jones"], clock.now(), "No lone interviews")
    clock.advance(5)
    with db.session() as s:
        (flagged,) = recheck_open_visits(s, world.office_id, search, clock.now())
    assert flagged.id == visit.id
    (warning,) = flagged.pending_warnings
    assert warning.person_id == world.people["margaret_jones"]
    assert warning.instructions == ("No lone interviews",)
    with db.session() as s:
        acknowledge_warnings(s, world.receptionist, clock.now(), visit.id, [warning.id])
        assert recheck_open_visits(s, world.office_id, search, clock.now()) == []
        assert not view_visit(s, visit.id).pending_warnings
    # A second marker later on: the earlier acknowledgement does not cover it.
    place_marker(db, world.people["margaret_jones"], clock.now(), "Visit in pairs")
    with db.session() as s:
        (again,) = recheck_open_visits(s, world.office_id, search, clock.now())
        assert again.pending_warnings[0].instructions == ("No lone interviews", "Visit in pairs")


def test_high_risk_meeting_registered_in_advance_is_on_todays_list(
    db: Database, world: World, search: PersonSearch, clock: FakeClock
) -> None:
    from safedesk.services.reception.meetings import register_meeting

    with db.session() as s, pytest.raises(VisitError, match="high-risk"):
        register_meeting(
            s, world.officer, clock.now(), search, office_id=world.office_id,
            host_officer_id=world.officer_id, expected_at=clock.now() + timedelta(hours=2),
            person_id=world.people["alan_brown"], high_risk=True,
        )  # fmt: skip
    with db.session() as s:
        register_meeting(
            s, world.officer, clock.now(), search, office_id=world.office_id,
            host_officer_id=world.officer_id, expected_at=clock.now() + timedelta(hours=2),
            person_id=world.people["alan_brown"], high_risk=True,
            risk_notes="Rent arrears eviction notice: keep Interview Room 1 free, two officers.",
        )  # fmt: skip
        register_meeting(
            s, world.officer, clock.now(), search, office_id=world.office_id,
            host_officer_id=world.officer_id, expected_at=clock.now() + timedelta(days=1),
            person_id=world.people["alan_brown"],
        )  # fmt: skip
        (today,) = todays_visits(s, world.office_id, clock.now())
    assert today.high_risk and today.status == "Expected"
    assert "two officers" in (today.risk_notes or "")


def test_meeting_registered_by_name_is_matched_to_the_record_when_the_visitor_arrives(
    db: Database, world: World, search: PersonSearch, clock: FakeClock, readiness: ReadinessSource
) -> None:
    from safedesk.services.reception.meetings import register_meeting

    with db.session() as s:
        expected = register_meeting(
            s,
            world.officer,
            clock.now(),
            search,
            office_id=world.office_id,
            host_officer_id=world.officer_id,
            expected_at=clock.now() + timedelta(hours=1),
            walk_in=WalkIn("Alan Browne"),
        )
        visit_id = expected.id
    with db.session() as s:
        visit = book_in(
            s,
            world.receptionist,
            clock.now(),
            search,
            readiness,
            BookingRequest(
                office_id=world.office_id,
                person_id=world.people["alan_brown"],
                typed_query="alan brown 02/01/1970",
                visit_id=visit_id,
            ),
        )
    assert visit.id == visit_id and visit.person_id == world.people["alan_brown"]
    assert visit.visitor_name == "Alan Brown" and visit.host_name == "Tom Whitfield"
    assert visit.arrived_at == clock.now()


def test_walk_in_needs_forename_and_surname(
    db: Database, world: World, search: PersonSearch, clock: FakeClock, readiness: ReadinessSource
) -> None:
    with pytest.raises(VisitError, match="forename and surname"), db.session() as s:
        book_in(
            s,
            world.receptionist,
            clock.now(),
            search,
            readiness,
            BookingRequest(office_id=world.office_id, walk_in=WalkIn("Smith")),
        )
