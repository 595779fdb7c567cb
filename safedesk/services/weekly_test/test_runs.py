"""The weekly panic alarm test: checklist, test windows, results (seed 000: tested every week).

How a test runs:

1. A signed-in member of staff starts a test for one button (or all). The button gets a
   *test window* of ``weekly_test.window_s`` seconds (default 120): an ``alarm_tests`` row with
   result ``pending``. A button that is offline cannot be tested: the attempt is recorded at
   once as a fail with reason ``device_offline`` and the tester is told so.
2. The tester presses the button. The alarm path (``services/alarms.py``) sees the open window
   and records a TEST, not an alarm: it fills ``pressed_at``/``received_at``/``latency_ms`` on
   the row and responder screens show "TEST — <room>". A press from any button outside its own
   window is always a real alarm.
3. The tester records what happened: heard on a responder screen (or the screen that did not
   sound), did the button's LED change, notes. Pass needs a press, heard, LED changed.
4. ``expire_windows(now)`` (called from a timer) closes windows that saw no press: fail,
   reason ``no_signal``.

Only one open test per button at a time: a database lock on the device row serialises two
starts, and a partial unique index (migration 0006) is the backstop on either database.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from safedesk.clock import Clock
from safedesk.config import Config
from safedesk.db import Database
from safedesk.models import (
    AlarmTest,
    FailReason,
    Office,
    PanicDevice,
    Room,
    Staff,
    TestResult,
    Workstation,
)
from safedesk.plural import plural
from safedesk.services.buttons.device_status import is_online
from safedesk.services.buttons.readiness import (
    ButtonReadiness,
    OfficeReadiness,
    office_devices,
    office_readiness,
)
from safedesk.services.shared import audit
from safedesk.services.shared.actor import Actor
from safedesk.services.weekly_test.export import YearRecord, year_record
from safedesk.services.weekly_test.history import (
    TestRecord,
    current_year,
    tested_at,
    tests_for_device,
    tests_for_week,
)
from safedesk.services.weekly_test.screens import OfficeScreens, office_screens
from safedesk.services.weekly_test.test_week import TestWeek, office_zone, week_containing

log = logging.getLogger(__name__)

# A window is closed as "no signal" this long after it ends, so a press received in the last
# second (its transaction still committing) is never beaten to the row by the timer.
EXPIRY_GRACE_S = 5


class WeeklyTestRefused(Exception):
    """The test action cannot be done; the message is written for the person at the screen."""


class TestHeld(WeeklyTestRefused):
    """Someone else already holds this button's test."""

    __test__ = False  # not a pytest test class

    def __init__(
        self, room_name: str, holder_name: str, started_at: datetime, zone_name: str = "UTC"
    ) -> None:
        self.room_name = room_name
        self.holder_name = holder_name
        self.started_at = started_at
        local = started_at.astimezone(office_zone(zone_name))
        super().__init__(
            f"The button in {room_name} is already being tested by {holder_name} "
            f"(started {local:%H:%M:%S}). Wait for their result."
        )


@dataclass(frozen=True)
class StartOutcome:
    """What happened when a test was started: a window opened, or an offline fail recorded."""

    device_pk: int
    room_name: str
    test_id: int
    window_ends_at: datetime | None  # None: the device was offline, no window opened
    offline: bool
    message: str


class ItemState(enum.StrEnum):
    NOT_TESTED = "not_tested"
    WINDOW_OPEN = "window_open"  # waiting for the press
    AWAITING_RESULT = "awaiting_result"  # press received, tester still to record the result
    PASSED = "passed"
    FAILED = "failed"


@dataclass(frozen=True)
class ChecklistItem:
    """One button on the checklist: its readiness and this week's test, if any."""

    readiness: ButtonReadiness
    state: ItemState
    test_id: int | None
    tester_name: str | None
    window_ends_at: datetime | None
    latency_ms: float | None
    fail_reason: FailReason | None
    notes: str | None
    # Tested after the week's deadline (the result counts, and the record says it was late).
    late: bool = False
    # This week's result before the test now running (a re-test): PASSED, FAILED or None.
    earlier: ItemState | None = None

    @property
    def counted(self) -> ItemState:
        """The state the week's counts use: a button being re-tested keeps its earlier result
        until the new one is recorded, so starting a re-test never makes the week OVERDUE."""
        if self.state in (ItemState.WINDOW_OPEN, ItemState.AWAITING_RESULT) and self.earlier:
            return self.earlier
        return self.state

    @property
    def retesting(self) -> bool:
        return self.counted is not self.state

    @property
    def device_pk(self) -> int:
        return self.readiness.device_pk

    @property
    def room_name(self) -> str:
        return self.readiness.room_name

    def seconds_left(self, now: datetime) -> float:
        """Seconds until the test window closes (0 when closed or none open)."""
        if self.state is not ItemState.WINDOW_OPEN or self.window_ends_at is None:
            return 0.0
        return max(0.0, (self.window_ends_at - now).total_seconds())


@dataclass(frozen=True)
class Checklist:
    office_id: int
    office_name: str
    week: TestWeek
    now: datetime
    items: tuple[ChecklistItem, ...]

    @property
    def total(self) -> int:
        return len(self.items)

    @property
    def tested(self) -> int:
        return sum(1 for i in self.items if i.counted in (ItemState.PASSED, ItemState.FAILED))

    @property
    def passed(self) -> int:
        return sum(1 for i in self.items if i.counted is ItemState.PASSED)

    @property
    def failed(self) -> int:
        return sum(1 for i in self.items if i.counted is ItemState.FAILED)

    @property
    def late(self) -> int:
        """Buttons whose result this week was tested after the deadline."""
        return sum(1 for i in self.items if i.late and not i.retesting)

    @property
    def retesting(self) -> int:
        return sum(1 for i in self.items if i.retesting)

    @property
    def all_tested(self) -> bool:
        return self.tested == self.total

    @property
    def overdue(self) -> bool:
        """Past the deadline with buttons untested: the header turns into a warning."""
        return not self.all_tested and self.week.is_overdue(self.now)

    @property
    def header_text(self) -> str:
        """The line reception and responder screens show until every button is tested."""
        if self.total == 0:
            return "Weekly alarm test: no panic buttons registered"
        if self.all_tested:
            text = (
                "Weekly alarm test: the button tested"
                if self.total == 1
                else f"Weekly alarm test: all {self.total} buttons tested"
            )
        else:
            prefix = "Weekly alarm test OVERDUE" if self.overdue else "Weekly alarm test"
            text = f"{prefix}: {self.tested} of {plural(self.total, 'button')} tested"
        if self.failed:
            text += f", {self.failed} failed"
        if self.late:
            text += f", {self.late} late"
        if self.retesting:
            text += f", {self.retesting} being tested again"
        return text


# --- starting tests ---------------------------------------------------------------------------


def _acting_staff(session: Session, actor: Actor, doing: str) -> Staff:
    if actor.staff_id is None:
        raise WeeklyTestRefused(f"{doing} needs a signed-in member of staff")
    staff = session.get(Staff, actor.staff_id)
    if staff is None or not staff.active:
        raise WeeklyTestRefused(f"{doing}: the account {actor.login!r} is not active")
    return staff


def _lock_devices(session: Session, device_pks: Sequence[int]) -> None:
    """Serialise test starts on these buttons until this transaction ends.

    PostgreSQL: row locks (in id order, so two "start all" cannot deadlock). SQLite: a no-op
    write takes the database write lock now, before anything is read, so the check below sees
    every committed start.
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
        session.execute(
            update(PanicDevice)
            .where(PanicDevice.id.in_(pks))
            .values(id=PanicDevice.id)
            .execution_options(synchronize_session=False)
        )


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
        _close_no_signal(session, existing, now, actor)
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
    session.add(test)
    try:
        session.flush()
    except IntegrityError:
        # Another PC's start won the unique index between our check and insert.
        session.rollback()
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
    tester = _acting_staff(session, actor, "Starting a weekly alarm test")
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
    tester = _acting_staff(session, actor, "Starting the weekly alarm test")
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


# --- closing windows and recording results ----------------------------------------------------


def _close_no_signal(session: Session, test: AlarmTest, now: datetime, actor: Actor) -> bool:
    """Fail an unpressed test with no_signal, unless a press got there first. True if closed."""
    result = session.execute(
        update(AlarmTest)
        .where(
            AlarmTest.id == test.id,
            AlarmTest.result == TestResult.PENDING,
            AlarmTest.pressed_at.is_(None),
        )
        .values(result=TestResult.FAIL, fail_reason=FailReason.NO_SIGNAL, completed_at=now)
        .execution_options(synchronize_session=False)
    )
    if getattr(result, "rowcount", 0) != 1:
        return False
    audit.record(
        session,
        actor,
        "weekly_test.no_signal",
        at=now,
        subject_type="alarm_test",
        subject_id=test.id,
        device_pk=test.device_pk,
    )
    log.warning("weekly test %s: no signal from device %s", test.id, test.device_pk)
    session.expire(test)
    return True


def expire_windows(session: Session, now: datetime, actor: Actor | None = None) -> list[int]:
    """Close test windows that ended with no press: fail, reason ``no_signal``. Returns test ids.

    The update re-checks "still pending, still no press" row by row, so a press committed
    meanwhile (PostgreSQL waits for its row lock) keeps its test.
    """
    actor = actor or Actor.system()
    cutoff = now - timedelta(seconds=EXPIRY_GRACE_S)
    candidates = session.scalars(
        select(AlarmTest).where(
            AlarmTest.result == TestResult.PENDING,
            AlarmTest.pressed_at.is_(None),
            AlarmTest.window_ends_at < cutoff,
        )
    ).all()
    expired = [test.id for test in candidates if _close_no_signal(session, test, now, actor)]
    session.expire_all()
    return expired


def record_result(
    session: Session,
    test_id: int,
    actor: Actor,
    now: datetime,
    *,
    heard_on_responder: bool | None,
    not_heard_screen: str | None = None,
    led_changed: bool = True,
    fail_reason: FailReason | None = None,
    notes: str | None = None,
) -> AlarmTest:
    """Record the tester's findings; the verdict follows from them.

    - no press received -> fail, no_signal (whatever else was ticked)
    - not heard on a responder screen -> fail, not_heard (the silent screen must be named)
    - LED did not change -> fail, led_unchanged
    - ``fail_reason`` given (e.g. OTHER with notes) -> fail with that reason
    - otherwise pass.
    """
    if session.get_bind().dialect.name != "postgresql":
        # SQLite: take the write lock before reading, so two results cannot both see "pending".
        session.execute(
            update(AlarmTest)
            .where(AlarmTest.id == test_id)
            .values(id=AlarmTest.id)
            .execution_options(synchronize_session=False)
        )
    tester = _acting_staff(session, actor, "Recording a weekly alarm test result")
    test = session.get(AlarmTest, test_id, with_for_update=True, populate_existing=True)
    if test is None:
        raise WeeklyTestRefused(f"No weekly test with id {test_id}")
    if test.result is not TestResult.PENDING:
        raise WeeklyTestRefused(
            f"This test already has a result ({test.result.value}"
            + (f", {test.fail_reason.value.replace('_', ' ')}" if test.fail_reason else "")
            + "). Start a new test to test the button again."
        )
    notes = (notes or "").strip() or None
    screen = (not_heard_screen or "").strip() or None
    pressed = test.pressed_at is not None
    if pressed and heard_on_responder is None and fail_reason is None:
        raise WeeklyTestRefused(
            "Tick 'heard on a responder screen', or name the screen that did not sound"
        )
    if pressed and heard_on_responder is False and screen is None:
        raise WeeklyTestRefused("Name the responder screen that did not sound")
    if pressed and heard_on_responder is True and fail_reason is None:
        screens = office_screens(session, test.office_id, now, this_pc=actor.workstation)
        if screens.none_can_sound:
            raise WeeklyTestRefused(screens.refusal())
    if fail_reason is FailReason.OTHER and notes is None:
        raise WeeklyTestRefused("Say what went wrong in the notes")
    if fail_reason is FailReason.DEVICE_OFFLINE:
        raise WeeklyTestRefused("'Device offline' is recorded by SafeDesk when a test starts")
    if not pressed and test.window_ends_at > now and fail_reason is None:
        raise WeeklyTestRefused(
            "No press received from this button yet: press it while the window is open, "
            "or record a fail"
        )

    reason: FailReason | None
    if not pressed:
        reason = FailReason.NO_SIGNAL
    elif fail_reason is not None:
        reason = fail_reason
    elif heard_on_responder is False:
        reason = FailReason.NOT_HEARD
    elif not led_changed:
        reason = FailReason.LED_UNCHANGED
    else:
        reason = None
    test.result = TestResult.PASS if reason is None else TestResult.FAIL
    test.fail_reason = reason
    test.heard_on_responder = heard_on_responder if pressed else None
    test.not_heard_screen = screen if heard_on_responder is False else None
    test.notes = "\n".join(n for n in (test.notes, notes) if n) or None
    test.completed_at = now
    if test.tester_id != tester.id:
        test.notes = "\n".join(n for n in (test.notes, f"Result recorded by {tester.name}.") if n)
    audit.record(
        session,
        actor,
        "weekly_test.result",
        at=now,
        subject_type="alarm_test",
        subject_id=test.id,
        result=test.result.value,
        fail_reason=reason.value if reason else None,
        latency_ms=test.latency_ms,
    )
    session.flush()
    return test


# --- the checklist ----------------------------------------------------------------------------


def _done_state(test: AlarmTest | None) -> ItemState | None:
    if test is None or test.result is TestResult.PENDING:
        return None
    return ItemState.PASSED if test.result is TestResult.PASS else ItemState.FAILED


def _item_for(
    readiness: ButtonReadiness,
    test: AlarmTest | None,
    names: dict[int, str],
    week: TestWeek,
    earlier: AlarmTest | None = None,
) -> ChecklistItem:
    if test is None:
        state = ItemState.NOT_TESTED
    elif test.result is TestResult.PASS:
        state = ItemState.PASSED
    elif test.result is TestResult.FAIL:
        state = ItemState.FAILED
    elif test.pressed_at is not None:
        state = ItemState.AWAITING_RESULT
    else:
        state = ItemState.WINDOW_OPEN
    return ChecklistItem(
        readiness=readiness,
        state=state,
        test_id=test.id if test else None,
        tester_name=names.get(test.tester_id) if test else None,
        window_ends_at=test.window_ends_at if test else None,
        latency_ms=test.latency_ms if test else None,
        fail_reason=test.fail_reason if test else None,
        notes=test.notes if test else None,
        late=(
            test is not None
            and test.result is not TestResult.PENDING
            and test.week_start == week.week_start
            and tested_at(test) >= week.overdue_from
        ),
        earlier=_done_state(earlier),
    )


def checklist_from(session: Session, readiness: OfficeReadiness) -> Checklist:
    office = session.get(Office, readiness.office_id)
    assert office is not None
    pks = [d.device_pk for d in readiness.devices]
    # This week's latest test per button, plus any test still open from an earlier week.
    rows = (
        session.scalars(
            select(AlarmTest)
            .where(
                AlarmTest.device_pk.in_(pks),
                (AlarmTest.week_start == readiness.week.week_start)
                | (AlarmTest.result == TestResult.PENDING),
            )
            .order_by(AlarmTest.id)
        ).all()
        if pks
        else []
    )
    latest: dict[int, AlarmTest] = {}
    earlier: dict[int, AlarmTest] = {}  # this week's last finished test, under a re-test
    for row in rows:
        previous = latest.get(row.device_pk)
        if (
            previous is not None
            and previous.result is not TestResult.PENDING
            and previous.week_start == readiness.week.week_start
        ):
            earlier[row.device_pk] = previous
        latest[row.device_pk] = row
    tester_ids = {r.tester_id for r in latest.values()}
    names: dict[int, str] = {}
    if tester_ids:
        for staff_id, staff_name in session.execute(
            select(Staff.id, Staff.name).where(Staff.id.in_(tester_ids))
        ):
            names[staff_id] = staff_name
    devices = {d.id: d for d in office_devices(session, readiness.office_id)}
    items = tuple(
        _item_for(r, latest.get(r.device_pk), names, readiness.week, earlier.get(r.device_pk))
        for r in readiness.devices
        if devices[r.device_pk].enabled
    )
    return Checklist(
        office_id=office.id,
        office_name=office.name,
        week=readiness.week,
        now=readiness.now,
        items=items,
    )


def checklist(session: Session, office_id: int, clock: Clock, config: Config) -> Checklist:
    """This week's checklist for an office: every enabled button, its state and the counts."""
    return checklist_from(session, office_readiness(session, office_id, clock, config))


# --- one object for screens and commands ------------------------------------------------------


class WeeklyTestDesk:
    """The weekly test services with their own transactions, for widgets and CLI commands.

    Each call is one transaction; widgets hold this object and never open sessions themselves.
    """

    def __init__(self, db: Database, clock: Clock, config: Config) -> None:
        self.db = db
        self.clock = clock
        self.config = config

    def offices(self) -> list[tuple[int, str]]:
        with self.db.session() as s:
            return [(o.id, o.name) for o in s.scalars(select(Office).order_by(Office.name))]

    def office_named(self, name: str) -> int | None:
        with self.db.session() as s:
            return s.scalar(select(Office.id).where(Office.name == name))

    def checklist(self, office_id: int) -> Checklist:
        with self.db.session() as s:
            return checklist(s, office_id, self.clock, self.config)

    def readiness(self, office_id: int) -> OfficeReadiness:
        with self.db.session() as s:
            return office_readiness(s, office_id, self.clock, self.config)

    def start(self, device_pk: int, actor: Actor) -> StartOutcome:
        with self.db.session() as s:
            return start_test(s, device_pk, actor, self.clock, self.config)

    def start_all(self, office_id: int, actor: Actor) -> StartAllOutcome:
        with self.db.session() as s:
            return start_all(s, office_id, actor, self.clock, self.config)

    def record(
        self,
        test_id: int,
        actor: Actor,
        *,
        heard_on_responder: bool | None,
        not_heard_screen: str | None = None,
        led_changed: bool = True,
        fail_reason: FailReason | None = None,
        notes: str | None = None,
    ) -> TestResult:
        with self.db.session() as s:
            test = record_result(
                s,
                test_id,
                actor,
                self.clock.now(),
                heard_on_responder=heard_on_responder,
                not_heard_screen=not_heard_screen,
                led_changed=led_changed,
                fail_reason=fail_reason,
                notes=notes,
            )
            return test.result

    def year_record(self, office_id: int, year: int | None = None) -> YearRecord:
        """The year's grid and tests (default: the year of this week's test day)."""
        with self.db.session() as s:
            office = s.get(Office, office_id)
            if office is None:
                raise WeeklyTestRefused(f"No office with id {office_id}")
            year = year or current_year(self.clock, office.time_zone, self.config)
            return year_record(s, office_id, year, self.clock, self.config)

    def current_year(self, office_id: int) -> int:
        """The year whose grid holds this week (early January can still be last year's)."""
        with self.db.session() as s:
            office = s.get(Office, office_id)
            if office is None:
                raise WeeklyTestRefused(f"No office with id {office_id}")
            return current_year(self.clock, office.time_zone, self.config)

    def week_history(self, office_id: int, week_start: date) -> list[TestRecord]:
        with self.db.session() as s:
            return tests_for_week(s, office_id, week_start, self.config.weekly_test)

    def device_history(self, device_pk: int) -> list[TestRecord]:
        with self.db.session() as s:
            return tests_for_device(s, device_pk, weekly=self.config.weekly_test)

    def screens(self, office_id: int, this_pc: str | None = None) -> OfficeScreens:
        """The office's running screens by sound, so the result form can say what it knows."""
        with self.db.session() as s:
            return office_screens(s, office_id, self.clock.now(), this_pc=this_pc)

    def responder_screens(self, office_id: int) -> list[str]:
        """Names of the office's PCs, offered when the tester names a screen that was silent."""
        with self.db.session() as s:
            return list(
                s.scalars(
                    select(Workstation.name)
                    .where(Workstation.office_id == office_id)
                    .order_by(Workstation.name)
                )
            )

    def expire_windows(self) -> list[int]:
        with self.db.session() as s:
            return expire_windows(s, self.clock.now())
