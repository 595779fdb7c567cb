"""Can this panic button be relied on right now? One answer per device and per room.

Reception's room rule, the responder screen and the weekly checklist all read this, so a button
that is offline, failed its last test or was not tested this week looks the same everywhere.

Status, most serious first (a device shows the first that applies):

- OFFLINE: ``device_status.is_online`` is false (no heartbeat, never heard from, or disabled).
- FAILED: its most recent completed weekly test failed (this week or, if not yet retested, an
  earlier one). Only a later pass clears it.
- OVERDUE: not passed this week and the office's deadline (config ``weekly_test.deadline`` on
  the test day, local time) has gone by.
- DUE: not yet passed this week, deadline still ahead. Not a fault, but shown.
- OK: passed this week and online.

A room takes its most serious device status; a room with no device is NO_BUTTON.

The week is computed in the office's time zone from the clock passed in (see ``test_week``).
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from safedesk.clock import Clock
from safedesk.config import Config
from safedesk.models import AlarmTest, FailReason, Office, PanicDevice, Room, TestResult
from safedesk.services.buttons.device_status import is_online
from safedesk.services.weekly_test.test_week import TestWeek, week_containing


class Readiness(enum.StrEnum):
    OFFLINE = "offline"
    FAILED = "failed"
    OVERDUE = "overdue"
    DUE = "due"
    OK = "ok"
    NO_BUTTON = "no_button"  # rooms only: nothing to press

    @property
    def severity(self) -> int:
        """Higher is worse; a room shows its worst device."""
        return _SEVERITY[self]

    @property
    def is_flagged(self) -> bool:
        """A fault people must be told about (DUE is expected early in the week, so not a flag)."""
        return self in (
            Readiness.OFFLINE,
            Readiness.FAILED,
            Readiness.OVERDUE,
            Readiness.NO_BUTTON,
        )

    @property
    def text(self) -> str:
        return _TEXT[self]


_SEVERITY = {
    Readiness.OK: 0,
    Readiness.DUE: 1,
    Readiness.OVERDUE: 2,
    Readiness.FAILED: 3,
    Readiness.OFFLINE: 4,
    Readiness.NO_BUTTON: 5,
}

_TEXT = {
    Readiness.OK: "Tested this week",
    Readiness.DUE: "Weekly test due",
    Readiness.OVERDUE: "Weekly test OVERDUE",
    Readiness.FAILED: "Last weekly test FAILED",
    Readiness.OFFLINE: "Panic button OFFLINE",
    Readiness.NO_BUTTON: "No panic button",
}


@dataclass(frozen=True)
class ButtonReadiness:
    device_pk: int
    device_id: str
    label: str | None
    room_id: int
    room_name: str
    status: Readiness
    online: bool
    passed_this_week: bool
    # True while a test window is open or a press awaits the tester's verdict.
    test_in_progress: bool
    last_result: TestResult | None
    last_fail_reason: FailReason | None
    last_tested_at: datetime | None

    @property
    def failed(self) -> bool:
        return self.last_result is TestResult.FAIL

    @property
    def summary(self) -> str:
        """One line for a tooltip or flag: "Last weekly test FAILED (no signal)"."""
        if self.status is Readiness.FAILED and self.last_fail_reason is not None:
            return f"{self.status.text} ({self.last_fail_reason.value.replace('_', ' ')})"
        return self.status.text


@dataclass(frozen=True)
class RoomReadiness:
    room_id: int
    room_name: str
    status: Readiness
    devices: tuple[ButtonReadiness, ...]

    @property
    def summary(self) -> str:
        if not self.devices:
            return Readiness.NO_BUTTON.text
        worst = max(self.devices, key=lambda d: d.status.severity)
        return worst.summary


@dataclass(frozen=True)
class OfficeReadiness:
    office_id: int
    week: TestWeek
    now: datetime
    devices: tuple[ButtonReadiness, ...]
    rooms: tuple[RoomReadiness, ...]

    def room(self, room_id: int) -> RoomReadiness | None:
        return next((r for r in self.rooms if r.room_id == room_id), None)

    def device(self, device_pk: int) -> ButtonReadiness | None:
        return next((d for d in self.devices if d.device_pk == device_pk), None)

    @property
    def flagged_devices(self) -> tuple[ButtonReadiness, ...]:
        return tuple(d for d in self.devices if d.status.is_flagged)


def classify(
    *,
    online: bool,
    last_result: TestResult | None,
    passed_this_week: bool,
    week: TestWeek,
    now: datetime,
) -> Readiness:
    """The status rule on its own, so it can be read (and tested) without a database."""
    if not online:
        return Readiness.OFFLINE
    if last_result is TestResult.FAIL:
        return Readiness.FAILED
    if passed_this_week:
        return Readiness.OK
    if week.is_overdue(now):
        return Readiness.OVERDUE
    return Readiness.DUE


def office_devices(session: Session, office_id: int) -> Sequence[PanicDevice]:
    """Panic devices in the office's active rooms, by room name then device id."""
    return session.scalars(
        select(PanicDevice)
        .join(Room, PanicDevice.room_id == Room.id)
        .where(Room.office_id == office_id, Room.active.is_(True))
        .order_by(Room.name, PanicDevice.device_id)
    ).all()


def latest_completed_tests(session: Session, device_pks: Sequence[int]) -> dict[int, AlarmTest]:
    """Each device's most recent finished test (any week). One device holds one pending test at
    a time, so the highest id among finished tests is the latest test started."""
    if not device_pks:
        return {}
    latest_ids = (
        select(func.max(AlarmTest.id))
        .where(AlarmTest.device_pk.in_(device_pks), AlarmTest.result != TestResult.PENDING)
        .group_by(AlarmTest.device_pk)
    )
    rows = session.scalars(select(AlarmTest).where(AlarmTest.id.in_(latest_ids))).all()
    return {row.device_pk: row for row in rows}


def _devices_with_test(
    session: Session, pks: Sequence[int], *conditions: ColumnElement[bool]
) -> set[int]:
    if not pks:
        return set()
    query = select(AlarmTest.device_pk).where(AlarmTest.device_pk.in_(pks), *conditions)
    return set(session.scalars(query).all())


def office_readiness(
    session: Session, office_id: int, clock: Clock, config: Config
) -> OfficeReadiness:
    """Readiness of every button and room in one office, as of ``clock.now()``."""
    now = clock.now()
    office = session.get(Office, office_id)
    if office is None:
        raise LookupError(f"no office with id {office_id}")
    week = week_containing(now, office.time_zone, config.weekly_test)
    rooms = session.scalars(
        select(Room).where(Room.office_id == office_id, Room.active.is_(True)).order_by(Room.name)
    ).all()
    devices = office_devices(session, office_id)
    pks = [d.id for d in devices]
    latest = latest_completed_tests(session, pks)
    passed = _devices_with_test(
        session,
        pks,
        AlarmTest.week_start == week.week_start,
        AlarmTest.result == TestResult.PASS,
    )
    in_progress = _devices_with_test(session, pks, AlarmTest.result == TestResult.PENDING)
    room_names = {r.id: r.name for r in rooms}
    by_device: list[ButtonReadiness] = []
    for device in devices:
        assert device.room_id is not None  # joined on room
        last = latest.get(device.id)
        online = is_online(device, now, config.devices.offline_after_s)
        # A pass this week counts only if nothing later failed: the latest result decides.
        passed_now = device.id in passed and last is not None and last.result is TestResult.PASS
        by_device.append(
            ButtonReadiness(
                device_pk=device.id,
                device_id=device.device_id,
                label=device.label,
                room_id=device.room_id,
                room_name=room_names.get(device.room_id, "?"),
                status=classify(
                    online=online,
                    last_result=last.result if last else None,
                    passed_this_week=passed_now,
                    week=week,
                    now=now,
                ),
                online=online,
                passed_this_week=passed_now,
                test_in_progress=device.id in in_progress,
                last_result=last.result if last else None,
                last_fail_reason=last.fail_reason if last else None,
                last_tested_at=(last.completed_at or last.started_at) if last else None,
            )
        )
    room_list = []
    for room in rooms:
        mine = tuple(d for d in by_device if d.room_id == room.id)
        status = (
            max((d.status for d in mine), key=lambda s: s.severity) if mine else Readiness.NO_BUTTON
        )
        room_list.append(
            RoomReadiness(room_id=room.id, room_name=room.name, status=status, devices=mine)
        )
    return OfficeReadiness(
        office_id=office_id,
        week=week,
        now=now,
        devices=tuple(by_device),
        rooms=tuple(room_list),
    )


def room_readiness(
    session: Session, office_id: int, clock: Clock, config: Config
) -> dict[int, RoomReadiness]:
    """Room id -> readiness, for the reception room list and its room rule."""
    return {r.room_id: r for r in office_readiness(session, office_id, clock, config).rooms}
