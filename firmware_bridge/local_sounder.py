"""The bridge's own alarm sound: while presses are held locally, a Pi with a speaker sounds them.

When the database cannot be reached, nobody's screen shows the alarm; the room's LED says "not
delivered" and this sounder plays the alarm file in a loop through playsound3 until the outbox
is empty again. A sound that cannot play (no file, no backend, no sound card) is reported once,
loudly, and retried at the next start; it never stops presses being held and forwarded.

playsound3 chooses its backend when imported (``PLAYSOUND3_BACKEND`` overrides it); on a Pi
that is ALSA (``aplay`` for WAV, ``mpg123`` for MP3).
"""

from __future__ import annotations

import logging
import subprocess
import threading
from pathlib import Path
from typing import Any, Protocol

log = logging.getLogger(__name__)


class Playing(Protocol):
    """What playsound3 returns for a non-blocking sound."""

    def is_alive(self) -> bool: ...

    def stop(self) -> None: ...


class LocalSounder:
    """Loops ``sound_file`` between ``start`` and ``stop``; thread-safe, idempotent."""

    def __init__(
        self,
        sound_file: Path,
        *,
        backend: str | None = None,
        gap_s: float = 0.3,
        failed_quickly_s: float = 0.2,
    ) -> None:
        self.sound_file = sound_file
        self.backend = backend or None
        self.gap_s = gap_s
        self.failed_quickly_s = failed_quickly_s
        self.plays = 0  # times the file was started (for the admin log and tests)
        self.problem: str | None = None
        self._lock = threading.Lock()
        self._wanted = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._current: Playing | None = None

    @property
    def sounding(self) -> bool:
        return self._wanted.is_set()

    def start(self) -> None:
        """Begin (or keep) sounding."""
        with self._lock:
            if self._wanted.is_set():
                return
            self._wanted.set()
            self._stopping.clear()
            self._thread = threading.Thread(target=self._loop, name="local-sounder", daemon=True)
            self._thread.start()
        log.warning("local alarm sounding (%s): presses are held on this bridge", self.sound_file)

    def stop(self) -> None:
        """Stop sounding now (the current play is cut short)."""
        with self._lock:
            if not self._wanted.is_set():
                return
            self._wanted.clear()
            self._stopping.set()
            thread = self._thread
            self._thread = None
        self._stop_current()
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=5)
        log.info("local alarm silenced")

    def set_backlog(self, held: int) -> None:
        """The outbox's backlog listener: sound while anything is held."""
        if held > 0:
            self.start()
        else:
            self.stop()

    def _loop(self) -> None:
        while not self._stopping.is_set():
            started = self._play_once()
            if started is None:
                return  # reported; a broken sound does not spin
            while started.is_alive() and not self._stopping.is_set():
                self._stopping.wait(0.05)
            self._stop_current()
            self._stopping.wait(self.gap_s)

    def _play_once(self) -> Playing | None:
        try:
            sound = _play(self.sound_file, self.backend)
        except Exception as exc:
            # Sound is the fallback here, not the alarm path: say why, clearly (trace in debug).
            log.debug("playsound3 failed", exc_info=True)
            self._report(f"cannot play {self.sound_file}: {exc}")
            return None
        with self._lock:
            self._current = sound
            self.plays += 1
        # A player that exits at once (no sound card, unreadable file) would loop silently.
        self._stopping.wait(self.failed_quickly_s)
        if not sound.is_alive() and _exit_code(sound) not in (0, None):
            self._stop_current()
            self._report(
                f"the sound player for {self.sound_file} exited with {_exit_code(sound)}"
                " (no sound output?)"
            )
            return None
        self.problem = None
        return sound

    def _stop_current(self) -> None:
        with self._lock:
            current, self._current = self._current, None
        if current is not None:
            _finish(current)

    def _report(self, problem: str) -> None:
        if problem != self.problem:
            log.error("LOCAL ALARM SOUND NOT PLAYING: %s", problem)
        self.problem = problem


def _play(sound_file: Path, backend: str | None) -> Playing:
    if not sound_file.is_file():
        raise FileNotFoundError(f"no such sound file {sound_file}")
    from playsound3 import playsound  # imported late: it probes every backend on import

    result: Playing = playsound(str(sound_file), block=False, backend=backend)
    return result


def _finish(sound: Playing) -> None:
    """Stop the player and reap its process (a player left unreaped is a zombie on a Pi)."""
    if sound.is_alive():
        sound.stop()
    process = getattr(sound, "subprocess", None)
    wait = getattr(process, "wait", None)
    if not callable(wait):
        return
    try:
        wait(timeout=2)
    except subprocess.TimeoutExpired:
        kill = getattr(process, "kill", None)
        if callable(kill):
            kill()
            wait(timeout=2)


def _exit_code(sound: Any) -> int | None:
    process = getattr(sound, "subprocess", None)
    poll = getattr(process, "poll", None)
    return poll() if callable(poll) else None
