"""The diary's screens as people use them: the two-person rule on the form, reporting back."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot
from sqlalchemy import select
from unidecode import unidecode

from desktop.movements.log_visit_dialog import LogVisitDialog
from desktop.movements.marker_warning import PreVisitWarning
from desktop.shell.sign_in import SessionBridge, SignInDialog
from safedesk.alarm_bus import make_bus
from safedesk.config import Config
from safedesk.db import Database
from safedesk.models import AuditEntry, Marker
from safedesk.models.movements import CheckInMethod, Movement
from safedesk.services.movements.desk import MovementsDesk
from safedesk.services.movements.entries import BoardState
from safedesk.services.shared.actor import Actor
from tests.movements.office_diary import flagged_person, log_visit_elsewhere, movements, staff_id
from tests.walkthrough.conftest import OfficePCs

pytestmark = pytest.mark.gui
LEFT = Qt.MouseButton.LeftButton


def _flag_pairs(pcs: OfficePCs, person_id: int) -> None:
    db = Database(pcs.url)
    bus = make_bus(db, pcs.clock, Config().alarm)
    try:
        with db.session() as s:
            marker_id = s.scalars(select(Marker.id).where(Marker.person_id == person_id)).first()
        assert marker_id is not None
        desk = MovementsDesk(db, bus, pcs.clock, Config(), "PC-MANAGER")
        manager = Actor(staff_id(pcs, "hmarsh"), "hmarsh", "PC-MANAGER")
        desk.set_visits_in_pairs(manager, marker_id, True)
    finally:
        bus.close()
        db.dispose()


def _fill(qtbot: QtBot, dialog: LogVisitDialog, address: str, postcode: str, name: str) -> None:
    for field, text in (
        (dialog.address, unidecode(address)),
        (dialog.postcode, postcode),
        (dialog.seeing, unidecode(name)),
        (dialog.phone, "07700 900118"),
    ):
        qtbot.mouseClick(field, LEFT)
        qtbot.keyClicks(field, text)
    for edit in dialog.answers.values():
        qtbot.mouseClick(edit, LEFT)
        qtbot.keyClicks(edit, "none known")


def test_a_lone_visit_to_a_visits_in_pairs_marker_needs_a_manager_on_screen(
    office_pcs: OfficePCs, qtbot: QtBot
) -> None:
    person_id, name, address, postcode = flagged_person(office_pcs)
    _flag_pairs(office_pcs, person_id)
    rachel = office_pcs.open("rgreen", mode="responder", name="PC-RACHEL")
    board = movements(rachel).board
    office_pcs.tab(rachel, "Movements")
    qtbot.mouseClick(board.log_button, LEFT)
    dialog = board.dialog
    assert isinstance(dialog, LogVisitDialog)
    _fill(qtbot, dialog, address, postcode, name)
    qtbot.mouseClick(dialog.log_button, LEFT)
    warning = dialog.warning
    assert isinstance(warning, PreVisitWarning)
    assert "[VISITS IN PAIRS]" in " ".join(
        w.text() for w in warning.findChildren(type(warning.problem))
    )
    qtbot.mouseClick(warning.read_it, LEFT)
    qtbot.mouseClick(warning.acknowledge, LEFT)

    # Refused: nobody named to go with her. The manager's override appears on the form.
    assert dialog.isVisible() and dialog.movement_id is None
    assert dialog.pairs_box.isVisible()
    assert "VISITS IN PAIRS" in dialog.pairs_text.text()
    qtbot.keyClicks(dialog.manager_login, "hmarsh")
    qtbot.mouseClick(dialog.manager_password, LEFT)
    qtbot.keyClicks(dialog.manager_password, "demo")
    qtbot.mouseClick(dialog.override_reason, LEFT)
    qtbot.keyClicks(dialog.override_reason, "ok")
    qtbot.mouseClick(dialog.log_button, LEFT)
    assert "reason" in dialog.problem.text() and dialog.movement_id is None
    qtbot.keyClicks(dialog.override_reason, ": doorstep only, PCSO on the estate")
    qtbot.keyClicks(dialog.manager_password, "demo")
    qtbot.keyClick(dialog.override_reason, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.movement_id is not None, timeout=5_000)

    db = Database(office_pcs.url)
    try:
        with db.session() as s:
            movement = s.get_one(Movement, dialog.movement_id)
            assert movement.pairs_override_by_id == staff_id(office_pcs, "hmarsh")
            entry = s.scalars(
                select(AuditEntry).where(AuditEntry.action == "movement.pairs_override")
            ).one()
            assert entry.detail["reason"] == "ok: doorstep only, PCSO on the estate"
    finally:
        db.dispose()


def test_naming_a_second_officer_on_the_form_meets_the_two_person_rule(
    office_pcs: OfficePCs, qtbot: QtBot
) -> None:
    person_id, name, address, postcode = flagged_person(office_pcs)
    _flag_pairs(office_pcs, person_id)
    rachel = office_pcs.open("rgreen", mode="responder", name="PC-RACHEL")
    board = movements(rachel).board
    qtbot.mouseClick(board.log_button, LEFT)
    dialog = board.dialog
    assert isinstance(dialog, LogVisitDialog)
    _fill(qtbot, dialog, address, postcode, name)
    dialog.second.setCurrentIndex(
        dialog.second.findText("Sarah Okafor", Qt.MatchFlag.MatchStartsWith)
    )
    qtbot.mouseClick(dialog.log_button, LEFT)
    warning = dialog.warning
    assert isinstance(warning, PreVisitWarning)
    qtbot.keyClick(warning.read_it, Qt.Key.Key_Space)
    qtbot.keyClick(warning, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.movement_id is not None, timeout=5_000)
    assert not dialog.pairs_box.isVisible()
    qtbot.waitUntil(lambda: bool(board.rows), timeout=10_000)
    assert board.table.item(0, 1).text() == "Sarah Okafor"


def test_signing_in_on_a_reception_pc_reports_back(office_pcs: OfficePCs, qtbot: QtBot) -> None:
    reception = office_pcs.open("psharma", mode="reception", name="RECEPTION-1")
    movement_id = log_visit_elsewhere(office_pcs, "rgreen", minutes=60)
    board = movements(reception).board
    qtbot.waitUntil(lambda: len(board.rows) == 1, timeout=10_000)
    office_pcs.clock.advance(minutes=40)
    bridge = reception.window.session_bridge
    assert isinstance(bridge, SessionBridge)
    dialog = SignInDialog(bridge, reception.window)
    dialog.open()
    qtbot.keyClicks(dialog.login, "rgreen")
    qtbot.keyClicks(dialog.password, "demo")
    sign_in = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
    qtbot.mouseClick(sign_in, LEFT)
    qtbot.waitUntil(lambda: board.rows[0].state is BoardState.BACK, timeout=10_000)
    assert board.table.item(0, 6).text().endswith("signed in at RECEPTION-1")
    db = Database(office_pcs.url)
    try:
        with db.session() as s:
            assert s.get_one(Movement, movement_id).check_in_method is CheckInMethod.SIGNED_IN
    finally:
        db.dispose()


def test_the_officer_reports_back_from_their_own_pc(office_pcs: OfficePCs, qtbot: QtBot) -> None:
    log_visit_elsewhere(office_pcs, "rgreen", minutes=60)
    rachel = office_pcs.open("rgreen", mode="responder", name="PC-RACHEL")
    board = movements(rachel).board
    office_pcs.tab(rachel, "Movements")
    qtbot.waitUntil(lambda: board.back_button.isVisible(), timeout=10_000)
    qtbot.mouseClick(board.back_button, LEFT)
    qtbot.waitUntil(lambda: board.rows[0].state is BoardState.BACK, timeout=10_000)
    assert not board.back_button.isVisible()
    assert "reported back on their PC" in board.table.item(0, 6).text()
