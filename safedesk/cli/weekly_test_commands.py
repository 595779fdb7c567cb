"""`safedesk tests status|export`: the weekly panic alarm test from the command line.

``status`` prints this week's checklist per office (what reception's header says, and every
button's state); ``export`` writes the year's record as CSV or as the printable PDF report.
"""

from __future__ import annotations

import argparse
import io
from pathlib import Path

from safedesk.cli.context import CliContext, CommandError
from safedesk.clock import SystemClock
from safedesk.plural import plural
from safedesk.services.weekly_test.checklist import Checklist, ItemState
from safedesk.services.weekly_test.desk import WeeklyTestDesk
from safedesk.services.weekly_test.export import YearRecord, write_csv
from safedesk.services.weekly_test.report import render_report
from safedesk.services.weekly_test.test_week import UnknownTimeZone


def _year(text: str) -> int:
    if not text.isdigit() or not 2000 <= int(text) <= 2999:
        raise argparse.ArgumentTypeError(f"expected a year such as 2026, got {text!r}")
    return int(text)


def register(sub: argparse._SubParsersAction) -> None:
    tests = sub.add_parser("tests", help="weekly panic alarm test: checklist status and export")
    tests_sub = tests.add_subparsers(dest="tests_command", metavar="ACTION", required=True)
    status = tests_sub.add_parser("status", help="this week's checklist for each office")
    status.add_argument("--office", metavar="NAME", help="only this office")
    status.set_defaults(func=_status)
    export = tests_sub.add_parser(
        "export", help="the year's test record as CSV or as a printable PDF report"
    )
    target = export.add_mutually_exclusive_group(required=True)
    target.add_argument("--csv", metavar="FILE", type=Path, help="write CSV to FILE")
    target.add_argument("--pdf", metavar="FILE", type=Path, help="write the PDF report to FILE")
    export.add_argument(
        "--year", type=_year, metavar="YYYY", help="calendar year of the test days (default: this)"
    )
    export.add_argument("--office", metavar="NAME", help="only this office (default: all)")
    export.set_defaults(func=_export)


def _office_ids(desk: WeeklyTestDesk, name: str | None) -> list[tuple[int, str]]:
    offices = desk.offices()
    if not offices:
        raise CommandError("no offices in the database yet (run `safedesk demo` to try SafeDesk)")
    if name is None:
        return offices
    chosen = [o for o in offices if o[1].casefold() == name.casefold()]
    if not chosen:
        known = ", ".join(n for _, n in offices)
        raise CommandError(f"unknown office {name!r} (offices: {known})")
    return chosen


_STATE_TEXT = {
    ItemState.NOT_TESTED: "not tested",
    ItemState.WINDOW_OPEN: "test window open",
    ItemState.AWAITING_RESULT: "pressed, result to record",
    ItemState.PASSED: "passed",
    ItemState.FAILED: "FAILED",
}


def format_checklist(checklist: Checklist) -> str:
    """The checklist as plain text, one button per line."""
    week = checklist.week
    lines = [
        f"{checklist.office_name}: {checklist.header_text}",
        f"  {week.label}; overdue from {week.overdue_from:%a %d %b %H:%M} UTC",
    ]
    for item in checklist.items:
        state = _STATE_TEXT[item.state]
        if item.state is ItemState.FAILED and item.fail_reason is not None:
            state += f" ({item.fail_reason.value.replace('_', ' ')})"
        if item.latency_ms is not None:
            state += f", {item.latency_ms:.0f} ms"
        if item.tester_name:
            state += f", by {item.tester_name}"
        flag = "  <-- " + item.readiness.summary if item.readiness.status.is_flagged else ""
        lines.append(f"  {item.room_name:<24} {item.readiness.device_id:<24} {state}{flag}")
    return "\n".join(lines)


def _status(ctx: CliContext, args: argparse.Namespace) -> int:
    db = ctx.open_database()
    try:
        desk = WeeklyTestDesk(db, SystemClock(), ctx.config)
        for office_id, _ in _office_ids(desk, args.office):
            try:
                print(format_checklist(desk.checklist(office_id)))
            except UnknownTimeZone as exc:
                raise CommandError(str(exc)) from None
    finally:
        db.dispose()
    return 0


def _records(desk: WeeklyTestDesk, args: argparse.Namespace) -> list[YearRecord]:
    try:
        return [desk.year_record(oid, args.year) for oid, _ in _office_ids(desk, args.office)]
    except UnknownTimeZone as exc:
        raise CommandError(str(exc)) from None


def _export(ctx: CliContext, args: argparse.Namespace) -> int:
    db = ctx.open_database()
    try:
        desk = WeeklyTestDesk(db, SystemClock(), ctx.config)
        records = _records(desk, args)
        target: Path = args.csv or args.pdf
        if args.csv:
            buffer = io.StringIO()
            rows = write_csv(records, buffer)
            data = buffer.getvalue().encode("utf-8-sig")  # BOM: Excel opens it as UTF-8
            summary = plural(rows, "row")
        else:
            data = render_report(records, desk.clock.now())
            summary = plural(len(records), "office")
        try:
            target.write_bytes(data)
        except OSError as exc:
            raise CommandError(f"cannot write {target}: {exc.strerror or exc}") from None
        year = records[0].view.year
        print(f"weekly alarm test record {year}: {summary} written to {target}")
    finally:
        db.dispose()
    return 0
