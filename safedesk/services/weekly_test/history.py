"""Weekly test history: per week, per device, and the year at a glance (gaps stand out).

Read-only views over ``alarm_tests`` for the checklist's history tab, the year view, the CSV
export and the audit report. Times stay UTC here; presentation converts to the office zone.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from safedesk.clock import Clock
from safedesk.config import Config, WeeklyTestConfig
from safedesk.models import AlarmTest, FailReason, Office, PanicDevice, Room, Staff, TestResult
from safedesk.plural import plural
from safedesk.services.buttons.readiness import office_devices
from safedesk.services.weekly_test.test_week import (
    TestWeek,
    week_containing,
    week_for_start,
    weeks_of_year,
)


@dataclass(frozen=True)
class TestRecord:
    """One weekly test as an auditor reads it."""

    __test__ = False  # not a pytest test class

    test_id: int
    week_start: date
    office_name: str
    room_name: str
    device_pk: int
    device_id: str
    device_label: str | None
    tester_name: str
    started_at: datetime
    window_ends_at: datetime
    pressed_at: datetime | None
    received_at: datetime | None
    latency_ms: float | None
    result: TestResult
    fail_reason: FailReason | None
    heard_on_responder: bool | None
    not_heard_screen: str | None
    notes: str | None
    completed_at: datetime | None
    # The week's deadline (first overdue instant) and whether this test was done after it.
    overdue_from: datetime | None = None

    @property
    def tested_at(self) -> datetime:
        """When the button was tested: its press, or the start when no press came."""
        return self.pressed_at or self.started_at

    @property
    def late(self) -> bool:
        """Done after the week's deadline: it counts, but the record says it was late."""
        return (
            self.overdue_from is not None
            and self.result is not TestResult.PENDING
            and self.tested_at >= self.overdue_from
        )

    @property
    def result_text(self) -> str:
        """Short verdict for tables: PASS, PASS (LATE), FAIL: no signal, IN PROGRESS."""
        if self.result is TestResult.PENDING:
            return "IN PROGRESS"
        late = " (LATE)" if self.late else ""
        if self.result is TestResult.PASS:
            return f"PASS{late}"
        reason = self.fail_reason.value.replace("_", " ") if self.fail_reason else "unspecified"
        return f"FAIL: {reason}{late}"


def tested_at(test: AlarmTest) -> datetime:
    """When a test row's button was tested: its press, or its start when no press came."""
    return test.pressed_at or test.started_at


def _records(
    session: Session, rows: Sequence[AlarmTest], weekly: WeeklyTestConfig
) -> list[TestRecord]:
    if not rows:
        return []
    device_pks = {r.device_pk for r in rows}
    devices = {
        d.id: d for d in session.scalars(select(PanicDevice).where(PanicDevice.id.in_(device_pks)))
    }
    room_ids = {d.room_id for d in devices.values() if d.room_id is not None}
    rooms = {r.id: r for r in session.scalars(select(Room).where(Room.id.in_(room_ids)))}
    offices = {o.id: o for o in session.scalars(select(Office))}
    weeks: dict[tuple[int, date], TestWeek] = {}
    staff_ids = {r.tester_id for r in rows}
    names = {s.id: s.name for s in session.scalars(select(Staff).where(Staff.id.in_(staff_ids)))}
    records = []
    for row in rows:
        device = devices[row.device_pk]
        room = rooms.get(device.room_id) if device.room_id is not None else None
        office = offices.get(row.office_id)
        week = None
        if office is not None:
            key = (office.id, row.week_start)
            if key not in weeks:
                weeks[key] = week_for_start(row.week_start, office.time_zone, weekly)
            week = weeks[key]
        records.append(
            TestRecord(
                test_id=row.id,
                week_start=row.week_start,
                office_name=office.name if office else "?",
                room_name=room.name if room else "(no room)",
                device_pk=device.id,
                device_id=device.device_id,
                device_label=device.label,
                tester_name=names.get(row.tester_id, f"staff #{row.tester_id}"),
                started_at=row.started_at,
                window_ends_at=row.window_ends_at,
                pressed_at=row.pressed_at,
                received_at=row.received_at,
                latency_ms=row.latency_ms,
                result=row.result,
                fail_reason=row.fail_reason,
                heard_on_responder=row.heard_on_responder,
                not_heard_screen=row.not_heard_screen,
                notes=row.notes,
                completed_at=row.completed_at,
                overdue_from=week.overdue_from if week else None,
            )
        )
    return records


def tests_for_week(
    session: Session,
    office_id: int,
    week_start: date,
    weekly: WeeklyTestConfig | None = None,
) -> list[TestRecord]:
    """Every test of one week in one office, in the order they were started."""
    rows = session.scalars(
        select(AlarmTest)
        .where(AlarmTest.office_id == office_id, AlarmTest.week_start == week_start)
        .order_by(AlarmTest.started_at, AlarmTest.id)
    ).all()
    return _records(session, rows, weekly or WeeklyTestConfig())


def tests_for_device(
    session: Session,
    device_pk: int,
    limit: int = 200,
    weekly: WeeklyTestConfig | None = None,
) -> list[TestRecord]:
    """A button's tests, newest first (its record for the maintenance contractor)."""
    rows = session.scalars(
        select(AlarmTest)
        .where(AlarmTest.device_pk == device_pk)
        .order_by(AlarmTest.started_at.desc(), AlarmTest.id.desc())
        .limit(limit)
    ).all()
    return _records(session, rows, weekly or WeeklyTestConfig())


def tests_between(
    session: Session,
    office_id: int,
    first_week: date,
    last_week: date,
    weekly: WeeklyTestConfig | None = None,
) -> list[TestRecord]:
    rows = session.scalars(
        select(AlarmTest)
        .where(
            AlarmTest.office_id == office_id,
            AlarmTest.week_start >= first_week,
            AlarmTest.week_start <= last_week,
        )
        .order_by(AlarmTest.week_start, AlarmTest.started_at, AlarmTest.id)
    ).all()
    return _records(session, rows, weekly or WeeklyTestConfig())


# --- the year view ----------------------------------------------------------------------------


class CellState(enum.StrEnum):
    PASS = "pass"
    FAIL = "fail"
    NOT_TESTED = "not_tested"  # a gap: the week is over (or past its deadline) with no test
    DUE = "due"  # this week, before the deadline, not yet tested (or a window open)
    FUTURE = "future"
    NOT_INSTALLED = "not_installed"  # the button was registered after that week


@dataclass(frozen=True)
class YearCell:
    state: CellState
    test_count: int = 0
    retested: bool = False  # failed first, then passed the same week
    fail_reason: FailReason | None = None
    late: bool = False  # the result that counts was tested after the week's deadline


@dataclass(frozen=True)
class YearRow:
    device_pk: int
    device_id: str
    room_name: str
    cells: tuple[YearCell, ...]

    @property
    def gaps(self) -> int:
        return sum(1 for c in self.cells if c.state is CellState.NOT_TESTED)

    @property
    def fails(self) -> int:
        return sum(1 for c in self.cells if c.state is CellState.FAIL)


@dataclass(frozen=True)
class YearView:
    office_id: int
    office_name: str
    year: int
    weeks: tuple[TestWeek, ...]
    rows: tuple[YearRow, ...]
    # The column of the week ``now`` falls in (None: the year shown is not this one).
    current: int | None = None

    @property
    def current_week(self) -> TestWeek | None:
        return self.weeks[self.current] if self.current is not None else None

    def week_summary(self, index: int) -> str:
        """One week in words: "Week of Mon 23 Nov 2026: 4 of 4 buttons passed"."""
        states = [
            r.cells[index].state
            for r in self.rows
            if r.cells[index].state is not CellState.NOT_INSTALLED
        ]
        passed = sum(1 for s in states if s is CellState.PASS)
        failed = sum(1 for s in states if s is CellState.FAIL)
        untested = sum(1 for s in states if s is CellState.NOT_TESTED)
        late = sum(1 for r in self.rows if r.cells[index].late)
        text = f"{self.weeks[index].label}: {passed} of {plural(len(states), 'button')} passed"
        if failed:
            text += f", {failed} failed"
        if untested:
            text += f", {untested} NOT TESTED"
        if late:
            text += f" ({late} late)"
        return text

    @property
    def gaps(self) -> int:
        return sum(r.gaps for r in self.rows)

    @property
    def fails(self) -> int:
        return sum(r.fails for r in self.rows)

    @property
    def weeks_elapsed(self) -> int:
        """Weeks whose outcome is known (over, or past the deadline)."""
        return sum(
            1
            for i in range(len(self.weeks))
            if any(r.cells[i].state not in (CellState.FUTURE, CellState.DUE) for r in self.rows)
        )

    @property
    def weeks_complete(self) -> int:
        """Weeks in which every installed button passed."""
        complete = 0
        for i in range(len(self.weeks)):
            states = [
                r.cells[i].state
                for r in self.rows
                if r.cells[i].state is not CellState.NOT_INSTALLED
            ]
            if states and all(s is CellState.PASS for s in states):
                complete += 1
        return complete


def _cell(
    week: TestWeek, now: datetime, registered_at: datetime, tests: list[AlarmTest]
) -> YearCell:
    done = [t for t in tests if t.result is not TestResult.PENDING]
    if done:
        last = done[-1]
        late = tested_at(last) >= week.overdue_from
        if last.result is TestResult.PASS:
            return YearCell(
                CellState.PASS,
                len(tests),
                retested=any(t.result is TestResult.FAIL for t in done),
                late=late,
            )
        return YearCell(CellState.FAIL, len(tests), fail_reason=last.fail_reason, late=late)
    if registered_at >= week.ends_at:
        return YearCell(CellState.NOT_INSTALLED)
    if now < week.starts_at:
        return YearCell(CellState.FUTURE)
    if now < week.ends_at and not week.is_overdue(now):
        return YearCell(CellState.DUE, len(tests))
    return YearCell(CellState.NOT_TESTED, len(tests))


def year_view(
    session: Session, office_id: int, year: int, clock: Clock, config: Config
) -> YearView:
    """52 (or 53) weeks x the office's buttons, each cell pass/fail/gap, as of ``clock.now()``."""
    office = session.get(Office, office_id)
    if office is None:
        raise LookupError(f"no office with id {office_id}")
    now = clock.now()
    weeks = weeks_of_year(year, office.time_zone, config.weekly_test)
    if not weeks:
        return YearView(office.id, office.name, year, (), ())
    rows = session.scalars(
        select(AlarmTest)
        .where(
            AlarmTest.office_id == office_id,
            AlarmTest.week_start >= weeks[0].week_start,
            AlarmTest.week_start <= weeks[-1].week_start,
        )
        .order_by(AlarmTest.id)
    ).all()
    by_key: dict[tuple[int, date], list[AlarmTest]] = {}
    for row in rows:
        by_key.setdefault((row.device_pk, row.week_start), []).append(row)
    tested_pks = {row.device_pk for row in rows}
    devices = [d for d in office_devices(session, office_id) if d.enabled or d.id in tested_pks]
    room_names = {
        r.id: r.name for r in session.scalars(select(Room).where(Room.office_id == office_id))
    }
    year_rows = []
    for device in devices:
        cells = tuple(
            _cell(week, now, device.registered_at, by_key.get((device.id, week.week_start), []))
            for week in weeks
        )
        year_rows.append(
            YearRow(
                device_pk=device.id,
                device_id=device.device_id,
                room_name=room_names.get(device.room_id or -1, "(no room)"),
                cells=cells,
            )
        )
    current = next((i for i, week in enumerate(weeks) if week.contains(now)), None)
    return YearView(office.id, office.name, year, tuple(weeks), tuple(year_rows), current)


def current_year(clock: Clock, zone_name: str, config: Config) -> int:
    """The year of this week's test day in the office (early January can still be last year's)."""
    return week_containing(clock.now(), zone_name, config.weekly_test).week_start.year
