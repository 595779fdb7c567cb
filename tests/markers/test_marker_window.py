"""The marker window and sign-in dialog, driven as a manager would (pytest-qt, offscreen)."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from desktop.markers.assessment_dialog import RiskAssessmentDialog
from desktop.markers.markers_panel import MarkersPanel
from desktop.markers.restricted_dialog import RestrictedDetailDialog
from desktop.shell.sign_in import SessionBridge, SignInDialog, UserBadge
from safedesk.clock import FakeClock
from safedesk.models import AuditEntry, Marker, MarkerCategory
from safedesk.services.markers.desk import MarkerDesk
from safedesk.services.markers.placing import create_marker
from safedesk.services.shared.actor import Actor
from safedesk.services.staff.sign_in import StaffSession
from tests.markers.office_world import PASSWORD, World, add_resolved_alarm

pytestmark = pytest.mark.gui

SHOTS = os.environ.get("SAFEDESK_SCREENSHOT_DIR")


def _shot(widget: QWidget, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        widget.grab().save(str(Path(SHOTS) / f"{name}.png"))


def _markers(world: World, clock: FakeClock) -> tuple[int, int]:
    with world.db.session() as s:
        overdue = create_marker(
            s,
            world.actor("asb"),
            world.assessment(review_due=date(2026, 12, 1)),
            now=clock.now(),
            config=world.config,
        ).id
        restricted = create_marker(
            s,
            world.actor("asb"),
            world.assessment(
                person_id=world.other_person_id,
                category=MarkerCategory.OFFENDER,
                restricted=True,
                reason="Scheduled offender",
                instructions=(),
            ),
            now=clock.now(),
            config=world.config,
        ).id
    clock.advance(days=10)  # the first marker's review is now overdue
    return overdue, restricted


def test_the_register_highlights_overdue_reviews_and_guards_restricted_detail(
    world: World, clock: FakeClock, qtbot: QtBot
) -> None:
    overdue, restricted = _markers(world, clock)
    desk = MarkerDesk(world.db, clock, world.config)
    who = {"actor": world.actor("manager")}
    panel = MarkersPanel(desk, lambda: who["actor"])
    qtbot.addWidget(panel)
    panel.resize(1200, 600)
    assert "1 OVERDUE for review" in panel.header.text()
    row = [e.marker_id for e in panel.entries].index(overdue)
    due_cell = panel.register_table.item(row, 4)
    assert due_cell is not None and "OVERDUE" in due_cell.text()
    assert not due_cell.icon().isNull()  # not colour alone
    # A plain manager may not read the offender marker's reasons: the button says who to contact.
    panel.register_table.selectRow([e.marker_id for e in panel.entries].index(restricted))
    assert not panel.detail_button.isEnabled()
    assert "Contact the ASB Manager" in panel.detail_button.toolTip()
    # The Area Housing Manager may; the view is audited and appears in the views report.
    who["actor"] = world.actor("area")
    panel.refresh()
    panel.register_table.selectRow([e.marker_id for e in panel.entries].index(restricted))
    assert panel.detail_button.isEnabled()
    detail = desk.view_restricted(world.actor("area"), restricted)
    dialog = RestrictedDetailDialog(detail, "area", panel)
    qtbot.addWidget(dialog)
    assert "recorded in the audit log" in dialog.findChild(QWidget, "auditNotice").text()  # type: ignore[union-attr]
    panel.refresh()
    assert panel.views_table.rowCount() == 1
    who_cell = panel.views_table.item(0, 1)
    assert who_cell is not None and who_cell.text() == "area"
    panel.show()
    _shot(panel, "markers_register")
    dialog.show()
    _shot(dialog, "markers_restricted_detail")
    panel.tabs.setCurrentIndex(1)
    _shot(panel, "markers_reviews_due")


def test_front_line_staff_get_no_register(world: World, clock: FakeClock, qtbot: QtBot) -> None:
    _markers(world, clock)
    panel = MarkersPanel(
        MarkerDesk(world.db, clock, world.config), lambda: world.actor("reception")
    )
    qtbot.addWidget(panel)
    assert "not a manager" in panel.header.text()
    assert panel.register_table.rowCount() == 0
    assert not panel.new_button.isEnabled()
    panel = MarkersPanel(MarkerDesk(world.db, clock, world.config), lambda: Actor.system())
    qtbot.addWidget(panel)
    assert "Sign in" in panel.header.text()


def test_saving_a_blank_assessment_names_the_fields_and_saves_nothing(
    world: World, clock: FakeClock, qtbot: QtBot
) -> None:
    dialog = RiskAssessmentDialog(MarkerDesk(world.db, clock, world.config), world.actor("asb"))
    qtbot.addWidget(dialog)
    dialog._on_save()
    text = dialog.error.text()
    for label in ("Person", "Category", "Reason", "Assessed by", "Tenant informed", "Evidence"):
        assert f"<b>{label}" in text, label
    assert not dialog.result()
    with world.db.session() as s:
        assert s.scalar(select(func.count()).select_from(Marker)) == 0


def test_a_complete_assessment_from_an_incident_places_the_marker(
    world: World, clock: FakeClock, qtbot: QtBot
) -> None:
    alarm_id = add_resolved_alarm(world, clock.now())
    desk = MarkerDesk(world.db, clock, world.config)
    assert [i.alarm_id for i in desk.recent_incidents()] == [alarm_id]
    dialog = RiskAssessmentDialog(
        desk, world.actor("asb"), draft=desk.draft_from_incident(alarm_id)
    )
    qtbot.addWidget(dialog)
    assert "Jonathan Smith" in dialog.person_label.text()
    assert dialog.form().category is MarkerCategory.VIOLENCE_AGGRESSION
    dialog.assessor.setCurrentIndex(dialog.assessor.findData(world.staff["asb"]))
    dialog.instructions.item(0).setCheckState(dialog.instructions.item(0).checkState().Checked)
    dialog.reason.setPlainText("Threw a chair at an officer")
    dialog.informed_yes.setChecked(True)
    dialog.resize(860, 1000)
    dialog.show()
    _shot(dialog, "markers_assessment_from_incident")
    dialog._on_save()
    assert dialog.marker_id is not None, dialog.error.text()
    with world.db.session() as s:
        marker = s.get(Marker, dialog.marker_id)
        assert marker is not None and marker.source_alarm_id == alarm_id
        assert marker.instructions == ["Visit in pairs"]


def test_sign_in_and_quick_switch_through_the_dialog(
    world: World, clock: FakeClock, qtbot: QtBot
) -> None:
    bridge = SessionBridge(StaffSession(world.db, clock, workstation="RECEPTION-1"))
    badge = UserBadge(bridge)
    qtbot.addWidget(badge)
    assert "Nobody signed in" in badge.label.text()
    dialog = SignInDialog(bridge)
    qtbot.addWidget(dialog)
    dialog.login.setText("reception")
    dialog.password.setText("wrong")
    dialog._on_sign_in()
    assert dialog.error.text() == "Wrong login or password"
    assert bridge.current is None
    dialog.password.setText(PASSWORD)
    with qtbot.waitSignal(bridge.user_changed):
        dialog._on_sign_in()
    assert "Priya Sharma" in badge.label.text()
    switch = SignInDialog(bridge)
    qtbot.addWidget(switch)
    assert "Priya Sharma" in switch.findChildren(type(badge.label))[0].text()
    switch.show()
    _shot(switch, "sign_in_switch_user")
    switch.login.setText("area")
    switch.password.setText(PASSWORD)
    switch._on_sign_in()
    assert bridge.current_actor().login == "area"
    with world.db.session() as s:
        actions = s.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    # The next person's sign-in is accepted first; only then is the previous one signed out.
    assert actions == ["auth.sign_in_failed", "auth.signed_in", "auth.signed_in", "auth.signed_out"]


def test_the_panel_follows_whoever_signs_in_on_the_main_window(
    world: World, clock: FakeClock, qtbot: QtBot
) -> None:
    from PySide6.QtCore import Signal
    from PySide6.QtWidgets import QTabWidget

    from desktop.markers.panel_hook import add_markers_panel
    from safedesk.config import Config

    class Window(QTabWidget):
        """Just the part of MainWindow's panel hook a panel uses."""

        user_changed = Signal(object)

        def __init__(self) -> None:
            super().__init__()
            self.db, self.clock, self.config = world.db, clock, Config()
            self.actor = Actor.system()

        def current_actor(self) -> Actor:
            return self.actor

        def add_panel(self, widget: QWidget, title: str) -> int:
            return self.addTab(widget, title)

    _markers(world, clock)
    window = Window()
    qtbot.addWidget(window)
    add_markers_panel(window)  # type: ignore[arg-type]
    panel = window.widget(0)
    assert isinstance(panel, MarkersPanel) and window.tabText(0) == "Markers"
    assert panel.register_table.rowCount() == 0
    window.actor = world.actor("asb")
    window.user_changed.emit(None)
    assert panel.register_table.rowCount() == 2


def test_review_and_appeal_dialogs_show_refusals_and_record_decisions(
    world: World, clock: FakeClock, qtbot: QtBot
) -> None:
    from desktop.markers.appeal_dialog import AppealDialog
    from desktop.markers.review_dialog import ReviewDialog
    from safedesk.models import MarkerAppeal, ReviewDecision

    overdue, _ = _markers(world, clock)
    desk = MarkerDesk(world.db, clock, world.config)
    (entry,) = [e for e in desk.register(world.actor("asb")) if e.marker_id == overdue]

    review = ReviewDialog(desk, world.actor("complex"), entry)
    qtbot.addWidget(review)
    review._buttons[ReviewDecision.CONTINUE].setChecked(True)
    review.reason.setPlainText("Incident in March; risk remains")
    review.information.setPlainText("Officer notes; police update")
    review.informed_yes.setChecked(True)
    review.show()
    _shot(review, "markers_review")
    review._on_save()  # the Complex Needs Manager does not review violence markers
    assert "reviewed by the ASB Manager" in review.error.text()
    review.actor = world.actor("asb")
    review._on_save()
    assert review.result() == review.DialogCode.Accepted

    lodge = AppealDialog(desk, world.actor("reception"), entry)
    qtbot.addWidget(lodge)
    lodge.text.setPlainText("The tenant says the bottle was dropped")
    lodge._on_ok()
    decide = AppealDialog(desk, world.actor("complex"), entry)
    qtbot.addWidget(decide)
    decide.outcome.setCurrentIndex(1)
    decide.text.setPlainText("CCTV shows it thrown")
    decide.show()
    _shot(decide, "markers_appeal_decide")
    assert "more senior than Steve Barker" in decide.error.text()
    assert not decide.ok_button.isEnabled()  # said before anything is written
    decide = AppealDialog(desk, world.actor("area"), entry)
    qtbot.addWidget(decide)
    decide.outcome.setCurrentIndex(1)
    decide.text.setPlainText("CCTV shows it thrown")
    decide._on_ok()
    with world.db.session() as s:
        appeal = s.scalars(select(MarkerAppeal)).one()
        assert appeal.decided_by_id == world.staff["area"]
