"""A USB panic button in software, on the far end of a real pseudo-terminal (tests and benchmarks).

It behaves as the firmware does: HELLO until the host answers, then a heartbeat every interval;
each press is resent until acknowledged; LED frames from the host are obeyed. Faults are injected
on purpose: raw bytes, duplicate frames, reboot (new boot id, sequence from 1), unplug (mid-frame
if wanted) and replug. POSIX only (pty); the driver under test stays portable.
"""

from __future__ import annotations

import contextlib
import os
import random
import select
import threading
import time
import tty
from dataclasses import dataclass, field
from pathlib import Path

from hardware import wire_protocol as protocol


@dataclass
class SimulatedPress:
    seq: int
    boot_id: int
    pressed_at: float  # time.monotonic() of the press
    last_sent: float = 0.0
    sends: int = 0
    acked_at: float | None = None


@dataclass
class _Link:
    master: int
    slave: int
    path: str
    decoder: protocol.FrameDecoder = field(default_factory=protocol.FrameDecoder)


class SimulatedSerialDevice:
    """One button; ``plug_in()`` gives it a fresh pty whose tty path the driver opens.

    ``link_path``, when given, is kept as a symlink to the current pty (like udev's
    /dev/serial/by-id/ names), so a driver configured with it finds the button after a replug.
    """

    def __init__(
        self,
        device_id: str = "sim-button-1",
        firmware_version: str = "1.0.0-sim",
        heartbeat_s: float = 2.0,
        resend_s: float = 0.5,
        host_timeout_s: float = 6.0,
        link_path: Path | None = None,
    ) -> None:
        self.device_id = device_id
        self.firmware_version = firmware_version
        self.heartbeat_s = heartbeat_s
        self.resend_s = resend_s
        self.host_timeout_s = host_timeout_s
        self.link_path = link_path
        self.boot_id = random.getrandbits(32)
        self.seq = 0
        self.presses: dict[tuple[int, int], SimulatedPress] = {}
        self.received: list[protocol.Frame] = []
        self.led_state: str | None = None
        self.led_history: list[str] = []
        self.dropped_writes = 0
        self._host_heard_at: float | None = None
        self._last_beat = 0.0
        self._link: _Link | None = None
        self._closing: list[_Link] = []
        self._cond = threading.Condition()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    # ---- cable -------------------------------------------------------------------------------

    @property
    def port_path(self) -> str:
        """What the driver opens: the symlink if one is kept, else the pty's own path."""
        if self.link_path is not None:
            return str(self.link_path)
        if self._link is None:
            raise RuntimeError("the simulated button is not plugged in")
        return self._link.path

    @property
    def plugged_in(self) -> bool:
        return self._link is not None

    def plug_in(self) -> str:
        """Connect to a new pty (as a USB re-enumeration would) and start talking."""
        if self._link is not None:
            raise RuntimeError("already plugged in")
        master, slave = os.openpty()
        tty.setraw(slave)  # no echo, no line discipline: bytes as they are
        os.set_blocking(master, False)
        link = _Link(master, slave, os.ttyname(slave))
        if self.link_path is not None:
            with contextlib.suppress(FileNotFoundError):
                self.link_path.unlink()
            self.link_path.symlink_to(link.path)
        with self._cond:
            self._link = link
            self._host_heard_at = None
            self._last_beat = 0.0
        if self._thread is None:
            self._stopping.clear()
            self._thread = threading.Thread(target=self._run, name=self.device_id, daemon=True)
            self._thread.start()
        return link.path

    def unplug(self, mid_frame: bool = False) -> None:
        """Pull the cable; with ``mid_frame`` half a press frame goes out first."""
        with self._cond:
            link = self._link
            if link is None:
                return
            if mid_frame:
                frame = protocol.press(self.device_id, self.boot_id, self.seq + 1, 0)
                wire = protocol.encode(frame)
                self._write(wire[: len(wire) // 2])
            self._link = None
            if self.link_path is not None:
                # As udev removes /dev/serial/by-id/... on unplug; a stale link could otherwise
                # lead the driver to a pty number the kernel has given to someone else.
                with contextlib.suppress(FileNotFoundError):
                    self.link_path.unlink()
            if self._thread is None or not self._thread.is_alive():
                self._close_link(link)
                return
            # The reader thread may be inside select() on these fds: it closes them itself.
            self._closing.append(link)
            self._cond.wait_for(lambda: link not in self._closing, timeout=2.0)

    @staticmethod
    def _close_link(link: _Link) -> None:
        for fd in (link.master, link.slave):
            with contextlib.suppress(OSError):
                os.close(fd)

    def reboot(self, *, keep_boot_id: bool = False) -> None:
        """Power cycle: new boot id, sequence from the start, unacknowledged presses forgotten.

        ``keep_boot_id`` draws the same boot id again, as an old firmware with a stuck random
        source did: the host must still tell its new presses from resends.
        """
        with self._cond:
            if not keep_boot_id:
                self.boot_id = random.getrandbits(32)
            self.seq = 0
            for key in [k for k, p in self.presses.items() if p.acked_at is None]:
                del self.presses[key]
            self._host_heard_at = None
            self._last_beat = 0.0
            self.led_state = None

    def close(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        self.unplug()
        for closing in self._closing:
            self._close_link(closing)
        self._closing.clear()
        if self.link_path is not None:
            with contextlib.suppress(FileNotFoundError):
                self.link_path.unlink()

    # ---- the button --------------------------------------------------------------------------

    def press(self) -> int:
        """A press: sent now and resent until acknowledged; returns its sequence number."""
        with self._cond:
            self.seq += 1
            pending = SimulatedPress(self.seq, self.boot_id, time.monotonic())
            self.presses[(pending.boot_id, pending.seq)] = pending
            self._send_press(pending)
            return pending.seq

    def send_raw(self, data: bytes) -> None:
        """Put bytes on the wire exactly as given (garbage, split or corrupt frames)."""
        with self._cond:
            self._write(data)

    def send_frame(self, frame: protocol.Frame) -> None:
        self.send_raw(protocol.encode(frame))

    def press_frame(self, seq: int, age_ms: int = 0) -> protocol.Frame:
        return protocol.press(self.device_id, self.boot_id, seq, age_ms)

    def is_acked(self, seq: int, boot_id: int | None = None) -> bool:
        with self._cond:
            pending = self.presses.get((self.boot_id if boot_id is None else boot_id, seq))
            return pending is not None and pending.acked_at is not None

    def wait_for_ack(self, seq: int, timeout: float = 5.0, boot_id: int | None = None) -> bool:
        deadline = time.monotonic() + timeout
        with self._cond:
            while not self.is_acked(seq, boot_id):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._cond.wait(remaining)
            return True

    def wait_for_led(self, state: str, timeout: float = 5.0) -> bool:
        deadline = time.monotonic() + timeout
        with self._cond:
            while self.led_state != state:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._cond.wait(remaining)
            return True

    def sends_of(self, seq: int) -> int:
        with self._cond:
            pending = self.presses.get((self.boot_id, seq))
            return 0 if pending is None else pending.sends

    # ---- inside ------------------------------------------------------------------------------

    def _write(self, data: bytes) -> None:
        link = self._link
        if link is None:
            self.dropped_writes += 1
            return
        try:
            os.write(link.master, data)
        except (BlockingIOError, OSError):
            self.dropped_writes += 1  # nobody reading: a real USB CDC drops it too

    def _send_press(self, pending: SimulatedPress) -> None:
        age_ms = int((time.monotonic() - pending.pressed_at) * 1000)
        self._write(
            protocol.encode(protocol.press(self.device_id, pending.boot_id, pending.seq, age_ms))
        )
        pending.sends += 1
        pending.last_sent = time.monotonic()

    def _run(self) -> None:
        while not self._stopping.is_set():
            with self._cond:
                if self._closing:
                    time.sleep(0.05)  # let bytes in flight reach the reader before the line drops
                    for closing in self._closing:
                        self._close_link(closing)
                    self._closing.clear()
                    self._cond.notify_all()
                link = self._link
            if link is None:
                time.sleep(0.02)
                continue
            try:
                ready, _, _ = select.select([link.master], [], [], 0.02)
                data = os.read(link.master, 4096) if ready else b""
            except OSError:
                data = b""  # the driver side closed, or we were unplugged meanwhile
                time.sleep(0.02)
            with self._cond:
                if data and link is self._link:
                    for frame in link.decoder.feed(data):
                        self._on_frame(frame)
                    self._cond.notify_all()
                self._tick()

    def _on_frame(self, frame: protocol.Frame) -> None:
        if frame.device_id != self.device_id:
            return
        self.received.append(frame)
        self._host_heard_at = time.monotonic()
        if frame.kind == protocol.ACK:
            pending = self.presses.get((frame.boot_id, frame.seq))
            if pending is not None and pending.acked_at is None:
                pending.acked_at = time.monotonic()
        elif frame.kind == protocol.LED:
            self.led_state = frame.arg
            self.led_history.append(frame.arg)

    def _tick(self) -> None:
        now = time.monotonic()
        for pending in self.presses.values():
            if pending.acked_at is None and now - pending.last_sent >= self.resend_s:
                self._send_press(pending)
        if now - self._last_beat >= self.heartbeat_s:
            self._last_beat = now
            host_alive = (
                self._host_heard_at is not None and now - self._host_heard_at < self.host_timeout_s
            )
            if host_alive:
                shown = self.led_state or "idle"
                frame = protocol.heartbeat(self.device_id, self.boot_id, self.seq, shown)
            else:
                frame = protocol.hello(
                    self.device_id, self.boot_id, self.seq, self.firmware_version
                )
            self._write(protocol.encode(frame))
