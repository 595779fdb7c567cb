"""A port's frames, stamped when their bytes were read and handled in order on a thread of their own.

A press waits on the database for up to the press deadline (3 s). While a port's reader handled
its frames itself, the next press on that port sat unread in the serial buffer all that time and
was stamped when it was finally read: up to one deadline late. Now the reader only reads,
decodes and stamps (``Arrival``, the clock read once, at read time) and leaves each frame here;
the handler thread takes them in the order they came.

Every frame is handled, resends too (each copy is acknowledged, as the button expects). Should
the handler fall far behind (``limit`` frames waiting), hellos and heartbeats are dropped (only
the newest last-seen matters) and a press makes the reader wait for room: never lost.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from hardware import wire_protocol as protocol
from safedesk.clock import Clock

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Arrival:
    """When a frame's bytes were read from the port: the clock read once, at that moment."""

    at: datetime  # wall time (the clock's now()), for press and heartbeat times
    monotonic: float  # for "last heard" and silence

    @staticmethod
    def now(clock: Clock) -> Arrival:
        return Arrival(clock.now(), clock.monotonic())


FrameHandler = Callable[[protocol.Frame, Arrival], None]


class FrameHandoff:
    """``put`` from the reader thread; ``start``, then ``close`` handles what is left and ends."""

    def __init__(self, name: str, handle: FrameHandler, *, limit: int = 1024) -> None:
        self.name = name
        self.limit = limit
        self.dropped_heartbeats = 0
        self._handle = handle
        self._queue: deque[tuple[protocol.Frame, Arrival]] = deque()
        self._cond = threading.Condition()
        self._closing = False
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
        self._thread.start()

    def put(self, frame: protocol.Frame, arrival: Arrival) -> None:
        with self._cond:
            if frame.kind == protocol.PRESS:
                while len(self._queue) >= self.limit and not self._closing:
                    self._cond.wait(0.5)  # a press is never dropped: the reader waits for room
            elif len(self._queue) >= self.limit:
                self.dropped_heartbeats += 1
                if self.dropped_heartbeats == 1:
                    log.warning("%s: handling is behind; heartbeats dropped", self.name)
                return
            self._queue.append((frame, arrival))
            self._cond.notify_all()

    def waiting(self) -> int:
        with self._cond:
            return len(self._queue)

    def close(self, timeout: float | None = None) -> None:
        """Handle every frame already here, then stop the thread (``timeout``: stop waiting)."""
        with self._cond:
            self._closing = True
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._queue and not self._closing:
                    self._cond.wait()
                if not self._queue:
                    return
                frame, arrival = self._queue.popleft()
                self._cond.notify_all()
            try:
                self._handle(frame, arrival)
            except Exception:
                # A bug handling one frame must not deafen the port to the next press: be loud.
                log.exception("%s: failed to handle %r", self.name, frame)
