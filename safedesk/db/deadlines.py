"""Deadlines for database calls: a call that gets no answer in time is cut off by the client.

Server-side limits (``statement_timeout``, ``lock_timeout``) need a server that runs, and TCP
keepalives or ``tcp_user_timeout`` need a peer that stops acknowledging. A frozen server process
(SIGSTOP, a hung host whose kernel still answers) or a partition that swallows packets behind a
live proxy defeats all of them: the kernel ACKs, the socket looks healthy, and the call waits
for ever. So a watchdog thread shuts the socket of a call that outlives its deadline (SQLite:
``interrupt()``); the call then fails at once as a connection error, and the press it carried
goes to the outbox instead of waiting.

``deadline(seconds)`` scopes a deadline to the calling thread; the pool (``engine``) attaches
every connection checked out inside the scope, and waits for a free connection only as long as
the scope has left.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import logging
import socket
import sqlite3
import threading
import time
from collections.abc import Iterator
from typing import Any

import psycopg

log = logging.getLogger(__name__)


class DeadlineExceeded(Exception):
    """The call's deadline passed before it finished (raised where no socket was cut)."""


class Deadline:
    """One call's time limit; connections it holds are cut when it expires."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.expires_at = time.monotonic() + seconds
        self.expired = False
        self.done = False
        self.connections: list[Any] = []

    def remaining(self) -> float:
        return max(0.0, self.expires_at - time.monotonic())


class Watchdog:
    """One thread for the whole process: sleeps until the earliest deadline, cuts what expired."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._heap: list[tuple[float, int, Deadline]] = []
        self._order = itertools.count()
        self._thread: threading.Thread | None = None
        self.cut = 0  # connections cut since start (for logs and tests)

    def arm(self, deadline: Deadline) -> None:
        with self._lock:
            heapq.heappush(self._heap, (deadline.expires_at, next(self._order), deadline))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="db-deadlines", daemon=True)
                self._thread.start()
            self._wake.notify()

    def disarm(self, deadline: Deadline) -> None:
        """The call is over: never cut its connections after this returns."""
        with self._lock:
            deadline.done = True
            deadline.connections.clear()

    def attach(self, deadline: Deadline, connection: Any) -> None:
        """``connection`` now serves ``deadline``'s call; cut at once if it has already expired."""
        with self._lock:
            if deadline.done:
                return
            if not deadline.expired:
                deadline.connections.append(connection)
                return
        _interrupt(connection)
        raise DeadlineExceeded(f"no answer from the database within {deadline.seconds:g} s")

    def detach(self, deadline: Deadline, connection: Any) -> None:
        with self._lock, contextlib.suppress(ValueError):
            deadline.connections.remove(connection)

    def _run(self) -> None:
        while True:
            with self._lock:
                while not self._heap:
                    self._wake.wait()
                expires_at, _, deadline = self._heap[0]
                wait = expires_at - time.monotonic()
                if wait > 0:
                    self._wake.wait(wait)
                    continue
                heapq.heappop(self._heap)
                if deadline.done:
                    continue
                deadline.expired = True
                victims = list(deadline.connections)
                # Cut under the lock: a call that finishes now waits in disarm() until the cut is
                # done, so a connection back in the pool is never cut under its next user.
                for connection in victims:
                    _interrupt(connection)
                self.cut += len(victims)
            if victims:
                # DEBUG: the caller gets DatabaseUnavailable and logs the state change once.
                log.debug(
                    "database call got no answer within %g s: cut %d connection(s)",
                    deadline.seconds,
                    len(victims),
                )


def _interrupt(connection: Any) -> None:
    """Make a blocked call on ``connection`` fail now, whatever it is waiting for."""
    try:
        if isinstance(connection, sqlite3.Connection):
            connection.interrupt()
            return
        pgconn = getattr(connection, "pgconn", None)  # psycopg 3
        fileno = pgconn.socket if pgconn is not None else connection.fileno()
        # A duplicate of the descriptor: shutdown() acts on the socket itself, so the blocked
        # recv/poll in libpq returns; closing our duplicate leaves libpq's descriptor to libpq.
        sock = socket.fromfd(fileno, socket.AF_INET, socket.SOCK_STREAM)
        try:
            sock.shutdown(socket.SHUT_RDWR)
        finally:
            sock.close()
    except (OSError, ValueError, AttributeError, sqlite3.Error, psycopg.Error) as exc:
        # Already closed, or nothing to cut: the call ends by itself or has ended.
        log.debug("could not cut a database connection: %r", exc)


WATCHDOG = Watchdog()
_local = threading.local()


def current() -> Deadline | None:
    """The deadline of the call running on this thread, if any."""
    found: Deadline | None = getattr(_local, "deadline", None)
    return found


@contextlib.contextmanager
def deadline(seconds: float) -> Iterator[Deadline]:
    """Every database call made on this thread inside the block must finish by then.

    Nested scopes keep the earlier end: a press inside a forwarding pass gets no more time than
    the pass has left.
    """
    outer = current()
    if outer is not None and not outer.done and outer.remaining() <= seconds:
        yield outer
        return
    scope = Deadline(seconds)
    WATCHDOG.arm(scope)
    _local.deadline = scope
    try:
        yield scope
    finally:
        WATCHDOG.disarm(scope)
        _local.deadline = outer
