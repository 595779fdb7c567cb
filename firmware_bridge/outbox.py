"""Store and forward: a PressSink that never loses a press when the database cannot be reached.

Wrapped around the alarm service on a bridge (or a PC owning buttons). A press goes straight to
the database when it can; if that fails (server down, network gone, or anything else), the press
is written to a local SQLite file, with its original press time, device, boot id and sequence,
and the driver gets a ``held`` receipt: the device is acknowledged and its LED says "not
delivered" (the room sees the truth). A forwarder thread sends held presses in the order they
were pressed as soon as the database answers; a forward that half-succeeded (committed, then the
connection dropped before we heard) is safe to repeat, because the alarm service recognises
(device, boot id, sequence).

While anything is held, new presses queue behind it (order is kept, and a dead server is not
waited on again for every press). If even the local file cannot be written, ``press`` raises:
the driver does not acknowledge, the button keeps resending, and the failure is logged loudly.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.exc import InterfaceError, OperationalError

from safedesk.button_events import (
    ButtonPress,
    DeviceHeard,
    DeviceKind,
    PressReceipt,
    PressSink,
)
from safedesk.clock import Clock
from safedesk.db import DatabaseUnavailable

log = logging.getLogger(__name__)

_NO_BOOT = -1  # boot_id None, stored in a NOT NULL column so the unique key works

_SCHEMA = """
CREATE TABLE IF NOT EXISTS held_presses (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    device_id TEXT NOT NULL,
    boot_id INTEGER NOT NULL,
    sequence INTEGER NOT NULL,
    pressed_at TEXT NOT NULL,
    source TEXT NOT NULL,
    held_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    UNIQUE (device_id, boot_id, sequence)
)
"""


class OutboxError(Exception):
    """The local outbox file cannot be opened or written (disk full, read-only, corrupt)."""


@dataclass(frozen=True)
class HeldPress:
    """One press waiting in the outbox."""

    outbox_id: int
    press: ButtonPress
    held_at: datetime
    attempts: int
    last_error: str | None


ForwardedListener = Callable[[ButtonPress, PressReceipt], None]
HeldListener = Callable[[ButtonPress], None]
BacklogListener = Callable[[int], None]


class LocalOutbox:
    """The SQLite file itself: durable (synchronous=FULL) before a press is acknowledged."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._conn = sqlite3.connect(
                str(path), isolation_level=None, check_same_thread=False, timeout=10
            )
            self._conn.execute("PRAGMA journal_mode=WAL")
            # FULL: a press acknowledged to the room survives a power cut on the Pi.
            self._conn.execute("PRAGMA synchronous=FULL")
            self._conn.execute(_SCHEMA)
        except (sqlite3.Error, OSError) as exc:
            raise OutboxError(f"cannot open the press outbox {path}: {exc}") from exc
        self._lock = threading.Lock()

    def add(self, press: ButtonPress, held_at: datetime, error: str) -> bool:
        """Keep a press; False if this (device, boot, sequence) is already held (a resend)."""
        boot = _NO_BOOT if press.boot_id is None else press.boot_id
        with self._lock:
            try:
                cursor = self._conn.execute(
                    "INSERT OR IGNORE INTO held_presses (device_id, boot_id, sequence, pressed_at,"
                    " source, held_at, last_error) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (
                        press.device_id,
                        boot,
                        press.sequence,
                        press.pressed_at.isoformat(),
                        press.source.value,
                        held_at.isoformat(),
                        error,
                    ),
                )
            except sqlite3.Error as exc:
                raise OutboxError(f"cannot write to the press outbox {self.path}: {exc}") from exc
            return cursor.rowcount == 1

    def held(self, limit: int | None = None) -> list[HeldPress]:
        """Held presses, oldest first."""
        query = (
            "SELECT id, device_id, boot_id, sequence, pressed_at, source, held_at, attempts,"
            " last_error FROM held_presses ORDER BY id"
        )
        if limit is not None:
            query += f" LIMIT {int(limit)}"
        with self._lock:
            try:
                rows = self._conn.execute(query).fetchall()
            except sqlite3.Error as exc:
                raise OutboxError(f"cannot read the press outbox {self.path}: {exc}") from exc
        return [
            HeldPress(
                outbox_id=row[0],
                press=ButtonPress(
                    device_id=row[1],
                    boot_id=None if row[2] == _NO_BOOT else row[2],
                    sequence=row[3],
                    pressed_at=datetime.fromisoformat(row[4]),
                    source=DeviceKind(row[5]),
                ),
                held_at=datetime.fromisoformat(row[6]),
                attempts=row[7],
                last_error=row[8],
            )
            for row in rows
        ]

    def count(self) -> int:
        with self._lock:
            try:
                return int(self._conn.execute("SELECT count(*) FROM held_presses").fetchone()[0])
            except sqlite3.Error as exc:
                raise OutboxError(f"cannot read the press outbox {self.path}: {exc}") from exc

    def remove(self, outbox_id: int) -> None:
        with self._lock:
            self._conn.execute("DELETE FROM held_presses WHERE id = ?", (outbox_id,))

    def note_failure(self, outbox_id: int, error: str) -> None:
        with self._lock:
            self._conn.execute(
                "UPDATE held_presses SET attempts = attempts + 1, last_error = ? WHERE id = ?",
                (error[:500], outbox_id),
            )

    def close(self) -> None:
        with self._lock:
            self._conn.close()


# The environment (server gone, network down), as opposed to a bug: logged without a traceback.
CONNECTION_FAILURES: tuple[type[BaseException], ...] = (
    DatabaseUnavailable,
    ConnectionError,
    TimeoutError,
    OperationalError,
    InterfaceError,
)


def is_connection_failure(exc: BaseException) -> bool:
    return isinstance(exc, CONNECTION_FAILURES)


class StoreAndForwardSink:
    """A PressSink around the real one; ``start`` runs the forwarder thread, ``stop`` ends it."""

    def __init__(
        self,
        sink: PressSink,
        outbox: LocalOutbox,
        clock: Clock,
        *,
        retry_initial_s: float = 0.5,
        retry_max_s: float = 5.0,
        on_held: HeldListener | None = None,
        on_forwarded: ForwardedListener | None = None,
        on_backlog: BacklogListener | None = None,
    ) -> None:
        self.sink = sink
        self.outbox = outbox
        self.clock = clock
        self.retry_initial_s = retry_initial_s
        self.retry_max_s = retry_max_s
        self.on_held = on_held
        self.on_forwarded = on_forwarded
        self.on_backlog = on_backlog
        # Guards the backlog count: "straight through or behind the backlog" is decided under it.
        self._order = threading.Lock()
        self._draining = threading.Lock()  # one forwarding pass at a time
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._backlog = outbox.count()
        self._heard_failing = False
        self._last_forward_was_connection = False
        if self._backlog:
            log.error(
                "%d panic press(es) from before a restart are waiting in %s: forwarding them",
                self._backlog,
                outbox.path,
            )

    # ---- PressSink -----------------------------------------------------------------------------

    def press(self, press: ButtonPress) -> PressReceipt:
        with self._order:
            queue_behind = self._backlog > 0
        if queue_behind:
            # Keep the order, and do not wait on a dead server once per press.
            return self._hold(press, "queued behind presses already held")
        try:
            return self.sink.press(press)
        except CONNECTION_FAILURES as exc:
            log.warning("press from %s: database unreachable: %s", press.device_id, exc)
            return self._hold(press, _describe(exc))
        except Exception as exc:
            # Not the environment: a bug or a refusal. Held all the same; loud, with the trace.
            log.exception("press from %s refused by the alarm service", press.device_id)
            return self._hold(press, _describe(exc))

    def heard(self, heard: DeviceHeard) -> None:
        """Heartbeats are not stored: while the database is down, nothing can update last seen."""
        try:
            self.sink.heard(heard)
        except Exception as exc:
            if not is_connection_failure(exc):
                raise
            if not self._heard_failing:
                log.warning("heartbeats not recorded while the database is unreachable: %s", exc)
            self._heard_failing = True
            return
        self._heard_failing = False

    # ---- the forwarder -----------------------------------------------------------------------

    @property
    def backlog(self) -> int:
        """Presses held locally right now."""
        return self._backlog

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, name="outbox-forwarder", daemon=True)
        self._thread.start()
        if self._backlog:
            self._wake.set()
            self._notify_backlog()

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
        if self._backlog:
            log.error(
                "stopping with %d panic press(es) still held in %s: they are forwarded at the "
                "next start",
                self._backlog,
                self.outbox.path,
            )

    def forward_now(self) -> int:
        """Try to forward everything held, in order, now; returns how many are still held."""
        with self._draining:
            self._drain()
        return self._backlog

    def _run(self) -> None:
        delay = self.retry_initial_s
        while not self._stopping.is_set():
            self._wake.wait(delay if self._backlog else None)
            self._wake.clear()
            if self._stopping.is_set():
                return
            if not self._backlog:
                delay = self.retry_initial_s
                continue
            try:
                with self._draining:
                    progressed = self._drain()
            except Exception:
                # A fault in the outbox itself: loud, and try again (the presses are on disk).
                log.exception("forwarding held panic presses failed; retrying")
                progressed = False
            delay = self.retry_initial_s if progressed else min(self.retry_max_s, delay * 2)

    def _drain(self) -> bool:
        """Forward held presses oldest first; stop at the first connection failure.

        Returns True if the database took at least one press. A press the service refuses for
        another reason (a bug) stays held, is logged loudly, and does not block the rest.
        """
        progressed = False
        connection_lost = False
        refused: set[int] = set()
        while not connection_lost:
            batch = [
                h for h in self.outbox.held(limit=len(refused) + 50) if h.outbox_id not in refused
            ]
            if not batch:
                break
            for held in batch:
                if not self._forward_one(held):
                    if self._last_forward_was_connection:
                        connection_lost = True
                        break
                    refused.add(held.outbox_id)
                    continue
                progressed = True
        with self._order:
            before = self._backlog
            self._backlog = self.outbox.count()
            changed = self._backlog != before
        if changed:
            self._notify_backlog()
        if connection_lost:
            log.debug("database still unreachable; %d press(es) held", self._backlog)
        return progressed

    def _forward_one(self, held: HeldPress) -> bool:
        """Offer one held press; True if the database took it (and it left the outbox)."""
        try:
            receipt = self.sink.press(held.press)
        except CONNECTION_FAILURES as exc:
            log.info(
                "forwarding held press from %s: still unreachable: %s", held.press.device_id, exc
            )
            self.outbox.note_failure(held.outbox_id, _describe(exc))
            self._last_forward_was_connection = True
            return False
        except Exception as exc:
            log.exception(
                "held press from %s (sequence %d) refused by the alarm service; kept, retried",
                held.press.device_id,
                held.press.sequence,
            )
            self.outbox.note_failure(held.outbox_id, _describe(exc))
            self._last_forward_was_connection = False
            return False
        self.outbox.remove(held.outbox_id)
        delay_s = (self.clock.now() - held.held_at).total_seconds()
        log.warning(
            "held panic press from %s (boot %s, sequence %d, pressed %s) forwarded after "
            "%.0f s: alarm %d",
            held.press.device_id,
            held.press.boot_id,
            held.press.sequence,
            held.press.pressed_at.isoformat(),
            delay_s,
            receipt.alarm_id,
        )
        self._tell(self.on_forwarded, held.press, receipt)
        return True

    # ---- inside ------------------------------------------------------------------------------

    def _hold(self, press: ButtonPress, error: str) -> PressReceipt:
        try:
            added = self.outbox.add(press, self.clock.now(), error)
        except OutboxError:
            log.critical(
                "PANIC PRESS from %s (boot %s, sequence %d) could NEITHER reach the database "
                "NOR be stored locally: not acknowledged, the button will resend",
                press.device_id,
                press.boot_id,
                press.sequence,
                exc_info=True,
            )
            raise
        if added:
            with self._order:
                self._backlog = self.outbox.count()  # recounted: the forwarder may have run
            log.error(
                "PANIC PRESS from %s (boot %s, sequence %d, pressed %s) HELD in the local outbox "
                "(%s); %d held, forwarding when the database returns",
                press.device_id,
                press.boot_id,
                press.sequence,
                press.pressed_at.isoformat(),
                error,
                self._backlog,
            )
            self._notify_backlog()
        self._wake.set()
        self._tell_held(press)
        return PressReceipt(alarm_id=0, created=added, held=True)

    def _notify_backlog(self) -> None:
        if self.on_backlog is None:
            return
        try:
            self.on_backlog(self._backlog)
        except Exception:
            log.exception("outbox backlog listener failed")

    def _tell_held(self, press: ButtonPress) -> None:
        if self.on_held is None:
            return
        try:
            self.on_held(press)
        except Exception:
            log.exception("outbox held listener failed for %s", press.device_id)

    def _tell(
        self, listener: ForwardedListener | None, press: ButtonPress, receipt: PressReceipt
    ) -> None:
        if listener is None:
            return
        try:
            listener(press, receipt)
        except Exception:
            # Feedback failing must not stop forwarding; it is a bug, so loud.
            log.exception("outbox listener failed for %s", press.device_id)


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:500]
