"""From a resolved alarm to a marker: the assessment starts with the person and the incident."""

from __future__ import annotations

from datetime import date

import pytest

from safedesk.clock import FakeClock
from safedesk.models import MarkerCategory
from safedesk.services.markers.incident_markers import assessment_from_alarm
from safedesk.services.markers.placing import create_marker
from safedesk.services.shared.refusals import InvalidInput, PermissionRefused
from tests.markers.office_world import World, add_resolved_alarm


def test_a_resolved_alarm_prefills_the_person_and_the_incident_as_evidence(
    world: World, clock: FakeClock
) -> None:
    alarm_id = add_resolved_alarm(world, clock.now())
    with world.db.session() as s:
        draft = assessment_from_alarm(s, alarm_id, assessed_by_id=world.staff["asb"])
    assert draft.person_id == world.person_id
    assert draft.category is MarkerCategory.VIOLENCE_AGGRESSION
    assert draft.source_alarm_id == alarm_id
    (evidence,) = draft.evidence
    assert evidence.occurred_on == date(2026, 11, 23)
    assert evidence.alarm_id == alarm_id
    assert "Interview Room 1" in evidence.what_happened
    assert "police called" in evidence.what_happened
    assert "threw a chair" in evidence.what_happened
    # The manager completes what only they can decide; the draft alone is not enough.
    with pytest.raises(InvalidInput) as refused, world.db.session() as s:
        create_marker(s, world.actor("asb"), draft, now=clock.now(), config=world.config)
    assert refused.value.fields == ["instructions", "reason", "tenant_informed"]
    import dataclasses

    complete = dataclasses.replace(
        draft,
        instructions=("Two officers present for any meeting",),
        reason="Threw a chair at an officer in an interview",
        tenant_informed=True,
    )
    with world.db.session() as s:
        marker = create_marker(
            s, world.actor("asb"), complete, now=clock.now(), config=world.config
        )
        assert marker.source_alarm_id == alarm_id
        assert marker.evidence[0].alarm_id == alarm_id


def test_an_open_alarm_cannot_start_an_assessment(world: World, clock: FakeClock) -> None:
    alarm_id = add_resolved_alarm(world, clock.now(), resolved=False)
    with pytest.raises(PermissionRefused, match="still open"), world.db.session() as s:
        assessment_from_alarm(s, alarm_id)
