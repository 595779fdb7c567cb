"""As-you-type search off the GUI thread, debounced, newest answer only.

Signals:
    results(Shortlist): the shortlist for the latest query typed.
    failed(str): the search could not run (database unreachable); shown, never swallowed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, QRunnable, QThreadPool, QTimer, Signal

from safedesk.db import DatabaseUnavailable
from safedesk.services.reception.person_search import Shortlist

log = logging.getLogger(__name__)

DEBOUNCE_MS = 120


class _Relay(QObject):
    done = Signal(int, object)
    error = Signal(int, str)


class _Job(QRunnable):
    def __init__(
        self, generation: int, query: str, run: Callable[[str], Shortlist], relay: _Relay
    ) -> None:
        super().__init__()
        self.generation = generation
        self.query = query
        self.search = run
        self.relay = relay

    def run(self) -> None:
        try:
            found = self.search(self.query)
        except DatabaseUnavailable as exc:
            self.relay.error.emit(self.generation, f"Search could not reach the database: {exc}")
            return
        except Exception as exc:
            log.exception("search failed for %r", self.query)
            self.relay.error.emit(self.generation, f"Search failed: {exc}")
            return
        self.relay.done.emit(self.generation, found)


class SearchRunner(QObject):
    results = Signal(object)
    failed = Signal(str)

    def __init__(self, run: Callable[[str], Shortlist], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._run = run
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._generation = 0
        self._query = ""
        self._relay = _Relay()
        self._relay.done.connect(self._on_done)
        self._relay.error.connect(self._on_error)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self._on_fire)

    def request(self, query: str) -> None:
        """A keystroke: search once the typing pauses."""
        self._query = query
        self._generation += 1
        self._timer.start()

    def run_now(self, query: str) -> None:
        self._query = query
        self._generation += 1
        self._timer.stop()
        self._on_fire()

    def wait(self, msecs: int = 5000) -> bool:
        return self._pool.waitForDone(msecs)

    def _on_fire(self) -> None:
        self._pool.start(_Job(self._generation, self._query, self._run, self._relay))

    def _on_done(self, generation: int, found: object) -> None:
        if generation == self._generation and isinstance(found, Shortlist):
            self.results.emit(found)

    def _on_error(self, generation: int, message: str) -> None:
        if generation == self._generation:
            self.failed.emit(message)
