"""`safedesk markers due|purge|views-report` and `safedesk staff add|passwd|roles|list|unlock|...`.

Run on the server or a PC by whoever looks after SafeDesk; the audit log records them as
``cli:<operating-system user>`` on this workstation.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from datetime import UTC, date, datetime, time

from sqlalchemy import select

from safedesk.cli.context import CliContext, CommandError
from safedesk.clock import SystemClock
from safedesk.models import Staff
from safedesk.services.markers import retention as marker_retention
from safedesk.services.markers.restricted_register import views_report
from safedesk.services.markers.review import due_and_overdue
from safedesk.services.markers.review_dates import UK, review_state_text, uk_date
from safedesk.services.shared.actor import Actor
from safedesk.services.shared.csv_export import SafeCsvWriter
from safedesk.services.shared.refusals import InvalidInput, NotFound, PermissionRefused
from safedesk.services.staff import accounts as staff_admin
from safedesk.services.staff import sign_in as auth


def register(sub: argparse._SubParsersAction) -> None:
    markers = sub.add_parser("markers", help="marker reviews, retention and the views report")
    m_sub = markers.add_subparsers(dest="markers_command", metavar="ACTION", required=True)
    due = m_sub.add_parser("due", help="markers whose six-monthly review is overdue or due soon")
    due.add_argument("--within", type=int, default=30, metavar="DAYS", help="due within (30)")
    due.add_argument("--json", action="store_true", help="print JSON")
    due.set_defaults(func=_due)
    purge = m_sub.add_parser("purge", help="delete removed markers past their retention period")
    purge.add_argument("--dry-run", action="store_true", help="list what would go; delete nothing")
    purge.set_defaults(func=_purge)
    views = m_sub.add_parser("views-report", help="who viewed restricted marker detail, when")
    views.add_argument("--since", type=_date, metavar="YYYY-MM-DD")
    views.add_argument("--until", type=_date, metavar="YYYY-MM-DD", help="up to and including")
    views.add_argument("--csv", action="store_true", help="print CSV")
    views.set_defaults(func=_views)

    staff = sub.add_parser("staff", help="staff accounts: add, passwords, roles")
    s_sub = staff.add_subparsers(dest="staff_command", metavar="ACTION", required=True)
    add = s_sub.add_parser("add", help="create a staff account")
    add.add_argument("login")
    add.add_argument("--name", required=True)
    add.add_argument("--roles", required=True, help="comma-separated, e.g. officer,responder")
    add.add_argument("--job-title")
    add.add_argument("--office", help="home office name")
    add.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    add.set_defaults(func=_add)
    passwd = s_sub.add_parser("passwd", help="set a staff member's password")
    passwd.add_argument("login")
    passwd.add_argument("--password-stdin", action="store_true")
    passwd.set_defaults(func=_passwd)
    roles = s_sub.add_parser("roles", help="show or change a staff member's roles")
    roles.add_argument("login")
    group = roles.add_mutually_exclusive_group()
    group.add_argument("--set", dest="set_roles", metavar="ROLES")
    group.add_argument("--add", dest="add_roles", metavar="ROLES")
    group.add_argument("--remove", dest="remove_roles", metavar="ROLES")
    roles.set_defaults(func=_roles)
    listing = s_sub.add_parser("list", help="list staff accounts")
    listing.set_defaults(func=_list)
    unlock = s_sub.add_parser("unlock", help="clear a lockout after too many wrong passwords")
    unlock.add_argument("login")
    unlock.set_defaults(func=_unlock)
    for name, active in (("disable", False), ("enable", True)):
        p = s_sub.add_parser(name, help=f"{name} an account (it stays in the audit log)")
        p.add_argument("login")
        p.set_defaults(func=_set_active, active=active)


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _actor(ctx: CliContext) -> Actor:
    try:
        user = getpass.getuser()
    except (OSError, KeyError):
        user = "unknown"
    return Actor(staff_id=None, login=f"cli:{user}"[:64], workstation=ctx.config.workstation_name)


def _read_password(from_stdin: bool) -> str:
    if from_stdin or not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("New password: ")
    if getpass.getpass("Again: ") != first:
        raise CommandError("the two passwords differ; nothing changed")
    return first


def _refusal(exc: Exception) -> CommandError:
    return CommandError(str(exc))


def _due(ctx: CliContext, args: argparse.Namespace) -> int:
    db = ctx.open_database()
    try:
        with db.session() as s:
            today = uk_date(SystemClock().now())
            items = due_and_overdue(s, today=today, within_days=args.within)
    finally:
        db.dispose()
    if args.json:
        print(
            json.dumps(
                [
                    {
                        "marker_id": i.marker_id,
                        "person": i.person_name,
                        "tenancy_ref": i.tenancy_ref,
                        "category": i.category.value,
                        "review_due": i.review_due.isoformat(),
                        "overdue": i.overdue,
                        "reviewer": i.reviewer_role,
                    }
                    for i in items
                ]
            )
        )
        return 0
    overdue = sum(1 for i in items if i.overdue)
    count = f"{len(items)} marker" + ("" if len(items) == 1 else "s")
    print(f"{count} due within {args.within} days, {overdue} OVERDUE")
    for i in items:
        state = review_state_text(i.review_due, today)
        print(
            f"  M-{i.marker_id:06d}  {i.review_due:%d/%m/%Y}  {state:<18} {i.person_name}"
            f" ({i.tenancy_ref or 'no tenancy ref'})  {i.category.value}  reviewer: {i.reviewer_role}"
        )
    return 0


def _purge(ctx: CliContext, args: argparse.Namespace) -> int:
    db = ctx.open_database()
    try:
        with db.session() as s:
            done = marker_retention.purge(
                s,
                _actor(ctx),
                now=SystemClock().now(),
                config=ctx.config.markers,
                dry_run=args.dry_run,
            )
    except PermissionRefused as exc:
        raise _refusal(exc) from None
    finally:
        db.dispose()
    verb = "would purge" if args.dry_run else "purged"
    print(f"{verb} {len(done)} removed markers past their retention period")
    for c in done:
        print(
            f"  M-{c.marker_id:06d}  {c.category.value}  removed {c.removed_at:%d/%m/%Y}"
            f"  kept until {c.purge_after:%d/%m/%Y}"
        )
    return 0


def _views(ctx: CliContext, args: argparse.Namespace) -> int:
    since = datetime.combine(args.since, time(), UK).astimezone(UTC) if args.since else None
    until = None
    if args.until:
        until = datetime.combine(args.until, time(23, 59, 59, 999999), UK).astimezone(UTC)
    db = ctx.open_database()
    try:
        with db.session() as s:
            rows = views_report(s, since=since, until=until)
    finally:
        db.dispose()
    if args.csv:
        out = SafeCsvWriter(sys.stdout)  # workstation and staff names: never a formula
        out.writerow(["at", "staff", "workstation", "marker_id", "person_id", "refused", "note"])
        for r in rows:
            out.writerow(
                [
                    r.at.isoformat(),
                    r.actor,
                    r.workstation or "",
                    r.marker_id or "",
                    r.person_id or "",
                    "yes" if r.refused else "no",
                    r.note,
                ]
            )
        return 0
    print(f"{len(rows)} views of restricted marker detail")
    for r in rows:
        what = "REFUSED" if r.refused else "viewed "
        print(
            f"  {r.at.astimezone(UK):%d/%m/%Y %H:%M:%S}  {what}  M-{r.marker_id or 0:06d}"
            f"  by {r.actor} at {r.workstation or '?'}" + (f"  ({r.note})" if r.note else "")
        )
    return 0


def _add(ctx: CliContext, args: argparse.Namespace) -> int:
    try:
        roles = staff_admin.parse_roles(args.roles)
    except ValueError as exc:
        raise CommandError(str(exc)) from None
    password = _read_password(args.password_stdin)
    db = ctx.open_database()
    try:
        with db.session() as s:
            staff = staff_admin.create_staff(
                s,
                _actor(ctx),
                login=args.login,
                name=args.name,
                roles=roles,
                password=password,
                now=SystemClock().now(),
                job_title=args.job_title,
                office_name=args.office,
            )
            print(f"created {staff.login} ({staff.name}): {', '.join(r.value for r in roles)}")
    except (InvalidInput, PermissionRefused) as exc:
        raise _refusal(exc) from None
    finally:
        db.dispose()
    return 0


def _passwd(ctx: CliContext, args: argparse.Namespace) -> int:
    password = _read_password(args.password_stdin)
    db = ctx.open_database()
    try:
        with db.session() as s:
            staff_admin.set_password(s, _actor(ctx), args.login, password, now=SystemClock().now())
        print(f"password set for {args.login}")
    except (InvalidInput, PermissionRefused, NotFound) as exc:
        raise _refusal(exc) from None
    finally:
        db.dispose()
    return 0


def _roles(ctx: CliContext, args: argparse.Namespace) -> int:
    db = ctx.open_database()
    try:
        with db.session() as s:
            staff = staff_admin.find_staff(s, args.login)
            current = [r for r in staff.role_set]
            change = args.set_roles or args.add_roles or args.remove_roles
            if change:
                wanted = staff_admin.parse_roles(change)
                if args.add_roles:
                    wanted = [*current, *wanted]
                elif args.remove_roles:
                    wanted = [r for r in current if r not in wanted]
                staff = staff_admin.set_roles(
                    s, _actor(ctx), args.login, wanted, now=SystemClock().now()
                )
            print(f"{staff.login}: {', '.join(sorted(r.value for r in staff.role_set))}")
    except (InvalidInput, PermissionRefused, NotFound, ValueError) as exc:
        raise _refusal(exc) from None
    finally:
        db.dispose()
    return 0


def _list(ctx: CliContext, args: argparse.Namespace) -> int:
    db = ctx.open_database()
    try:
        with db.session() as s:
            for staff in s.scalars(select(Staff).order_by(Staff.login)):
                state = "" if staff.active else "  (disabled)"
                roles = ", ".join(sorted(r.value for r in staff.role_set))
                print(f"{staff.login:<16} {staff.name:<28} {roles}{state}")
    finally:
        db.dispose()
    return 0


def _unlock(ctx: CliContext, args: argparse.Namespace) -> int:
    db = ctx.open_database()
    try:
        with db.session() as s:
            auth.unlock(s, _actor(ctx), args.login, now=SystemClock().now())
        print(f"{args.login} unlocked")
    except LookupError as exc:
        raise _refusal(exc) from None
    finally:
        db.dispose()
    return 0


def _set_active(ctx: CliContext, args: argparse.Namespace) -> int:
    db = ctx.open_database()
    try:
        with db.session() as s:
            staff_admin.set_active(s, _actor(ctx), args.login, args.active, now=SystemClock().now())
        print(f"{args.login} {'enabled' if args.active else 'disabled'}")
    except (NotFound, PermissionRefused) as exc:
        raise _refusal(exc) from None
    finally:
        db.dispose()
    return 0
