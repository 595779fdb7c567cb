"""The alert and its dialogs are readable, still, and name PCs as configured (issue 10 item 7).

Contrast is measured on the pixels actually painted (WCAG 2: 4.5:1 for text), so a stylesheet
inherited from the red alert, a theme, or a disabled look cannot slip through. The buttons keep
their place after I'M RESPONDING, so a second click lands where it was aimed. A responder's PC is
shown by its configured name, never by its host name.
"""

from __future__ import annotations

import socket
from collections.abc import Sequence

import pytest
from PySide6.QtCore import QRect
from PySide6.QtWidgets import QLabel, QRadioButton, QWidget
from pytestqt.qtbot import QtBot

from desktop.alarm.alert_window import AlertWindow
from safedesk.clock import FakeClock
from safedesk.services.hub import Services
from safedesk.services.shared.actor import Actor
from tests.alarm.alert_helpers import alert_on, click, global_rect, painted_contrast, press
from tests.helpers.office import SeededOffice
from tests.helpers.screens import Screen, heartbeat, open_screen

pytestmark = pytest.mark.gui

AA = 4.5


def _tom(qtbot: QtBot, db_url: str, office: SeededOffice, clock: FakeClock) -> Screen:
    tom = open_screen(db_url, clock, office.office_id, office.actor("twhitfield"))
    qtbot.waitUntil(lambda: tom.adapter._sub is not None, timeout=5000)
    return tom


def _readable(top: QWidget, widgets: Sequence[QWidget], *, inset: int = 0) -> dict[str, float]:
    """The widgets whose painted text is below AA, with their contrast."""
    low = {}
    for widget in widgets:
        ratio = painted_contrast(top, widget, inset=inset)
        if ratio < AA:
            text = widget.text() if isinstance(widget, QLabel | QRadioButton) else ""
            low[f"{widget.objectName() or type(widget).__name__}: {text[:40]}"] = round(ratio, 2)
    return low


def test_resolve_dialog_text_is_readable_over_the_red_alert(
    qtbot: QtBot,
    db_url: str,
    services: Services,
    office: SeededOffice,
    clock: FakeClock,
    screens: list[Screen],
) -> None:
    tom = _tom(qtbot, db_url, office, clock)
    screens.append(tom)
    alarm_id = press(services, office, clock, "Interview Room 1")
    window = alert_on(qtbot, tom, alarm_id)
    click(qtbot, window, window.resolve_button)
    dialog = window.resolve_dialog
    assert dialog is not None
    qtbot.waitExposed(dialog)

    texts: list[QWidget] = [w for w in dialog.findChildren(QLabel) if w.isVisible()]
    texts += dialog.findChildren(QRadioButton)
    assert len(texts) >= 7  # heading, two steps, four outcomes

    assert _readable(dialog, texts) == {}
    assert _readable(dialog, [dialog.ok_button], inset=6) == {}  # disabled until filled in
    assert dialog.notes.placeholderText()
    assert _readable(dialog, [dialog.notes], inset=4) == {}  # the example in the empty box


def test_you_are_responding_and_every_alert_text_meet_aa_contrast(
    qtbot: QtBot,
    db_url: str,
    services: Services,
    office: SeededOffice,
    clock: FakeClock,
    screens: list[Screen],
) -> None:
    tom = _tom(qtbot, db_url, office, clock)
    screens.append(tom)
    alarm_id = press(services, office, clock, "Interview Room 2")
    window = alert_on(qtbot, tom, alarm_id)
    window.set_sound_problem("this PC has no audio output")  # the yellow strip, as on a silent PC

    click(qtbot, window, window.respond_button)
    qtbot.wait(100)

    assert window.respond_button.text() == "✔  YOU ARE RESPONDING"
    buttons = [window.respond_button, window.resolve_button, window.call_button]
    assert _readable(window, buttons, inset=8) == {}
    labels = [
        window.kind_label,
        window.room_label,
        window.where_label,
        window.raised_label,
        window.no_sound_label,
        window.people_label,
        window.responders_label,
        window.keys_label,
    ]
    assert all(label.isVisible() for label in labels)
    assert _readable(window, labels) == {}


def _slots(window: AlertWindow) -> list[QRect]:
    return [
        global_rect(w) for w in (window.respond_button, window.resolve_button, window.call_button)
    ]


def test_buttons_keep_their_place_after_im_responding(
    qtbot: QtBot,
    db_url: str,
    services: Services,
    office: SeededOffice,
    clock: FakeClock,
    screens: list[Screen],
) -> None:
    tom = _tom(qtbot, db_url, office, clock)
    sarah = open_screen(db_url, clock, office.office_id, office.actor("sokafor"))
    screens.extend([tom, sarah])
    qtbot.waitUntil(lambda: sarah.adapter._sub is not None, timeout=5000)
    alarm_id = press(services, office, clock, "Interview Room 3")
    window = alert_on(qtbot, tom, alarm_id)
    sarah_window = alert_on(qtbot, sarah, alarm_id)
    before, sarah_before = _slots(window), _slots(sarah_window)
    assert window.width() == 1366 or window.isFullScreen()

    click(qtbot, window, window.respond_button)
    qtbot.waitUntil(lambda: sarah_window.silence_button.isVisible(), timeout=5000)
    qtbot.wait(100)

    assert window.hide_button.isVisible()  # what changed, changed in its own slot
    assert _slots(window) == before
    assert _slots(sarah_window) == sarah_before  # "Silence this PC" appeared, nothing moved


def test_responder_pc_shown_by_its_configured_name_never_its_host_name(
    qtbot: QtBot,
    db_url: str,
    services: Services,
    office: SeededOffice,
    clock: FakeClock,
    screens: list[Screen],
) -> None:
    host = socket.gethostname()
    # Tom's PC has no workstation.name: SafeDesk knows it only by its host name.
    tom_actor = Actor(office.staff_ids["twhitfield"], "twhitfield", host)
    tom = open_screen(db_url, clock, office.office_id, tom_actor, present=False, named=False)
    heartbeat(services.db, clock, office.office_id, tom_actor, name=host, named=False)
    sarah = open_screen(db_url, clock, office.office_id, office.actor("sokafor"))
    screens.extend([tom, sarah])
    qtbot.waitUntil(lambda: tom.adapter._sub is not None and sarah.adapter._sub is not None)
    alarm_id = press(services, office, clock, "Interview Room 4")
    tom_window, sarah_window = alert_on(qtbot, tom, alarm_id), alert_on(qtbot, sarah, alarm_id)

    click(qtbot, tom_window, tom_window.respond_button)
    click(qtbot, sarah_window, sarah_window.respond_button)

    for window in (tom_window, sarah_window):
        label = window.responders_label

        def both_going(label: QLabel = label) -> bool:
            text = label.text()
            return "Tom Whitfield</b> is going" in text and "Sarah Okafor</b> is going" in text

        qtbot.waitUntil(both_going, timeout=5000)
        text = label.text()
        assert f" {host}" not in text and f"({host}" not in text
        assert "(from PC-sokafor)" in text  # a configured name is shown
