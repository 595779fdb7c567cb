"""CSV export of the weekly test record: every test, and a "not_tested" row for every gap.

An auditor asks "was every button tested every week?", so weeks with no test for a button are
rows too, not silence. Times are in the office's local time with their UTC offset (ISO 8601).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TextIO
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from safedesk.clock import Clock
from safedesk.config import Config
from safedesk.models import Office
from safedesk.services.shared.csv_export import SafeDictWriter
from safedesk.services.weekly_test.history import (
    CellState,
    TestRecord,
    YearView,
    tests_between,
    year_view,
)
from safedesk.services.weekly_test.test_week import TestWeek, office_zone

COLUMNS = (
    "office",
    "week_start",
    "room",
    "device_id",
    "device_label",
    "result",
    "fail_reason",
    "tester",
    "started_at",
    "pressed_at",
    "received_at",
    "latency_ms",
    "heard_on_responder",
    "not_heard_screen",
    "notes",
    "completed_at",
    "test_id",
    "late",  # "yes": tested after the week's deadline
)


@dataclass(frozen=True)
class Gap:
    """A button-week with no test at all: a row of its own in every export, never silence."""

    week: TestWeek
    room_name: str
    device_id: str


@dataclass(frozen=True)
class YearRecord:
    """One office's year: the grid (for gaps and the PDF) and every test in it."""

    view: YearView
    tests: tuple[TestRecord, ...]
    zone: str

    def gaps(self) -> list[Gap]:
        """Every untested button-week (a week over, or past its deadline, with no test)."""
        found = []
        for row in self.view.rows:
            for week, cell in zip(self.view.weeks, row.cells, strict=True):
                if cell.state is CellState.NOT_TESTED and cell.test_count == 0:
                    found.append(Gap(week, row.room_name, row.device_id))
        return found


def year_record(
    session: Session, office_id: int, year: int, clock: Clock, config: Config
) -> YearRecord:
    office = session.get(Office, office_id)
    if office is None:
        raise LookupError(f"no office with id {office_id}")
    view = year_view(session, office_id, year, clock, config)
    tests: list[TestRecord] = []
    if view.weeks:
        tests = tests_between(
            session,
            office_id,
            view.weeks[0].week_start,
            view.weeks[-1].week_start,
            config.weekly_test,
        )
    return YearRecord(view=view, tests=tuple(tests), zone=office.time_zone)


def _local(when: datetime | None, zone: ZoneInfo) -> str:
    return when.astimezone(zone).isoformat(timespec="seconds") if when else ""


def _safe(text: str | None) -> str:
    """Text cells that a spreadsheet would run as a formula are prefixed with a quote."""
    if not text:
        return ""
    return "'" + text if text[0] in "=+-@\t\r" else text


def csv_rows(record: YearRecord) -> list[dict[str, str]]:
    """Tests and gaps in week order, then room order; gaps say result=not_tested."""
    zone = office_zone(record.zone)
    view = record.view
    rows: list[tuple[str, str, int, dict[str, str]]] = []
    for test in record.tests:
        rows.append(
            (
                test.week_start.isoformat(),
                test.room_name,
                test.test_id,
                {
                    "office": view.office_name,
                    "week_start": test.week_start.isoformat(),
                    "room": test.room_name,
                    "device_id": test.device_id,
                    "device_label": _safe(test.device_label),
                    "result": test.result.value,
                    "fail_reason": test.fail_reason.value if test.fail_reason else "",
                    "tester": _safe(test.tester_name),
                    "started_at": _local(test.started_at, zone),
                    "pressed_at": _local(test.pressed_at, zone),
                    "received_at": _local(test.received_at, zone),
                    "latency_ms": f"{test.latency_ms:.0f}" if test.latency_ms is not None else "",
                    "heard_on_responder": {True: "yes", False: "no", None: ""}[
                        test.heard_on_responder
                    ],
                    "not_heard_screen": _safe(test.not_heard_screen),
                    "notes": _safe(test.notes),
                    "completed_at": _local(test.completed_at, zone),
                    "test_id": str(test.test_id),
                    "late": "yes" if test.late else "",
                },
            )
        )
    for gap in record.gaps():
        blank = dict.fromkeys(COLUMNS, "")
        blank.update(
            office=view.office_name,
            week_start=gap.week.week_start.isoformat(),
            room=gap.room_name,
            device_id=gap.device_id,
            result="not_tested",
        )
        rows.append((gap.week.week_start.isoformat(), gap.room_name, 0, blank))
    rows.sort(key=lambda r: (r[0], r[1], r[2]))
    return [r[3] for r in rows]


def write_csv(records: list[YearRecord], stream: TextIO) -> int:
    """Write the offices' years as one CSV (header first); returns the number of data rows."""
    # Office, room and device names are typed by people: never a formula in a spreadsheet.
    writer = SafeDictWriter(stream, COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    count = 0
    for record in records:
        for row in csv_rows(record):
            writer.writerow(row)
            count += 1
    return count
