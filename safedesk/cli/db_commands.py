"""`safedesk db upgrade|current`: bring a database (SQLite or PostgreSQL) from empty to head."""

from __future__ import annotations

import argparse

from safedesk.cli.context import CliContext
from safedesk.db.migrate import current_revision, head_revision, upgrade


def register(sub: argparse._SubParsersAction) -> None:
    db = sub.add_parser("db", help="database schema")
    db_sub = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    up = db_sub.add_parser("upgrade", help="migrate the database to the current schema")
    up.set_defaults(func=_upgrade)
    cur = db_sub.add_parser("current", help="show the schema revision")
    cur.set_defaults(func=_current)


def _upgrade(ctx: CliContext, args: argparse.Namespace) -> int:
    db = ctx.open_database(migrate=False)
    try:
        before = current_revision(db.engine)
        upgrade(db.engine)
        print(f"{db.display_url}: {before or 'empty'} -> {current_revision(db.engine)} (head)")
    finally:
        db.dispose()
    return 0


def _current(ctx: CliContext, args: argparse.Namespace) -> int:
    db = ctx.open_database(migrate=False)
    try:
        rev = current_revision(db.engine)
        print(f"{db.display_url}: {rev or 'empty'} (head is {head_revision()})")
    finally:
        db.dispose()
    return 0
