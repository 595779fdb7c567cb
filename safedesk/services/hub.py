"""``Services``: the one object a window, a driver or a command needs to reach the core.

Built from (config, db, clock, workstation name). A plain container: other areas add their
service as one field and one line in ``build``; no logic lives here.
"""

from __future__ import annotations

from dataclasses import dataclass

from safedesk.alarm_bus import AlarmBus, make_bus
from safedesk.clock import Clock
from safedesk.config import Config
from safedesk.db import Database
from safedesk.outbox import StoreAndForwardSink
from safedesk.services.alarms.alarm_service import AlarmService
from safedesk.services.alarms.incidents import IncidentService
from safedesk.services.alarms.rota import RotaService
from safedesk.services.buttons.supervision import DeviceSupervision
from safedesk.services.weekly_test.desk import WeeklyTestDesk


@dataclass
class Services:
    config: Config
    db: Database
    clock: Clock
    workstation: str
    bus: AlarmBus
    alarms: AlarmService
    rota: RotaService
    incidents: IncidentService
    weekly_tests: WeeklyTestDesk
    supervision: DeviceSupervision
    # The durable outbox for presses this process makes or owns (set by the desktop app and the
    # bridge; None: presses go to ``alarms`` directly, e.g. in a one-off command).
    presses: StoreAndForwardSink | None = None

    @classmethod
    def build(cls, config: Config, db: Database, clock: Clock, workstation: str) -> Services:
        bus = make_bus(db, clock, config.alarm)
        return cls(
            config=config,
            db=db,
            clock=clock,
            workstation=workstation,
            bus=bus,
            alarms=AlarmService(db, bus, clock, config.alarm, workstation),
            rota=RotaService(db, bus),
            incidents=IncidentService(db, clock),
            weekly_tests=WeeklyTestDesk(db, clock, config),
            supervision=DeviceSupervision(db, bus, clock, config.devices, workstation),
        )

    def close(self) -> None:
        """Stop the bus reader (the database is the caller's to dispose)."""
        self.bus.close()
