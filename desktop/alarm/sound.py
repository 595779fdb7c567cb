"""The alarm sound: a loud loop until acknowledged on this screen, and an honest "NO SOUND" otherwise.

A responder PC without a working audio output must say so on the alert, in the tray and in the
header, and log it; it must never fail silently and never stop the alert from showing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import QObject, QUrl, Signal
from PySide6.QtMultimedia import QAudioDevice, QMediaDevices, QSoundEffect

from safedesk import paths

log = logging.getLogger(__name__)

NO_SOUND_TEXT = "NO SOUND ON THIS PC"


def default_alarm_path() -> Path:
    return paths.resources_dir() / "sounds" / "alarm.wav"


def default_test_path() -> Path:
    return paths.resources_dir() / "sounds" / "test_chime.wav"


class AlarmSound(QObject):
    """Plays the looping alarm (or the short test chime) and watches whether sound can be heard.

    Signals:
        availability_changed(bool, str): sound works (True, "") or not (False, why).
        playing_changed(bool): the alarm or chime started or stopped.
    """

    availability_changed = Signal(bool, str)
    playing_changed = Signal(bool)

    def __init__(
        self,
        alarm_path: Path | None = None,
        test_path: Path | None = None,
        *,
        outputs: Callable[[], Sequence[QAudioDevice]] = QMediaDevices.audioOutputs,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._outputs = outputs
        self._alarm = self._effect(alarm_path or default_alarm_path(), loop=True)
        self._test = self._effect(test_path or default_test_path(), loop=False)
        self._problem: str | None = None
        # Devices come and go (a headset unplugged): re-check whenever Qt says the list changed.
        self._devices = QMediaDevices(self)
        self._devices.audioOutputsChanged.connect(self._on_outputs_changed)
        self._check()

    def _effect(self, path: Path, *, loop: bool) -> QSoundEffect:
        effect = QSoundEffect(self)
        if not path.is_file():
            log.error("%s: alarm sound file missing: %s", NO_SOUND_TEXT, path)
        effect.setSource(QUrl.fromLocalFile(str(path)))
        effect.setLoopCount(QSoundEffect.Loop.Infinite.value if loop else 1)
        effect.setVolume(1.0)
        effect.statusChanged.connect(self._check)
        effect.playingChanged.connect(self._on_playing_changed)
        return effect

    @property
    def available(self) -> bool:
        return self._problem is None

    @property
    def problem(self) -> str | None:
        """Why this PC cannot sound the alarm, in words for the screen; None when it can."""
        return self._problem

    @property
    def is_playing(self) -> bool:
        return self._alarm.isPlaying() or self._test.isPlaying()

    def play_alarm(self) -> None:
        """Start the looping alarm (idempotent: a second alarm does not restart the loop)."""
        self._test.stop()
        if not self._alarm.isPlaying():
            self._alarm.play()
        self._check()

    def play_test(self) -> None:
        """The short test chime: a weekly test must never sound like a real alarm."""
        if not self._alarm.isPlaying():
            self._test.play()
        self._check()

    def stop(self) -> None:
        """Stop on acknowledgement on this screen."""
        self._alarm.stop()
        self._test.stop()

    def _on_outputs_changed(self) -> None:
        self._check()

    def _on_playing_changed(self) -> None:
        self.playing_changed.emit(self.is_playing)

    def _check(self) -> None:
        problem: str | None = None
        for effect in (self._alarm, self._test):
            if effect.status() == QSoundEffect.Status.Error:
                problem = f"the alarm sound cannot be played ({effect.source().toLocalFile()})"
        if not self._outputs():
            problem = "this PC has no audio output (speakers or headset)"
        if problem == self._problem:
            return
        self._problem = problem
        if problem is None:
            log.info("alarm sound available again")
        else:
            log.error("%s: %s", NO_SOUND_TEXT, problem)
        self.availability_changed.emit(problem is None, problem or "")
