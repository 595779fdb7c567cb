"""The restricted register: reasons for permitted roles only, every view audited and reported."""

from __future__ import annotations

import contextlib
import dataclasses

import pytest
from sqlalchemy import select

from safedesk.clock import FakeClock
from safedesk.models import AuditEntry, MarkerCategory, Role
from safedesk.services.markers.placing import create_marker
from safedesk.services.markers.restricted_register import (
    register_entries,
    view_restricted,
    views_report,
)
from safedesk.services.markers.review_dates import uk_date
from safedesk.services.markers.warnings import warnings_for_people
from safedesk.services.shared.refusals import PermissionRefused
from tests.markers.office_world import World

OFFENCE = "Scheduled offender: conviction for assault on a public servant (2019)"


def _offender_marker(world: World, clock: FakeClock) -> int:
    with world.db.session() as s:
        marker = create_marker(
            s,
            world.actor("asb"),
            world.assessment(
                category=MarkerCategory.OFFENDER,
                restricted=True,
                reason=OFFENCE,
                detail="MAPPA level 2; probation contact on file",
                instructions=(),
                instructions_note="",
                tenant_informed=False,
                not_informed_reason="MAPPA advice: do not disclose",
            ),
            now=clock.now(),
            config=world.config,
        )
        return marker.id


@pytest.mark.parametrize("who", ["area", "asb", "hsm", "head"])
def test_permitted_roles_see_the_reason_and_each_view_is_audited(
    world: World, clock: FakeClock, who: str
) -> None:
    marker_id = _offender_marker(world, clock)
    clock.advance(minutes=5)
    detail = view_restricted(
        world.db, world.actor(who), marker_id, now=clock.now(), config=world.config
    )
    assert detail.reason == OFFENCE
    assert detail.detail == "MAPPA level 2; probation contact on file"
    assert detail.not_informed_reason == "MAPPA advice: do not disclose"
    with world.db.session() as s:
        (entry,) = s.scalars(
            select(AuditEntry).where(AuditEntry.action == "marker.restricted_viewed")
        )
        assert (entry.actor, entry.staff_id, entry.at) == (who, world.staff[who], clock.now())
        assert (entry.subject_type, entry.subject_id) == ("marker", marker_id)
        assert entry.workstation == "PC-TEST"


@pytest.mark.parametrize("who", ["reception", "officer", "manager", "complex", "service"])
def test_everyone_else_sees_instructions_and_who_to_contact_never_the_reason(
    world: World, clock: FakeClock, who: str
) -> None:
    marker_id = _offender_marker(world, clock)
    with world.db.session() as s:
        staff_roles = frozenset(r for r in _roles(world, who))
        (entry,) = register_entries(s, staff_roles, today=uk_date(clock.now()), config=world.config)
    assert entry.may_view_reasons is False
    assert entry.contact == "Contact the ASB Manager before visiting"
    assert OFFENCE not in " ".join(entry.instructions)
    # Not even the category: "Registered prolific offender" would say what the register hides.
    assert entry.category is None
    assert "offender" not in entry.category_title.lower()
    assert "offender" not in (entry.review_refusal or "").lower()
    with pytest.raises(PermissionRefused, match="Contact the ASB Manager before visiting"):
        view_restricted(world.db, world.actor(who), marker_id, now=clock.now(), config=world.config)
    # The refused attempt is on the record too, and no view was recorded.
    with world.db.session() as s:
        actions = [
            e.action
            for e in s.scalars(select(AuditEntry).where(AuditEntry.subject_id == marker_id))
        ]
    assert "marker.restricted_view_refused" in actions
    assert "marker.restricted_viewed" not in actions


def _roles(world: World, who: str) -> frozenset[Role]:
    from safedesk.models import Staff

    with world.db.session() as s:
        staff = s.get(Staff, world.staff[who])
        assert staff is not None
        return staff.role_set


def test_reception_warning_shows_contact_instruction_not_the_reason(
    world: World, clock: FakeClock
) -> None:
    marker_id = _offender_marker(world, clock)
    with world.db.session() as s:
        (warning,) = warnings_for_people(s, [world.person_id], uk_date(clock.now()))[
            world.person_id
        ]
    assert warning.marker_id == marker_id
    assert warning.restricted
    assert any(i.startswith("Contact the ASB Manager") for i in warning.instructions)
    assert all(OFFENCE not in i for i in warning.instructions)


def test_the_assessing_role_may_read_reasons_of_a_marker_not_on_the_restricted_register(
    world: World, clock: FakeClock
) -> None:
    with world.db.session() as s:
        marker = create_marker(
            s,
            world.actor("complex"),
            world.assessment(
                category=MarkerCategory.MENTAL_HEALTH_BEHAVIOUR,
                assessed_by_id=world.staff["complex"],
                reason="Unpredictable when unwell; shouts and paces",
            ),
            now=clock.now(),
            config=world.config,
        )
    detail = view_restricted(
        world.db, world.actor("complex"), marker.id, now=clock.now(), config=world.config
    )
    assert detail.reason.startswith("Unpredictable")
    with pytest.raises(PermissionRefused):
        view_restricted(
            world.db, world.actor("manager"), marker.id, now=clock.now(), config=world.config
        )


def test_the_permitted_roles_are_configurable(world: World, clock: FakeClock) -> None:
    marker_id = _offender_marker(world, clock)
    with pytest.raises(PermissionRefused):
        view_restricted(
            world.db, world.actor("complex"), marker_id, now=clock.now(), config=world.config
        )
    widened = dataclasses.replace(world.config, restricted_roles=["complex_needs_manager"])
    assert (
        view_restricted(
            world.db, world.actor("complex"), marker_id, now=clock.now(), config=widened
        ).reason
        == OFFENCE
    )
    with pytest.raises(PermissionRefused):  # no longer listed
        view_restricted(world.db, world.actor("area"), marker_id, now=clock.now(), config=widened)


def test_the_views_report_lists_who_viewed_which_marker_and_when(
    world: World, clock: FakeClock
) -> None:
    marker_id = _offender_marker(world, clock)
    seen = []
    for who in ("area", "officer", "head"):
        clock.advance(minutes=7)
        seen.append(clock.now())
        with contextlib.suppress(PermissionRefused):
            view_restricted(
                world.db, world.actor(who), marker_id, now=clock.now(), config=world.config
            )
    with world.db.session() as s:
        report = views_report(s)
    assert [(r.actor, r.at, r.marker_id, r.refused) for r in report] == [
        ("area", seen[0], marker_id, False),
        ("officer", seen[1], marker_id, True),
        ("head", seen[2], marker_id, False),
    ]
    with world.db.session() as s:
        assert [r.actor for r in views_report(s, since=seen[1])] == ["officer", "head"]
