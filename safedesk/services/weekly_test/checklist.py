"""This week's checklist: every enabled button, the state of its test, the counts, and the
header line that says OVERDUE, failed, late or being tested again."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from safedesk.clock import Clock
from safedesk.config import Config
from safedesk.models import AlarmTest, FailReason, Office, Staff, TestResult
from safedesk.plural import plural
from safedesk.services.buttons.readiness import (
    ButtonReadiness,
    OfficeReadiness,
    office_devices,
    office_readiness,
)
from safedesk.services.weekly_test.history import tested_at
from safedesk.services.weekly_test.test_week import TestWeek


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
