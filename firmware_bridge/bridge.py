"""The bridge daemon's parts wired together: buttons -> outbox -> alarm service, bus -> LEDs.

::

    serial / GPIO buttons --press--> StoreAndForwardSink --> AlarmService (database)
                                          |  (unreachable, or no answer within the press
                                          |   deadline: local SQLite outbox, LED "not
                                          |   delivered", local sounder until forwarded)
    alarm bus --AlarmResponding/Resolved--> LedRelay --> set_led on the owning button
    SupervisionTimer: announces devices going offline / coming back (once, whoever is first)
    ServerClockTimer: every time above is the database server's (safedesk.db.server_time); the
        bridge's own clock is only reported ("Bridge X's clock is 10 min fast" in its log)

It starts even when the database is down: that is exactly when it must hold presses.
``bridge_cli`` runs it as ``safedesk-bridge``; tests and the benchmark build it directly.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from gpiozero.pins import Factory
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from firmware_bridge.bridge_config import BridgeConfig
from firmware_bridge.local_sounder import LocalSounder
from hardware.button_source import ButtonSource, DeviceStatus
from hardware.gpio_button import GpioButtonSource
from hardware.led_relay import LedRelay
from hardware.serial_button import PortFinder, SerialButtonConfig, SerialButtonSource
from safedesk.button_events import ButtonPress, LedState, PressReceipt
from safedesk.clock import Clock
from safedesk.db import Database, DatabaseUnavailable
from safedesk.db.engine import DatabaseTimeouts
from safedesk.db.server_time import ServerClock, ServerClockTimer, server_clock_for
from safedesk.models import PanicDevice
from safedesk.outbox import LocalOutbox, StoreAndForwardSink
from safedesk.services.buttons.supervision import SupervisionTimer
from safedesk.services.hub import Services

log = logging.getLogger(__name__)


@dataclass
class Bridge:
    """Build with ``Bridge.build``; ``start`` then ``stop`` (safe to call twice)."""

    config: BridgeConfig
    db: Database
    services: Services
    outbox: LocalOutbox
    sink: StoreAndForwardSink
    sources: list[ButtonSource]
    relay: LedRelay
    sounder: LocalSounder | None
    supervision: SupervisionTimer | None
    clock: ServerClock
    clock_timer: ServerClockTimer
    statuses: list[DeviceStatus] = field(default_factory=list)
    _started: bool = False

    @classmethod
    def build(
        cls,
        config: BridgeConfig,
        clock: Clock,
        *,
        pin_factory: Factory | None = None,
        port_finder: PortFinder | None = None,
        serial_overrides: SerialButtonConfig | None = None,
        supervision_interval_s: float = 1.0,
        server: Clock | None = None,
    ) -> Bridge:
        """Everything, constructed but not started (no port, pin or connection is opened).

        ``clock`` is the bridge's own (perhaps wrong) clock; every part runs on the database
        server's time derived from it (``server``: a stand-in for the server's clock, in tests).
        """
        outbox = LocalOutbox(config.outbox_path)  # OutboxError: the CLI exits 2, no restart loop
        db = Database(
            config.database_url,
            pool_size=config.safedesk.database.pool_size,
            max_overflow=config.safedesk.database.max_overflow,
            timeouts=DatabaseTimeouts(
                press_s=config.bridge.press_deadline_s,
                call_s=max(10.0, 3 * config.bridge.press_deadline_s),
            ),
        )
        local_clock = clock
        clock = server_clock_for(db, local_clock, server=server, who=f"Bridge {config.name}")
        clock_timer = ServerClockTimer(
            clock, db, deadline_s=max(3.0, config.bridge.press_deadline_s)
        )
        services = Services.build(config.safedesk, db, clock, config.name)
        sound_path = config.local_sound_path
        sounder = (
            LocalSounder(sound_path, backend=config.bridge.sound_backend or None)
            if sound_path is not None
            else None
        )
        sources: list[ButtonSource] = []
        holder: list[Bridge] = []

        def on_backlog(held: int) -> None:
            if sounder is not None:
                sounder.set_backlog(held)

        def on_forwarded(press: ButtonPress, receipt: PressReceipt) -> None:
            if holder:
                holder[0].show(press.device_id, LedState.TEST if receipt.is_test else None)

        sink = StoreAndForwardSink(
            services.alarms,
            outbox,
            clock,
            retry_initial_s=config.bridge.forward_retry_s,
            on_forwarded=on_forwarded,
            on_backlog=on_backlog,
        )
        services.presses = sink
        statuses: list[DeviceStatus] = []

        def on_status(status: DeviceStatus) -> None:
            statuses.append(status)

        if config.owns_serial:
            sources.append(
                SerialButtonSource(
                    sink,
                    clock,
                    serial_overrides or config.serial_button_config(),
                    on_status=on_status,
                    port_finder=port_finder,
                )
            )
        if config.gpio:
            sources.append(
                GpioButtonSource(
                    sink, clock, config.gpio_buttons(), on_status=on_status, pin_factory=pin_factory
                )
            )
        relay = LedRelay(services.bus, sources, test_led_s=config.bridge.test_led_s)
        supervision = (
            SupervisionTimer(services.supervision, supervision_interval_s)
            if config.bridge.supervise
            else None
        )
        bridge = cls(
            config=config,
            db=db,
            services=services,
            outbox=outbox,
            sink=sink,
            sources=sources,
            relay=relay,
            sounder=sounder,
            supervision=supervision,
            clock=clock,
            clock_timer=clock_timer,
            statuses=statuses,
        )
        holder.append(bridge)
        return bridge

    def start(self) -> None:
        """Listen to the buttons and the bus; held presses from a previous run go out first."""
        if self._started:
            return
        self._started = True
        log.info(
            "SafeDesk bridge %s starting: database %s, outbox %s, %d GPIO button(s), serial %s",
            self.config.name,
            self.db.display_url,
            self.outbox.path,
            len(self.config.gpio),
            "on" if self.config.owns_serial else "off",
        )
        self.clock_timer.start()  # reads the server's clock first, then every minute
        self._warn_unregistered(c.device_id for c in self.config.gpio)
        self.sink.start()
        self.relay.start()
        for source in self.sources:
            source.start()
        if self.supervision is not None:
            self.supervision.start()

    def stop(self) -> None:
        if not self._started:
            return
        self._started = False
        if self.supervision is not None:
            self.supervision.stop()
        for source in self.sources:
            source.stop()
        self.relay.stop()
        self.sink.stop()
        if self.sounder is not None:
            self.sounder.stop()
        self.clock_timer.stop()
        self.services.close()
        self.outbox.close()
        self.db.dispose()
        log.info("SafeDesk bridge %s stopped", self.config.name)

    def show(self, device_id: str, state: LedState | None) -> None:
        """Set a device's LED on whichever source owns it (None: DELIVERED)."""
        for source in self.sources:
            if source.owns(device_id):
                source.set_led(device_id, state or LedState.DELIVERED)

    def _warn_unregistered(self, device_ids: Iterable[str]) -> None:
        wanted = set(device_ids)
        if not wanted:
            return
        try:
            with self.db.session() as s:
                known = set(
                    s.scalars(
                        select(PanicDevice.device_id).where(PanicDevice.device_id.in_(wanted))
                    ).all()
                )
        except DatabaseUnavailable as exc:
            log.warning("cannot check the button registrations yet: %s", exc)
            return
        except SQLAlchemyError:
            # An unmigrated or foreign database: presses will be held until it is fixed.
            log.exception("cannot check the button registrations")
            return
        for device_id in sorted(wanted - known):
            log.error(
                "GPIO button %s is not registered to a room: its alarms will show UNKNOWN "
                "LOCATION. Register it (panic_devices) for the room it is in.",
                device_id,
            )
