"""What the USB panic button does, without any hardware: debounce, send, resend, show.

``main.py`` gives it real pins, the tick clock and USB serial; tests give it a stand-in
``machine`` and a fake clock, under the real MicroPython interpreter. MicroPython only
(no typing, dataclasses or enum at runtime); annotations are for mypy against the rp2 stubs.
"""

import protocol

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable

    from machine import Pin

FIRMWARE_VERSION = "1.1.0"  # 1.1.0: boot id from a flash counter; an ACK never leaves "test"

# LED patterns: alternating on/off durations in ms, starting with "on"; one entry means steady.
LED_PATTERNS = {
    protocol.OFFLINE: (80, 120, 80, 1720),  # double wink every 2 s: powered, no host listening
    "idle": (60, 1940),  # single wink every 2 s: connected and ready
    "waiting": (100, 100),  # fast flash: sending, not yet confirmed
    "delivered": (1,),  # steady: the alarm is on the responders' screens
    "responding": (900, 100),  # steady with a blink: a responder is on the way
    "not_delivered": (100, 100, 100, 100, 100, 100, 300, 1200),  # triple flash: not delivered
    "test": (500, 500),  # slow flash: weekly test window
}
# Buzzer: (durations, repeat). Short and quiet cues only: a loud room alarm can escalate danger.
BUZZER_PATTERNS = {
    "delivered": ((150,), False),
    "responding": ((100, 100, 100), False),
    "not_delivered": ((120, 1880), True),
}


class PendingPress:
    """A press not yet acknowledged by the host."""

    def __init__(self, seq: int, pressed_at: int, resend_ms: int) -> None:
        self.seq = seq
        self.pressed_at = pressed_at
        self.last_sent = pressed_at
        self.interval = resend_ms
        self.sends = 0


def _pattern_level(pattern: "tuple[int, ...]", elapsed: int, repeat: bool) -> int:
    if len(pattern) == 1:
        return 1 if repeat or elapsed < pattern[0] else 0
    period = 0
    for part in pattern:
        period += part
    if not repeat and elapsed >= period:
        return 0
    position = elapsed % period
    on = 1
    for part in pattern:
        if position < part:
            return on
        position -= part
        on = 1 - on
    return 0


class ButtonController:
    """The button's whole behaviour; call ``poll()`` often and ``on_bytes()`` with host input."""

    def __init__(
        self,
        button: "Pin",
        led: "Pin",
        write: "Callable[[bytes], Any]",
        clock: "Any",
        device_id: str,
        boot_id: int,
        buzzer: "Pin | None" = None,
        active_low: bool = True,
        debounce_ms: int = 30,
        hold_ms: int = 0,
        heartbeat_ms: int = 2000,
        resend_ms: int = 250,
        resend_max_ms: int = 2000,
        not_delivered_ms: int = 10000,
        host_timeout_ms: int = 6500,
        max_pending: int = 8,
    ) -> None:
        protocol.encode(protocol.hello(device_id, boot_id, 0, FIRMWARE_VERSION))  # refuse bad ids
        self.button = button
        self.led = led
        self.buzzer = buzzer
        self.write = write
        self.clock = clock
        self.device_id = device_id
        self.boot_id = boot_id
        self.active_low = active_low
        self.debounce_ms = debounce_ms
        self.hold_ms = hold_ms if hold_ms > debounce_ms else debounce_ms
        self.heartbeat_ms = heartbeat_ms
        self.resend_ms = resend_ms
        self.resend_max_ms = resend_max_ms
        self.not_delivered_ms = not_delivered_ms
        self.host_timeout_ms = host_timeout_ms
        self.max_pending = max_pending
        self.decoder = protocol.FrameDecoder(keep_errors=0)
        self.seq = 0
        self.pending = []  # type: list[PendingPress]
        self.presses = 0  # presses recognised since boot (after debouncing)
        self.host_state = "idle"
        self.host_heard_at = None  # type: int | None
        now = clock.ticks_ms()
        self._stable = False
        self._candidate = False
        self._candidate_since = now
        self._last_beat = None  # type: int | None
        self.shown = ""
        self._shown_since = now
        self._led_level = -1
        self._buzzer_level = -1

    # ---- inputs ----------------------------------------------------------------------------

    def poll(self) -> None:
        """Sample the button, send what is due and refresh the LED and buzzer."""
        now = self.clock.ticks_ms()
        self._sample(now)
        self._resend_due(now)
        self._beat_if_due(now)
        self._render(now)

    def on_bytes(self, data: bytes) -> None:
        """Bytes from the host; bad ones are counted by the decoder and otherwise ignored."""
        now = self.clock.ticks_ms()
        for frame in self.decoder.feed(data):
            self._on_frame(frame, now)
        self._render(now)

    # ---- the button ------------------------------------------------------------------------

    def _sample(self, now: int) -> None:
        raw = self.button.value()
        pressed = (raw == 0) if self.active_low else (raw == 1)
        if pressed != self._candidate:
            self._candidate = pressed
            self._candidate_since = now
            return
        if pressed == self._stable:
            return
        needed = self.hold_ms if pressed else self.debounce_ms
        if self.clock.ticks_diff(now, self._candidate_since) >= needed:
            self._stable = pressed
            if pressed:
                self._pressed(now)

    def _pressed(self, now: int) -> None:
        self.presses += 1
        self.seq = (self.seq + 1) & protocol.MAX_SEQUENCE
        press = PendingPress(self.seq, now, self.resend_ms)
        if len(self.pending) >= self.max_pending:
            self.pending.pop()  # keep the first press (the alarm) and the latest
        self.pending.append(press)
        self._send_press(press, now)

    def _send_press(self, press: PendingPress, now: int) -> None:
        age = self.clock.ticks_diff(now, press.pressed_at)
        self._send(protocol.press(self.device_id, self.boot_id, press.seq, age))
        press.sends += 1
        press.last_sent = now

    def _resend_due(self, now: int) -> None:
        for press in self.pending:
            if self.clock.ticks_diff(now, press.last_sent) >= press.interval:
                self._send_press(press, now)
                press.interval = min(press.interval * 2, self.resend_max_ms)

    def _beat_if_due(self, now: int) -> None:
        if self._last_beat is not None and (
            self.clock.ticks_diff(now, self._last_beat) < self.heartbeat_ms
        ):
            return
        self._last_beat = now
        if self.host_alive(now):
            self._send(protocol.heartbeat(self.device_id, self.boot_id, self.seq, self.state(now)))
        else:
            self._send(protocol.hello(self.device_id, self.boot_id, self.seq, FIRMWARE_VERSION))

    def _send(self, frame: "protocol.Frame") -> None:
        self.write(protocol.encode(frame))

    # ---- the host --------------------------------------------------------------------------

    def _on_frame(self, frame: "protocol.Frame", now: int) -> None:
        if frame.device_id != self.device_id or frame.kind not in protocol.HOST_KINDS:
            return
        self.host_heard_at = now
        if frame.kind == protocol.ACK:
            if frame.boot_id != self.boot_id:
                return  # an acknowledgement meant for this button before it restarted
            kept = [p for p in self.pending if p.seq != frame.seq]
            if len(kept) != len(self.pending):
                self.pending = kept
                # Committed: help is coming (or already on its way). Never left on "test": only
                # the press that completes a weekly test is a test, and the host says so itself.
                if self.host_state != "responding":
                    self.host_state = "delivered"
        else:
            self.host_state = frame.arg

    def host_alive(self, now: int) -> bool:
        return (
            self.host_heard_at is not None
            and self.clock.ticks_diff(now, self.host_heard_at) < self.host_timeout_ms
        )

    # ---- what the person in the room sees --------------------------------------------------

    def state(self, now: int) -> str:
        """The LED state: one of protocol.SHOWN_STATES."""
        if self.pending:
            oldest = self.pending[0].pressed_at
            late = self.clock.ticks_diff(now, oldest) >= self.not_delivered_ms
            if late or self.host_state == "not_delivered":
                return "not_delivered"
            return "waiting"
        if self.host_alive(now) or self.host_state in ("delivered", "responding", "not_delivered"):
            return self.host_state
        return protocol.OFFLINE

    def _render(self, now: int) -> None:
        shown = self.state(now)
        if shown != self.shown:
            self.shown = shown
            self._shown_since = now
        elapsed = self.clock.ticks_diff(now, self._shown_since)
        level = _pattern_level(LED_PATTERNS[shown], elapsed, True)
        if level != self._led_level:
            self._led_level = level
            self.led.value(level)
        if self.buzzer is not None:
            cue = BUZZER_PATTERNS.get(shown)
            buzz = 0 if cue is None else _pattern_level(cue[0], elapsed, cue[1])
            if buzz != self._buzzer_level:
                self._buzzer_level = buzz
                self.buzzer.value(buzz)
