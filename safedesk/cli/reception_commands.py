"""`safedesk import people|markers FILE.csv`, `safedesk people correct TENANCY_REF` and
`safedesk search QUERY` (reception records, scripting)."""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from datetime import date
from pathlib import Path
from typing import Any, TextIO

from safedesk.cli.context import CliContext, CommandError
from safedesk.clock import SystemClock
from safedesk.services.imports.csv_rows import ImportFileError, parse_date
from safedesk.services.imports.markers import import_markers
from safedesk.services.imports.people import import_people
from safedesk.services.imports.report import ImportReport
from safedesk.services.reception.match_reasons import plain_reasons
from safedesk.services.reception.person_identity import (
    correct_identity,
    identity_of,
    person_by_tenancy_ref,
)
from safedesk.services.reception.person_search import PersonSearch, Shortlist
from safedesk.services.shared.actor import Actor
from safedesk.services.shared.refusals import InvalidInput, NotFound, PermissionRefused
from safedesk.services.staff.sign_in import SignInRefused, sign_in

EXIT_SOME_ROWS_REJECTED = 1


def register(sub: argparse._SubParsersAction) -> None:
    imp = sub.add_parser("import", help="import people or markers from a CSV file")
    kinds = imp.add_subparsers(dest="import_kind", metavar="KIND", required=True)
    people = kinds.add_parser(
        "people",
        help="people: forenames,surname,date_of_birth,postcode,address,tenancy_ref,aliases",
    )
    people.add_argument("file", type=Path, metavar="FILE.csv")
    people.set_defaults(func=_import_people)
    markers = kinds.add_parser(
        "markers", help="markers: tenancy_ref,category,instructions,review_due"
    )
    markers.add_argument("file", type=Path, metavar="FILE.csv")
    markers.set_defaults(func=_import_markers)

    people_cmd = sub.add_parser("people", help="correct a person's record (audited)")
    p_sub = people_cmd.add_subparsers(dest="people_command", metavar="ACTION", required=True)
    correct = p_sub.add_parser(
        "correct",
        help="correct a person's name or date of birth (a manager or administrator, audited)",
        description=(
            "Correct who a record says the person is: imports never do. Fields not given keep "
            "their value. The manager's password is read from stdin (or asked for)."
        ),
    )
    correct.add_argument("tenancy_ref", metavar="TENANCY_REF")
    correct.add_argument("--forenames")
    correct.add_argument("--surname")
    correct.add_argument(
        "--dob", metavar="DATE", help="date of birth: 1975-08-14 or 14/08/1975; 'unknown' clears it"
    )
    correct.add_argument("--reason", required=True, help="why the record is wrong, how you know")
    correct.add_argument("--by", required=True, metavar="LOGIN", help="the manager correcting it")
    correct.set_defaults(func=_correct_person)

    search = sub.add_parser(
        "search",
        help="search people as reception does (name, DOB, postcode, tenancy ref in one line)",
    )
    search.add_argument("query", metavar="QUERY", help="the search line; '-' reads one per line")
    search.add_argument("--json", action="store_true", help="print a JSON array of matches")
    search.add_argument("--limit", type=int, default=10, metavar="N", help="matches (default 10)")
    search.set_defaults(func=_search)


def _print_report(report: ImportReport, what: str) -> int:
    for problem in report.problems:
        print(f"rejected {problem}", file=sys.stderr)
    print(f"{what}: {report.summary}")
    return EXIT_SOME_ROWS_REJECTED if report.problems else 0


def _import_people(ctx: CliContext, args: argparse.Namespace) -> int:
    db = ctx.open_database()
    try:
        report = import_people(db, args.file, Actor.system("cli"), SystemClock().now())
    except ImportFileError as exc:
        raise CommandError(str(exc)) from None
    finally:
        db.dispose()
    return _print_report(report, f"people from {args.file}")


def _import_markers(ctx: CliContext, args: argparse.Namespace) -> int:
    db = ctx.open_database()
    try:
        report = import_markers(
            db,
            args.file,
            Actor.system("cli"),
            SystemClock().now(),
            review_months=ctx.config.markers.review_months,
        )
    except ImportFileError as exc:
        raise CommandError(str(exc)) from None
    finally:
        db.dispose()
    return _print_report(report, f"markers from {args.file}")


def _dob_argument(text: str | None, keep: date | None) -> date | None:
    if text is None:
        return keep
    if text.strip().lower() == "unknown":
        return None
    try:
        return parse_date(text, "--dob")
    except ValueError as exc:
        raise CommandError(f"{exc}; nothing changed") from None


def _read_password(login: str) -> str:
    if sys.stdin.isatty():
        return getpass.getpass(f"Password for {login}: ")
    return sys.stdin.readline().rstrip("\r\n")


def _correct_person(ctx: CliContext, args: argparse.Namespace) -> int:
    if args.forenames is None and args.surname is None and args.dob is None:
        raise CommandError("give --forenames, --surname or --dob to correct; nothing changed")
    password = _read_password(args.by)
    now = SystemClock().now()
    db = ctx.open_database()
    try:
        try:
            signed = sign_in(
                db, args.by, password, workstation=ctx.config.workstation_name, now=now
            )
        except SignInRefused as exc:
            raise CommandError(f"{args.by}: {exc}; nothing changed") from None
        with db.session() as s:
            try:
                person = person_by_tenancy_ref(s, args.tenancy_ref)
                old = identity_of(person)
                done = correct_identity(
                    s,
                    signed.actor,
                    person.id,
                    forenames=old.forenames if args.forenames is None else args.forenames,
                    surname=old.surname if args.surname is None else args.surname,
                    date_of_birth=_dob_argument(args.dob, old.date_of_birth),
                    reason=args.reason,
                    now=now,
                )
            except (InvalidInput, NotFound, PermissionRefused) as exc:
                raise CommandError(f"{exc}; nothing changed") from None
    finally:
        db.dispose()
    print(
        f"{done.tenancy_ref or args.tenancy_ref} corrected: {done.old.describe()} -> "
        f"{done.new.describe()} (audited; past visits and incidents keep the old name)"
    )
    return 0


def shortlist_json(shortlist: Shortlist) -> list[dict[str, Any]]:
    """The `--json` shape: one object per match, flagged from the database."""
    out = []
    for entry in shortlist.entries:
        record = entry.record
        out.append(
            {
                "person_id": record.person_id,
                "tenancy_ref": record.tenancy_ref,
                "forenames": record.forenames,
                "surname": record.surname,
                "date_of_birth": record.date_of_birth.isoformat() if record.date_of_birth else None,
                "postcode": record.postcode,
                "score": entry.match.score,
                "flagged": bool(entry.warnings),
                "certain": entry.match.certain,
                "reasons": list(entry.match.reasons),
            }
        )
    return out


def _print_text(shortlist: Shortlist, out: TextIO) -> None:
    if not shortlist.entries:
        print("no matches", file=out)
        return
    for entry in shortlist.entries:
        r = entry.record
        dob = r.date_of_birth.strftime("%d/%m/%Y") if r.date_of_birth else "DOB unknown"
        flag = "FLAGGED " if entry.warnings else ""
        print(
            f"{entry.match.score:5.2f}  {flag}{r.forenames} {r.surname}  {dob}  "
            f"{r.postcode or '-'}  {r.tenancy_ref or '-'}  ({'; '.join(plain_reasons(entry.match))})",
            file=out,
        )
        for text in entry.instructions:
            print(f"       ! {text}", file=out)


def _search(ctx: CliContext, args: argparse.Namespace) -> int:
    if args.limit < 1:
        raise CommandError("--limit must be 1 or more")
    db = ctx.open_database()
    try:
        search = PersonSearch.load(db, SystemClock(), progress=lambda m: print(m, file=sys.stderr))
        queries = (line.rstrip("\r\n") for line in sys.stdin) if args.query == "-" else [args.query]
        for query in queries:
            shortlist = search.shortlist(query, args.limit)
            if args.json:
                print(json.dumps(shortlist_json(shortlist), ensure_ascii=False), flush=True)
            else:
                _print_text(shortlist, sys.stdout)
                if args.query == "-":
                    print(flush=True)
    finally:
        db.dispose()
    return 0
