"""`safedesk import people|markers FILE.csv` and `safedesk search QUERY` (reception, scripting)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, TextIO

from safedesk.cli.context import CliContext, CommandError
from safedesk.clock import SystemClock
from safedesk.services.actor import Actor
from safedesk.services.people_import import (
    ImportFileError,
    ImportReport,
    import_markers,
    import_people,
)
from safedesk.services.person_search import PersonSearch, Shortlist

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
            f"{r.postcode or '-'}  {r.tenancy_ref or '-'}  ({'; '.join(entry.match.reasons)})",
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
