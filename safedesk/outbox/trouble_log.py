"""Log a failing part of the environment once when it starts failing and once when it recovers.

A dead database or a full disk is retried every second or so; logging every retry buried the
one line that mattered under tens of thousands (issue 12: 48,000 lines in 100 s). The first
failure is logged at the level given (with its traceback when asked), repeats go to DEBUG, and
the recovery is one WARNING line saying how long it lasted.
"""

from __future__ import annotations

import logging
import threading
import time


class TroubleLog:
    """Per-subject failure state ("database", "outbox", "heartbeat pico-1", ...)."""

    def __init__(self, logger: logging.Logger) -> None:
        self._log = logger
        self._lock = threading.Lock()
        self._since: dict[str, float] = {}
        self.repeats = 0  # failures not logged above DEBUG (for tests and the admin log)

    def failing(self, subject: str, problem: str, *, level: int = logging.ERROR) -> bool:
        """Record a failure of ``subject``; True (and logged) only when it was not failing."""
        first = self.mark(subject)
        if first:
            self._log.log(level, "%s", problem)
        else:
            self._log.debug("still failing: %s", problem)
        return first

    def mark(self, subject: str) -> bool:
        """Record a failure without logging it; True when ``subject`` was not failing (the caller
        then logs it itself, e.g. with ``log.exception`` for a bug)."""
        with self._lock:
            first = subject not in self._since
            if first:
                self._since[subject] = time.monotonic()
            else:
                self.repeats += 1
        return first

    def recovered(self, subject: str, message: str) -> bool:
        """``subject`` works again; True (and logged) only if it had been failing."""
        with self._lock:
            since = self._since.pop(subject, None)
        if since is None:
            return False
        self._log.warning("%s (after %.0f s)", message, time.monotonic() - since)
        return True

    def is_failing(self, subject: str) -> bool:
        with self._lock:
            return subject in self._since
