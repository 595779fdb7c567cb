"""The PostgreSQL server the suite runs against: found, started if stopped, never skipped.

Each test gets its own database cloned from a migrated template, so tests are isolated and a
test can open several independent connections ("two PCs") to the same database.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import uuid
from pathlib import Path

import psycopg
from psycopg import sql

ADMIN_URL = os.environ.get(
    "SAFEDESK_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)


class PostgresUnavailable(Exception):
    pass


def _try_start_server() -> str:
    """Start the local cluster the way the machine's notes say; report what happened."""
    if not shutil.which("pg_ctlcluster") or not Path("/etc/postgresql").is_dir():
        return "pg_ctlcluster not available"
    versions = sorted(os.listdir("/etc/postgresql"))
    if not versions:
        return "no cluster in /etc/postgresql"
    result = subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", versions[-1], "main", "start"],
        capture_output=True,
        text=True,
        check=False,
    )
    return (result.stdout + result.stderr).strip() or f"exit {result.returncode}"


def admin_connect() -> psycopg.Connection[tuple[object, ...]]:
    try:
        return psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as first:
        note = _try_start_server()
        for _ in range(30):
            time.sleep(0.5)
            try:
                return psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=3)
            except psycopg.OperationalError:
                continue
        raise PostgresUnavailable(
            f"PostgreSQL at {ADMIN_URL} is not reachable ({first}); tried to start it: {note}"
        ) from first


def url_for(dbname: str) -> str:
    base = ADMIN_URL.rsplit("/", 1)[0]
    return f"{base}/{dbname}"


def new_database_name(prefix: str = "sd") -> str:
    return f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:10]}"


def create_database(name: str, template: str | None = None) -> str:
    with admin_connect() as conn:
        if template:
            conn.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                    sql.Identifier(name), sql.Identifier(template)
                )
            )
        else:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return url_for(name)


def drop_database(name: str) -> None:
    with admin_connect() as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
