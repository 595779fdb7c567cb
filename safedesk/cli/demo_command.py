"""`safedesk demo [--people N]`: seed a realistic demo office."""

from __future__ import annotations

import argparse
import secrets

from safedesk.cli.context import CliContext, CommandError
from safedesk.clock import SystemClock
from safedesk.demo.office import DEMO_PASSWORD
from safedesk.demo.seed import database_has_data, seed_demo


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("demo", help="seed the demo office (two offices, staff, rota, people)")
    p.add_argument(
        "--people", type=int, default=5000, metavar="N", help="people to create (default 5,000)"
    )
    p.add_argument(
        "--seed",
        type=int,
        default=20261124,
        help="random seed (the same seed gives the same people)",
    )
    p.set_defaults(func=_demo)


def _demo(ctx: CliContext, args: argparse.Namespace) -> int:
    if args.people < 0:
        raise CommandError("--people must be 0 or more")
    db = ctx.open_database()
    try:
        if database_has_data(db):
            raise CommandError(
                f"{db.display_url} already has offices or staff; the demo only seeds an empty "
                "database (use --demo for the separate demo database, or a new "
                "SAFEDESK_DATABASE_URL)"
            )
        # A PostgreSQL server is shared by every PC: its demo accounts (an administrator among
        # them) get a password of their own, not the published one.
        password = secrets.token_urlsafe(12) if db.is_postgresql else DEMO_PASSWORD
        result = seed_demo(
            db,
            args.people,
            SystemClock().now(),
            seed=args.seed,
            progress=print,
            password=password,
        )
        print(
            f"demo office ready in {db.display_url}: {result.people:,} people, {result.markers:,} markers, {result.seconds:.1f} s"
        )
        if password != DEMO_PASSWORD:
            print(f"every demo account's password is: {password}")
    finally:
        db.dispose()
    return 0
