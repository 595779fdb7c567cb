"""`safedesk rota ...`: who is on duty now, the week's rota, and dated absences and extra cover.

Someone off sick today is one command (`rota absent LOGIN --date ...`), so the rota the alarm
path trusts stays true; every change is audited.
"""

from __future__ import annotations

import argparse
from datetime import date, time
from zoneinfo import ZoneInfo

from sqlalchemy import select

from safedesk.cli.context import CliContext, CommandError
from safedesk.clock import SystemClock
from safedesk.config import WEEKDAYS
from safedesk.db import Database
from safedesk.models import Office, ShiftKind, Staff
from safedesk.services.alarms.rota import RotaError, RotaService
from safedesk.services.shared.actor import Actor


def register(sub: argparse._SubParsersAction) -> None:
    rota = sub.add_parser("rota", help="responder rota: on duty now, shifts, absences, extra cover")
    rota_sub = rota.add_subparsers(dest="rota_command", metavar="ACTION", required=True)

    now = rota_sub.add_parser("now", help="who is on duty now (and warn if nobody is)")
    now.add_argument("--office", metavar="NAME")
    now.set_defaults(func=_now)

    show = rota_sub.add_parser("list", help="regular shifts and upcoming overrides")
    show.add_argument("--office", metavar="NAME")
    show.set_defaults(func=_list)

    for name, kind, text in (
        ("absent", ShiftKind.ABSENT, "LOGIN is off on DATE (leave, sickness) despite the rota"),
        ("extra", ShiftKind.EXTRA, "LOGIN covers on DATE in addition to the rota"),
    ):
        p = rota_sub.add_parser(name, help=text)
        p.add_argument("login")
        p.add_argument("--date", required=True, metavar="YYYY-MM-DD")
        p.add_argument("--from", dest="starts", default="00:00", metavar="HH:MM")
        p.add_argument("--to", dest="ends", default="00:00", metavar="HH:MM")
        p.add_argument("--office", metavar="NAME")
        p.add_argument("--note", metavar="TEXT")
        p.set_defaults(func=_override, kind=kind)

    remove = rota_sub.add_parser("remove", help="remove a shift or override by its id")
    remove.add_argument("shift_id", type=int)
    remove.set_defaults(func=_remove)


def _office(db: Database, ctx: CliContext, name: str | None) -> Office:
    wanted = name or ctx.config.workstation.office
    with db.session() as s:
        offices = list(s.scalars(select(Office).order_by(Office.id)))
    if not offices:
        raise CommandError("no offices yet (`safedesk --demo demo` seeds the demo office)")
    if not wanted:
        return offices[0]
    for office in offices:
        if office.name.casefold() == wanted.casefold():
            return office
    known = ", ".join(o.name for o in offices)
    raise CommandError(f"unknown office {wanted!r}; known offices: {known}")


def _parse_time(text: str, option: str) -> time:
    try:
        return time.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{option}: not a time HH:MM: {text!r}") from None


def _now(ctx: CliContext, args: argparse.Namespace) -> int:
    db = ctx.open_database()
    try:
        office = _office(db, ctx, args.office)
        now = SystemClock().now()
        on_duty = RotaService(db).on_duty(office.id, now)
        zone = ZoneInfo(office.time_zone)
        if not on_duty:
            print(f"NOBODY ON THE ROTA at {office.name} now: every screen gets the full alarm")
            return 0
        for d in on_duty:
            print(f"{d.name}  until {d.until.astimezone(zone):%a %H:%M}")
    finally:
        db.dispose()
    return 0


def _list(ctx: CliContext, args: argparse.Namespace) -> int:
    db = ctx.open_database()
    try:
        office = _office(db, ctx, args.office)
        today = SystemClock().now().astimezone(ZoneInfo(office.time_zone)).date()
        for v in RotaService(db).shifts(office.id, from_date=today):
            when = WEEKDAYS[v.weekday].title() if v.weekday is not None else f"{v.on_date}"
            span = f"{v.starts:%H:%M}-{v.ends:%H:%M}"
            note = f"  ({v.note})" if v.note else ""
            print(f"{v.shift_id:>5}  {v.kind.value:<8} {when:<10} {span}  {v.name}{note}")
    finally:
        db.dispose()
    return 0


def _override(ctx: CliContext, args: argparse.Namespace) -> int:
    try:
        on_date = date.fromisoformat(args.date)
    except ValueError:
        raise CommandError(f"--date: not a date YYYY-MM-DD: {args.date!r}") from None
    starts, ends = _parse_time(args.starts, "--from"), _parse_time(args.ends, "--to")
    db = ctx.open_database()
    try:
        office = _office(db, ctx, args.office)
        with db.session() as s:
            staff = s.scalar(select(Staff).where(Staff.login == args.login))
            if staff is None:
                raise CommandError(f"no member of staff with login {args.login!r}")
            staff_id, staff_name = staff.id, staff.name
        clock = SystemClock()
        actor = Actor.system(ctx.config.workstation_name)
        try:
            shift_id = RotaService(db).add_shift(
                actor,
                staff_id=staff_id,
                office_id=office.id,
                kind=args.kind,
                starts=starts,
                ends=ends,
                on_date=on_date,
                note=args.note,
                at=clock.now(),
            )
        except RotaError as exc:
            raise CommandError(str(exc)) from None
        whole_day = starts == ends == time(0)
        span = "all day" if whole_day else f"{starts:%H:%M}-{ends:%H:%M}"
        print(f"{args.kind.value} {shift_id}: {staff_name}, {on_date:%a %d %b %Y} {span}")
    finally:
        db.dispose()
    return 0


def _remove(ctx: CliContext, args: argparse.Namespace) -> int:
    db = ctx.open_database()
    try:
        try:
            RotaService(db).remove_shift(
                Actor.system(ctx.config.workstation_name), args.shift_id, at=SystemClock().now()
            )
        except RotaError as exc:
            raise CommandError(str(exc)) from None
        print(f"removed rota shift {args.shift_id}")
    finally:
        db.dispose()
    return 0
