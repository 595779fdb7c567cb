"""Six-monthly reviews: due and overdue lists; overdue markers keep warning at reception."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from safedesk.clock import FakeClock
from safedesk.models import Marker, MarkerCategory, MarkerReview, MarkerStatus, ReviewDecision
from safedesk.services.markers.placing import create_marker
from safedesk.services.markers.review import ReviewInput, due_and_overdue, record_review
from safedesk.services.markers.review_dates import uk_date
from safedesk.services.markers.warnings import warnings_for_people
from safedesk.services.shared.refusals import InvalidInput, PermissionRefused
from tests.markers.office_world import World

CONTINUE = ReviewInput(
    decision=ReviewDecision.CONTINUE,
    reason="Further incident at the counter in March",
    information_considered="Officer notes since placement; support worker's view",
    tenant_informed=True,
)


def _place(world: World, clock: FakeClock, **changes: object) -> int:
    with world.db.session() as s:
        return create_marker(
            s, world.actor("asb"), world.assessment(**changes), now=clock.now(), config=world.config
        ).id


def test_due_and_overdue_lists_show_the_overdue_first_and_flag_them(
    world: World, clock: FakeClock
) -> None:
    overdue = _place(world, clock, review_due=date(2026, 12, 1))
    soon = _place(world, clock, review_due=date(2026, 12, 20), person_id=world.other_person_id)
    _place(world, clock)  # due in May 2027: not listed
    clock.advance(days=14)  # 7 December 2026
    with world.db.session() as s:
        items = due_and_overdue(s, today=uk_date(clock.now()), within_days=30)
    assert [(i.marker_id, i.overdue, i.days) for i in items] == [
        (overdue, True, 6),
        (soon, False, -13),
    ]
    assert items[0].reviewer_role == "ASB Manager"
    assert items[0].person_name == "Jonathan Smith"


def test_an_overdue_marker_stays_active_and_still_warns_at_reception(
    world: World, clock: FakeClock
) -> None:
    marker_id = _place(world, clock)
    clock.advance(days=400)  # long past the May 2027 review, and nobody reviewed it
    today = uk_date(clock.now())
    with world.db.session() as s:
        marker = s.get(Marker, marker_id)
        assert marker is not None and marker.status is MarkerStatus.ACTIVE
        (warning,) = warnings_for_people(s, [world.person_id], today)[world.person_id]
        assert warning.overdue_review
        assert "Visit in pairs" in warning.instructions
        (item,) = due_and_overdue(s, today=today)
        assert item.overdue and item.days == (today - date(2027, 5, 23)).days


def test_a_review_to_continue_sets_the_next_review_six_months_on(
    world: World, clock: FakeClock
) -> None:
    marker_id = _place(world, clock)
    clock.set(clock.now().replace(year=2027, month=5, day=20))
    with world.db.session() as s:
        review = record_review(
            s, world.actor("asb"), marker_id, CONTINUE, now=clock.now(), config=world.config
        )
        assert review.next_review_due == date(2027, 11, 20)
        marker = s.get(Marker, marker_id)
        assert marker is not None and marker.review_due == date(2027, 11, 20)
        assert review.information_considered.startswith("Officer notes")


def test_a_review_can_amend_the_instructions(world: World, clock: FakeClock) -> None:
    marker_id = _place(world, clock)
    amend = ReviewInput(
        decision=ReviewDecision.AMEND,
        reason="Calmer since support started; office visits are fine",
        information_considered="Support worker report",
        tenant_informed=True,
        instructions=("Interview only in a room with a panic alarm",),
    )
    with world.db.session() as s:
        record_review(s, world.actor("asb"), marker_id, amend, now=clock.now(), config=world.config)
    with world.db.session() as s:
        (warning,) = warnings_for_people(s, [world.person_id], uk_date(clock.now()))[
            world.person_id
        ]
        assert warning.instructions == ("Interview only in a room with a panic alarm",)


def test_a_review_that_removes_the_marker_ends_the_warning(world: World, clock: FakeClock) -> None:
    marker_id = _place(world, clock)
    remove = ReviewInput(
        decision=ReviewDecision.REMOVE,
        reason="No incidents for a year; risk no longer present",
        information_considered="Officer notes; no reports from partners",
        tenant_informed=True,
    )
    with world.db.session() as s:
        record_review(
            s, world.actor("area"), marker_id, remove, now=clock.now(), config=world.config
        )
    with world.db.session() as s:
        marker = s.get(Marker, marker_id)
        assert marker is not None and marker.status is MarkerStatus.REMOVED
        assert marker.removed_at == clock.now()
        assert warnings_for_people(s, [world.person_id], uk_date(clock.now())) == {}


@pytest.mark.parametrize("who", ["officer", "manager", "complex"])
def test_a_reviewer_without_the_role_is_refused_with_the_reason_and_nothing_saved(
    world: World, clock: FakeClock, who: str
) -> None:
    marker_id = _place(world, clock, category=MarkerCategory.PARTNER_INFORMATION)
    with (
        pytest.raises(
            PermissionRefused, match="reviewed by the ASB Manager or someone more senior"
        ),
        world.db.session() as s,
    ):
        record_review(
            s, world.actor(who), marker_id, CONTINUE, now=clock.now(), config=world.config
        )
    with world.db.session() as s:
        assert s.scalar(select(func.count()).select_from(MarkerReview)) == 0
        marker = s.get(Marker, marker_id)
        assert marker is not None and marker.review_due == date(2027, 5, 23)


def test_a_review_needs_its_reason_and_the_information_considered(
    world: World, clock: FakeClock
) -> None:
    marker_id = _place(world, clock)
    with pytest.raises(InvalidInput) as refused, world.db.session() as s:
        record_review(
            s,
            world.actor("asb"),
            marker_id,
            ReviewInput(decision=None, reason="", information_considered="", tenant_informed=False),
            now=clock.now(),
            config=world.config,
        )
    assert refused.value.fields == [
        "decision",
        "reason",
        "information_considered",
        "not_informed_reason",
    ]
    with world.db.session() as s:
        assert s.scalar(select(func.count()).select_from(MarkerReview)) == 0


def test_the_next_review_cannot_be_pushed_beyond_six_months(world: World, clock: FakeClock) -> None:
    marker_id = _place(world, clock)
    late = ReviewInput(
        decision=ReviewDecision.CONTINUE,
        reason="r",
        information_considered="i",
        tenant_informed=True,
        next_review_due=uk_date(clock.now()) + timedelta(days=200),
    )
    with pytest.raises(InvalidInput, match="next_review_due"), world.db.session() as s:
        record_review(s, world.actor("asb"), marker_id, late, now=clock.now(), config=world.config)
