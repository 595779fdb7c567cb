"""A "screen" for tests: one PC's database connection, services, bus adapter, sound and alerts.

Two screens in a test are two PCs: each has its own ``Database`` (its own connections) on the
same URL, exactly as two SafeDesk instances on one PostgreSQL server or one SQLite file.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from desktop.alarm.bus_adapter import BusAdapter
from desktop.alarm.controller import AlarmController
from desktop.alarm.delivery_recorder import DeliveryRecorder
from desktop.alarm.sound import AlarmSound
from safedesk.clock import Clock
from safedesk.config import Config
from safedesk.db import Database
from safedesk.services.hub import Services
from safedesk.services.shared.actor import Actor
from safedesk.services.shared.workstation_place import WorkstationPlace, register_workstation


@dataclass
class Screen:
    name: str
    db: Database
    services: Services
    adapter: BusAdapter
    sound: AlarmSound
    controller: AlarmController
    actor: Actor
    updates: list[object] = field(default_factory=list)

    def close(self) -> None:
        self.adapter.stop()
        self.controller.close_all()
        self.services.close()
        self.db.dispose()
        # Qt objects are deleted in the GUI thread now, not by a garbage collection that may
        # happen later in any thread.
        for qobject in (self.controller, self.adapter, self.sound):
            qobject.deleteLater()


def open_screen(
    url: str,
    clock: Clock,
    office_id: int,
    actor: Actor,
    *,
    config: Config | None = None,
    silent_room_id: int | None = None,
    present: bool = True,
    named: bool = True,
) -> Screen:
    """``present``: the PC heartbeats with ``actor`` signed in, as a running SafeDesk does (so a
    responder on it counts as reachable); False: a screen the rest of the office cannot see.
    ``named``: its workstation name is configured; False: known by its host name only."""
    db = Database(url, pool_size=2, max_overflow=2)
    if present:
        heartbeat(db, clock, office_id, actor, desk_room_id=silent_room_id, named=named)
    services = Services.build(config or Config(), db, clock, actor.workstation or "TEST-PC")
    adapter = BusAdapter(services, office_id, lambda: actor, disconnected_after_s=5.0)
    sound = AlarmSound()
    workstation = actor.workstation or "TEST-PC"
    controller = AlarmController(
        services.alarms,
        adapter,
        sound,
        clock,
        lambda: actor,
        silent_room_id=silent_room_id,
        recorder=DeliveryRecorder(db, clock),  # records that this screen showed each alarm
        pc=(workstation, workstation if named else None),
    )
    screen = Screen(actor.workstation or "", db, services, adapter, sound, controller, actor)
    adapter.alarm_update.connect(screen.updates.append)
    adapter.start()
    return screen


def heartbeat(
    db: Database,
    clock: Clock,
    office_id: int,
    actor: Actor | None,
    *,
    name: str | None = None,
    desk_room_id: int | None = None,
    mode: str = "responder",
    named: bool = True,
) -> None:
    """One workstation heartbeat, as ``desktop.app`` sends every minute (who is signed in here).

    ``named``: the PC's name is configured (workstation.name); False: known by host name only.
    """
    workstation = name or (actor.workstation if actor is not None else None) or "TEST-PC"
    place = WorkstationPlace(
        office_id=office_id,
        office_name="",
        workstation=workstation,
        mode=mode,
        desk_room_id=desk_room_id,
        desk_name=None,
        rooms=(),
    )
    register_workstation(
        db,
        place,
        now=clock.now(),
        sound_ok=True,
        signed_in_staff_id=actor.staff_id if actor is not None else None,
        label=workstation if named else None,
    )
