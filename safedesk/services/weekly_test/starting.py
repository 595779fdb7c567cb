"""Starting weekly tests: one button's test window, or "Start all" for an office.

A button that is online gets a *test window* of ``weekly_test.window_s`` seconds (default 120):
an ``alarm_tests`` row with result ``pending``. A button that is offline cannot be tested: the
attempt is recorded at once as a fail with reason ``device_offline`` and the tester is told so.

Only one open test per button at a time: a database lock on the device row serialises two
starts, and a partial unique index (migration 0006) is the backstop on either database.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from safedesk.clock import Clock
from safedesk.config import Config
from safedesk.db.write_lock import take_sqlite_write_lock
from safedesk.models import AlarmTest, FailReason, Office, PanicDevice, Room, Staff, TestResult
from safedesk.plural import plural
from safedesk.services.buttons.device_status import is_online
from safedesk.services.buttons.readiness import office_devices
from safedesk.services.shared import audit
from safedesk.services.shared.actor import Actor
from safedesk.services.weekly_test.expiry import EXPIRY_GRACE_S, close_no_signal
from safedesk.services.weekly_test.refusals import TestHeld, WeeklyTestRefused, acting_staff
from safedesk.services.weekly_test.test_week import office_zone, week_containing


@dataclass(frozen=True)
class StartOutcome:
    """What happened when a test was started: a window opened, or an offline fail recorded."""

    device_pk: int
    room_name: str
    test_id: int
    window_ends_at: datetime | None  # None: the device was offline, no window opened
    offline: bool
    message: str


def _lock_devices(session: Session, device_pks: Sequence[int]) -> None:
    """Serialise test starts on these buttons until this transaction ends.

    PostgreSQL: row locks (in id order, so two "start all" cannot deadlock). SQLite: the
    database write lock, taken now, before anything is read, so the check below sees every
    committed start.
    """
    if not device_pks:
        return
    pks = sorted(device_pks)
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        session.execute(
            select(PanicDevice.id)
            .where(PanicDevice.id.in_(pks))
            .order_by(PanicDevice.id)
            .with_for_update()
        )
    else:
        take_sqlite_write_lock(session)


def _pending_test(session: Session, device_pk: int) -> AlarmTest | None:
    return session.scalars(
        select(AlarmTest).where(
            AlarmTest.device_pk == device_pk, AlarmTest.result == TestResult.PENDING
        )
    ).first()


def _holder(session: Session, test: AlarmTest) -> str:
    staff = session.get(Staff, test.tester_id)
    return staff.name if staff else f"staff #{test.tester_id}"


def _room_and_office(session: Session, device: PanicDevice) -> tuple[Room, Office]:
    room = session.get(Room, device.room_id) if device.room_id is not None else None
    if room is None:
        raise WeeklyTestRefused(
            f"Device {device.device_id} is not assigned to a room; assign it before testing"
        )
    office = session.get(Office, room.office_id)
    assert office is not None  # foreign key
    return room, office


def _describe_last_seen(device: PanicDevice, now: datetime, zone_name: str) -> str:
    if not device.enabled:
        return "it is disabled (out of service)"
    if device.last_seen_at is None:
        return "it has never been heard from"
    ago = int((now - device.last_seen_at).total_seconds())
    if ago < 120:
        return f"not heard from for {ago} s"
    if ago < 7200:
        return f"not heard from for {ago // 60} min"
    local = device.last_seen_at.astimezone(office_zone(zone_name))
    return f"not heard from since {local:%a %d %b %H:%M}"


def _start_locked(
    session: Session,
    device: PanicDevice,
    tester: Staff,
    actor: Actor,
    now: datetime,
    config: Config,
) -> StartOutcome:
    room, office = _room_and_office(session, device)
    existing = _pending_test(session, device.id)
    closed_before = now - timedelta(seconds=EXPIRY_GRACE_S)
    if (
        existing is not None
        and existing.pressed_at is None
        and existing.window_ends_at < closed_before
    ):
        # Its window closed unpressed and the timer has not caught up: close it now.
        close_no_signal(session, existing, now, actor)
        existing = None
    if existing is not None:
        if existing.tester_id == tester.id and existing.pressed_at is not None:
            raise WeeklyTestRefused(
                f"The button in {room.name} was pressed in your test: record that result first"
            )
        if existing.tester_id == tester.id:
            # A double click, or the same tester on a second screen: the window is theirs.
            return StartOutcome(
                device_pk=device.id,
                room_name=room.name,
                test_id=existing.id,
                window_ends_at=existing.window_ends_at,
                offline=False,
                message=f"Test window already open for {room.name}: press the button now.",
            )
        raise TestHeld(room.name, _holder(session, existing), existing.started_at, office.time_zone)
    week = week_containing(now, office.time_zone, config.weekly_test)
    test = AlarmTest(
        week_start=week.week_start,
        device_pk=device.id,
        office_id=office.id,
        tester_id=tester.id,
        started_at=now,
    )
    if is_online(device, now, config.devices.offline_after_s):
        test.window_ends_at = now + timedelta(seconds=config.weekly_test.window_s)
        test.result = TestResult.PENDING
        offline = False
        message = (
            f"Test window open for {room.name} ({config.weekly_test.window_s} s): "
            "press the panic button now."
        )
    else:
        why = _describe_last_seen(device, now, office.time_zone)
        test.window_ends_at = now
        test.result = TestResult.FAIL
        test.fail_reason = FailReason.DEVICE_OFFLINE
        test.completed_at = now
        test.notes = f"Device offline at test start: {why}."
        offline = True
        message = (
            f"The panic button in {room.name} is OFFLINE ({why}). Recorded as FAILED "
            "(device offline). Check its cable or power, then test it again."
        )
    try:
        # In a savepoint: a refused insert undoes only this button's start, never the windows
        # "Start all" opened before it in the same transaction (already reported as open).
        with session.begin_nested():
            session.add(test)
    except IntegrityError:
        # Another PC's start won the unique index between our check and insert.
        winner = _pending_test(session, device.id)
        if winner is None:
            raise
        raise TestHeld(
            room.name, _holder(session, winner), winner.started_at, office.time_zone
        ) from None
    audit.record(
        session,
        actor,
        "weekly_test.offline" if offline else "weekly_test.started",
        at=now,
        subject_type="alarm_test",
        subject_id=test.id,
        device_id=device.device_id,
        room=room.name,
        week_start=week.week_start.isoformat(),
    )
    return StartOutcome(
        device_pk=device.id,
        room_name=room.name,
        test_id=test.id,
        window_ends_at=None if offline else test.window_ends_at,
        offline=offline,
        message=message,
    )


def start_test(
    session: Session, device_pk: int, actor: Actor, clock: Clock, config: Config
) -> StartOutcome:
    """Open a test window for one button (or record an offline fail). Use a fresh session:
    on SQLite the lock must be the transaction's first statement."""
    _lock_devices(session, [device_pk])
    tester = acting_staff(session, actor, "Starting a weekly alarm test")
    device = session.get(PanicDevice, device_pk)
    if device is None:
        raise WeeklyTestRefused(f"No panic device with id {device_pk}")
    return _start_locked(session, device, tester, actor, clock.now(), config)


@dataclass(frozen=True)
class StartAllOutcome:
    started: tuple[StartOutcome, ...]
    refused: tuple[str, ...]  # one message per button someone else holds

    @property
    def message(self) -> str:
        opened = sum(1 for s in self.started if not s.offline)
        offline = [s.room_name for s in self.started if s.offline]
        # The press path arms one window at a time, lowest test id first (test_press_rule).
        waiting = sorted((s for s in self.started if not s.offline), key=lambda s: s.test_id)
        order = ", ".join(s.room_name for s in waiting)
        parts = [
            f"{plural(opened, 'test window')} open: press each button once, in this order: "
            f"{order}. "
            "A press out of turn, or a second press, is a real alarm."
        ]
        if offline:
            parts.append(f"OFFLINE, recorded as failed: {', '.join(offline)}.")
        parts.extend(self.refused)
        return " ".join(parts)


def start_all(
    session: Session, office_id: int, actor: Actor, clock: Clock, config: Config
) -> StartAllOutcome:
    """Start a test for every enabled button in the office not yet passed this week.

    Each window is ``window_s`` long, as for one button: a button in its window treats a press
    as a test, so windows are never stretched to cover a walk round the building.
    """
    now = clock.now()
    office = session.get(Office, office_id)
    if office is None:
        raise WeeklyTestRefused(f"No office with id {office_id}")
    devices = [d for d in office_devices(session, office_id) if d.enabled]
    _lock_devices(session, [d.id for d in devices])
    tester = acting_staff(session, actor, "Starting the weekly alarm test")
    week = week_containing(now, office.time_zone, config.weekly_test)
    passed = set(
        session.scalars(
            select(AlarmTest.device_pk).where(
                AlarmTest.office_id == office_id,
                AlarmTest.week_start == week.week_start,
                AlarmTest.result == TestResult.PASS,
            )
        ).all()
    )
    started: list[StartOutcome] = []
    refused: list[str] = []
    for device in devices:
        if device.id in passed:
            continue
        try:
            started.append(_start_locked(session, device, tester, actor, now, config))
        except TestHeld as exc:
            refused.append(str(exc))
    return StartAllOutcome(started=tuple(started), refused=tuple(refused))
