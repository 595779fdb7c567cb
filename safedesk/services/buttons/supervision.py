"""Supervision: a panic button unheard for longer than its limit is OFFLINE, and recovers by itself.

Heartbeats (every 2 s from a USB button, from the GPIO driver for wired ones) update
``panic_devices.last_seen_at`` through ``AlarmService.heard``. Whether a device is online is then
a pure function of (last seen, its limit, now): ``device_status.is_online``, with the limit from
``panic_devices.offline_after_s`` or config ``devices.offline_after_s`` (default 10 s).

How screens learn it, without a flood of duplicates from many PCs:

1. The state is derived, never pushed alone. ``offline_devices(office_id, now)`` computes it from
   ``last_seen_at``, so a screen that starts, reconnects or refreshes on a timer (the readiness
   strip, the weekly checklist) is right without having heard any event.
2. Changes are announced once, by whoever notices first. Every PC and bridge may run ``check``
   (the bridge and the desktop do, every second). It publishes ``DeviceOffline``/``DeviceOnline``
   only through a compare-and-set on ``panic_devices.offline_reported_at``: an UPDATE whose WHERE
   re-checks both the reported flag and ``last_seen_at``. Under PostgreSQL's row lock (or
   SQLite's write lock) a second PC's UPDATE matches no row, so it publishes nothing. The event,
   its audit entry and the flag commit in one transaction.

Why not one elected publisher (an advisory lock held by a "supervisor" PC)? Election needs a
session-level lock on a dedicated connection, failover when that PC sleeps or loses the network
while its connection lingers, and a second mechanism for SQLite. The compare-and-set needs none
of that, costs one small read per PC per second, and is the same pattern as escalation
(``AlarmService.escalate_due``). Screens still never depend on the event alone (point 1).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from safedesk.alarm_bus import AlarmBus, DeviceOffline, DeviceOnline
from safedesk.clock import Clock
from safedesk.config import DevicesConfig
from safedesk.db import Database, DatabaseUnavailable
from safedesk.db.server_time import server_now
from safedesk.models import PanicDevice, Room
from safedesk.services.buttons.device_status import is_online, offline_after
from safedesk.services.shared import audit
from safedesk.services.shared.actor import Actor

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class OfflineDevice:
    """One panic button not heard within its limit (or disabled, or never heard from)."""

    device_pk: int
    device_id: str
    label: str | None
    room_id: int | None
    room_name: str
    office_id: int | None
    last_seen_at: datetime | None
    offline_after_s: int
    enabled: bool

    @property
    def text(self) -> str:
        """What responder and reception screens show."""
        return f"Panic button in {self.room_name} OFFLINE"

    def silent_for_s(self, now: datetime) -> float | None:
        return None if self.last_seen_at is None else (now - self.last_seen_at).total_seconds()


@dataclass
class SupervisionChanges:
    """What one ``check`` announced (empty when nothing changed, or another PC got there first)."""

    went_offline: list[str] = field(default_factory=list)
    came_online: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.went_offline or self.came_online)


def _room_name(device: PanicDevice, rooms: dict[int, Room]) -> str:
    room = rooms.get(device.room_id) if device.room_id is not None else None
    return room.name if room is not None else f"no room (device {device.device_id})"


def offline_devices(
    session: Session, office_id: int | None, now: datetime, default_offline_after_s: int
) -> list[OfflineDevice]:
    """Devices of the office (all offices: None) that are offline at ``now``, by room name."""
    query = select(PanicDevice, Room).outerjoin(Room, PanicDevice.room_id == Room.id)
    if office_id is not None:
        query = query.where(Room.office_id == office_id, Room.active.is_(True))
    found: list[OfflineDevice] = []
    for device, room in session.execute(query).all():
        if is_online(device, now, default_offline_after_s):
            continue
        found.append(
            OfflineDevice(
                device_pk=device.id,
                device_id=device.device_id,
                label=device.label,
                room_id=device.room_id,
                room_name=room.name if room is not None else f"no room (device {device.device_id})",
                office_id=room.office_id if room is not None else None,
                last_seen_at=device.last_seen_at,
                offline_after_s=int(offline_after(device, default_offline_after_s).total_seconds()),
                enabled=device.enabled,
            )
        )
    return sorted(found, key=lambda d: (d.room_name, d.device_id))


class DeviceSupervision:
    """The service: ``offline_devices`` for screens, ``check`` for whoever runs the timer."""

    def __init__(
        self, db: Database, bus: AlarmBus, clock: Clock, config: DevicesConfig, workstation: str
    ) -> None:
        self.db = db
        self.bus = bus
        self.clock = clock
        self.config = config
        self.workstation = workstation

    def offline_devices(
        self, office_id: int | None, now: datetime | None = None
    ) -> list[OfflineDevice]:
        """ "Panic button in <room> OFFLINE", for the responder and reception screens."""
        with self.db.session() as s:
            return offline_devices(
                s, office_id, now or self.clock.now(), self.config.offline_after_s
            )

    def check(self, now: datetime | None = None) -> SupervisionChanges:
        """Announce devices that went offline or came back since the last announcement, once."""
        changes = SupervisionChanges()
        with self.db.session() as s:
            # The server's time (a bridge that booted with a stale clock reads it first here).
            now = now or server_now(s, self.clock)
            devices: Sequence[PanicDevice] = s.scalars(
                select(PanicDevice).where(PanicDevice.enabled.is_(True)).order_by(PanicDevice.id)
            ).all()
            rooms = {r.id: r for r in s.scalars(select(Room)).all()}
            for device in devices:
                online = is_online(device, now, self.config.offline_after_s)
                if not online and device.offline_reported_at is None:
                    if self._claim_offline(s, device, now):
                        self._announce_offline(s, device, rooms, now)
                        changes.went_offline.append(device.device_id)
                elif (
                    online
                    and device.offline_reported_at is not None
                    and self._claim_online(s, device, now)
                ):
                    self._announce_online(s, device, rooms, now)
                    changes.came_online.append(device.device_id)
        return changes

    def _cutoff(self, device: PanicDevice, now: datetime) -> datetime:
        return now - offline_after(device, self.config.offline_after_s)

    def _claim_offline(self, s: Session, device: PanicDevice, now: datetime) -> bool:
        cutoff = self._cutoff(device, now)
        result = s.execute(
            update(PanicDevice)
            .where(
                PanicDevice.id == device.id,
                PanicDevice.offline_reported_at.is_(None),
                PanicDevice.last_seen_at.is_(None) | (PanicDevice.last_seen_at < cutoff),
            )
            .values(offline_reported_at=now)
            .execution_options(synchronize_session=False)
        )
        return _rowcount(result) == 1

    def _claim_online(self, s: Session, device: PanicDevice, now: datetime) -> bool:
        cutoff = self._cutoff(device, now)
        result = s.execute(
            update(PanicDevice)
            .where(
                PanicDevice.id == device.id,
                PanicDevice.offline_reported_at.is_not(None),
                PanicDevice.last_seen_at >= cutoff,
            )
            .values(offline_reported_at=None)
            .execution_options(synchronize_session=False)
        )
        return _rowcount(result) == 1

    def _announce_offline(
        self, s: Session, device: PanicDevice, rooms: dict[int, Room], now: datetime
    ) -> None:
        room = rooms.get(device.room_id) if device.room_id is not None else None
        name = _room_name(device, rooms)
        audit.record(
            s,
            Actor.system(self.workstation),
            "device.offline",
            at=now,
            subject_type="panic_device",
            subject_id=device.id,
            device_id=device.device_id,
            room=name,
            last_seen_at=device.last_seen_at.isoformat() if device.last_seen_at else None,
        )
        self.bus.publish(
            s,
            DeviceOffline(
                office_id=room.office_id if room is not None else None,
                device_id=device.device_id,
                room_id=device.room_id,
                room_name=name,
                last_seen_at=device.last_seen_at,
                at=now,
            ),
            at=now,
        )
        log.error(
            "Panic button in %s OFFLINE (device %s, last heard %s)",
            name,
            device.device_id,
            device.last_seen_at.isoformat() if device.last_seen_at else "never",
        )

    def _announce_online(
        self, s: Session, device: PanicDevice, rooms: dict[int, Room], now: datetime
    ) -> None:
        room = rooms.get(device.room_id) if device.room_id is not None else None
        name = _room_name(device, rooms)
        audit.record(
            s,
            Actor.system(self.workstation),
            "device.online",
            at=now,
            subject_type="panic_device",
            subject_id=device.id,
            device_id=device.device_id,
            room=name,
        )
        self.bus.publish(
            s,
            DeviceOnline(
                office_id=room.office_id if room is not None else None,
                device_id=device.device_id,
                room_id=device.room_id,
                room_name=name,
                at=now,
            ),
            at=now,
        )
        log.warning("Panic button in %s back online (device %s)", name, device.device_id)


def _rowcount(result: object) -> int:
    count = getattr(result, "rowcount", 0)
    return int(count) if isinstance(count, int) else 0


class SupervisionTimer:
    """Runs ``check`` every ``interval_s`` on its own thread (the bridge, each desktop PC)."""

    def __init__(self, supervision: DeviceSupervision, interval_s: float = 1.0) -> None:
        self.supervision = supervision
        self.interval_s = interval_s
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._failing = False

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, name="device-supervision", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def _run(self) -> None:
        while not self._stopping.wait(self.interval_s):
            try:
                self.supervision.check()
            except DatabaseUnavailable as exc:
                # Every screen shows NOT CONNECTED then; say it once here, not every second.
                if not self._failing:
                    log.warning("device supervision paused: %s", exc)
                self._failing = True
                continue
            except Exception:
                log.exception("device supervision check failed")
                continue
            if self._failing:
                log.info("device supervision running again")
            self._failing = False
