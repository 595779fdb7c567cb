"""`safedesk press ROOM` (the simulated panic button) and `safedesk incidents ...` for managers.

The simulated button goes through the same core call as a real one, so a newcomer can try the
whole alarm path from a terminal; a typo in the room name fails loudly with the known rooms.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from sqlalchemy import select

from safedesk.button_events import DeviceKind
from safedesk.cli.context import CliContext, CommandError
from safedesk.clock import SystemClock
from safedesk.db import Database
from safedesk.db.server_time import server_clock_for
from safedesk.models import AlarmOutcome, Office, Room
from safedesk.plural import plural
from safedesk.services.alarms.incidents import IncidentFilter, IncidentStatus
from safedesk.services.hub import Services
from safedesk.services.shared.actor import Actor

# An empty database has no rooms yet; say how to get the demo office.
EMPTY_HINT = (
    "(none yet: `safedesk --demo demo` seeds the demo office, then use `safedesk --demo press ...`)"
)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("press", help="press a simulated panic button in a room (raises an alarm)")
    p.add_argument("room", metavar="ROOM", help='room name, e.g. "Interview Room 1"')
    p.add_argument("--office", metavar="NAME", help="office name (when room names repeat)")
    p.set_defaults(func=_press)

    inc = sub.add_parser("incidents", help="incident records (list, CSV export)")
    inc_sub = inc.add_subparsers(dest="incidents_command", metavar="ACTION", required=True)
    for name, func, text in (
        ("list", _list, "list incidents"),
        ("export", _export, "export incidents as CSV"),
    ):
        q = inc_sub.add_parser(name, help=text)
        if name == "export":
            q.add_argument("file", metavar="FILE.csv", help="where to write (- for stdout)")
        q.add_argument("--office", metavar="NAME", help="only this office")
        q.add_argument("--from", dest="date_from", metavar="YYYY-MM-DD", help="raised on or after")
        q.add_argument("--to", dest="date_to", metavar="YYYY-MM-DD", help="raised on or before")
        q.add_argument(
            "--outcome", choices=[o.value for o in AlarmOutcome], help="only this outcome"
        )
        q.add_argument(
            "--status", choices=[s.value for s in IncidentStatus], help="only this status"
        )
        q.add_argument(
            "--needs-action",
            action="store_true",
            help="open, or awaiting debrief or follow-up (seed 004)",
        )
        q.set_defaults(func=func)
    fig = inc_sub.add_parser("figures", help="incidents per month by outcome (seed 004 report)")
    fig.add_argument("--year", type=int, required=True)
    fig.add_argument("--office", metavar="NAME", help="only this office")
    fig.set_defaults(func=_figures)


def _services(ctx: CliContext, db: Database) -> Services:
    # The database server's time decides (read with the press); this machine's is only reported.
    clock = server_clock_for(db, SystemClock())
    return Services.build(ctx.config, db, clock, ctx.config.workstation_name)


def _find_room(db: Database, room_name: str, office_name: str | None) -> tuple[Room, Office]:
    with db.session() as s:
        rows: list[tuple[Room, Office]] = [
            (room, office)
            for room, office in s.execute(
                select(Room, Office)
                .join(Office, Office.id == Room.office_id)
                .order_by(Office.name, Room.name)
            )
        ]
        if office_name:
            offices = {o.name.casefold(): o for _, o in rows}
            if office_name.casefold() not in offices:
                known = ", ".join(sorted({o.name for _, o in rows})) or EMPTY_HINT
                raise CommandError(f"unknown office {office_name!r}; known offices: {known}")
            rows = [(r, o) for r, o in rows if o.name.casefold() == office_name.casefold()]
        matches = [(r, o) for r, o in rows if r.name.casefold() == room_name.strip().casefold()]
        if not matches:
            known = "; ".join(f"{r.name} ({o.name})" for r, o in rows) or EMPTY_HINT
            raise CommandError(f"unknown room {room_name!r}; known rooms: {known}")
        if len(matches) > 1:
            where = ", ".join(o.name for _, o in matches)
            raise CommandError(
                f"room {room_name!r} exists in several offices ({where}): add --office"
            )
        return matches[0]


def _press(ctx: CliContext, args: argparse.Namespace) -> int:
    db = ctx.open_database()
    services = _services(ctx, db)
    try:
        room, office = _find_room(db, args.room, args.office)
        actor = Actor.system(ctx.config.workstation_name)
        receipt = services.alarms.press_room(room.id, source=DeviceKind.SIMULATED, actor=actor)
        view = services.alarms.alert(receipt.alarm_id)
        if receipt.is_test:
            print(
                f"Weekly test press recorded for {room.name}, {office.name} (alarm {receipt.alarm_id})"
            )
        elif receipt.created:
            print(f"ALARM {receipt.alarm_id} raised: {room.name}, {office.name} (simulated button)")
        else:
            print(
                f"Alarm {receipt.alarm_id} in {room.name} is already open: recorded as pressed "
                f"again ({view.press_count} presses)"
            )
    finally:
        services.close()
        db.dispose()
    return 0


def _filters(db: Database, args: argparse.Namespace) -> IncidentFilter:
    office_id = None
    if args.office:
        with db.session() as s:
            office = s.scalar(select(Office).where(Office.name == args.office))
            if office is None:
                known = ", ".join(s.scalars(select(Office.name).order_by(Office.name)))
                raise CommandError(f"unknown office {args.office!r}; known offices: {known}")
            office_id = office.id
    return IncidentFilter(
        office_id=office_id,
        date_from=_date(args.date_from, "--from"),
        date_to=_date(args.date_to, "--to"),
        outcome=AlarmOutcome(args.outcome) if args.outcome else None,
        status=IncidentStatus(args.status) if args.status else None,
        needs_action=args.needs_action,
    )


def _date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{option}: not a date YYYY-MM-DD: {value!r}") from None


def _list(ctx: CliContext, args: argparse.Namespace) -> int:
    db = ctx.open_database()
    services = _services(ctx, db)
    try:
        rows = services.incidents.list(_filters(db, args))
        for r in rows:
            outcome = r.outcome.value if r.outcome else "-"
            print(
                f"{r.alarm_id:>6}  {r.raised_at:%Y-%m-%d %H:%M}  {r.office} / {r.room}  "
                f"{outcome}  {r.status.value}"
            )
        print(plural(len(rows), "incident"))
    finally:
        services.close()
        db.dispose()
    return 0


def _figures(ctx: CliContext, args: argparse.Namespace) -> int:
    db = ctx.open_database()
    services = _services(ctx, db)
    try:
        office_id = None
        if args.office:
            with db.session() as s:
                office = s.scalar(select(Office).where(Office.name == args.office))
                if office is None:
                    raise CommandError(f"unknown office {args.office!r}")
                office_id = office.id
        figures = services.incidents.monthly_figures(args.year, office_id)
        for f in figures:
            kinds = ", ".join(f"{k.replace('_', ' ')} {n}" for k, n in sorted(f.by_outcome.items()))
            print(
                f"{f.month}  {f.office}: {plural(f.total, 'incident')} ({kinds}); "
                f"escalated {f.escalated}; "
                f"awaiting debrief/follow-up {f.awaiting_follow_up}"
            )
        if not figures:
            print(f"no incidents in {args.year}")
    finally:
        services.close()
        db.dispose()
    return 0


def _export(ctx: CliContext, args: argparse.Namespace) -> int:
    db = ctx.open_database()
    services = _services(ctx, db)
    try:
        filters = _filters(db, args)
        if args.file == "-":
            count = services.incidents.export_csv(sys.stdout, filters)
        else:
            path = Path(args.file)
            if not path.parent.exists():
                raise CommandError(f"folder {path.parent} does not exist")
            # Write beside, then replace: a failed export never leaves half a file.
            tmp = path.with_name(path.name + ".part")
            try:
                with tmp.open("w", encoding="utf-8-sig", newline="") as out:
                    count = services.incidents.export_csv(out, filters)
                tmp.replace(path)
            except OSError as exc:
                raise CommandError(f"cannot write {path}: {exc.strerror}") from None
            print(f"{plural(count, 'incident')} written to {path}")
    finally:
        services.close()
        db.dispose()
    return 0
