"""Logging a visit: every field checked, markers acknowledged, and the two-person rule."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from safedesk.models import AuditEntry, Marker
from safedesk.models.movements import Movement
from safedesk.services.movements.entries import BoardState, MarkersNotAcknowledged
from safedesk.services.movements.pairs_rule import PairsRefused
from safedesk.services.reception.room_choice import OverrideRefused
from safedesk.services.shared.refusals import InvalidInput, PermissionRefused
from tests.movements.world import DiaryWorld

ABBEY: dict[str, Any] = dict(
    address="14 Abbey Street", postcode="DE1 2AB", person_name="Jonathan Smith"
)


def test_an_incomplete_entry_lists_every_problem_and_saves_nothing(world: DiaryWorld) -> None:
    form = world.form(address="", phone="12", expected_back_at=None, answers={}, person_name="")
    with pytest.raises(InvalidInput) as refused:
        world.desk.log_visit(world.actor("rgreen"), form)
    fields = refused.value.fields
    assert {"address", "phone", "expected_back", "person", "answers.reason"} <= set(fields)
    with world.db.session() as s:
        assert s.scalars(select(Movement)).all() == []


def test_markers_must_be_acknowledged_before_leaving(world: DiaryWorld) -> None:
    form = world.form(**ABBEY, second_officer_id=world.staff["sokafor"])
    with pytest.raises(MarkersNotAcknowledged) as refused:
        world.desk.log_visit(world.actor("rgreen"), form)
    assert world.markers["jonathan"] in refused.value.check.marker_ids
    check = world.desk.check(**ABBEY)
    movement_id = world.desk.log_visit(
        world.actor("rgreen"), replace(form, acknowledged_marker_ids=check.marker_ids)
    )
    with world.db.session() as s:
        m = s.get_one(Movement, movement_id)
        assert m.marker_ids == [world.markers["jonathan"]] and m.markers_acknowledged_at


def test_a_lone_visit_to_a_visits_in_pairs_address_is_refused(world: DiaryWorld) -> None:
    with pytest.raises(PairsRefused) as refused:
        world.log(**ABBEY)
    assert "Jonathan Smith" in str(refused.value)
    with world.db.session() as s:
        assert s.scalars(select(Movement)).all() == []


def test_naming_a_second_officer_meets_the_two_person_rule(world: DiaryWorld) -> None:
    movement_id = world.log(**ABBEY, second_officer_id=world.staff["sokafor"])
    row = next(r for r in world.desk.board(world.office_id) if r.movement_id == movement_id)
    assert row.second_officer_name == "Sarah Okafor" and row.pairs_required


def test_a_manager_s_override_allows_a_lone_visit_and_is_audited(world: DiaryWorld) -> None:
    with pytest.raises(OverrideRefused):
        world.desk.authorise_lone_visit("psharma", "demo", "Nobody free; police aware")
    with pytest.raises(OverrideRefused):
        world.desk.authorise_lone_visit("hmarsh", "wrong", "Nobody free; police aware")
    with pytest.raises(OverrideRefused):
        world.desk.authorise_lone_visit("hmarsh", "demo", "ok")
    override = world.desk.authorise_lone_visit(
        "hmarsh", "demo", "Doorstep only, PCSO on the estate with her"
    )
    movement_id = world.log(**ABBEY, pairs_override=override)
    with world.db.session() as s:
        m = s.get_one(Movement, movement_id)
        assert m.pairs_override_by_id == world.staff["hmarsh"]
        entry = s.scalars(
            select(AuditEntry).where(AuditEntry.action == "movement.pairs_override")
        ).one()
        assert entry.subject_id == movement_id
        assert entry.detail["manager"] == "hmarsh"
        assert entry.detail["reason"] == "Doorstep only, PCSO on the estate with her"


def test_reception_logs_a_visit_on_behalf_of_an_officer(world: DiaryWorld) -> None:
    movement_id = world.log("psharma")
    with world.db.session() as s:
        m = s.get_one(Movement, movement_id)
        assert (m.officer_id, m.logged_by_id) == (world.staff["rgreen"], world.staff["psharma"])
        assert m.checklist["reason"] == "Rent arrears: agree a payment plan"
    (row,) = world.desk.board(world.office_id)
    assert (row.officer_name, row.address, row.state) == (
        "Rachel Green",
        "9 Elm Close, Derby",
        BoardState.OUT,
    )
    assert row.overdue_from == row.expected_back_at + timedelta(minutes=15)


def test_an_officer_already_out_cannot_log_a_second_visit(world: DiaryWorld) -> None:
    world.log()
    with pytest.raises(InvalidInput) as refused:
        world.log()
    assert refused.value.fields == ["officer"]


def test_the_diary_never_asks_for_or_keeps_a_home_address(world: DiaryWorld) -> None:
    columns = {c.name for c in Movement.__table__.columns}
    assert not [c for c in columns if "home" in c]


def test_managers_flag_existing_markers_whose_instructions_ask_for_pairs(
    world: DiaryWorld,
) -> None:
    with world.db.session() as s:
        s.get_one(Marker, world.markers["elsewhere"]).instructions = [
            "Two officers present for any meeting"
        ]
    listed = world.desk.pairs_candidates()
    assert [c.marker_id for c in listed] == [world.markers["elsewhere"]]
    with pytest.raises(PermissionRefused):
        world.desk.set_visits_in_pairs(world.actor("rgreen"), world.markers["elsewhere"], True)
    world.desk.set_visits_in_pairs(world.actor("hmarsh"), world.markers["elsewhere"], True)
    assert world.desk.pairs_candidates() == []
    check = world.desk.check(address="77 Far Lane, Leeds", postcode="LS1 9ZZ")
    assert check.pairs_required
    with world.db.session() as s:
        entry = s.scalars(
            select(AuditEntry).where(AuditEntry.action == "marker.visits_in_pairs")
        ).one()
        assert entry.staff_id == world.staff["hmarsh"] and entry.detail == {"value": True}
