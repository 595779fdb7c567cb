"""A manager's afternoon (seed 002): a marker from this morning's incident, a review that is due,
a tenant's appeal decided by a more senior manager, and the letter to the tenant.

Two manager PCs on one office database, each a whole SafeDesk at 1366x768, driven with the mouse
and keyboard. What happened before the afternoon (the visit, the alarm and its resolution, the
markers placed months ago) is set up through the core as the other PCs would have recorded it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QAbstractButton, QDialog, QFileDialog, QTableWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from desktop.app import DesktopApp
from desktop.markers.appeal_dialog import AppealDialog
from desktop.markers.assessment_dialog import RiskAssessmentDialog
from desktop.markers.letter_dialogs import NotificationLetterDialog
from desktop.markers.markers_panel import MarkersPanel
from desktop.markers.review_dialog import ReviewDialog
from safedesk.config import Config
from safedesk.db import Database
from safedesk.models import (
    AlarmOutcome,
    AppealOutcome,
    AuditEntry,
    Marker,
    MarkerAppeal,
    MarkerCategory,
    MarkerReview,
    MarkerStatus,
    Office,
    Person,
    ReviewDecision,
    Room,
    Staff,
    Visit,
)
from safedesk.services.hub import Services
from safedesk.services.markers.placing import EvidenceInput, RiskAssessment, create_marker
from safedesk.services.markers.review_dates import uk_date
from safedesk.services.shared.actor import Actor
from tests.markers.modal import ModalDialogs
from tests.walkthrough.conftest import SCREEN_SIZE, OfficePCs

pytestmark = pytest.mark.gui

LEFT = Qt.MouseButton.LeftButton
OFFICE = "Derby Central Housing Office"
REGISTER, DUE, INCIDENTS = 0, 1, 2


def _db(pcs: OfficePCs) -> Database:
    return Database(pcs.url)


def _staff_id(db: Database, login: str) -> int:
    with db.session() as s:
        staff = s.scalars(select(Staff).where(Staff.login == login)).one()
        return staff.id


def _add_person(db: Database, fore: str, sur: str, born: date, ref: str, now: datetime) -> int:
    with db.session() as s:
        person = Person(
            forenames=fore,
            surname=sur,
            date_of_birth=born,
            address="9 Osmaston Road, Derby",
            postcode="DE1 2HR",
            tenancy_ref=ref,
            created_at=now,
            updated_at=now,
        )
        s.add(person)
        s.flush()
        return person.id


def _earlier_marker(db: Database, pcs: OfficePCs, person_id: int, *, days_ago: int) -> int:
    """A marker Steve Barker placed ``days_ago`` days ago, due for review six months on."""
    asb = Actor(_staff_id(db, "sbarker"), "sbarker", "ASB-PC")
    pcs.clock.advance(days=-days_ago)
    try:
        with db.session() as s:
            marker = create_marker(
                s,
                asb,
                RiskAssessment(
                    person_id=person_id,
                    category=MarkerCategory.VIOLENCE_AGGRESSION,
                    assessed_by_id=asb.staff_id,
                    reason="Threatened an officer at the counter",
                    evidence=(
                        EvidenceInput(
                            occurred_on=uk_date(pcs.clock.now()) - timedelta(days=2),
                            what_happened="Shouted and threatened to 'sort out' the officer",
                            source="Incident report IR-1187",
                        ),
                    ),
                    tenant_informed=True,
                    instructions=("Visit in pairs",),
                ),
                now=pcs.clock.now(),
                config=Config().markers,
            )
            return marker.id
    finally:
        pcs.clock.advance(days=days_ago)


def _incident_this_morning(db: Database, pcs: OfficePCs, person_id: int) -> int:
    """John Bell was seen in Interview Room 1, pressed for help, and the alarm was resolved."""
    now = pcs.clock.now()
    with db.session() as s:
        office = s.scalars(select(Office).where(Office.name == OFFICE)).one()
        room = s.scalars(
            select(Room).where(Room.office_id == office.id, Room.name == "Interview Room 1")
        ).one()
        s.add(
            Visit(
                office_id=office.id,
                person_id=person_id,
                room_id=room.id,
                host_officer_id=_staff_id(db, "twhitfield"),
                purpose="Rent arrears",
                arrived_at=now - timedelta(minutes=20),
                created_at=now - timedelta(minutes=30),
            )
        )
    alarm_id = pcs.press_button("Interview Room 1")
    pcs.clock.advance(minutes=6)
    services = Services.build(Config(), db, pcs.clock, "RESPONDER-PC")
    try:
        tom = Actor(_staff_id(db, "twhitfield"), "twhitfield", "RESPONDER-PC")
        services.alarms.respond(alarm_id, tom)
        services.alarms.resolve(
            alarm_id, tom, AlarmOutcome.RESOLVED_ON_SITE, "Shouted and threw a chair at the officer"
        )
    finally:
        services.close()
    pcs.clock.advance(hours=2)
    return alarm_id


def _markers(pcs: OfficePCs, app: DesktopApp) -> MarkersPanel:
    tabs = app.window.tabs
    index = next(i for i in range(tabs.count()) if tabs.tabText(i) == "Markers")
    bar = tabs.tabBar()
    pcs.qtbot.mouseClick(bar, LEFT, pos=bar.tabRect(index).center())
    panel = tabs.currentWidget()
    assert isinstance(panel, MarkersPanel)
    assert panel.isVisible()
    return panel


def _tab(qtbot: QtBot, panel: MarkersPanel, index: int) -> None:
    bar = panel.tabs.tabBar()
    qtbot.mouseClick(bar, LEFT, pos=bar.tabRect(index).center())
    assert panel.tabs.currentIndex() == index


def _click_row(qtbot: QtBot, table: QTableWidget, words: str) -> None:
    for row in range(table.rowCount()):
        texts = [table.item(row, c).text() for c in range(table.columnCount())]  # type: ignore[union-attr]
        if any(words in t for t in texts):
            cell = table.item(row, 1)
            assert cell is not None
            table.scrollToItem(cell)
            rect = table.visualRect(table.model().index(row, 1))
            qtbot.mouseClick(table.viewport(), LEFT, pos=rect.center())
            assert table.selectionModel().selectedRows()[0].row() == row
            return
    raise AssertionError(f"no row showing {words!r}")


def _tick(qtbot: QtBot, button: QAbstractButton) -> None:
    """Click a radio button or check box on its indicator, as a person aims at it."""
    qtbot.mouseClick(button, LEFT, pos=QPoint(8, button.height() // 2))
    assert button.isChecked()


def _choose(qtbot: QtBot, combo: object, wanted: Callable[[object], bool]) -> None:
    """Walk a combo box with the Down key until ``wanted(currentData)``."""
    from PySide6.QtWidgets import QComboBox

    assert isinstance(combo, QComboBox)
    combo.setFocus()
    for _ in range(combo.count()):
        if wanted(combo.currentData()):
            return
        qtbot.keyClick(combo, Qt.Key.Key_Down)
    assert wanted(combo.currentData()), [combo.itemText(i) for i in range(combo.count())]


def test_a_manager_places_reviews_and_a_senior_manager_decides_the_appeal(
    office_pcs: OfficePCs, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    qtbot = office_pcs.qtbot
    db = _db(office_pcs)
    try:
        now = office_pcs.clock.now()
        john = _add_person(db, "John", "Bell", date(1975, 8, 14), "W9000045", now)
        _add_person(db, "John", "Bell", date(1988, 1, 30), "W9000917", now)  # a namesake
        esther = _add_person(db, "Esther", "Rogers", date(1971, 2, 9), "W9000101", now)
        mandeep = _add_person(db, "Mandeep", "Ibrahim", date(1990, 7, 1), "W9000102", now)
        _earlier_marker(db, office_pcs, esther, days_ago=172)  # due in a few days
        mandeep_marker = _earlier_marker(db, office_pcs, mandeep, days_ago=176)
        alarm_id = _incident_this_morning(db, office_pcs, john)
        barker_id = _staff_id(db, "sbarker")
        fraser_id = _staff_id(db, "pfraser")
    finally:
        db.dispose()

    asb_pc = office_pcs.open("sbarker", mode="manager", name="ASB-PC")
    panel = _markers(office_pcs, asb_pc)
    assert asb_pc.window.width() <= SCREEN_SIZE[0]

    # 1. A marker from this morning's incident: the form comes filled with John Bell (the one in
    #    the room) and the incident; the manager completes it and places it with Ctrl+Enter.
    _tab(qtbot, panel, INCIDENTS)
    _click_row(qtbot, panel.incident_table, f"INC-{alarm_id:06d}")

    def assess(dialog: QDialog) -> None:
        assert isinstance(dialog, RiskAssessmentDialog)
        assert dialog.height() <= SCREEN_SIZE[1]
        assert "John Bell" in dialog.person_label.text()
        assert "14/08/1975" in dialog.person_label.text()
        assert dialog.category.currentText() == "Violence or aggression incident"
        evidence = [row.value() for row in dialog._evidence]
        assert [e.alarm_id for e in evidence] == [alarm_id]
        assert "threw a chair" in evidence[0].what_happened
        assert f"INC-{alarm_id:06d}" in evidence[0].source
        _choose(qtbot, dialog.assessor, lambda data: data == barker_id)
        first = dialog.instructions.item(0)
        rect = dialog.instructions.visualItemRect(first)
        qtbot.mouseClick(dialog.instructions.viewport(), LEFT, pos=rect.center())
        qtbot.keyClick(dialog.instructions, Qt.Key.Key_Space)
        assert first.checkState() == Qt.CheckState.Checked
        qtbot.keyClicks(dialog.reason, "Threw a chair at an officer in an interview")
        _tick(qtbot, dialog.informed_yes)
        qtbot.keyClick(dialog.reason, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        assert dialog.result() == QDialog.DialogCode.Accepted, dialog.error.text()

    with ModalDialogs(assess) as modals:
        qtbot.mouseClick(panel.assess_incident_button, LEFT)
    assert modals.titles == ["New marker from a risk assessment"]
    check = _db(office_pcs)
    try:
        with check.session() as s:
            placed = s.scalars(
                select(Marker).where(Marker.person_id == john, Marker.source_alarm_id == alarm_id)
            ).one()
            assert [e.alarm_id for e in placed.evidence] == [alarm_id]
            assert placed.assessed_by_id == barker_id
            john_marker = placed.id
    finally:
        check.dispose()
    _tab(qtbot, panel, REGISTER)
    _click_row(qtbot, panel.register_table, f"M-{john_marker:06d}")

    # 2. The reviews due: Esther Rogers looked at on the Register, then Mandeep Ibrahim chosen in
    #    Reviews due and reviewed: the review is Mandeep's.
    _click_row(qtbot, panel.register_table, "Esther Rogers")
    _tab(qtbot, panel, DUE)
    _click_row(qtbot, panel.due_table, "Mandeep Ibrahim")

    def review(dialog: QDialog) -> None:
        assert isinstance(dialog, ReviewDialog)
        _tick(qtbot, dialog._buttons[ReviewDecision.CONTINUE])
        qtbot.keyClicks(dialog.reason, "Still shouting at staff on the phone in June")
        qtbot.keyClicks(dialog.information, "Officer notes; support worker's view")
        _tick(qtbot, dialog.informed_yes)
        qtbot.mouseClick(dialog.save_button, LEFT)
        assert dialog.result() == QDialog.DialogCode.Accepted, dialog.error.text()

    with ModalDialogs(review) as modals:
        qtbot.mouseClick(panel.review_button, LEFT)
    assert modals.titles == [f"Review marker M-{mandeep_marker:06d}: Mandeep Ibrahim"]
    due_now = [
        panel.due_table.item(r, 1).text()  # type: ignore[union-attr]
        for r in range(panel.due_table.rowCount())
    ]
    assert not any("Mandeep" in name for name in due_now)
    assert any("Esther Rogers" in name for name in due_now)  # still to do

    # 3. John Bell appeals (by phone); Steve Barker records it. He placed the marker, so he is
    #    told at once that he cannot decide it.
    _tab(qtbot, panel, REGISTER)
    _click_row(qtbot, panel.register_table, f"M-{john_marker:06d}")

    def record_appeal(dialog: QDialog) -> None:
        assert isinstance(dialog, AppealDialog)
        qtbot.keyClicks(dialog.text, "He says the chair fell over when he stood up")
        qtbot.mouseClick(dialog.ok_button, LEFT)
        assert dialog.result() == QDialog.DialogCode.Accepted, dialog.error.text()

    with ModalDialogs(record_appeal):
        qtbot.mouseClick(panel.appeal_button, LEFT)
    refusal: dict[str, object] = {}

    def look(dialog: QDialog) -> None:
        assert isinstance(dialog, AppealDialog)
        refusal["text"] = dialog.error.text()
        refusal["can_decide"] = dialog.ok_button.isEnabled()
        dialog.reject()

    with ModalDialogs(look):
        qtbot.mouseClick(panel.appeal_button, LEFT)
    assert "Steve Barker made the original decision" in str(refusal["text"])
    assert refusal["can_decide"] is False

    # 4. Paul Fraser, Area Housing Manager, decides it on his own PC: not upheld, marker stays.
    area_pc = office_pcs.open("pfraser", mode="manager", name="AREA-PC")
    senior = _markers(office_pcs, area_pc)
    _click_row(qtbot, senior.register_table, f"M-{john_marker:06d}")

    def decide(dialog: QDialog) -> None:
        assert isinstance(dialog, AppealDialog)
        assert dialog.error.text() == ""
        _choose(qtbot, dialog.outcome, lambda data: data == AppealOutcome.DISMISSED.value)
        assert dialog.outcome.currentText() == "Not upheld (dismissed): the marker stays as it is"
        qtbot.keyClicks(dialog.text, "Tom Whitfield's account and the room's damage agree")
        qtbot.mouseClick(dialog.ok_button, LEFT)
        assert dialog.result() == QDialog.DialogCode.Accepted, dialog.error.text()

    with ModalDialogs(decide):
        qtbot.mouseClick(senior.appeal_button, LEFT)

    # 5. Back on the first PC, the tenant's letter: no appeal offered any more, the outcome told.
    saved = tmp_path / "john-bell.pdf"
    monkeypatch.setattr(  # the operating system's save dialog: the manager picks this file
        QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(saved), "PDF (*.pdf)"))
    )
    qtbot.mouseClick(panel.refresh_button, LEFT)
    _click_row(qtbot, panel.register_table, f"M-{john_marker:06d}")

    def letter(dialog: QDialog) -> None:
        assert isinstance(dialog, NotificationLetterDialog)
        qtbot.keyClicks(
            dialog.explanation, "On the morning of your visit a chair was thrown at an officer."
        )
        qtbot.keyClick(dialog.explanation, Qt.Key.Key_Return)  # a new line, not "make the PDF"
        assert dialog.isVisible()
        qtbot.mouseClick(dialog.make_button, LEFT)
        assert dialog.result() == QDialog.DialogCode.Accepted, dialog.error.text()

    with ModalDialogs(letter) as modals:
        qtbot.mouseClick(panel.letter_button, LEFT)
    assert modals.titles == [f"Tenant letter for marker M-{john_marker:06d}"]
    assert saved.stat().st_size > 1000

    check = _db(office_pcs)
    try:
        with check.session() as s:
            (appeal,) = s.scalars(select(MarkerAppeal).where(MarkerAppeal.marker_id == john_marker))
            assert appeal.outcome is AppealOutcome.DISMISSED and appeal.decided_by_id == fraser_id
            assert s.get(Marker, john_marker).status is MarkerStatus.ACTIVE  # type: ignore[union-attr]
            (reviewed,) = s.scalars(
                select(MarkerReview).where(MarkerReview.marker_id == mandeep_marker)
            )
            assert reviewed.reviewed_by_id == barker_id
            body = s.scalars(
                select(AuditEntry.detail)
                .where(AuditEntry.action == "marker.letter_produced")
                .order_by(AuditEntry.id.desc())
            ).first()
    finally:
        check.dispose()
    assert body is not None
    words = " ".join(str(body["text"]).split())
    today = office_pcs.clock.now()
    assert "Dear John Bell" in words
    assert f"from {today.day} {today:%B %Y} we are making some changes" in words
    assert "right to appeal" not in words.lower()
    assert "Your appeal was not upheld" in words
    assert "by Paul Fraser, Area Housing Manager" in words
    assert "The arrangements above stay in place" in words
    assert "outcome of the appeal is final" in words
    assert "Threw a chair at an officer in an interview" not in words  # the reason stays inside
