"""Offer presses to the sink until it takes them, for buttons with no firmware of their own.

A USB button resends by itself until acknowledged; a GPIO pin, a hotkey or the desk's on-screen
button cannot, so their drivers hand each press to a ``PressDelivery``. It retries with backoff,
always with the same (device, boot id, sequence), so the alarm service sees one press however
many attempts it took. Its sink is the durable outbox (``safedesk.outbox``) on a bridge and on a
desk PC, so a press normally leaves this thread's memory at the first attempt (delivered or
held on disk); retries are for when the database AND the outbox both fail.

Failures are logged when a press first fails and when it finally goes through, not at every
retry (an outage used to log one traceback per attempt). A periodic ``tick`` (heartbeats) runs
on the same thread after the presses that are due, so it never delays one.
With ``while_pending`` the thread runs only while presses are waiting and starts again with the
next one (the demo office's simulated buttons: nothing to stop when the window goes).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from safedesk.button_events import ButtonPress, PressReceipt, PressSink
from safedesk.clock import Clock

log = logging.getLogger(__name__)


@dataclass
class _Pending:
    press: ButtonPress
    attempts: int = 0
    next_try: float = 0.0


class PressDelivery:
    """One delivery thread; callbacks run on it and must be quick."""

    def __init__(
        self,
        sink: PressSink,
        clock: Clock,
        on_delivered: Callable[[ButtonPress, PressReceipt], None],
        on_failed: Callable[[ButtonPress, int], None],
        retry_initial_s: float = 0.25,
        retry_max_s: float = 2.0,
        tick: Callable[[], None] | None = None,
        tick_every_s: float = 2.0,
        name: str = "press-delivery",
        *,
        while_pending: bool = False,
    ) -> None:
        self.sink = sink
        self.clock = clock
        self.on_delivered = on_delivered
        self.on_failed = on_failed
        self.retry_initial_s = retry_initial_s
        self.retry_max_s = retry_max_s
        self.tick = tick
        self.tick_every_s = tick_every_s
        self.name = name
        self.while_pending = while_pending
        self._pending: list[_Pending] = []
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        with self._lock:
            if self._thread is not None:
                return
            self._stopping.clear()
            self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
            self._thread.start()

    def stop(self) -> list[ButtonPress]:
        """Stop trying; returns (and logs loudly) the presses that were never delivered."""
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        undelivered = self.pending()
        if undelivered:
            log.error(
                "%s stopping with %d panic press(es) NOT delivered: %s",
                self.name,
                len(undelivered),
                [(p.device_id, p.boot_id, p.sequence) for p in undelivered],
            )
        return undelivered

    def submit(self, press: ButtonPress) -> None:
        with self._lock:
            self._pending.append(_Pending(press))
            idle = self.while_pending and self._thread is None and not self._stopping.is_set()
        if idle:
            self.start()
        self._wake.set()

    def pending(self) -> list[ButtonPress]:
        with self._lock:
            return [p.press for p in self._pending]

    def _run(self) -> None:
        next_tick = self.clock.monotonic()
        while not self._stopping.is_set():
            now = self.clock.monotonic()
            with self._lock:
                due = [p for p in self._pending if p.next_try <= now]
            for pending in due:
                self._offer(pending)
            if self.tick is not None and now >= next_tick:
                next_tick = now + self.tick_every_s
                self._call("tick", self.tick)
            with self._lock:
                if self.while_pending and not self._pending:
                    self._thread = None  # under the lock: the next submit starts a new one
                    return
                waits = [p.next_try - self.clock.monotonic() for p in self._pending]
            timeout = min([self.tick_every_s, *waits])
            self._wake.wait(max(0.005, timeout))
            self._wake.clear()

    def _offer(self, pending: _Pending) -> None:
        press = pending.press
        try:
            receipt = self.sink.press(press)
        except Exception:
            pending.attempts += 1
            delay = min(self.retry_max_s, self.retry_initial_s * 2 ** (pending.attempts - 1))
            pending.next_try = self.clock.monotonic() + delay
            if pending.attempts == 1:
                log.exception(
                    "PANIC PRESS NOT DELIVERED from %s (sequence %d); retrying until it is "
                    "(logged again only when it goes through)",
                    press.device_id,
                    press.sequence,
                )
            else:
                log.debug(
                    "press from %s (sequence %d) attempt %d failed; retrying in %.2f s",
                    press.device_id,
                    press.sequence,
                    pending.attempts,
                    delay,
                )
            self._call("on_failed", lambda: self.on_failed(press, pending.attempts))
            return
        with self._lock:
            self._pending.remove(pending)
        if pending.attempts:
            log.warning(
                "panic press from %s (sequence %d) went through after %d failed attempt(s)",
                press.device_id,
                press.sequence,
                pending.attempts,
            )
        if receipt.held:
            log.warning("Panic press from %s HELD in the local outbox", press.device_id)
        else:
            log.info(
                "Panic press from %s committed as alarm %d (%s)",
                press.device_id,
                receipt.alarm_id,
                "new" if receipt.created else "already open",
            )
        self._call("on_delivered", lambda: self.on_delivered(press, receipt))

    def _call(self, what: str, action: Callable[[], None]) -> None:
        try:
            action()
        except Exception:
            # Feedback or heartbeats failing must not stop deliveries; it is a bug, so loud.
            log.exception("%s: %s failed", self.name, what)
