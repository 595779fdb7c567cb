"""Engines for the two supported databases, with the settings each needs to be safe."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url


def normalise_url(url: str) -> str:
    """``postgresql://`` means psycopg 3 here; everything else is passed through."""
    parsed = make_url(url)
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def _sqlite_pragmas(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        # WAL lets the alarm poller read while another process writes; NORMAL is durable in WAL.
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
    finally:
        cursor.close()


def _restrict_file(path: Path) -> None:
    """The embedded database holds restricted marker detail: readable by its user only."""
    if not path.exists():
        path.touch()
    try:
        os.chmod(path, 0o600)  # on Windows only the read-only bit applies; the profile is private
    except OSError:
        # Best effort on unusual filesystems; the app still enforces access itself.
        return


def make_engine(url: str, *, pool_size: int = 1, max_overflow: int = 1) -> Engine:
    url = normalise_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            path = Path(parsed.database)
            path.parent.mkdir(parents=True, exist_ok=True)
            _restrict_file(path)
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 10},
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(
        url,
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_pre_ping=True,
        pool_recycle=1800,
        connect_args={"connect_timeout": 5, "application_name": "safedesk"},
    )


def is_postgresql(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"
