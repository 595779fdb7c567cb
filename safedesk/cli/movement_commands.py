"""`safedesk out`, `safedesk back`, `safedesk diary`: the movements diary from the command line.

``out`` logs a visit after the same marker check the screen shows (and refuses until the markers
are acknowledged with ``--acknowledge``, and a lone "visits in pairs" visit without a second
officer or a manager's override); ``back`` reports back, by phone for someone else with
``--phoned``, or extends the return; ``diary`` prints the office's board, or with ``--history``,
``--csv``, ``--figures`` and ``--pairs`` the records (each look at others' entries is audited).
Passwords are asked for, or read one per line from stdin (the recorder's, then the manager's).
"""

from __future__ import annotations

import argparse
import getpass
import re
import sys
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from safedesk.alarm_bus import make_bus
from safedesk.cli.context import CliContext, CommandError
from safedesk.cli.rota_command import _office as office_named
from safedesk.clock import SystemClock
from safedesk.db import Database
from safedesk.models import Staff
from safedesk.models.movements import CheckInMethod
from safedesk.services.alarms.incidents import IncidentError
from safedesk.services.movements.check_in import CheckInRefused
from safedesk.services.movements.desk import MovementsDesk
from safedesk.services.movements.entries import (
    PREVISIT_QUESTIONS,
    BoardRow,
    MarkersNotAcknowledged,
    VisitForm,
)
from safedesk.services.movements.marker_check import MarkerCheck
from safedesk.services.movements.pairs_rule import PairsRefused
from safedesk.services.movements.records import HistoryFilter
from safedesk.services.reception.room_choice import ManagerOverride, OverrideRefused
from safedesk.services.shared.actor import Actor
from safedesk.services.shared.refusals import InvalidInput, NotFound, PermissionRefused
from safedesk.services.staff.sign_in import SignInRefused, sign_in

EXIT_REFUSED = 1
_RELATIVE = re.compile(r"^\+(\d+)\s*(m|min|h)$")


def register(sub: argparse._SubParsersAction) -> None:
    out = sub.add_parser("out", help="log a visit out of the office in the movements diary")
    out.add_argument("--officer", metavar="LOGIN", help="who is going (default: --by)")
    out.add_argument("--by", metavar="LOGIN", help="who is recording it (default: --officer)")
    out.add_argument("--address", help="the address being visited (never a staff home address)")
    out.add_argument("--postcode", default="")
    who = out.add_mutually_exclusive_group()
    who.add_argument("--seeing", default="", metavar="NAME", help="who you are going to see")
    who.add_argument("--person-id", type=int, metavar="ID", help="the person's record")
    out.add_argument("--back", metavar="TIME", help="expected back: HH:MM, +90m, +2h")
    out.add_argument("--phone", default="", help="the number the office can reach you on")
    out.add_argument("--with", dest="second", metavar="LOGIN", help="the second officer")
    out.add_argument("--transport", default="")
    out.add_argument("--notes", default="")
    out.add_argument("--amber", action="store_true", help="amber visit: say going in / came out")
    for key, question in PREVISIT_QUESTIONS:
        out.add_argument(f"--{key.replace('_', '-')}", dest=key, metavar="TEXT", help=question)
    out.add_argument("--acknowledge", action="store_true", help="I have read the markers shown")
    out.add_argument("--manager", metavar="LOGIN", help="manager authorising a lone visit")
    out.add_argument("--override-reason", default="", metavar="TEXT")
    out.add_argument("--going-in", action="store_true", help="amber: I'm going in now")
    out.add_argument("--came-out", action="store_true", help="amber: I'm out of the address")
    out.add_argument("--office", metavar="NAME")
    out.set_defaults(func=_out)

    back = sub.add_parser("back", help="report back from a visit (or extend the return)")
    back.add_argument("--officer", metavar="LOGIN", help="whose visit (default: --by)")
    back.add_argument("--by", metavar="LOGIN", help="who is recording it (default: --officer)")
    back.add_argument("--phoned", action="store_true", help="they phoned in: safe")
    back.add_argument("--extend", metavar="TIME", help="new expected back: HH:MM, +30m")
    back.add_argument("--note", default="")
    back.set_defaults(func=_back)

    diary = sub.add_parser("diary", help="today's movements board, history, export, figures")
    diary.add_argument("--office", metavar="NAME", help="the office (default: this PC's)")
    diary.add_argument("--history", action="store_true", help="past entries (audited)")
    diary.add_argument("--officer", metavar="LOGIN", help="history of one officer")
    diary.add_argument("--address", default="", help="history at an address")
    diary.add_argument("--from", dest="date_from", type=date.fromisoformat, metavar="YYYY-MM-DD")
    diary.add_argument("--to", dest="date_to", type=date.fromisoformat, metavar="YYYY-MM-DD")
    diary.add_argument("--csv", type=Path, metavar="FILE", help="export the history as CSV")
    diary.add_argument("--figures", type=int, metavar="YYYY", help="overdue events per month")
    diary.add_argument("--pairs", action="store_true", help="markers asking for pairs, to flag")
    diary.add_argument("--flag", type=int, metavar="MARKER_ID", help="flag 'visits in pairs'")
    diary.add_argument("--by", metavar="LOGIN", help="who is looking (history, export, flag)")
    diary.set_defaults(func=_diary)


# --- helpers ------------------------------------------------------------------------------------


def _password(login: str) -> str:
    if sys.stdin.isatty():
        return getpass.getpass(f"Password for {login}: ")
    return sys.stdin.readline().rstrip("\r\n")


def _signed_in(ctx: CliContext, db: Database, login: str | None) -> Actor:
    if not login:
        raise CommandError("say who you are: --by LOGIN (or --officer LOGIN)")
    try:
        signed = sign_in(
            db,
            login,
            _password(login),
            workstation=ctx.config.workstation_name,
            now=SystemClock().now(),
        )
    except SignInRefused as exc:
        raise CommandError(str(exc)) from None
    return signed.actor


def _staff_id(desk: MovementsDesk, login: str | None) -> int | None:
    if not login:
        return None
    with desk.db.session() as s:
        found = s.scalar(select(Staff.id).where(func.lower(Staff.login) == login.lower()))
    if found is None:
        raise CommandError(f"no member of staff with login {login!r}")
    return found


def parse_when(text: str, now: datetime, time_zone: str) -> datetime:
    """'15:30' (today, office time), '2026-11-23 15:30', '+90m' or '+2h' -> aware UTC."""
    text = text.strip()
    relative = _RELATIVE.match(text)
    if relative:
        amount, unit = int(relative.group(1)), relative.group(2)
        return now + (timedelta(hours=amount) if unit == "h" else timedelta(minutes=amount))
    zone = ZoneInfo(time_zone)
    try:
        if len(text) <= 5:
            local = datetime.combine(now.astimezone(zone).date(), time.fromisoformat(text))
        else:
            local = datetime.fromisoformat(text)
    except ValueError:
        raise CommandError(f"not a time: {text!r} (use HH:MM, +90m or +2h)") from None
    return local.replace(tzinfo=zone).astimezone(UTC)


def _local(when: datetime | None, zone: ZoneInfo) -> str:
    return when.astimezone(zone).strftime("%H:%M") if when is not None else ""


def print_check(check: MarkerCheck) -> None:
    if not check.flagged:
        print("No markers found for the person or anyone recorded at this address.")
        return
    print(f"MARKERS at or near {check.address}:")
    for person in check.flagged:
        pairs = "  [VISITS IN PAIRS]" if person.visits_in_pairs else ""
        print(f"  {person.name}, {person.address or 'no address'} ({person.why}){pairs}")
        for line in person.instructions:
            print(f"    - {line}")


def print_board(rows: list[BoardRow], zone: ZoneInfo) -> None:
    if not rows:
        print("Nobody is out: the diary is empty today.")
        return
    for r in rows:
        with_ = f" with {r.second_officer_name}" if r.second_officer_name else ""
        state = r.state.value.upper()
        if r.returned_at is not None:
            when = f"back {_local(r.returned_at, zone)} ({r.back_how})"
        else:
            when = f"left {_local(r.leaving_at, zone)}, due back {_local(r.expected_back_at, zone)}"
        print(
            f"{state:8} {r.officer_name}{with_}: {r.address}"
            + (f", seeing {r.seeing}" if r.seeing else "")
            + f"; {when}; phone {r.phone}"
        )


# --- commands -----------------------------------------------------------------------------------


def _desk(ctx: CliContext, db: Database) -> MovementsDesk:
    clock = SystemClock()
    return MovementsDesk(
        db, make_bus(db, clock, ctx.config.alarm), clock, ctx.config, ctx.config.workstation_name
    )


def _out(ctx: CliContext, args: argparse.Namespace) -> int:
    db = ctx.open_database()
    desk = _desk(ctx, db)
    try:
        office = office_named(db, ctx, args.office)
        recorder = args.by or args.officer
        actor = _signed_in(ctx, db, recorder)
        officer_id = _staff_id(desk, args.officer) or actor.staff_id
        if args.going_in or args.came_out:
            entry = desk.open_entry_id(officer_id or -1)
            if entry is None:
                raise CommandError("not out on a visit in the diary")
            (desk.going_in if args.going_in else desk.came_out)(actor, entry)
            print("Recorded: " + ("going in." if args.going_in else "out of the address."))
            return 0
        if not args.address or not args.back:
            raise CommandError("give --address and --back (and --phone) to log a visit")
        check = desk.check(
            address=args.address,
            postcode=args.postcode,
            person_id=args.person_id,
            person_name=args.seeing,
        )
        print_check(check)
        if check.flagged and not args.acknowledge:
            print("Read the markers above, then run again with --acknowledge.", file=sys.stderr)
            return EXIT_REFUSED
        override: ManagerOverride | None = None
        if args.manager:
            override = desk.authorise_lone_visit(
                args.manager, _password(args.manager), args.override_reason
            )
        now = desk.clock.now()
        form = VisitForm(
            office_id=office.id,
            officer_id=officer_id,
            address=args.address,
            postcode=args.postcode,
            person_id=args.person_id,
            person_name=args.seeing,
            expected_back_at=parse_when(args.back, now, office.time_zone),
            phone=args.phone,
            transport=args.transport,
            second_officer_id=_staff_id(desk, args.second),
            notes=args.notes,
            amber=args.amber,
            answers={k: getattr(args, k) or "" for k, _ in PREVISIT_QUESTIONS},
            acknowledged_marker_ids=check.marker_ids if args.acknowledge else (),
            pairs_override=override,
        )
        movement_id = desk.log_visit(actor, form)
        print(f"Logged: entry {movement_id}. Report back with `safedesk back`.")
        return 0
    except InvalidInput as exc:
        for problem in exc.problems:
            print(
                f"safedesk: --{problem.field.replace('answers.', '')}: {problem.message}",
                file=sys.stderr,
            )
        return EXIT_REFUSED
    except (PairsRefused, MarkersNotAcknowledged, OverrideRefused, CheckInRefused) as exc:
        raise CommandError(str(exc), EXIT_REFUSED) from None
    finally:
        desk.bus.close()
        db.dispose()


def _back(ctx: CliContext, args: argparse.Namespace) -> int:
    db = ctx.open_database()
    desk = _desk(ctx, db)
    try:
        actor = _signed_in(ctx, db, args.by or args.officer)
        officer_id = _staff_id(desk, args.officer) or actor.staff_id
        entry = desk.open_entry_id(officer_id or -1)
        if entry is None:
            raise CommandError("not out on a visit in the diary")
        if args.extend:
            office = office_named(db, ctx, None)
            desk.extend(
                actor, entry, parse_when(args.extend, desk.clock.now(), office.time_zone), args.note
            )
            print("Extended.")
            return 0
        method = CheckInMethod.PHONED if args.phoned else CheckInMethod.COMMAND
        desk.back(actor, entry, method=method, note=args.note)
        print("Reported back: safe." if not args.phoned else "Recorded: phoned in, safe.")
        return 0
    except CheckInRefused as exc:
        raise CommandError(str(exc), EXIT_REFUSED) from None
    finally:
        desk.bus.close()
        db.dispose()


def _diary(ctx: CliContext, args: argparse.Namespace) -> int:
    db = ctx.open_database()
    desk = _desk(ctx, db)
    try:
        office = office_named(db, ctx, args.office)
        zone = ZoneInfo(office.time_zone)
        if args.figures:
            for m in desk.figures(args.figures, office.id):
                print(
                    f"{m.month} {m.office}: {m.overdue} overdue "
                    f"({', '.join(f'{k} {v}' for k, v in sorted(m.by_reason.items()))}), "
                    f"police called {m.police_called}, escalated {m.escalated}, "
                    f"awaiting follow-up {m.awaiting_follow_up}; panic alarm incidents {m.incidents}"
                )
            return 0
        if args.pairs or args.flag:
            actor = _signed_in(ctx, db, args.by)
            if args.flag:
                desk.set_visits_in_pairs(actor, args.flag, True)
                print(f"marker {args.flag}: visits in pairs")
                return 0
            for c in desk.pairs_candidates():
                print(
                    f"{c.marker_id:6} {c.person_name}, {c.address or ''}: {'; '.join(c.instructions)}"
                )
            return 0
        if args.history or args.csv or args.officer or args.address:
            actor = _signed_in(ctx, db, args.by)
            filters = HistoryFilter(
                office_id=office.id,
                officer_id=_staff_id(desk, args.officer),
                address=args.address,
                date_from=args.date_from,
                date_to=args.date_to,
                time_zone=office.time_zone,
            )
            if args.csv:
                with args.csv.open("w", newline="", encoding="utf-8") as out:
                    count = desk.export_csv(actor, out, filters)
                print(f"{count} entries written to {args.csv}")
                return 0
            for r in desk.history(actor, filters):
                print(
                    f"{r.leaving_at.astimezone(zone):%Y-%m-%d %H:%M} {r.officer}: {r.address}"
                    + (f", seeing {r.seeing}" if r.seeing else "")
                    + (f"; back {_local(r.returned_at, zone)}" if r.returned_at else "; NOT BACK")
                    + (f"; {r.overdue_events} overdue" if r.overdue_events else "")
                )
            return 0
        print_board(desk.board(office.id), zone)
        return 0
    except (PermissionRefused, NotFound, IncidentError) as exc:
        raise CommandError(str(exc), EXIT_REFUSED) from None
    finally:
        desk.bus.close()
        db.dispose()
