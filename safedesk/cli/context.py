"""What every command gets: the validated configuration and a way to open the database."""

from __future__ import annotations

import argparse
import logging
import sys
from dataclasses import dataclass
from pathlib import Path

from safedesk import paths
from safedesk.config import Config, load_config, sqlite_url
from safedesk.db import Database, DatabaseUnavailable
from safedesk.db.engine import DatabaseTimeouts
from safedesk.db.migrate import upgrade

log = logging.getLogger(__name__)


class CommandError(Exception):
    """A problem the user can fix (unknown room, bad file): one line, no traceback."""

    def __init__(self, message: str, exit_code: int = 2) -> None:
        super().__init__(message)
        self.exit_code = exit_code


@dataclass
class CliContext:
    config: Config
    demo: bool = False

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> CliContext:
        config = load_config(Path(args.config) if getattr(args, "config", None) else None)
        demo = bool(getattr(args, "demo", False))
        if demo:
            config = config.with_database_url(sqlite_url(paths.demo_database_path()))
        return cls(config=config, demo=demo)

    def new_database(self) -> Database:
        """The configured database, not yet connected: its pool, and the press path's deadline
        (``[alarm] press_deadline_s``) on every press and heartbeat this process makes."""
        return Database(
            self.config.database_url,
            pool_size=self.config.database.pool_size,
            max_overflow=self.config.database.max_overflow,
            timeouts=DatabaseTimeouts(press_s=self.config.alarm.press_deadline_s),
        )

    def open_database(self, *, migrate: bool = True, attempts: int = 3) -> Database:
        """Open the configured database, retrying a few times, and bring its schema to head.

        It never falls back to another database: a PC on the wrong one would miss alarms.
        """
        db = self.new_database()

        def on_retry(exc: DatabaseUnavailable, attempt: int) -> None:
            print(
                f"safedesk: cannot reach {db.display_url} (attempt {attempt}); "
                f"retrying in {self.config.database.connect_retry_s:g} s: {exc.__cause__ or exc}",
                file=sys.stderr,
            )

        db.wait_until_reachable(
            retry_s=self.config.database.connect_retry_s, on_retry=on_retry, max_attempts=attempts
        )
        if migrate:
            upgrade(db.engine)
        return db
