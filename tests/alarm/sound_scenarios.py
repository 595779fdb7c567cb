"""Sound scenarios, each run by test_alarm_sound.py in a fresh process with its own audio setup.

Qt's audio backend connects to the sound server once per process, so "a PC with speakers" and
"a PC with none" cannot share one process; the outer tests start these with the right env.
This file is not collected on its own (it is not named test_*.py).
"""

from __future__ import annotations

import os
import time

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from desktop.alarm.sound import NO_SOUND_TEXT
from desktop.shell.tray import TrayState
from safedesk.button_events import ButtonPress, DeviceKind
from safedesk.clock import FakeClock
from safedesk.models import AlarmDelivery, DeliveryKind
from safedesk.services.hub import Services
from tests.alarm.pulse_sink import SinkRecorder
from tests.helpers.office import SeededOffice
from tests.helpers.screens import Screen, open_screen

LOUD = 10_000  # the alarm peaks near 28,000 of 32,767
QUIET = 200


def _raise(services: Services, office: SeededOffice, clock: FakeClock) -> int:
    press = ButtonPress(
        office.device_ids["Interview Room 1"], 1, clock.now(), DeviceKind.SERIAL, boot_id=3
    )
    return services.alarms.press(press).alarm_id


def _recorded(services: Services, alarm_id: int) -> tuple[bool, str | None] | None:
    """(sound played, why not) as the screen recorded showing the full alert, or None yet."""
    with services.db.session() as s:
        row = s.scalars(
            select(AlarmDelivery).where(
                AlarmDelivery.alarm_id == alarm_id, AlarmDelivery.kind == DeliveryKind.FULL_ALERT
            )
        ).one_or_none()
        return None if row is None else (row.sound_played, row.no_sound_reason)


def scenario_alarm_sound_plays_until_acknowledged_on_this_screen(
    qtbot: QtBot,
    db_url: str,
    services: Services,
    office: SeededOffice,
    clock: FakeClock,
    screens: list[Screen],
) -> None:
    assert os.environ.get("PULSE_SERVER"), "run by test_alarm_sound.py with a PulseAudio sink"
    recorder = SinkRecorder()
    try:
        tom = open_screen(db_url, clock, office.office_id, office.actor("twhitfield"))
        screens.append(tom)
        assert tom.sound.problem is None
        qtbot.waitUntil(lambda: tom.adapter._sub is not None, timeout=5000)
        before = time.monotonic()
        qtbot.wait(500)
        assert recorder.peak_between(before, time.monotonic())[0] < QUIET  # quiet before

        alarm_id = _raise(services, office, clock)
        qtbot.waitUntil(lambda: alarm_id in tom.controller.windows, timeout=5000)
        window = tom.controller.windows[alarm_id]
        started = time.monotonic()
        qtbot.waitUntil(
            lambda: recorder.peak_between(started, time.monotonic())[0] > LOUD, timeout=5000
        )
        assert tom.sound.is_playing
        assert not window.no_sound_label.isVisible()
        # ... and the record of the screens that showed it says this one sounded it.
        qtbot.waitUntil(lambda: _recorded(services, alarm_id) is not None, timeout=5000)
        assert _recorded(services, alarm_id) == (True, None)

        qtbot.waitUntil(lambda: window.armed, timeout=3000)  # a person looks before clicking
        qtbot.mouseClick(window.respond_button, Qt.MouseButton.LeftButton)
        stopped = time.monotonic()
        assert not tom.sound.is_playing
        qtbot.wait(1500)
        peak, chunks = recorder.peak_between(stopped + 0.4, time.monotonic())
        assert chunks > 10, "the sink delivered no samples to judge silence by"
        assert peak < QUIET, f"still sounding after acknowledgement (peak {peak})"
    finally:
        recorder.close()


def scenario_pc_without_audio_output_says_no_sound(
    qtbot: QtBot,
    db_url: str,
    services: Services,
    office: SeededOffice,
    clock: FakeClock,
    screens: list[Screen],
) -> None:
    tom = open_screen(db_url, clock, office.office_id, office.actor("twhitfield"))
    screens.append(tom)
    qtbot.waitUntil(lambda: tom.sound.problem is not None, timeout=5000)
    assert "no audio output" in (tom.sound.problem or "")
    tray_state = TrayState(sound_problem=tom.sound.problem)
    assert any(NO_SOUND_TEXT in line for line in tray_state.lines())

    alarm_id = _raise(services, office, clock)
    qtbot.waitUntil(lambda: alarm_id in tom.controller.windows, timeout=5000)
    window = tom.controller.windows[alarm_id]
    qtbot.waitUntil(window.isVisible, timeout=2000)
    assert window.no_sound_label.isVisible()
    assert NO_SOUND_TEXT in window.no_sound_label.text()
    assert window.room_label.text() == "Interview Room 1"  # the alert still shows, loud or not
    # The record of the screens that showed it says this one could not sound it, and why.
    qtbot.waitUntil(lambda: _recorded(services, alarm_id) is not None, timeout=5000)
    played, why = _recorded(services, alarm_id) or (None, None)
    assert played is False and "no audio output" in (why or "")
