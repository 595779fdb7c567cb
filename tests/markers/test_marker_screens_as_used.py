"""The marker screens as a manager uses them: shown at 1366x768, real clicks and keys.

Each test is a finding from trying SafeDesk as a new user would (issue 10, items 14-19, 23),
and asserts on what the manager sees and on what the database holds afterwards.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QFileDialog, QLabel, QTableWidget, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select, text

from desktop.markers.appeal_dialog import AppealDialog
from desktop.markers.assessment_dialog import RiskAssessmentDialog
from desktop.markers.letter_dialogs import NotificationLetterDialog
from desktop.markers.markers_panel import MarkersPanel
from desktop.markers.review_dialog import ReviewDialog
from safedesk.clock import FakeClock
from safedesk.models import (
    AppealOutcome,
    AuditEntry,
    Marker,
    MarkerCategory,
    MarkerStatus,
    ReviewDecision,
)
from safedesk.services.markers.appeals import decide_appeal, lodge_appeal
from safedesk.services.markers.desk import MarkerDesk
from safedesk.services.markers.placing import EvidenceInput, create_marker
from safedesk.services.markers.review import ReviewInput, record_review
from safedesk.services.shared.refusals import InvalidInput
from tests.markers.modal import ModalDialogs
from tests.markers.office_world import World, add_person, add_resolved_alarm

pytestmark = pytest.mark.gui

SCREEN = (1366, 768)
SHOTS = os.environ.get("SAFEDESK_SCREENSHOT_DIR")
REGISTER, DUE, INCIDENTS, VIEWS = 0, 1, 2, 3
LEFT = Qt.MouseButton.LeftButton


def _shot(widget: QWidget, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        widget.grab().save(str(Path(SHOTS) / f"{name}.png"))


@pytest.fixture
def open_panel(
    world: World, clock: FakeClock, qtbot: QtBot
) -> Iterator[Callable[[str], MarkersPanel]]:
    """The marker panel for a member of staff, shown at 1366x768."""

    def open_(who: str) -> MarkersPanel:
        panel = MarkersPanel(MarkerDesk(world.db, clock, world.config), lambda: world.actor(who))
        qtbot.addWidget(panel)
        panel.resize(*SCREEN)
        panel.show()
        qtbot.waitExposed(panel)
        return panel

    yield open_


def _place(world: World, clock: FakeClock, person_id: int, **changes: object) -> int:
    with world.db.session() as s:
        return create_marker(
            s,
            world.actor("asb"),
            world.assessment(person_id=person_id, **changes),
            now=clock.now(),
            config=world.config,
        ).id


def _click_tab(qtbot: QtBot, panel: MarkersPanel, index: int) -> None:
    bar = panel.tabs.tabBar()
    qtbot.mouseClick(bar, LEFT, pos=bar.tabRect(index).center())
    assert panel.tabs.currentIndex() == index


def _row_of(table: QTableWidget, words: str) -> int:
    for row in range(table.rowCount()):
        if any(words in (table.item(row, c).text() or "") for c in range(table.columnCount())):  # type: ignore[union-attr]
            return row
    raise AssertionError(f"no row showing {words!r}")


def _click_row(qtbot: QtBot, table: QTableWidget, words: str) -> None:
    row = _row_of(table, words)
    rect = table.visualRect(table.model().index(row, 1))
    qtbot.mouseClick(table.viewport(), LEFT, pos=rect.center())
    assert table.selectionModel().selectedRows()[0].row() == row


def _cell(table: QTableWidget, row: int, column: int) -> str:
    item = table.item(row, column)
    assert item is not None
    return item.text()


def _all_text(table: QTableWidget) -> str:
    return " | ".join(
        _cell(table, r, c) for r in range(table.rowCount()) for c in range(table.columnCount())
    )


# -- item 15: every action acts on the row selected in the tab in front -------------------------


def test_review_opens_the_marker_selected_in_reviews_due_not_the_register_selection(
    world: World, clock: FakeClock, qtbot: QtBot, open_panel: Callable[[str], MarkersPanel]
) -> None:
    today = clock.now().date()
    esther = add_person(
        world, "Esther", "Rogers", date(1971, 2, 9), "T0000101", "DE22 1AA", clock.now()
    )
    mandeep = add_person(
        world, "Mandeep", "Ibrahim", date(1990, 7, 1), "T0000102", "DE23 6BB", clock.now()
    )
    _place(world, clock, esther, review_due=today + timedelta(days=5))
    mandeep_marker = _place(world, clock, mandeep, review_due=today + timedelta(days=12))
    panel = open_panel("asb")

    _click_row(qtbot, panel.register_table, "Esther Rogers")  # selected on the Register tab
    _click_tab(qtbot, panel, DUE)
    _click_row(qtbot, panel.due_table, "Mandeep Ibrahim")
    assert panel.review_button.isEnabled()

    def look_and_cancel(dialog: QDialog) -> None:
        assert isinstance(dialog, ReviewDialog)
        dialog.reject()

    with ModalDialogs(look_and_cancel) as modals:
        qtbot.mouseClick(panel.review_button, LEFT)
    assert modals.titles == [f"Review marker M-{mandeep_marker:06d}: Mandeep Ibrahim"]

    # The other actions follow the same row; on a tab with no marker rows they are off.
    with ModalDialogs(lambda d: d.reject()) as modals:
        qtbot.mouseClick(panel.appeal_button, LEFT)
    assert modals.titles == [f"Appeal: M-{mandeep_marker:06d} Mandeep Ibrahim"]
    _click_tab(qtbot, panel, INCIDENTS)
    assert not panel.review_button.isEnabled() and not panel.appeal_button.isEnabled()
    _click_tab(qtbot, panel, REGISTER)
    assert panel.selected_entry() is not None
    assert panel.selected_entry().person_name == "Esther Rogers"  # type: ignore[union-attr]


# -- item 16: New marker follows whoever is signed in ----------------------------------------------
# (switching user in a real main window: tests/markers/test_marker_sign_in_switch.py)


# -- item 17: a restricted marker's category is not shown to those it is restricted from ----------


def test_a_manager_without_restricted_access_sees_instructions_and_contact_not_the_category(
    world: World, clock: FakeClock, qtbot: QtBot, open_panel: Callable[[str], MarkersPanel]
) -> None:
    marker_id = _place(
        world,
        clock,
        world.other_person_id,
        category=MarkerCategory.OFFENDER,
        restricted=True,
        reason="Scheduled offender: conviction for assault (2019)",
        instructions=(),
        review_due=clock.now().date() + timedelta(days=20),
    )
    plain = open_panel("manager")  # Helen Marsh: a manager, not on the restricted register
    shown = _all_text(plain.register_table)
    assert "Margaret O'Brien" in shown
    assert "Contact the ASB Manager before visiting" in shown
    assert "offender" not in shown.lower()
    _click_tab(qtbot, plain, DUE)
    assert "offender" not in _all_text(plain.due_table).lower()
    assert "Restricted register" in _cell(plain.due_table, 0, 2)
    # Pressing Review… says who reviews it, without naming the category either.
    _click_row(qtbot, plain.due_table, "Margaret O'Brien")
    with ModalDialogs() as modals:
        qtbot.mouseClick(plain.review_button, LEFT)
    assert modals.opened == []
    assert plain.notice.isVisible()
    assert "restricted register" in plain.notice.text()
    assert "offender" not in plain.notice.text().lower()
    _shot(plain, "markers_restricted_for_a_plain_manager")

    area = open_panel("area")  # the Area Housing Manager may see the restricted register
    row = _row_of(area.register_table, f"M-{marker_id:06d}")
    assert _cell(area.register_table, row, 2) == "Registered prolific offender / criminal offender"


# -- item 18: permission first, plain words, outcomes as UK usage reads them, the letter -----------


def test_review_permission_is_refused_when_review_is_pressed_not_after_the_form(
    world: World, clock: FakeClock, qtbot: QtBot, open_panel: Callable[[str], MarkersPanel]
) -> None:
    _place(world, clock, world.person_id, review_due=clock.now().date() + timedelta(days=3))
    panel = open_panel("complex")  # the Complex Needs Manager does not review violence markers
    _click_row(qtbot, panel.register_table, "Jonathan Smith")
    with ModalDialogs() as modals:
        qtbot.mouseClick(panel.review_button, LEFT)
    assert modals.opened == []  # no form to fill in for nothing
    notice = panel.notice.text()
    assert panel.notice.isVisible()
    assert "Nadia Rahman cannot review this marker" in notice
    assert "reviewed by the ASB Manager or someone more senior" in notice
    assert "seed" not in notice.lower() and "section" not in notice.lower()
    _shot(panel, "markers_review_refused_at_once")


def test_the_assessment_form_states_the_rule_in_plain_words(
    world: World, clock: FakeClock, qtbot: QtBot, open_panel: Callable[[str], MarkersPanel]
) -> None:
    panel = open_panel("asb")
    seen: dict[str, str] = {}

    def choose_category(dialog: QDialog) -> None:
        assert isinstance(dialog, RiskAssessmentDialog)
        dialog.category.setFocus()
        for _ in range(6):  # to the last category with the keyboard
            qtbot.keyClick(dialog.category, Qt.Key.Key_Down)
        seen["category"] = dialog.category.currentText()
        seen["note"] = dialog.assessor_note.text()
        dialog.reject()

    with ModalDialogs(choose_category):
        qtbot.mouseClick(panel.new_button, LEFT)
    assert seen["category"] == "Violence or aggression incident"
    assert seen["note"] == "Assessed by the ASB Manager or someone more senior"


def test_an_upheld_appeal_removes_the_marker_and_not_upheld_keeps_it(
    world: World, clock: FakeClock, qtbot: QtBot, open_panel: Callable[[str], MarkersPanel]
) -> None:
    kept = _place(world, clock, world.person_id)
    removed = _place(world, clock, world.other_person_id)
    with world.db.session() as s:
        for marker_id in (kept, removed):
            lodge_appeal(
                s,
                world.actor("reception"),
                marker_id,
                grounds="The tenant says the bottle was dropped",
                lodged_at=clock.now(),
                now=clock.now(),
            )
    panel = open_panel("area")  # more senior than Steve Barker, who assessed and placed both
    offered: list[str] = []

    def decide(choice: str, reason: str) -> Callable[[QDialog], None]:
        def act(dialog: QDialog) -> None:
            assert isinstance(dialog, AppealDialog)
            offered[:] = [dialog.outcome.itemText(i) for i in range(dialog.outcome.count())]
            dialog.outcome.setFocus()
            while dialog.outcome.currentText() != choice:
                before = dialog.outcome.currentIndex()
                qtbot.keyClick(dialog.outcome, Qt.Key.Key_Down)
                assert dialog.outcome.currentIndex() != before, offered
            qtbot.keyClicks(dialog.text, reason)
            qtbot.mouseClick(dialog.ok_button, LEFT)
            assert dialog.result() == QDialog.DialogCode.Accepted, dialog.error.text()

        return act

    _click_row(qtbot, panel.register_table, "Margaret O'Brien")
    with ModalDialogs(decide("Upheld: the marker is removed", "Not proportionate")):
        qtbot.mouseClick(panel.appeal_button, LEFT)
    assert offered == [
        "Choose…",
        "Not upheld (dismissed): the marker stays as it is",
        "Upheld in part: the marker stays, with changed instructions",
        "Upheld: the marker is removed",
    ]
    _click_row(qtbot, panel.register_table, "Jonathan Smith")
    with ModalDialogs(
        decide("Not upheld (dismissed): the marker stays as it is", "CCTV shows it thrown")
    ):
        qtbot.mouseClick(panel.appeal_button, LEFT)

    assert "Margaret O'Brien" not in _all_text(panel.register_table)  # removed on appeal
    with world.db.session() as s:
        rows = s.execute(text("SELECT marker_id, outcome FROM marker_appeals")).all()
        stored = {int(marker): str(outcome) for marker, outcome in rows}
        assert stored == {removed: "upheld_removed", kept: "dismissed"}
        statuses = {m.id: m.status for m in s.scalars(select(Marker))}
        assert statuses == {kept: MarkerStatus.ACTIVE, removed: MarkerStatus.REMOVED}

    # The history says it the same way, and no second appeal is taken: the outcome is final.
    _click_row(qtbot, panel.register_table, "Jonathan Smith")
    seen: dict[str, object] = {}

    def look(dialog: QDialog) -> None:
        assert isinstance(dialog, AppealDialog)
        seen["history"] = dialog.summary.text()
        seen["error"] = dialog.error.text()
        seen["can_record"] = dialog.ok_button.isEnabled()
        dialog.reject()

    with ModalDialogs(look):
        qtbot.mouseClick(panel.appeal_button, LEFT)
    assert "<b>Not upheld</b>" in str(seen["history"]) and "Upheld</b>" not in str(
        seen["history"]
    ).replace("Not upheld</b>", "")
    assert "outcome is final" in str(seen["error"]) and seen["can_record"] is False


def test_the_tenant_letter_after_a_decided_appeal_offers_no_appeal_and_speaks_of_the_past(
    world: World,
    clock: FakeClock,
    qtbot: QtBot,
    open_panel: Callable[[str], MarkersPanel],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    placed = clock.now()
    marker_id = _place(world, clock, world.person_id)
    clock.advance(days=150)  # reviewed within six months and kept
    with world.db.session() as s:
        record_review(
            s,
            world.actor("asb"),
            marker_id,
            ReviewInput(
                decision=ReviewDecision.CONTINUE,
                reason="Further shouting in March",
                information_considered="Officer notes",
                tenant_informed=True,
            ),
            now=clock.now(),
            config=world.config,
        )
    clock.advance(days=215)  # a year after placing, the tenant appeals; it is not upheld
    with world.db.session() as s:
        appeal = lodge_appeal(
            s,
            world.actor("reception"),
            marker_id,
            grounds="I have done nothing wrong",
            lodged_at=clock.now(),
            now=clock.now(),
        )
        decide_appeal(
            s,
            world.actor("area"),
            appeal.id,
            outcome=AppealOutcome.DISMISSED,
            reason="CCTV shows the bottle thrown",
            now=clock.now(),
        )
    saved = tmp_path / "letter.pdf"
    # The save-file dialog is the operating system's: the manager picks this path in it.
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(saved), "PDF (*.pdf)"))
    )
    panel = open_panel("asb")
    _click_row(qtbot, panel.register_table, "Jonathan Smith")

    def write(dialog: QDialog) -> None:
        assert isinstance(dialog, NotificationLetterDialog)
        qtbot.keyClicks(dialog.explanation, "A bottle was thrown towards the counter screen.")
        qtbot.keyClick(dialog, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        assert dialog.result() == QDialog.DialogCode.Accepted, dialog.error.text()

    with ModalDialogs(write):
        qtbot.mouseClick(panel.letter_button, LEFT)
    assert saved.stat().st_size > 1000
    with world.db.session() as s:
        letter = s.scalars(
            select(AuditEntry).where(AuditEntry.action == "marker.letter_produced")
        ).one()
    body = " ".join(str(letter.detail["text"]).split())
    placed_words = f"{placed.day} {placed:%B %Y}"
    assert f"the changes we made on {placed_words}" in body
    assert f"from {placed_words} we are making" not in body
    assert "right to appeal" not in body.lower() and "To appeal" not in body
    assert "Your appeal was not upheld" in body
    assert "The outcome of the appeal is final" in body
    assert "Paul Fraser" in body


# -- item 19: an incident's evidence stays on the person it was about -----------------------------


def test_choosing_a_namesake_takes_the_incidents_evidence_off_with_a_warning(
    world: World, clock: FakeClock, qtbot: QtBot, open_panel: Callable[[str], MarkersPanel]
) -> None:
    john = add_person(world, "John", "Bell", date(1975, 8, 14), "T0000045", "DE1 3AA", clock.now())
    other = add_person(
        world, "John", "Bell", date(1988, 1, 30), "T0000917", "DE24 8QQ", clock.now()
    )
    alarm_id = add_resolved_alarm(world, clock.now(), person_id=john)
    panel = open_panel("asb")
    _click_tab(qtbot, panel, INCIDENTS)
    _click_row(qtbot, panel.incident_table, f"INC-{alarm_id:06d}")
    seen: dict[str, object] = {}

    def change_person(dialog: QDialog) -> None:
        assert isinstance(dialog, RiskAssessmentDialog)
        assert "14/08/1975" in dialog.person_label.text()
        assert any(r.alarm_id == alarm_id for r in dialog._evidence)
        warning = dialog.findChild(QLabel, "evidenceWarning")
        assert warning is not None and not warning.isVisible()
        qtbot.keyClicks(dialog.person_search, "john bell")
        qtbot.keyClick(dialog.person_search, Qt.Key.Key_Return)
        assert dialog.isVisible() and not dialog.error.isVisible()  # Enter searched, no more
        labels = [dialog.people.item(i).text() for i in range(dialog.people.count())]
        assert len(labels) == 2
        row = next(i for i, label in enumerate(labels) if "30/01/1988" in label)
        rect = dialog.people.visualItemRect(dialog.people.item(row))
        qtbot.mouseClick(dialog.people.viewport(), LEFT, pos=rect.center())
        seen["chosen"] = dialog.person_id
        seen["warning_visible"] = warning.isVisible()
        seen["warning"] = warning.text()
        seen["evidence"] = [r.value() for r in dialog._evidence]
        seen["source_alarm"] = dialog.form().source_alarm_id
        # Back to the John Bell of the incident: the evidence comes back, the warning goes.
        qtbot.keyClick(dialog.people, Qt.Key.Key_Up if row else Qt.Key.Key_Down)
        qtbot.keyClick(dialog.people, Qt.Key.Key_Return)
        seen["back"] = dialog.person_id
        seen["back_evidence"] = [r.alarm_id for r in dialog._evidence]
        seen["back_warning_visible"] = warning.isVisible()
        dialog.reject()

    with ModalDialogs(change_person):
        qtbot.mouseClick(panel.assess_incident_button, LEFT)
    assert seen["chosen"] == other
    assert seen["warning_visible"] is True
    assert f"INC-{alarm_id:06d} was about John Bell" in str(seen["warning"])
    assert "14/08/1975" in str(seen["warning"])
    evidence = seen["evidence"]
    assert isinstance(evidence, list)
    assert all(e.alarm_id is None and "Panic alarm" not in e.what_happened for e in evidence)
    assert seen["source_alarm"] is None
    assert seen["back"] == john and seen["back_evidence"] == [alarm_id]
    assert seen["back_warning_visible"] is False


def test_the_core_refuses_an_incident_as_evidence_against_someone_else(
    world: World, clock: FakeClock
) -> None:
    john = add_person(world, "John", "Bell", date(1975, 8, 14), "T0000045", "DE1 3AA", clock.now())
    other = add_person(
        world, "John", "Bell", date(1988, 1, 30), "T0000917", "DE24 8QQ", clock.now()
    )
    alarm_id = add_resolved_alarm(world, clock.now(), person_id=john)
    evidence = EvidenceInput(
        occurred_on=clock.now().date(),
        what_happened="Threw a chair",
        source=f"Incident record INC-{alarm_id:06d}",
        alarm_id=alarm_id,
    )
    with pytest.raises(InvalidInput) as refused, world.db.session() as s:
        create_marker(
            s,
            world.actor("asb"),
            world.assessment(person_id=other, evidence=(evidence,), source_alarm_id=alarm_id),
            now=clock.now(),
            config=world.config,
        )
    assert refused.value.fields == ["evidence[0]", "source_alarm"]
    assert "John Bell, 14/08/1975, T0000045" in str(refused.value)
    with world.db.session() as s:
        assert s.scalar(select(func.count()).select_from(Marker)) == 0


# -- item 14: Enter in the person box searches; only the button or Ctrl+Enter submits -------------


def test_enter_in_the_person_box_searches_and_does_not_submit_the_form(
    world: World, clock: FakeClock, qtbot: QtBot, open_panel: Callable[[str], MarkersPanel]
) -> None:
    panel = open_panel("asb")
    seen: dict[str, object] = {}

    def search_then_submit(dialog: QDialog) -> None:
        assert isinstance(dialog, RiskAssessmentDialog)
        dialog.person_search.setFocus()
        qtbot.keyClicks(dialog.person_search, "smith")
        qtbot.keyClick(dialog.person_search, Qt.Key.Key_Return)
        seen["open_after_enter"] = dialog.isVisible()
        seen["error_after_enter"] = dialog.error.isVisible()
        seen["chosen"] = dialog.person_label.text()
        # Enter in another single-line field does not submit either.
        qtbot.keyClicks(dialog.instructions_note, "Meet in reception only")
        qtbot.keyClick(dialog.instructions_note, Qt.Key.Key_Return)
        seen["error_after_note"] = dialog.error.isVisible()
        # Ctrl+Enter is the deliberate way: the (incomplete) form is checked, nothing saved.
        qtbot.keyClick(dialog.reason, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        seen["error_after_ctrl_enter"] = dialog.error.isVisible()
        seen["error"] = dialog.error.text()
        dialog.reject()

    with ModalDialogs(search_then_submit):
        qtbot.mouseClick(panel.new_button, LEFT)
    assert seen["open_after_enter"] is True
    assert seen["error_after_enter"] is False
    assert "Jonathan Smith" in str(seen["chosen"])  # the one match is chosen
    assert seen["error_after_note"] is False
    assert seen["error_after_ctrl_enter"] is True
    assert "Nothing was saved" in str(seen["error"])
    with world.db.session() as s:
        assert s.scalar(select(func.count()).select_from(Marker)) == 0


# -- item 23: words on the marker screens ---------------------------------------------------------


def test_review_dates_read_in_plain_english(
    world: World, clock: FakeClock, qtbot: QtBot, open_panel: Callable[[str], MarkersPanel]
) -> None:
    tomorrow = _place(world, clock, world.person_id, review_due=clock.now().date() + timedelta(1))
    clock.advance(days=2)  # the review of the second was due yesterday
    overdue_by_one = _place(
        world, clock, world.other_person_id, review_due=clock.now().date() + timedelta(1)
    )
    clock.advance(days=2)
    panel = open_panel("asb")
    _click_tab(qtbot, panel, DUE)
    states = {
        _cell(panel.due_table, r, 0): _cell(panel.due_table, r, 4)
        for r in range(panel.due_table.rowCount())
    }
    assert states == {
        f"M-{tomorrow:06d}": "OVERDUE by 3 days",
        f"M-{overdue_by_one:06d}": "OVERDUE by 1 day",
    }
    clock.advance(days=-4)  # back to the day the first was placed
    panel.refresh()
    states = {
        _cell(panel.due_table, r, 0): _cell(panel.due_table, r, 4)
        for r in range(panel.due_table.rowCount())
    }
    assert states[f"M-{overdue_by_one:06d}"] == "due in 3 days"
    assert states[f"M-{tomorrow:06d}"] == "due in 1 day"


def test_a_refused_view_names_the_role_as_people_write_it(
    world: World, clock: FakeClock, qtbot: QtBot, open_panel: Callable[[str], MarkersPanel]
) -> None:
    marker_id = _place(
        world,
        clock,
        world.other_person_id,
        category=MarkerCategory.OFFENDER,
        restricted=True,
        instructions=(),
    )
    desk = MarkerDesk(world.db, clock, world.config)
    with pytest.raises(Exception, match="Contact the ASB Manager"):
        desk.view_restricted(world.actor("manager"), marker_id)
    panel = open_panel("area")
    _click_tab(qtbot, panel, VIEWS)
    result = _cell(panel.views_table, 0, 4)
    assert result.startswith("REFUSED: Helen Marsh may not see the reasons")
    assert "Contact the ASB Manager before visiting" in result
    assert "asb manager" not in result and "asb_manager" not in result
