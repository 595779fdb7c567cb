"""Store and forward: the PressSink that never loses a press when the database cannot take it.

Wrapped around the alarm service by whoever makes or owns presses: the bridge (USB and GPIO
buttons) and the desktop app (the desk's on-screen button, its hotkey, USB buttons plugged into
the PC). A press goes straight to the database when it can; if that fails (server down or hung
past the press deadline, network gone) it is written to the local outbox with its original press
time, device, boot id and sequence, and the driver gets a ``held`` receipt: the device is
acknowledged and shows "not delivered". A forwarder thread sends held presses oldest first as
soon as the database answers; a forward that half-succeeded (committed, answer lost) is safe to
repeat, because the alarm service recognises (device, boot id, sequence).

What may fail, and what then happens:

* the database: presses are held; while any is held, new ones queue behind it (order kept, and a
  dead server is not waited on again for every press);
* the outbox itself (disk full, file gone): a press the database can take still goes straight to
  it, whatever is stuck in the file; a forwarded press that cannot be removed from the file is
  remembered as sent, never sent again in this run, and removed when the disk has room;
* both: ``press`` raises, the driver does not acknowledge, the button (or the delivery thread)
  keeps the press and resends it;
* one press the alarm service refuses (a bug, ``safedesk.db.failures``: a missing table, bad
  SQL): kept, logged with its traceback, retried slowly, and it never holds up the presses
  behind it; its receipt says internal error (``PressReceipt.internal_error``), not outage.

Each of these is logged once when it starts and once when it ends (``TroubleLog``), not per retry.
Heartbeats go through a writer thread of their own (``HeartbeatWriter``).
"""

from __future__ import annotations

import enum
import functools
import logging
import threading
from collections.abc import Callable
from datetime import datetime

from safedesk.button_events import ButtonPress, DeviceHeard, PressReceipt, PressSink
from safedesk.clock import Clock
from safedesk.db import Database
from safedesk.db.failures import describe, internal_error_text, is_environment
from safedesk.outbox.heartbeats import HeartbeatWriter
from safedesk.outbox.store import HeldPress, LocalOutbox, OutboxError
from safedesk.outbox.trouble_log import TroubleLog

log = logging.getLogger(__name__)

ForwardedListener = Callable[[ButtonPress, PressReceipt], None]
HeldListener = Callable[[ButtonPress], None]
RefusedListener = Callable[[ButtonPress, str], None]  # the press, 'INTERNAL ERROR: ...'
BacklogListener = Callable[[int], None]
PressKey = tuple[str, int | None, int]

_BATCH = 50


class _Outcome(enum.Enum):
    SENT = "sent"
    UNREACHABLE = "unreachable"
    REFUSED = "refused"


def _key(press: ButtonPress) -> PressKey:
    return (press.device_id, press.boot_id, press.sequence)


class StoreAndForwardSink:
    """A PressSink around the real one; ``start`` runs the forwarder, ``stop`` ends it."""

    def __init__(
        self,
        sink: PressSink,
        outbox: LocalOutbox,
        clock: Clock,
        *,
        retry_initial_s: float = 0.5,
        retry_max_s: float = 5.0,
        refused_retry_s: float = 60.0,
        on_held: HeldListener | None = None,
        on_forwarded: ForwardedListener | None = None,
        on_backlog: BacklogListener | None = None,
        confirm_durable: Callable[[], None] | None = None,
    ) -> None:
        self.sink = sink
        # Before a held press the database already had is forgotten, the standby must have it
        # too (``Database.confirm_durable``); by default the alarm service's own database's.
        if confirm_durable is None:
            database = getattr(sink, "db", None)
            confirm_durable = database.confirm_durable if isinstance(database, Database) else None
        self._confirm_durable = confirm_durable
        self.outbox = outbox
        self.clock = clock
        self.retry_initial_s = retry_initial_s
        self.retry_max_s = retry_max_s
        self.refused_retry_s = refused_retry_s
        self._held_listeners: list[HeldListener] = [on_held] if on_held else []
        self._forwarded_listeners: list[ForwardedListener] = [on_forwarded] if on_forwarded else []
        self._backlog_listeners: list[BacklogListener] = [on_backlog] if on_backlog else []
        self._refused_listeners: list[RefusedListener] = []
        self.heartbeats = HeartbeatWriter(sink)
        self._trouble = TroubleLog(log)
        # Guards the counts below: "straight through or behind the backlog" is decided under it.
        self._order = threading.Lock()
        self._draining = threading.Lock()  # one forwarding pass at a time
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._held = 0  # presses in the file the database does not have yet
        self._sent: set[int] = set()  # forwarded, but the file would not let them go
        self._refused: dict[int, float] = {}  # outbox id -> monotonic time of the next try
        self._unsaved: set[PressKey] = set()  # neither in the database nor in the file
        self._unsaved_reported: set[PressKey] = set()
        self._outbox_usable = True
        self._last_backlog = -1
        self._recount()
        if self._held:
            log.error(
                "%d panic press(es) from before a restart are waiting in %s: forwarding them",
                self._held,
                outbox.path,
            )

    def subscribe(
        self,
        *,
        on_held: HeldListener | None = None,
        on_forwarded: ForwardedListener | None = None,
        on_backlog: BacklogListener | None = None,
        on_refused: RefusedListener | None = None,
    ) -> None:
        """Add listeners (called on the caller's or the forwarder's thread; must be quick).

        ``on_refused``: a held press the alarm service refused on a bug (not an outage) while
        being forwarded; it stays held and is retried, and the screen must say internal error.
        """
        if on_held is not None:
            self._held_listeners.append(on_held)
        if on_forwarded is not None:
            self._forwarded_listeners.append(on_forwarded)
        if on_backlog is not None:
            self._backlog_listeners.append(on_backlog)
        if on_refused is not None:
            self._refused_listeners.append(on_refused)

    def unsubscribe(self, listener: object) -> None:
        """Remove a listener added with ``subscribe`` or the constructor (whichever kind)."""
        for listeners in (
            self._held_listeners,
            self._forwarded_listeners,
            self._backlog_listeners,
            self._refused_listeners,
        ):
            while listener in listeners:
                listeners.remove(listener)  # type: ignore[arg-type]

    # ---- PressSink -----------------------------------------------------------------------------

    def press(self, press: ButtonPress) -> PressReceipt:
        with self._order:
            queue_behind = self._waiting() > 0 and self._outbox_usable
        if queue_behind:
            try:
                # Keep the order, and do not wait on a dead server once per press.
                return self._hold(press, "queued behind presses already held", tried_db=False)
            except OutboxError:
                pass  # a broken outbox must not stop a press the database can take
        try:
            receipt = self.sink.press(press)
        except Exception as exc:
            if is_environment(exc):
                # Once per outage: with the outbox broken too, the button resends every 2 s.
                self._trouble.failing(
                    "database",
                    f"press from {press.device_id}: database unreachable: {exc}",
                    level=logging.WARNING,
                )
                return self._hold(press, describe(exc))
            # Not the environment: a bug or a refusal. Held all the same; loud, with the trace,
            # once per press (not per resend while the outbox cannot hold it either).
            if self._trouble.mark(f"refused {_key(press)}"):
                log.exception("press from %s refused by the alarm service", press.device_id)
            return self._hold(
                press, describe(exc), refused=True, internal_error=internal_error_text(exc)
            )
        self._trouble.recovered("database", "database answers again")
        self._trouble.recovered(f"refused {_key(press)}", f"press from {press.device_id} taken")
        self._saved(press)
        return receipt

    def heard(self, heard: DeviceHeard) -> None:
        """Never blocks the driver while started: the latest heartbeat per device is written by
        the heartbeat thread. Not stored: while the database is down, nothing updates last seen."""
        if self.heartbeats.running:
            self.heartbeats.offer(heard)
        else:
            self.heartbeats.write(heard)

    # ---- the forwarder -----------------------------------------------------------------------

    @property
    def backlog(self) -> int:
        """Presses this sink knows of that the database does not have yet (held or unsaved)."""
        with self._order:
            return self._held + len(self._unsaved)

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stopping.clear()
        self.heartbeats.start()
        self._thread = threading.Thread(target=self._run, name="outbox-forwarder", daemon=True)
        self._thread.start()
        self._wake.set()
        self._notify_backlog(force=True)

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
        self.heartbeats.stop()
        if self._held:
            log.error(
                "stopping with %d panic press(es) still held in %s: they are forwarded at the "
                "next start",
                self._held,
                self.outbox.path,
            )

    def forward_now(self) -> int:
        """Try to forward everything held, in order, now; returns how many are still held."""
        with self._draining:
            self._drain(retry_refused=True)
        return self._held

    def _run(self) -> None:
        delay = self.retry_initial_s
        while not self._stopping.is_set():
            self._wake.wait(self._next_wait(delay))
            self._wake.clear()
            if self._stopping.is_set():
                return
            with self._order:
                idle = not self._held and not self._sent
            if idle:
                delay = self.retry_initial_s
                continue
            try:
                with self._draining:
                    outcome = self._drain()
            except Exception:
                # A bug in forwarding itself: loud (once), and try again (the presses are on disk).
                if self._trouble.mark("forwarder"):
                    log.exception("forwarding held panic presses failed; retrying")
                outcome = _Outcome.UNREACHABLE
            else:
                self._trouble.recovered("forwarder", "forwarding held panic presses works again")
            delay = (
                min(self.retry_max_s, delay * 2)
                if outcome is _Outcome.UNREACHABLE
                else self.retry_initial_s
            )

    def _next_wait(self, delay: float) -> float | None:
        with self._order:
            if self._waiting() or self._sent:
                return delay
            if self._refused:
                due = min(self._refused.values()) - self.clock.monotonic()
                return max(0.05, min(due, self.refused_retry_s))
        return None

    def _drain(self, *, retry_refused: bool = False) -> _Outcome:
        """Forward held presses oldest first; stop at the first connection failure.

        A press the service refuses for another reason stays held, is logged loudly once and
        retried slowly; the presses behind it go on.
        """
        outcome = _Outcome.SENT
        after = 0
        while outcome is not _Outcome.UNREACHABLE and not self._stopping.is_set():
            try:
                batch = self.outbox.held(after_id=after, limit=_BATCH)
            except OutboxError as exc:
                self._outbox_failed(exc)
                break
            if not batch:
                break
            for held in batch:
                after = held.outbox_id
                if self._skip(held, retry_refused):
                    continue
                result = self._forward_one(held)
                if result is _Outcome.UNREACHABLE:
                    outcome = result
                    break
        self._retry_removals()
        self._recount()
        if outcome is _Outcome.UNREACHABLE:
            log.debug("database still unreachable; %d press(es) held", self._held)
        return outcome

    def _skip(self, held: HeldPress, retry_refused: bool) -> bool:
        with self._order:
            if held.outbox_id in self._sent:
                return True
            retry_at = self._refused.get(held.outbox_id)
        return retry_at is not None and not retry_refused and retry_at > self.clock.monotonic()

    def _forward_one(self, held: HeldPress) -> _Outcome:
        """Offer one held press; SENT if the database took it (and it left the outbox)."""
        press = held.press
        try:
            receipt = self.sink.press(press)
        except Exception as exc:
            self._note_failure(held, exc)
            if is_environment(exc):
                self._trouble.failing(
                    "database",
                    f"database unreachable: {exc}; {self._held} panic press(es) held in "
                    f"{self.outbox.path}, forwarding as soon as it answers",
                    level=logging.WARNING,
                )
                return _Outcome.UNREACHABLE
            with self._order:
                first = held.outbox_id not in self._refused
                self._refused[held.outbox_id] = self.clock.monotonic() + self.refused_retry_s
            if first:
                log.exception(
                    "held press from %s (boot %s, sequence %d) refused by the alarm service: "
                    "kept, retried every %.0f s; the presses behind it go on",
                    press.device_id,
                    press.boot_id,
                    press.sequence,
                    self.refused_retry_s,
                )
                for refused in list(self._refused_listeners):
                    self._tell(
                        "refused", functools.partial(refused, press, internal_error_text(exc))
                    )
            return _Outcome.REFUSED
        if not receipt.created and not self._is_durable(held):
            return _Outcome.UNREACHABLE
        self._trouble.recovered("database", "database answers again: forwarding held presses")
        try:
            self.outbox.remove(held.outbox_id)
        except OutboxError as exc:
            with self._order:
                self._sent.add(held.outbox_id)
            self._outbox_failed(exc)
        else:
            self._outbox_works()
        with self._order:
            self._refused.pop(held.outbox_id, None)
            self._held = max(0, self._held - 1)
        self._notify_backlog()
        delay_s = (self.clock.now() - held.held_at).total_seconds()
        log.warning(
            "held panic press from %s (boot %s, sequence %d, pressed %s) forwarded after "
            "%.0f s: alarm %d",
            press.device_id,
            press.boot_id,
            press.sequence,
            press.pressed_at.isoformat(),
            delay_s,
            receipt.alarm_id,
        )
        for forwarded in list(self._forwarded_listeners):
            self._tell("forwarded", functools.partial(forwarded, press, receipt))
        return _Outcome.SENT

    def _is_durable(self, held: HeldPress) -> bool:
        """The database already had this press (an earlier attempt committed, its answer lost):
        keep it held until the standby is known to have it too.

        That earlier commit may be on the primary alone (its wait for the synchronous standby cut
        short): forgetting the press then would lose it if the primary dies before the standby
        catches up. A commit made now waits for the standby and comes after it in the WAL.
        """
        if self._confirm_durable is None:
            return True
        try:
            self._confirm_durable()
        except Exception as exc:
            if is_environment(exc):
                self._note_failure(held, exc)
                self._trouble.failing(
                    "database",
                    f"the database has held press {held.press.device_id}/{held.press.sequence} "
                    f"but no standby confirmed it yet ({exc}); kept in {self.outbox.path} until "
                    "one does",
                    level=logging.WARNING,
                )
                return False
            # Not the environment (the check itself refused, e.g. a revoked function): loud
            # once; the press is in the database, so it is not held for ever for this.
            if self._trouble.mark("durability check"):
                log.exception("cannot check that the standby has forwarded presses")
            return True
        self._trouble.recovered("durability check", "checking the standby works again")
        return True

    def _note_failure(self, held: HeldPress, exc: BaseException) -> None:
        try:
            self.outbox.note_failure(held.outbox_id, describe(exc))
        except OutboxError as problem:
            self._outbox_failed(problem)  # the count of attempts is a nicety, not the press

    def _retry_removals(self) -> None:
        with self._order:
            pending = sorted(self._sent)
        for outbox_id in pending:
            try:
                self.outbox.remove(outbox_id)
            except OutboxError as exc:
                self._outbox_failed(exc)
                return
            with self._order:
                self._sent.discard(outbox_id)
            self._outbox_works()

    # ---- inside ------------------------------------------------------------------------------

    def _waiting(self) -> int:
        """Held presses new ones must queue behind (refused ones never hold anybody up)."""
        return max(0, self._held - len(self._refused))

    def _recount(self, *, added: bool = False) -> None:
        """The held count from the file itself (under the order lock: no press slips past)."""
        try:
            with self._order:
                self._held = max(0, self.outbox.count() - len(self._sent))
                self._refused = {k: v for k, v in self._refused.items() if k not in self._sent}
        except OutboxError as exc:
            self._outbox_failed(exc)
            if added:
                with self._order:
                    self._held += 1  # it is in the file; only counting it failed
        self._notify_backlog()

    def _hold(
        self,
        press: ButtonPress,
        error: str,
        *,
        refused: bool = False,
        tried_db: bool = True,
        internal_error: str | None = None,
    ) -> PressReceipt:
        key = _key(press)
        try:
            outbox_id = self.outbox.add(press, self._now(), error)
        except OutboxError as exc:
            self._outbox_failed(exc)
            if not tried_db:
                raise  # the caller offers it to the database next
            with self._order:
                self._unsaved.add(key)
                first = key not in self._unsaved_reported
                self._unsaved_reported.add(key)
            if first:
                log.critical(
                    "PANIC PRESS from %s (boot %s, sequence %d, pressed %s) could NEITHER reach "
                    "the database NOR be stored locally (%s): not acknowledged, the button "
                    "keeps it and resends",
                    press.device_id,
                    press.boot_id,
                    press.sequence,
                    press.pressed_at.isoformat(),
                    error,
                )
            self._notify_backlog()
            raise
        self._outbox_works()
        with self._order:
            self._unsaved.discard(key)
            self._unsaved_reported.discard(key)
            if outbox_id is not None and refused:
                self._refused[outbox_id] = self.clock.monotonic()  # one quick retry first
        self._recount(added=outbox_id is not None)
        if outbox_id is not None:
            log.error(
                "PANIC PRESS from %s (boot %s, sequence %d, pressed %s) HELD in the local outbox "
                "(%s); %d held, forwarding when the database answers",
                press.device_id,
                press.boot_id,
                press.sequence,
                press.pressed_at.isoformat(),
                error,
                self._held,
            )
        self._notify_backlog()
        self._wake.set()
        for held in list(self._held_listeners):
            self._tell("held", functools.partial(held, press))
        return PressReceipt(
            alarm_id=0, created=outbox_id is not None, held=True, internal_error=internal_error
        )

    def _saved(self, press: ButtonPress) -> None:
        """The database took ``press`` directly: it is no longer anybody's worry."""
        key = _key(press)
        with self._order:
            was_unsaved = key in self._unsaved
            self._unsaved.discard(key)
            self._unsaved_reported.discard(key)
        if was_unsaved:
            self._notify_backlog()

    def _now(self) -> datetime:
        return self.clock.now()

    def _outbox_failed(self, exc: OutboxError) -> None:
        self._outbox_usable = False
        self._trouble.failing(
            "outbox",
            f"PRESS OUTBOX NOT WORKING: {exc}. Presses still go straight to the database; "
            "while it is unreachable too, they are not held here (the buttons keep resending)",
            level=logging.CRITICAL,
        )

    def _outbox_works(self) -> None:
        if not self._outbox_usable:
            self._outbox_usable = True
            self._trouble.recovered("outbox", f"press outbox {self.outbox.path} writable again")

    def _notify_backlog(self, *, force: bool = False) -> None:
        count = self.backlog
        if count == self._last_backlog and not force:
            return
        self._last_backlog = count
        for backlog in list(self._backlog_listeners):
            self._tell("backlog", functools.partial(backlog, count))

    def _tell(self, what: str, action: Callable[[], None]) -> None:
        try:
            action()
        except Exception:
            # Feedback failing must not stop forwarding; it is a bug, so loud.
            log.exception("outbox %s listener failed", what)
