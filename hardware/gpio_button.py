"""Panic buttons wired to a Raspberry Pi's GPIO (gpiozero), one per room, with LED/buzzer feedback.

Debouncing is ours, not gpiozero's ``bounce_time`` (which MockFactory stores but does not
simulate, and which only suppresses edges): a press counts once the pin has read "pressed" for
the debounce time, or for the hold time when a room wants a deliberate press (against brushes).
Each edge is stamped when gpiozero reports it and replayed through the debouncer before the next
sample, so a press is counted, with the time it began, even if the sampling thread was starved of
CPU for the whole press (a busy Pi); sampling alone still catches a press whose edge was lost.

A GPIO button has no firmware to resend, so this driver does (``PressDelivery``): a press is
offered to the sink again with the same (device, boot id, sequence) until the sink takes it.
The boot id is fresh at every start, so a restarted sequence is never mistaken for a resend.
"""

from __future__ import annotations

import logging
import random
import threading
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from gpiozero import Button, DigitalOutputDevice, GPIOZeroError
from gpiozero.pins import Factory

from safedesk.button_events import (
    ButtonPress,
    DeviceHeard,
    DeviceKind,
    HeardOn,
    LedState,
    PressReceipt,
    PressSink,
)
from safedesk.clock import Clock

from .button_source import ButtonSource, StatusListener
from .press_delivery import PressDelivery

log = logging.getLogger(__name__)

PinId = int | str

# (on seconds, off seconds); None: steady on. The same meanings as the USB button's LED.
LED_BLINKS: dict[LedState, tuple[float, float] | None] = {
    LedState.IDLE: (0.06, 1.94),  # a wink every 2 s: watched and ready
    LedState.WAITING: (0.1, 0.1),  # fast flash: being delivered
    LedState.DELIVERED: None,  # steady: on the responders' screens
    LedState.RESPONDING: (0.9, 0.1),  # steady with a blink: someone is coming
    LedState.NOT_DELIVERED: (0.1, 0.5),  # stutter: not delivered yet, still trying
    LedState.TEST: (0.5, 0.5),  # slow flash: weekly test window
}
# (on, off, repeats or None for "until the state changes"). Quiet cues only.
BUZZER_CUES: dict[LedState, tuple[float, float, int | None]] = {
    LedState.DELIVERED: (0.15, 0.1, 1),
    LedState.RESPONDING: (0.1, 0.1, 2),
    LedState.NOT_DELIVERED: (0.12, 1.88, None),
}


class GpioConfigError(ValueError):
    """A button's pins cannot be claimed (wrong number, already in use, no GPIO here)."""


@dataclass(frozen=True)
class GpioButtonConfig:
    """One room's wired button and its feedback outputs."""

    device_id: str
    pin: PinId
    led_pin: PinId | None = None
    buzzer_pin: PinId | None = None
    pull_up: bool = True  # button switches the pin to ground
    debounce_s: float = 0.03
    hold_s: float = 0.0  # > debounce: the press must be held this long to count


class Debouncer:
    """Turns raw pin readings into presses; time comes from the caller (injected clock)."""

    def __init__(self, debounce_s: float, hold_s: float = 0.0) -> None:
        self.debounce_s = debounce_s
        self.hold_s = max(hold_s, debounce_s)
        self.stable = False
        self._candidate = False
        self._since = 0.0

    @property
    def settling(self) -> bool:
        """The reading differs from the accepted state: sample again soon."""
        return self._candidate != self.stable

    @property
    def candidate_since(self) -> float:
        return self._since

    def update(self, pressed: bool, now: float) -> bool:
        """Feed one reading; True exactly when a press is accepted."""
        if pressed != self._candidate:
            self._candidate = pressed
            self._since = now
        if pressed == self.stable:
            return False
        needed = self.hold_s if pressed else self.debounce_s
        if now - self._since >= needed:
            self.stable = pressed
            return pressed
        return False


class _Room:
    """One configured button with its pins and state."""

    def __init__(self, config: GpioButtonConfig, factory: Factory | None) -> None:
        self.config = config
        try:
            self.button = Button(
                config.pin, pull_up=config.pull_up, bounce_time=None, pin_factory=factory
            )
            self.led = (
                DigitalOutputDevice(config.led_pin, pin_factory=factory)
                if config.led_pin is not None
                else None
            )
            self.buzzer = (
                DigitalOutputDevice(config.buzzer_pin, pin_factory=factory)
                if config.buzzer_pin is not None
                else None
            )
        except (GPIOZeroError, OSError, ValueError) as exc:
            self.close()
            raise GpioConfigError(
                f"panic button {config.device_id!r}: cannot use pin {config.pin!r}"
                f" (LED {config.led_pin!r}, buzzer {config.buzzer_pin!r}): {exc}"
            ) from exc
        self.debouncer = Debouncer(config.debounce_s, config.hold_s)
        # (monotonic time, pressed) per edge, appended on gpiozero's thread (deque: thread-safe).
        self.edges: deque[tuple[float, bool]] = deque()
        self.shown: LedState | None = None
        self.told = LedState.IDLE  # what the system last said (set_led)

    def show(self, state: LedState) -> None:
        if state == self.shown:
            return
        self.shown = state
        if self.led is not None:
            blink = LED_BLINKS[state]
            if blink is None:
                self.led.on()
            else:
                self.led.blink(on_time=blink[0], off_time=blink[1])
        if self.buzzer is not None:
            cue = BUZZER_CUES.get(state)
            if cue is None:
                self.buzzer.off()
            else:
                self.buzzer.blink(on_time=cue[0], off_time=cue[1], n=cue[2])

    def close(self) -> None:
        for device in (getattr(self, "button", None), getattr(self, "led", None)):
            if device is not None:
                device.close()
        buzzer = getattr(self, "buzzer", None)
        if buzzer is not None:
            buzzer.close()


class GpioButtonSource(ButtonSource):
    """Wired buttons on this Pi; a sampling thread, and a delivery thread that never gives up."""

    def __init__(
        self,
        sink: PressSink,
        clock: Clock,
        buttons: Sequence[GpioButtonConfig],
        on_status: StatusListener | None = None,
        pin_factory: Factory | None = None,
        heartbeat_s: float = 2.0,
        sample_s: float = 0.005,
        idle_sample_s: float = 0.02,
        retry_initial_s: float = 0.25,
        retry_max_s: float = 2.0,
    ) -> None:
        super().__init__(sink, clock, on_status)
        ids = [b.device_id for b in buttons]
        if len(set(ids)) != len(ids):
            raise GpioConfigError(f"panic button ids must be unique: {ids}")
        self.configs = list(buttons)
        self.pin_factory = pin_factory
        self.heartbeat_s = heartbeat_s
        self.sample_s = sample_s
        # Edges only wake the sampler early; polling alone must still catch the shortest real
        # press (debounce + one idle interval), in case an edge callback is lost.
        self.idle_sample_s = idle_sample_s
        self.retry_initial_s = retry_initial_s
        self.retry_max_s = retry_max_s
        self.boot_id = random.getrandbits(32)
        self._rooms: dict[str, _Room] = {}
        self._seq = 0
        self._lock = threading.Lock()
        self._edge = threading.Event()
        self._stopping = threading.Event()
        self._sampler: threading.Thread | None = None
        self._delivery = PressDelivery(
            sink,
            clock,
            on_delivered=self._on_delivered,
            on_failed=self._on_failed,
            retry_initial_s=retry_initial_s,
            retry_max_s=retry_max_s,
            tick=self._heartbeat,
            tick_every_s=heartbeat_s,
            name="gpio-delivery",
        )

    # ---- ButtonSource ------------------------------------------------------------------------

    def start(self) -> None:
        if self._sampler is not None:
            return
        rooms: dict[str, _Room] = {}
        try:
            for config in self.configs:
                rooms[config.device_id] = _Room(config, self.pin_factory)
        except GpioConfigError:
            for room in rooms.values():
                room.close()
            raise
        self._rooms = rooms
        self._stopping.clear()
        self.boot_id = random.getrandbits(32)
        for room in rooms.values():
            room.button.when_activated = self._edge_handler(room, pressed=True)
            room.button.when_deactivated = self._edge_handler(room, pressed=False)
            room.show(LedState.IDLE)
            self._mark_online(room.config.device_id, f"GPIO{room.config.pin}")
        self._sampler = threading.Thread(target=self._sample_loop, name="gpio-buttons", daemon=True)
        self._sampler.start()
        self._delivery.start()

    def stop(self) -> None:
        self._stopping.set()
        self._edge.set()
        if self._sampler is not None:
            self._sampler.join(timeout=5)
            self._sampler = None
        self._delivery.stop()  # logs any press never delivered
        for room in self._rooms.values():
            room.close()
            self._mark_offline(room.config.device_id, "GPIO buttons stopped")
        self._rooms = {}

    def set_led(self, device_id: str, state: LedState) -> None:
        room = self._rooms.get(device_id)
        if room is None:
            raise KeyError(f"no GPIO panic button {device_id!r} here")
        with self._lock:
            room.told = LedState(state)
            room.show(room.told)

    def owns(self, device_id: str) -> bool:
        return any(c.device_id == device_id for c in self.configs)

    def led_state(self, device_id: str) -> LedState | None:
        room = self._rooms.get(device_id)
        return None if room is None else room.shown

    def pending_presses(self) -> list[ButtonPress]:
        return self._delivery.pending()

    # ---- sampling ----------------------------------------------------------------------------

    def _edge_handler(self, room: _Room, *, pressed: bool) -> Callable[[], None]:
        def on_edge() -> None:
            # Runs on gpiozero's thread: stamp the edge and wake ours, nothing else.
            room.edges.append((self.clock.monotonic(), pressed))
            self._edge.set()

        return on_edge

    def _sample_loop(self) -> None:
        while not self._stopping.is_set():
            settling = False
            for room in list(self._rooms.values()):
                self._sample(room)
                settling = settling or room.debouncer.settling
            self._edge.wait(self.sample_s if settling else self.idle_sample_s)
            self._edge.clear()

    def _sample(self, room: _Room) -> None:
        while room.edges:
            at, pressed = room.edges.popleft()
            # The level before this edge lasted until it: offer that, then the new level.
            self._feed(room, not pressed, at)
            self._feed(room, pressed, at)
        now = self.clock.monotonic()
        try:
            pressed = bool(room.button.is_pressed)
        except (GPIOZeroError, OSError) as exc:
            log.error("Cannot read panic button %s: %s", room.config.device_id, exc)
            return
        self._feed(room, pressed, now)

    def _feed(self, room: _Room, pressed: bool, at: float) -> None:
        if room.debouncer.update(pressed, at):
            held = timedelta(seconds=self.clock.monotonic() - room.debouncer.candidate_since)
            self._pressed(room, self.clock.now() - held)

    def _pressed(self, room: _Room, pressed_at: datetime) -> None:
        with self._lock:
            self._seq += 1
            press = ButtonPress(
                device_id=room.config.device_id,
                sequence=self._seq,
                pressed_at=pressed_at,
                source=DeviceKind.GPIO,
                boot_id=self.boot_id,
                heard_on=HeardOn(port=f"GPIO{room.config.pin}"),
            )
            room.show(LedState.WAITING)
        log.info("Panic button %s pressed (sequence %d)", press.device_id, press.sequence)
        self._delivery.submit(press)

    # ---- feedback ----------------------------------------------------------------------------

    def _on_failed(self, press: ButtonPress, attempts: int) -> None:
        room = self._rooms.get(press.device_id)
        if room is not None:
            with self._lock:
                room.show(LedState.NOT_DELIVERED)

    def _on_delivered(self, press: ButtonPress, receipt: PressReceipt) -> None:
        room = self._rooms.get(press.device_id)
        still_waiting = any(p.device_id == press.device_id for p in self._delivery.pending())
        if room is None or still_waiting:
            return
        with self._lock:
            if receipt.held:
                room.told = LedState.NOT_DELIVERED  # kept in the bridge's outbox, not on screens
            elif receipt.is_test:
                room.told = LedState.TEST
            elif room.told != LedState.RESPONDING or receipt.created:
                room.told = LedState.DELIVERED  # else pressed again: help is already coming
            room.show(room.told)

    def _heartbeat(self) -> None:
        for device_id in list(self._rooms):
            try:
                place = HeardOn(port=f"GPIO{self._rooms[device_id].config.pin}")
                self.sink.heard(
                    DeviceHeard(device_id, self.clock.now(), DeviceKind.GPIO, heard_on=place)
                )
            except Exception:
                log.exception("Could not record heartbeat of GPIO panic button %s", device_id)
