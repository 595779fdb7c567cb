"""The "visits in pairs" flag is set where markers are placed and reviewed (the marker forms)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from desktop.markers.assessment_dialog import RiskAssessmentDialog
from desktop.markers.review_dialog import ReviewDialog
from safedesk.clock import FakeClock
from safedesk.db import Database
from safedesk.models import AuditEntry, Marker, ReviewDecision
from safedesk.services.markers.desk import MarkerDesk
from safedesk.services.markers.placing import create_marker
from tests.markers.office_world import add_resolved_alarm, build_world

pytestmark = pytest.mark.gui
LEFT = Qt.MouseButton.LeftButton


def test_placing_a_marker_with_visits_in_pairs_ticked_sets_the_flag(
    db: Database, clock: FakeClock, qtbot: QtBot
) -> None:
    world = build_world(db, clock.now())
    alarm_id = add_resolved_alarm(world, clock.now())
    desk = MarkerDesk(world.db, clock, world.config)
    dialog = RiskAssessmentDialog(
        desk, world.actor("asb"), draft=desk.draft_from_incident(alarm_id)
    )
    qtbot.addWidget(dialog)
    dialog.resize(860, 1000)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.assessor.setCurrentIndex(dialog.assessor.findData(world.staff["asb"]))
    dialog.instructions.item(0).setCheckState(Qt.CheckState.Checked)
    dialog.reason.setPlainText("Threw a chair at an officer")
    dialog.informed_yes.setChecked(True)
    assert not dialog.visits_in_pairs.isChecked()
    qtbot.mouseClick(dialog.visits_in_pairs, LEFT)
    assert dialog.visits_in_pairs.isChecked()
    dialog._on_save()
    assert dialog.marker_id is not None, dialog.error.text()
    with world.db.session() as s:
        assert s.get_one(Marker, dialog.marker_id).visits_in_pairs
        placed = s.scalars(select(AuditEntry).where(AuditEntry.action == "marker.placed")).one()
        assert placed.detail["visits_in_pairs"] is True


def test_a_review_shows_the_flag_and_can_clear_it(
    db: Database, clock: FakeClock, qtbot: QtBot
) -> None:
    world = build_world(db, clock.now())
    with world.db.session() as s:
        marker_id = create_marker(
            s,
            world.actor("asb"),
            world.assessment(visits_in_pairs=True),
            now=clock.now(),
            config=world.config,
        ).id
    desk = MarkerDesk(world.db, clock, world.config)
    (entry,) = [e for e in desk.register(world.actor("asb")) if e.marker_id == marker_id]
    review = ReviewDialog(desk, world.actor("asb"), entry)
    qtbot.addWidget(review)
    review.show()
    qtbot.waitExposed(review)
    assert review.visits_in_pairs.isChecked()
    qtbot.mouseClick(review.visits_in_pairs, LEFT)
    review._buttons[ReviewDecision.CONTINUE].setChecked(True)
    review.reason.setPlainText("Two visits since without trouble; a PCSO is now on the estate")
    review.information.setPlainText("Officer notes")
    review.informed_yes.setChecked(True)
    review._on_save()
    assert review.result() == review.DialogCode.Accepted, review.error.text()
    with world.db.session() as s:
        assert not s.get_one(Marker, marker_id).visits_in_pairs
        reviewed = s.scalars(select(AuditEntry).where(AuditEntry.action == "marker.reviewed")).one()
        assert reviewed.detail["before"]["visits_in_pairs"] is True
