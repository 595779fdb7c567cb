"""Carries what responders do back to the room's button: "help is coming" on the LED.

Subscribes to the alarm bus and tells whichever local source owns the device:

- AlarmRaised -> DELIVERED (also for alarms raised elsewhere for this device, e.g. a CLI press)
- AlarmResponding -> RESPONDING ("help is coming")
- AlarmResolved -> IDLE
- TestPressReceived -> TEST, back to IDLE after ``test_led_s`` (the tester sees it arrived)

Used by the bridge daemon and by the desktop app when it owns buttons. It runs its own thread;
sources' ``set_led`` is thread-safe. The bus is read by id, so an event that happened while the
database was away is still relayed when it returns.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence

from safedesk.alarm_bus import (
    AlarmBus,
    AlarmRaised,
    AlarmResolved,
    AlarmResponding,
    BusEventBase,
    Subscription,
    TestPressReceived,
)
from safedesk.button_events import LedState

from .button_source import ButtonSource

log = logging.getLogger(__name__)

RELAYED_KINDS = (AlarmRaised, AlarmResponding, AlarmResolved, TestPressReceived)


def led_for(event: BusEventBase) -> tuple[str, LedState] | None:
    """The device and the LED state an event asks for; None if it concerns no LED."""
    if isinstance(event, AlarmRaised):
        return event.device_id, LedState.DELIVERED
    if isinstance(event, AlarmResponding) and event.device_id:
        return event.device_id, LedState.RESPONDING
    if isinstance(event, AlarmResolved) and event.device_id:
        return event.device_id, LedState.IDLE
    if isinstance(event, TestPressReceived):
        return event.device_id, LedState.TEST
    return None


class LedRelay:
    """One bus subscription feeding the LEDs of every button this process owns."""

    def __init__(
        self,
        bus: AlarmBus,
        sources: Sequence[ButtonSource],
        *,
        test_led_s: float = 30.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.bus = bus
        self.sources = list(sources)
        self.test_led_s = test_led_s
        self._monotonic = monotonic
        self._sub: Subscription | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._test_until: dict[str, float] = {}
        self.relayed = 0

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stopping.clear()
        # Subscribed before the thread starts: nothing committed after start() returns is missed.
        self._sub = self.bus.subscribe(kinds=[k.KIND for k in RELAYED_KINDS])
        self._thread = threading.Thread(target=self._run, name="led-relay", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        if self._sub is not None:
            self._sub.close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        self._sub = None

    def apply(self, event: BusEventBase) -> bool:
        """Relay one event to the owning source(s); True if some LED was told."""
        wanted = led_for(event)
        if wanted is None:
            return False
        device_id, state = wanted
        told = False
        for source in self.sources:
            if not source.owns(device_id):
                continue
            try:
                source.set_led(device_id, state)
            except Exception:
                # One broken source must not keep the LED of another room from changing.
                log.exception("could not set the LED of %s to %s", device_id, state.value)
                continue
            told = True
        if told:
            self.relayed += 1
            log.info("LED of panic button %s -> %s (%s)", device_id, state.value, event.KIND)
            if state is LedState.TEST:
                self._test_until[device_id] = self._monotonic() + self.test_led_s
            else:
                self._test_until.pop(device_id, None)
        return told

    def _run(self) -> None:
        sub = self._sub
        assert sub is not None
        while not self._stopping.is_set():
            for message in sub.get(timeout=0.5):
                try:
                    self.apply(message.event)
                except Exception:
                    log.exception("LED relay failed on %r", message.event)
            self._end_test_leds()
            if sub.closed:
                return

    def _end_test_leds(self) -> None:
        now = self._monotonic()
        for device_id, until in list(self._test_until.items()):
            if now >= until:
                del self._test_until[device_id]
                for source in self.sources:
                    if source.owns(device_id):
                        try:
                            source.set_led(device_id, LedState.IDLE)
                        except Exception:
                            log.exception("could not return the LED of %s to idle", device_id)
