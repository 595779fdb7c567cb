"""USB panic buttons on serial ports: find them, hear them, acknowledge only what is committed.

Ports are opened only through ``serial.serial_for_url`` (a device path, ``COM5``, ``spy://...``
for field debugging, ``loop://`` or a pty in tests). Buttons are found by USB VID/PID or listed by
URL. Every port has its own reader thread; a lost port is reopened with exponential backoff.

The rule that keeps people safe: a press is acknowledged to the button only after
``sink.press`` has returned, i.e. the alarm is committed. If the sink raises, nothing is
acknowledged, the failure is logged loudly (once when presses start failing, with its traceback;
each further press once, one line; resends at debug; once when they get through again), and the
button keeps resending until it succeeds.
A port's reader only reads, decodes and stamps frames with the time their bytes were read
(``frame_handoff``); a thread per port handles them in order, so a press waiting on the database
never delays the reading, and so the press time, of the next one.
Portable: no termios or other POSIX-only calls here (pyserial hides them).
"""

from __future__ import annotations

import functools
import logging
import os
import random
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import serial
import serial.tools.list_ports

from hardware import wire_protocol as protocol
from safedesk.button_events import (
    ButtonPress,
    DeviceHeard,
    DeviceKind,
    HeardOn,
    LedState,
    PressSink,
)
from safedesk.clock import Clock
from safedesk.outbox.trouble_log import TroubleLog
from safedesk.services.alarms.press_identity import is_same_press

from .button_source import ButtonSource, StatusListener
from .frame_handoff import Arrival, FrameHandoff

log = logging.getLogger(__name__)

# MicroPython's own USB id on a Raspberry Pi Pico / Pico W / Pico 2.
PICO_MICROPYTHON_USB_IDS: tuple[tuple[int, int], ...] = ((0x2E8A, 0x0005),)
MAX_PRESS_AGE = timedelta(hours=24)  # a larger age is a device clock fault, not a real press time
# How long a lost or stopped port waits for the presses it had already read to reach the sink.
_DRAIN_S = 30.0

PortFinder = Callable[[], Iterable[str]]
UsbSerialFinder = Callable[[str], str | None]


@dataclass(frozen=True)
class SerialButtonConfig:
    """Where buttons are and how patiently to look for them."""

    port_urls: tuple[str, ...] = ()  # always watched, e.g. "/dev/serial/by-id/usb-...", "COM5"
    discover: bool = True  # also open every port whose USB id is in usb_ids
    usb_ids: tuple[tuple[int, int], ...] = PICO_MICROPYTHON_USB_IDS
    baudrate: int = 115200  # ignored by USB CDC, required by real UARTs
    scan_interval_s: float = 1.0
    backoff_initial_s: float = 0.5
    backoff_max_s: float = 15.0
    read_timeout_s: float = 0.1
    silent_after_s: float = 6.0  # nothing heard from a device for this long: offline
    remembered_presses: int = 4096  # committed presses re-acknowledged without the sink


def parse_usb_id(text: str) -> tuple[int, int]:
    """ "2E8A:0005" (vendor:product, hex, as lsusb prints it) -> (0x2E8A, 0x0005)."""
    vendor, sep, product = text.strip().partition(":")
    try:
        if not sep:
            raise ValueError
        ids = int(vendor, 16), int(product, 16)
    except ValueError:
        raise ValueError(f"USB id {text!r} is not vendor:product in hex, e.g. 2E8A:0005") from None
    if not all(0 <= part <= 0xFFFF for part in ids):
        raise ValueError(f"USB id {text!r} is out of range (each part is 4 hex digits)")
    return ids


def usb_serial_number(url: str) -> str | None:
    """The USB serial number of the device behind a port (by-id links resolved); None if none.

    A device id is bound to it, so another board cannot speak for this one (device_binding).
    """
    try:
        wanted = os.path.realpath(url)
    except (OSError, ValueError):
        wanted = url
    for port in serial.tools.list_ports.comports():
        if port.device in (url, wanted) or os.path.realpath(port.device) == wanted:
            return port.serial_number or None
    return None


def find_usb_buttons(usb_ids: Iterable[tuple[int, int]]) -> list[str]:
    """Ports whose USB vendor/product id is a SafeDesk button's."""
    wanted = set(usb_ids)
    return sorted(
        port.device
        for port in serial.tools.list_ports.comports()
        if port.vid is not None and (port.vid, port.pid) in wanted
    )


@dataclass
class PortStats:
    """What one port has carried since the source started (for logs and the admin screen)."""

    opened: int = 0
    lost: int = 0
    frames: int = 0
    errors: dict[str, int] = field(default_factory=dict)
    last_error: str = ""


class _Session:
    """One open port: its handle, its decoder and the devices heard on it."""

    def __init__(self, url: str, port: serial.SerialBase, usb_serial: str | None) -> None:
        self.url = url
        self.port = port
        # Where its frames are heard, as the alarm service checks it against the registration.
        self.heard_on = HeardOn(port=url, usb_serial=usb_serial or "")
        self.decoder = protocol.FrameDecoder()
        self.devices: set[str] = set()
        self.valid_frames = 0
        self.closed = False
        self._write_lock = threading.Lock()

    def send(self, frame: protocol.Frame) -> bool:
        """Write one frame; False (logged) if the port is gone: the reader will notice too."""
        data = protocol.encode(frame)
        with self._write_lock:
            if self.closed:
                log.warning(
                    "%s: port closed, %s for %s not sent", self.url, frame.kind, frame.device_id
                )
                return False
            try:
                self.port.write(data)
                self.port.flush()
            except (serial.SerialException, OSError) as exc:
                log.warning(
                    "%s: could not send %s to %s: %s", self.url, frame.kind, frame.device_id, exc
                )
                return False
        return True

    def close(self) -> None:
        """Close under the write lock: a writer on another thread never meets a half-closed port."""
        with self._write_lock:
            self.closed = True
            try:
                self.port.close()
            except (serial.SerialException, OSError) as exc:
                log.debug("%s: closing after loss: %s", self.url, exc)


class SerialButtonSource(ButtonSource):
    """USB buttons on serial ports, feeding one sink; runs its own threads between start/stop."""

    def __init__(
        self,
        sink: PressSink,
        clock: Clock,
        config: SerialButtonConfig | None = None,
        on_status: StatusListener | None = None,
        port_finder: PortFinder | None = None,
        usb_serial_finder: UsbSerialFinder = usb_serial_number,
    ) -> None:
        super().__init__(sink, clock, on_status)
        self.config = config or SerialButtonConfig()
        self._port_finder = port_finder or (lambda: find_usb_buttons(self.config.usb_ids))
        self._usb_serial_finder = usb_serial_finder
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._manager: threading.Thread | None = None
        self._workers: dict[str, threading.Thread] = {}
        self._sessions: dict[str, _Session] = {}
        self._next_attempt: dict[str, float] = {}
        self._backoff: dict[str, float] = {}
        self._failing: set[str] = set()
        self._stats: dict[str, PortStats] = {}
        self._device_session: dict[str, _Session] = {}
        self._last_heard: dict[str, float] = {}
        self._boot: dict[str, int] = {}
        self._firmware: dict[str, str] = {}
        self._desired: dict[str, LedState] = {}
        # Committed presses, re-acknowledged without the sink: the LED they got and their time.
        self._committed: OrderedDict[tuple[str, int, int], tuple[LedState, datetime]] = (
            OrderedDict()
        )
        self._latest_seq: dict[str, int] = {}  # device -> highest press number heard this boot
        self._second_ports: set[tuple[str, str]] = set()  # (device, url) heard on a 2nd port
        self._failing_presses: OrderedDict[tuple[str, int, int], None] = OrderedDict()
        # The sink failing (by kind of failure) and heartbeats failing: logged once per change.
        self._trouble = TroubleLog(log)
        self._press_troubles: set[str] = set()
        self._host_boot = random.getrandbits(32)
        self._host_seq = 0

    # ---- ButtonSource ------------------------------------------------------------------------

    def start(self) -> None:
        if self._manager is not None:
            return
        self._stopping.clear()
        self._manager = threading.Thread(target=self._manage, name="serial-buttons", daemon=True)
        self._manager.start()

    def stop(self) -> None:
        self._stopping.set()
        if self._manager is not None:
            self._manager.join(timeout=5)
            self._manager = None
        with self._lock:
            workers = list(self._workers.values())
        for worker in workers:
            worker.join(timeout=5)
        for device_id in self.online_devices():
            self._mark_offline(device_id, "serial buttons stopped")

    def set_led(self, device_id: str, state: LedState) -> None:
        state = LedState(state)
        with self._lock:
            self._desired[device_id] = state
            session = self._device_session.get(device_id)
        if session is not None:
            session.send(self._led_frame(device_id, state))

    # ---- for the bridge, the admin screen and tests ------------------------------------------

    def owns(self, device_id: str) -> bool:
        """A device heard on any port since start (it may be unplugged now: its LED is kept)."""
        with self._lock:
            return device_id in self._boot

    def led_state(self, device_id: str) -> LedState:
        """What this source last told (or will tell) the device to show."""
        with self._lock:
            return self._desired.get(device_id, LedState.IDLE)

    def firmware_version(self, device_id: str) -> str | None:
        with self._lock:
            return self._firmware.get(device_id)

    def port_stats(self) -> dict[str, PortStats]:
        with self._lock:
            return {
                url: PortStats(s.opened, s.lost, s.frames, dict(s.errors), s.last_error)
                for url, s in self._stats.items()
            }

    # ---- ports ---------------------------------------------------------------------------------

    def _candidate_urls(self) -> list[str]:
        urls = list(self.config.port_urls)
        if self.config.discover:
            try:
                urls += [u for u in self._port_finder() if u not in urls]
            except Exception:
                # Discovery is a convenience; configured ports keep working. A bug here is loud.
                log.exception("Looking for USB panic buttons failed")
        return urls

    def _manage(self) -> None:
        while not self._stopping.is_set():
            now = self.clock.monotonic()
            for url in self._candidate_urls():
                with self._lock:
                    worker = self._workers.get(url)
                    due = now >= self._next_attempt.get(url, 0.0)
                    if (worker is None or not worker.is_alive()) and due:
                        worker = threading.Thread(
                            target=self._serve_port, args=(url,), name=f"serial {url}", daemon=True
                        )
                        self._workers[url] = worker
                        worker.start()
            self._mark_silent_devices_offline(now)
            self._stopping.wait(self.config.scan_interval_s)

    def _mark_silent_devices_offline(self, now: float) -> None:
        limit = self.config.silent_after_s
        with self._lock:
            silent = [d for d, t in self._last_heard.items() if now - t > limit]
        for device_id in silent:
            if device_id in self.online_devices():
                self._mark_offline(device_id, f"nothing heard for {limit:g} s")

    def _serve_port(self, url: str) -> None:
        with self._lock:
            stats = self._stats.setdefault(url, PortStats())
        try:
            port = serial.serial_for_url(
                url,
                baudrate=self.config.baudrate,
                timeout=self.config.read_timeout_s,
                write_timeout=1.0,
                exclusive=True,
            )
        except (serial.SerialException, OSError, ValueError) as exc:
            self._schedule_retry(url, healthy=False, reason=f"cannot open: {exc}")
            return
        try:
            usb_serial = self._usb_serial_finder(url)
        except Exception:
            # Only a check of where the button is; the port still works. A bug: loud.
            log.exception("%s: could not read the USB serial number", url)
            usb_serial = None
        session = _Session(url, port, usb_serial)
        handoff = FrameHandoff(f"serial {url}", functools.partial(self._on_frame, session))
        with self._lock:
            self._sessions[url] = session
            stats.opened += 1
            self._failing.discard(url)
        log.info("Listening for panic buttons on %s", url)
        handoff.start()
        reason = "stopped"
        try:
            while not self._stopping.is_set():
                data = port.read(max(1, port.in_waiting))
                if data:
                    # Stamped now, once: a frame waiting behind a press keeps the time it came.
                    self._on_bytes(session, stats, data, Arrival.now(self.clock), handoff)
        except (serial.SerialException, OSError) as exc:
            reason = f"port lost: {exc}"
        except Exception as exc:
            # Not an unplug but a fault in a transport (a URL handler, a driver): reopen anyway.
            log.exception("%s: reading failed unexpectedly", url)
            reason = f"port failed: {exc!r}"
        finally:
            arrival = Arrival.now(self.clock)
            for frame in session.decoder.end_of_stream():
                handoff.put(frame, arrival)
            self._log_decoder_errors(session, stats)
            # Presses already read still reach the sink (the button cannot be told, but the
            # alarm is raised); the port is closed after them.
            handoff.close(timeout=_DRAIN_S)
            session.close()
            self._end_session(session, stats, reason)

    def _end_session(self, session: _Session, stats: PortStats, reason: str) -> None:
        with self._lock:
            if self._sessions.get(session.url) is session:
                del self._sessions[session.url]
            gone = [d for d in session.devices if self._device_session.get(d) is session]
            for device_id in gone:
                del self._device_session[device_id]
                self._last_heard.pop(device_id, None)
            if reason != "stopped":
                stats.lost += 1
        for device_id in gone:
            self._mark_offline(device_id, f"{session.url}: {reason}")
        if reason != "stopped":
            self._schedule_retry(session.url, healthy=session.valid_frames > 0, reason=reason)

    def _schedule_retry(self, url: str, healthy: bool, reason: str) -> None:
        cfg = self.config
        with self._lock:
            if healthy:
                delay = cfg.backoff_initial_s
            else:
                delay = min(
                    cfg.backoff_max_s, self._backoff.get(url, cfg.backoff_initial_s / 2) * 2
                )
            self._backoff[url] = delay
            self._next_attempt[url] = self.clock.monotonic() + delay
            first_failure = url not in self._failing
            self._failing.add(url)
            self._stats.setdefault(url, PortStats()).last_error = reason
        level = logging.WARNING if first_failure else logging.DEBUG
        log.log(level, "%s: %s; retrying in %.1f s", url, reason, delay)

    # ---- frames --------------------------------------------------------------------------------

    def _on_bytes(
        self,
        session: _Session,
        stats: PortStats,
        data: bytes,
        arrival: Arrival,
        handoff: FrameHandoff,
    ) -> None:
        frames = session.decoder.feed(data)
        self._log_decoder_errors(session, stats)
        for frame in frames:
            handoff.put(frame, arrival)

    def _log_decoder_errors(self, session: _Session, stats: PortStats) -> None:
        errors = session.decoder.take_errors()
        if not errors:
            return
        with self._lock:
            stats.errors = dict(session.decoder.counts)
            stats.last_error = str(errors[-1])
        for error in errors:
            log.warning("%s: dropped bad input (%s); totals %s", session.url, error, stats.errors)
        if session.decoder.errors_dropped:
            log.warning(
                "%s: %d more errors not itemised", session.url, session.decoder.errors_dropped
            )
            session.decoder.errors_dropped = 0

    def _on_frame(self, session: _Session, frame: protocol.Frame, arrival: Arrival) -> None:
        """One frame, on the port's handler thread, in the order the port read them."""
        if frame.kind in protocol.HOST_KINDS:
            log.warning(
                "%s: a host frame came from the device side (echo?): %r", session.url, frame
            )
            return
        device_id = frame.device_id
        with self._lock:
            self._stats[session.url].frames += 1
            session.valid_frames += 1
            owner = self._device_session.get(device_id)
            elsewhere = owner is not None and owner is not session and not owner.closed
            first_time = elsewhere and (device_id, session.url) not in self._second_ports
            if elsewhere:
                self._second_ports.add((device_id, session.url))
        if elsewhere:
            assert owner is not None
            # Its LED, boot and online state stay with the port it was heard on first; the alarm
            # service decides what the frame is (unknown location unless it is registered here).
            log.log(
                logging.ERROR if first_time else logging.DEBUG,
                "%s speaks for panic button %s, which is already heard on %s: not taken as "
                "that button's port",
                session.url,
                device_id,
                owner.url,
            )
            if frame.kind == protocol.PRESS:
                self._on_press(session, frame, arrival, own_port=False)
            else:
                firmware = self.firmware_version(device_id)
                self._on_heard(session, frame, firmware, arrival, answer=False)
            return
        with self._lock:
            session.devices.add(device_id)
            self._device_session[device_id] = session
            self._last_heard[device_id] = arrival.monotonic
            previous_boot = self._boot.get(device_id)
            self._boot[device_id] = frame.boot_id
            if frame.kind == protocol.HELLO:
                self._firmware[device_id] = frame.arg
            firmware = self._firmware.get(device_id)
            repeated_boot = self._note_sequence(frame, previous_boot)
        if repeated_boot:
            log.warning(
                "Panic button %s restarted WITHOUT a new boot id (%08X; its press count went "
                "back to %d): its next presses are new presses, not resends",
                device_id,
                frame.boot_id,
                frame.seq,
            )
        if previous_boot is not None and previous_boot != frame.boot_id:
            log.warning(
                "Panic button %s restarted (boot %08X -> %08X); its sequence starts again",
                device_id,
                previous_boot,
                frame.boot_id,
            )
        self._mark_online(device_id, session.url)
        if frame.kind == protocol.PRESS:
            self._on_press(session, frame, arrival)
        else:
            self._on_heard(session, frame, firmware, arrival)

    def _note_sequence(self, frame: protocol.Frame, previous_boot: int | None) -> bool:
        """Track the device's press count; True if it went back under the same boot id.

        HELLO and HEARTBEAT carry the number of the latest press since start, which only grows
        within one boot: if it falls, the button restarted and drew its old boot id again, and
        what it presses next must reach the sink, not be re-acknowledged from memory. (PRESS
        frames cannot tell: an older pending press is resent with its own, lower number.)
        Called under the lock.
        """
        device_id = frame.device_id
        if previous_boot != frame.boot_id:
            self._latest_seq[device_id] = frame.seq
            return False
        latest = self._latest_seq.get(device_id, 0)
        if frame.kind == protocol.PRESS or frame.seq >= latest:
            self._latest_seq[device_id] = max(latest, frame.seq)
            return False
        self._latest_seq[device_id] = frame.seq
        for key in [k for k in self._committed if k[0] == device_id]:
            del self._committed[key]
        return True

    def _on_heard(
        self,
        session: _Session,
        frame: protocol.Frame,
        firmware: str | None,
        arrival: Arrival,
        *,
        answer: bool = True,
    ) -> None:
        heard = DeviceHeard(
            frame.device_id, arrival.at, DeviceKind.SERIAL, firmware, session.heard_on
        )
        try:
            self.sink.heard(heard)
        except Exception:
            # Supervision will see the device as silent, which is the truth the system has; say
            # why once (with the trace), not every 2 s per button.
            if self._trouble.mark("heartbeats"):
                log.exception("Could not record heartbeat of panic button %s", frame.device_id)
        else:
            self._trouble.recovered("heartbeats", "heartbeats of panic buttons recorded again")
        # Answering every hello/heartbeat tells the button the host is alive and keeps its LED true.
        if answer:
            session.send(self._led_frame(frame.device_id, self.led_state(frame.device_id)))

    def _on_press(
        self, session: _Session, frame: protocol.Frame, arrival: Arrival, *, own_port: bool = True
    ) -> None:
        """``own_port`` False: the device id is already heard on another port; this press is
        the sink's to judge, and changes nothing this driver remembers for that device."""
        key = frame.press_key()
        now = arrival.at  # when its bytes were read, however long it waited to be handled
        age = timedelta(milliseconds=int(frame.arg))
        if age > MAX_PRESS_AGE:
            log.warning("Press %s reports an age of %s: using the time it arrived", key, age)
            age = timedelta(0)
        with self._lock:
            committed = self._committed.get(key)
            # Same name and same press time: a resend. Same name, another time: a restarted
            # button that repeated its boot id; the sink decides (services/press_identity.py).
            resend = own_port and committed is not None and is_same_press(committed[1], now - age)
            if resend:
                self._committed.move_to_end(key)
        if resend:
            log.info(
                "Resend of committed press %s from %s: acknowledged again", key, frame.device_id
            )
            session.send(protocol.ack(frame))
            session.send(self._led_frame(frame.device_id, self.led_state(frame.device_id)))
            return
        press = ButtonPress(
            device_id=frame.device_id,
            sequence=frame.seq,
            pressed_at=now - age,
            source=DeviceKind.SERIAL,
            boot_id=frame.boot_id,
            heard_on=session.heard_on,
        )
        try:
            receipt = self.sink.press(press)
        except Exception as exc:
            # The first failure of its kind with the trace, each further press once (one
            # line), its resends (every 2 s until it gets through) at debug only.
            new_trouble, new_press = self._note_press_failure(key, exc)
            log.log(
                logging.ERROR if new_trouble or new_press else logging.DEBUG,
                "PANIC PRESS NOT COMMITTED from %s (boot %08X, sequence %d) on %s: %s; not "
                "acknowledged, the button will resend%s",
                frame.device_id,
                frame.boot_id,
                frame.seq,
                session.url,
                exc,
                "" if new_trouble else " (failing as logged before)",
                exc_info=new_trouble,
            )
            if own_port:
                with self._lock:
                    self._desired[frame.device_id] = LedState.NOT_DELIVERED
            session.send(self._led_frame(frame.device_id, LedState.NOT_DELIVERED))
            return
        self._press_committed(key)
        with self._lock:
            current = self._desired.get(frame.device_id) if own_port else None
            if receipt.held:
                state = LedState.NOT_DELIVERED  # safe in the bridge's outbox, not on screens
            elif receipt.is_test:
                state = LedState.TEST
            elif current == LedState.RESPONDING and not receipt.created:
                state = LedState.RESPONDING  # pressed again: help is already on its way
            else:
                state = LedState.DELIVERED
            if own_port:
                self._desired[frame.device_id] = state
                self._committed[key] = (state, press.pressed_at)
                self._committed.move_to_end(key)
                while len(self._committed) > self.config.remembered_presses:
                    self._committed.popitem(last=False)
        if receipt.held:
            log.warning(
                "Panic press from %s HELD in the local outbox (database unreachable): "
                "acknowledged, LED shows not delivered",
                frame.device_id,
            )
        else:
            log.info(
                "Panic press from %s committed as alarm %d (%s)",
                frame.device_id,
                receipt.alarm_id,
                "new" if receipt.created else "already open",
            )
        session.send(protocol.ack(frame))
        session.send(self._led_frame(frame.device_id, state))

    def _note_press_failure(self, key: tuple[str, int, int], exc: Exception) -> tuple[bool, bool]:
        """(a new kind of failure since presses last got through, a press not failing before)."""
        trouble = type(exc).__name__
        with self._lock:
            new_press = key not in self._failing_presses
            self._failing_presses[key] = None
            while len(self._failing_presses) > self.config.remembered_presses:
                self._failing_presses.popitem(last=False)
            self._press_troubles.add(trouble)
        return self._trouble.mark(f"presses: {trouble}"), new_press

    def _press_committed(self, key: tuple[str, int, int]) -> None:
        with self._lock:
            failed_before = key in self._failing_presses
            self._failing_presses.pop(key, None)
            troubles, self._press_troubles = self._press_troubles, set()
        for trouble in troubles:
            self._trouble.recovered(f"presses: {trouble}", "panic presses are committed again")
        if failed_before:
            log.info("Panic press %s got through after failing", key)

    def _led_frame(self, device_id: str, state: LedState) -> protocol.Frame:
        with self._lock:
            self._host_seq = (self._host_seq + 1) & protocol.MAX_SEQUENCE
            seq = self._host_seq
        return protocol.led(device_id, self._host_boot, seq, state.value)
