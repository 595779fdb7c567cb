"""The header's line for a PC whose clock is more than 30 s from the database server's.

Alarms, escalation, offline buttons and test windows all run on the server's time
(``safedesk.db.server_time``), so nothing goes wrong; but staff compare the PC's clock with the
times on screen, and IT should correct it. Reads the skew the ServerClock already knows (no
database call) every few seconds; hidden while the clocks agree or the server is not known.
"""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel

from safedesk.clock import Clock
from safedesk.clock_skew import Skew, SkewState, next_state, skew_message
from safedesk.db.server_time import ServerClock

_POLL_MS = 5000


class ClockSkewStrip(QLabel):
    """ "⚠ This PC's clock is 10 min fast: alarms use the server's time. ..." (or hidden)."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("clockSkewStrip")
        self.setWordWrap(True)
        self.setStyleSheet(
            "#clockSkewStrip { background:#fff1d6; color:#5c3700; font-size:11pt;"
            " font-weight:bold; border-bottom:2px solid #d98200; padding:4px 12px; }"
        )
        self._clock: ServerClock | None = None
        self._state = SkewState.UNKNOWN
        self._timer = QTimer(self)
        self._timer.setInterval(_POLL_MS)
        self._timer.timeout.connect(self.refresh)
        self.hide()

    def watch(self, clock: Clock) -> None:
        """Follow this process's clock (only a ServerClock knows how far off the PC is)."""
        self._clock = clock if isinstance(clock, ServerClock) else None
        if self._clock is None:
            self._timer.stop()
            self.hide()
            return
        self.refresh()
        self._timer.start()

    def refresh(self) -> None:
        skew = self._clock.skew() if self._clock is not None else None
        self._state = next_state(self._state, skew)
        if skew is None or self._state not in (SkewState.FAST, SkewState.SLOW):
            self.hide()
            return
        self.setText(_text(skew))
        self.setToolTip(
            f"This PC's clock minus the database server's: {skew.ahead_s:+.1f} s "
            f"(measured to within {skew.uncertainty_s * 1000:.0f} ms). Every alarm decision "
            "uses the server's time; ask IT to set this PC's clock (Windows Time / NTP)."
        )
        self.show()


def _text(skew: Skew) -> str:
    return f"⚠  {skew_message(skew)}. Ask IT to correct this PC's clock."
