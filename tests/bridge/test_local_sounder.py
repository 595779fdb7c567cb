"""The local alarm plays through playsound3's real ALSA backend (aplay) into a null PCM.

HOME points at a temporary directory whose .asoundrc makes the default ALSA device a null sink,
so the real player runs to completion with no sound card; a second .asoundrc points at a card
that does not exist, which is what a Pi without a speaker looks like.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from firmware_bridge.local_sounder import LocalSounder
from safedesk.button_events import ButtonPress, DeviceHeard, DeviceKind, PressReceipt
from safedesk.clock import FakeClock
from safedesk.outbox import LocalOutbox, StoreAndForwardSink
from tests.helpers.waiting import eventually

ALARM_WAV = Path(__file__).resolve().parents[2] / "resources" / "sounds" / "alarm.wav"


@pytest.fixture
def alsa_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[str], None]:
    assert shutil.which("aplay") and shutil.which("mpg123"), "needs alsa-utils and mpg123"
    monkeypatch.setenv("PLAYSOUND3_BACKEND", "alsa")

    def use(asoundrc: str) -> None:
        home = tmp_path / "home"
        home.mkdir(exist_ok=True)
        (home / ".asoundrc").write_text(asoundrc, encoding="utf-8")
        monkeypatch.setenv("HOME", str(home))

    return use


def test_the_local_alarm_loops_through_the_real_alsa_player_until_silenced(
    alsa_home: Callable[[str], None],
) -> None:
    alsa_home("pcm.!default { type null }\n")
    sounder = LocalSounder(ALARM_WAV, backend="alsa", gap_s=0.05)
    sounder.start()
    try:
        assert eventually(lambda: sounder.plays >= 2), "the alarm file is played again and again"
        assert sounder.problem is None
    finally:
        sounder.stop()
    plays = sounder.plays
    time.sleep(0.3)
    assert sounder.plays == plays and not sounder.sounding


def test_no_sound_output_is_reported_not_looped(
    alsa_home: Callable[[str], None], caplog: pytest.LogCaptureFixture
) -> None:
    alsa_home("pcm.!default { type hw card 7 }\n")  # no such card
    sounder = LocalSounder(ALARM_WAV, backend="alsa")
    sounder.start()
    try:
        assert eventually(lambda: sounder.problem is not None)
    finally:
        sounder.stop()
    assert sounder.plays == 1
    assert "LOCAL ALARM SOUND NOT PLAYING" in caplog.text


def test_the_bridge_sounds_while_presses_are_held_and_stops_once_they_are_delivered(
    alsa_home: Callable[[str], None], tmp_path: Path
) -> None:
    alsa_home("pcm.!default { type null }\n")

    class Switchable:
        down = True

        def press(self, press: ButtonPress) -> PressReceipt:
            if self.down:
                raise ConnectionError("database unreachable")
            return PressReceipt(alarm_id=1, created=True)

        def heard(self, heard: DeviceHeard) -> None:
            return None

    database = Switchable()
    sounder = LocalSounder(ALARM_WAV, backend="alsa", gap_s=0.05)
    sink = StoreAndForwardSink(
        database,
        LocalOutbox(tmp_path / "outbox.sqlite3"),
        FakeClock(),
        retry_initial_s=0.05,
        retry_max_s=0.1,
        on_backlog=sounder.set_backlog,
    )
    sink.start()
    try:
        receipt = sink.press(ButtonPress("pico-1", 1, FakeClock().now(), DeviceKind.SERIAL, 9))
        assert receipt.held
        assert eventually(lambda: sounder.plays >= 1) and sounder.sounding
        database.down = False
        assert eventually(lambda: sink.backlog == 0)
        assert eventually(lambda: not sounder.sounding)
    finally:
        sink.stop()
        sounder.stop()
