"""The reception window as a receptionist uses it (pytest-qt, real offscreen widgets, both DBs)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QWidget
from pytestqt.qtbot import QtBot

from desktop.reception.book_in_dialog import BookInDialog
from desktop.reception.host_notice import HostNoticeWatcher, HostNoticeWindow
from desktop.reception.override_dialog import ManagerOverrideDialog
from desktop.reception.reception_window import ReceptionPanel
from desktop.reception.warning_dialog import FlaggedFileWarning
from safedesk.clock import FakeClock
from safedesk.db import Database
from safedesk.services.reception.booking import BookingRequest, WalkIn
from safedesk.services.reception.desk import ReceptionDesk
from safedesk.services.reception.person_search import PersonSearch
from safedesk.services.reception.room_choice import ReadinessSource
from safedesk.services.shared import audit
from tests.reception.world import (
    MANAGER_PASSWORD,
    RESTRICTED_REASON,
    World,
    fail_weekly_test,
    place_marker,
)

pytestmark = pytest.mark.gui


@pytest.fixture
def desk(
    db: Database, clock: FakeClock, search: PersonSearch, readiness: ReadinessSource
) -> ReceptionDesk:
    return ReceptionDesk(db, clock, search, readiness=readiness)


@pytest.fixture
def panel(qtbot: QtBot, desk: ReceptionDesk, world: World) -> ReceptionPanel:
    widget = ReceptionPanel(desk, world.office_id, lambda: world.receptionist, auto_refresh=False)
    qtbot.addWidget(widget)
    widget.show()
    return widget


def _texts(widget: QWidget) -> str:
    return "\n".join(label.text() for label in widget.findChildren(QLabel))


def when_shown(kind: type[QWidget], act: Callable[[QWidget], None], seen: list[QWidget]) -> None:
    """Act on the next visible dialog of `kind` once its modal loop is running."""

    def attempt(tries: int = 0) -> None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, kind) and widget.isVisible() and widget not in seen:
                seen.append(widget)
                try:
                    act(widget)
                except BaseException:
                    if isinstance(widget, QDialog):
                        widget.reject()  # end the modal loop so the failure is reported
                    raise
                return
        if tries > 200:
            raise AssertionError(f"no {kind.__name__} appeared")
        QTimer.singleShot(10, lambda: attempt(tries + 1))

    QTimer.singleShot(0, attempt)


def _search(qtbot: QtBot, dialog: BookInDialog, text: str) -> None:
    with qtbot.waitSignal(dialog.runner.results, timeout=10_000):
        qtbot.keyClicks(dialog.search_box, text)


def _seeing_tom(dialog: BookInDialog, world: World, purpose: str = "Rent arrears") -> None:
    """The host and purpose every desk booking asks for."""
    dialog.host.setCurrentIndex(dialog.host.findData(world.officer_id))
    dialog.purpose.setText(purpose)


def test_booking_in_a_flagged_visitor_shows_the_warning_and_logs_the_acknowledgement(
    qtbot: QtBot, panel: ReceptionPanel, db: Database, world: World
) -> None:
    dialog = panel.open_book_in()
    _search(qtbot, dialog, "jon smyth 06/03/1985")
    said = [dialog.table.item(0, c).text() for c in range(1, 4)]
    assert said == ["jon smyth", "06/03/1985", "—"]  # the visitor's answers, side by side
    dialog.book_button.click()  # nothing is picked for the receptionist
    assert "Choose the visitor's record" in dialog.problem.text() and dialog.isVisible()
    dialog.select_person(world.people["john_smith"])
    _seeing_tom(dialog, world)
    assert "Not certain" in dialog.verdict.text()  # two records share that DOB and postcode
    assert "flagged file" in dialog.verdict.text().lower()

    seen: list[QWidget] = []

    def read_and_acknowledge(warning: QWidget) -> None:
        assert isinstance(warning, FlaggedFileWarning)
        text = _texts(warning)
        assert "FLAGGED FILE" in text and "No lone interviews" in text
        assert RESTRICTED_REASON not in text
        assert not warning.acknowledge.isEnabled()  # not until it is read
        warning.read_it.setChecked(True)
        warning.acknowledge.click()

    when_shown(FlaggedFileWarning, read_and_acknowledge, seen)
    with qtbot.waitSignal(dialog.booked, timeout=10_000) as booked:
        dialog.book_button.click()
    assert seen, "the warning was never shown"
    visit = booked.args[0]
    assert visit.flagged and visit.arrived_at is not None
    with db.session() as s:
        (entry,) = audit.entries(s, action="visit_warning_acknowledged")
    assert entry.actor == "psharma" and entry.subject_id == visit.id
    panel.refresh()
    assert "FLAGGED" in panel.table.item(0, 0).text()


def test_a_flagged_close_match_can_be_dismissed_only_with_a_reason(
    qtbot: QtBot, panel: ReceptionPanel, db: Database, world: World
) -> None:
    dialog = panel.open_book_in()
    _search(qtbot, dialog, "jon smyth 06/03/1985")
    dialog.select_person(world.people["jon_smyth"])
    _seeing_tom(dialog, world)
    seen: list[QWidget] = []
    reason = "Visitor is Jon Smyth; John Smith lives at another address"

    def dismiss(warning: QWidget) -> None:
        assert isinstance(warning, FlaggedFileWarning)
        (card,) = warning.cards
        assert "POSSIBLE MATCH: John Smith" in _texts(card)
        warning.read_it.setChecked(True)
        card.not_this_person.click()
        assert not warning.acknowledge.isEnabled()
        card.reason.setText("no")
        assert not warning.acknowledge.isEnabled()
        card.reason.setText(reason)
        assert warning.acknowledge.isEnabled()
        warning.acknowledge.click()

    when_shown(FlaggedFileWarning, dismiss, seen)
    with qtbot.waitSignal(dialog.booked, timeout=10_000) as booked:
        dialog.book_button.click()
    assert not booked.args[0].flagged
    with db.session() as s:
        (entry,) = audit.entries(s, action="visit_candidate_dismissed")
    assert (
        entry.detail["reason"] == reason and entry.detail["person_id"] == world.people["john_smith"]
    )


def test_flagged_visitor_cannot_get_a_room_with_a_failed_test_without_an_override(
    qtbot: QtBot, panel: ReceptionPanel, db: Database, world: World, clock: FakeClock
) -> None:
    fail_weekly_test(db, world.rooms["Interview Room 2"], world.officer_id, clock.now())
    dialog = panel.open_book_in()
    _search(qtbot, dialog, "john smith 06/03/1985")
    dialog.select_person(world.people["john_smith"])
    _seeing_tom(dialog, world)
    room_two = dialog.rooms.findData(world.rooms["Interview Room 2"])
    assert "Last weekly test FAILED" in dialog.rooms.itemText(room_two)
    assert "NEEDS MANAGER OVERRIDE" in dialog.rooms.itemText(room_two)
    dialog.rooms.setCurrentIndex(room_two)
    seen: list[QWidget] = []

    def acknowledge(warning: QWidget) -> None:
        assert isinstance(warning, FlaggedFileWarning)
        warning.read_it.setChecked(True)
        for card in warning.cards:
            if not card.candidate.booked_person:
                card.not_this_person.click()
                card.reason.setText("Different DOB: checked with the visitor")
        warning.acknowledge.click()

    def refuse(override: QWidget) -> None:
        assert isinstance(override, ManagerOverrideDialog)
        assert "Last weekly test FAILED" in _texts(override)
        override.reject()

    when_shown(FlaggedFileWarning, acknowledge, seen)
    when_shown(ManagerOverrideDialog, refuse, seen)
    dialog.book_button.click()
    qtbot.waitUntil(lambda: len(seen) == 2, timeout=10_000)
    assert dialog.isVisible()  # not booked in
    assert "panic alarm works" in dialog.problem.text()
    with db.session() as s:
        assert audit.entries(s, action="visit_booked_in") == []

    def authorise(override: QWidget) -> None:
        assert isinstance(override, ManagerOverrideDialog)
        override.login.setText(world.officer_login)  # an officer may not authorise it
        override.password.setText(MANAGER_PASSWORD)
        override.reason.setText("Room 1 in use; manager sitting in")
        override._on_authorise()
        assert "not a manager" in override.problem.text()
        override.login.setText(world.manager_login)
        override.password.setText(MANAGER_PASSWORD)
        override._on_authorise()

    when_shown(FlaggedFileWarning, acknowledge, seen)
    when_shown(ManagerOverrideDialog, authorise, seen)
    with qtbot.waitSignal(dialog.booked, timeout=10_000) as booked:
        dialog.book_button.click()
    assert booked.args[0].room_name == "Interview Room 2"
    with db.session() as s:
        (entry,) = audit.entries(s, action="room_override")
    assert entry.detail["manager"] == world.manager_login


def test_host_officer_sees_your_visitor_has_arrived_with_the_flag_and_instructions(
    qtbot: QtBot, desk: ReceptionDesk, db: Database, world: World
) -> None:
    john = world.people["john_smith"]
    desk.book_in(
        world.receptionist,
        BookingRequest(
            office_id=world.office_id,
            person_id=john,
            host_officer_id=world.officer_id,
            room_id=world.rooms["Interview Room 1"],
            acknowledged={john: [1]},
        ),
    )
    watcher = HostNoticeWatcher(desk, lambda: world.officer)
    with qtbot.waitSignal(watcher.shown, timeout=5000) as shown:
        watcher.poll()
    window = shown.args[0]
    assert isinstance(window, HostNoticeWindow)
    qtbot.addWidget(window)
    text = _texts(window)
    assert "Your visitor has arrived" in text and "John Smith" in text
    assert "FLAGGED FILE" in text and "No lone interviews" in text
    assert "Interview Room 1" in text
    assert RESTRICTED_REASON not in text
    window.ok.click()
    with db.session() as s:
        assert audit.entries(s, action="visit_host_notice_seen")[0].actor == world.officer_login
    assert desk.host_notices(world.officer_id) == []


def test_walk_in_later_matched_to_a_flagged_record_warns_on_the_reception_screen(
    qtbot: QtBot,
    panel: ReceptionPanel,
    desk: ReceptionDesk,
    db: Database,
    world: World,
    clock: FakeClock,
) -> None:
    desk.book_in(
        world.receptionist,
        BookingRequest(
            office_id=world.office_id,
            walk_in=WalkIn("Peggy Jones", date(1960, 5, 14)),
            host_officer_id=world.officer_id,
        ),
    )
    panel.refresh()
    assert panel.table.item(0, 0).text() == ""
    place_marker(db, world.people["margaret_jones"], clock.now(), "No lone interviews")
    seen: list[QWidget] = []

    def acknowledge(warning: QWidget) -> None:
        assert isinstance(warning, FlaggedFileWarning)
        text = _texts(warning)
        assert "Margaret Jones" in text and "already on today's list" in text
        warning.read_it.setChecked(True)
        warning.acknowledge.click()

    when_shown(FlaggedFileWarning, acknowledge, seen)
    clock.advance(1)
    panel.refresh_in_background()  # what the panel's timer does every few seconds
    qtbot.waitUntil(
        lambda: bool(seen) and "FLAGGED" in panel.table.item(0, 0).text(), timeout=10_000
    )
    assert not seen[0].cancel.isVisible()  # the visitor is already in: acknowledge only
    with db.session() as s:
        (entry,) = audit.entries(s, action="visit_warning_acknowledged")
    assert entry.detail["person_id"] == world.people["margaret_jones"]


def test_expected_flagged_visitor_is_warned_about_on_arrival_and_the_host_is_told(
    qtbot: QtBot,
    panel: ReceptionPanel,
    desk: ReceptionDesk,
    db: Database,
    world: World,
    clock: FakeClock,
) -> None:
    from datetime import timedelta

    desk.register_meeting(
        world.officer,
        office_id=world.office_id,
        host_officer_id=world.officer_id,
        expected_at=clock.now() + timedelta(minutes=30),
        person_id=world.people["john_smith"],
        room_id=world.rooms["Interview Room 1"],
        high_risk=True,
        risk_notes="Two officers; call Tom before letting him through",
    )
    clock.advance(1)
    panel.check_for_new_warnings()  # an expected visitor is listed, not popped up
    panel.refresh()
    assert "[HIGH-RISK]" in panel.table.item(0, 2).text()
    assert "FLAGGED" in panel.table.item(0, 0).text()  # reception knows beforehand
    assert "call Tom" in panel.table.item(0, 6).text()
    panel.table.selectRow(0)
    seen: list[QWidget] = []

    def acknowledge(warning: QWidget) -> None:
        assert isinstance(warning, FlaggedFileWarning)
        warning.read_it.setChecked(True)
        for card in warning.cards:
            if not card.candidate.booked_person:
                card.not_this_person.click()
                card.reason.setText("Different person: DOB differs from the booking")
        warning.acknowledge.click()

    when_shown(FlaggedFileWarning, acknowledge, seen)
    panel.arrived_button.click()
    assert seen
    assert panel.table.item(0, 5).text().startswith("Arrived")
    (notice,) = desk.host_notices(world.officer_id)
    assert notice.visit.high_risk and "No lone interviews" in notice.visit.instructions


def test_search_as_you_type_shows_only_the_latest_line(
    qtbot: QtBot, panel: ReceptionPanel, world: World
) -> None:
    dialog = panel.open_book_in()
    got: list[str] = []
    dialog.runner.results.connect(lambda shortlist: got.append(shortlist.query))
    with qtbot.waitSignal(dialog.runner.results, timeout=10_000):
        for line in ("m", "ma", "mar", "marg", "margaret jo"):
            dialog.search_box.setText(line)  # keystrokes faster than the debounce
    qtbot.wait(300)
    assert got == ["margaret jo"]
    names = [dialog.table.item(r, 1).text() for r in range(1, dialog.table.rowCount())]
    assert names[0] == "Margaret Jones"
