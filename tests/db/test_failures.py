"""The one rule for "the environment or a bug", fed the errors real drivers raise.

Real parts: sqlite3 on files (a dropped table, bad SQL, a broken constraint, another writer
holding the lock, a read-only file, a folder that is not there, a disk filled to the last byte),
psycopg against the PostgreSQL server on 127.0.0.1:5432 (an undefined table, bad SQL, a duplicate
key, a connection the server terminates, a lock wait cut short, a statement cancelled by its
timeout, a write in a read-only transaction) and against a port nobody listens on; SQLAlchemy's
wrappers around both. Before: every ``OperationalError`` counted as "the database is unreachable",
so a missing SQLite table (an ``OperationalError`` too) was retried for ever as an outage.
"""

from __future__ import annotations

import socket
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import create_engine, text

from safedesk.db.failures import DatabaseUnavailable, is_environment
from tests.bridge.conftest import fill_disk
from tests.helpers import postgres


def raised(action: Callable[[], object]) -> BaseException:
    """What ``action`` raised (it must raise)."""
    try:
        action()
    except Exception as exc:  # noqa: BLE001 (the error is what the test looks at)
        return exc
    raise AssertionError("expected the call to fail")


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])  # closed again when the block ends: nobody listens


@pytest.fixture
def sqlite_file(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "office.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE rooms (id INTEGER PRIMARY KEY, name TEXT UNIQUE NOT NULL)")
        conn.execute("INSERT INTO rooms (name) VALUES ('Interview Room 1')")
    yield path


@pytest.fixture
def pg_conninfo() -> Iterator[str]:
    name = postgres.new_database_name("sdfail")
    url = postgres.create_database(name)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE TABLE rooms (id serial PRIMARY KEY, name text UNIQUE NOT NULL)")
        conn.execute("INSERT INTO rooms (name) VALUES ('Interview Room 1')")
    yield url
    postgres.drop_database(name)


# --- SQLite -------------------------------------------------------------------------------------


def test_sqlite_a_dropped_table_bad_sql_and_a_broken_constraint_are_bugs(sqlite_file: Path) -> None:
    conn = sqlite3.connect(sqlite_file)
    conn.execute("DROP TABLE rooms")
    missing = raised(lambda: conn.execute("SELECT * FROM rooms"))
    assert isinstance(missing, sqlite3.OperationalError)  # the same class as "database is locked"
    assert "no such table" in str(missing)
    assert not is_environment(missing)
    assert not is_environment(raised(lambda: conn.execute("SELEC 1")))
    conn.execute("CREATE TABLE rooms (name TEXT UNIQUE)")
    conn.execute("INSERT INTO rooms VALUES ('Room 1')")
    duplicate = raised(lambda: conn.execute("INSERT INTO rooms VALUES ('Room 1')"))
    assert isinstance(duplicate, sqlite3.IntegrityError)
    assert not is_environment(duplicate)
    conn.close()
    closed = raised(lambda: conn.execute("SELECT 1"))  # our own misuse
    assert isinstance(closed, sqlite3.ProgrammingError)
    assert not is_environment(closed)


def test_sqlite_another_writer_holding_the_lock_is_the_environment(sqlite_file: Path) -> None:
    holder = sqlite3.connect(sqlite_file, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    waiter = sqlite3.connect(sqlite_file, timeout=0)
    try:
        locked = raised(lambda: waiter.execute("INSERT INTO rooms (name) VALUES ('Room 2')"))
        assert "database is locked" in str(locked)
        assert is_environment(locked)
    finally:
        holder.rollback()
        holder.close()
        waiter.close()


def test_sqlite_a_read_only_file_and_a_missing_folder_are_the_environment(
    sqlite_file: Path, tmp_path: Path
) -> None:
    read_only = sqlite3.connect(f"file:{sqlite_file}?mode=ro", uri=True)
    refused = raised(lambda: read_only.execute("INSERT INTO rooms (name) VALUES ('Room 2')"))
    read_only.close()
    assert "readonly database" in str(refused)
    assert is_environment(refused)
    cannot_open = raised(lambda: sqlite3.connect(tmp_path / "gone" / "safedesk.sqlite3"))
    assert "unable to open database file" in str(cannot_open)
    assert is_environment(cannot_open)


def test_sqlite_a_full_disk_is_the_environment(tiny_disk: Path) -> None:
    conn = sqlite3.connect(tiny_disk / "safedesk.sqlite3")
    conn.execute("CREATE TABLE notes (body BLOB)")
    conn.commit()
    fill_disk(tiny_disk)
    full = raised(lambda: conn.execute("INSERT INTO notes VALUES (?)", (b"x" * 200_000,)))
    conn.close()
    assert "database or disk is full" in str(full)
    assert is_environment(full)


def test_sqlalchemy_wrapping_sqlite_is_judged_by_what_it_wraps(sqlite_file: Path) -> None:
    engine = create_engine(f"sqlite:///{sqlite_file}")
    with engine.connect() as conn:
        conn.execute(text("DROP TABLE rooms"))
        conn.commit()
        missing = raised(lambda: conn.execute(text("SELECT * FROM rooms")))
    engine.dispose()
    assert type(missing).__module__ == "sqlalchemy.exc"
    assert not is_environment(missing)
    gone = create_engine(f"sqlite:///{sqlite_file.parent / 'gone' / 'x.sqlite3'}")
    assert is_environment(raised(gone.connect))


# --- PostgreSQL ---------------------------------------------------------------------------------


@pytest.mark.postgresql
def test_postgresql_an_undefined_table_bad_sql_and_a_duplicate_key_are_bugs(
    pg_conninfo: str,
) -> None:
    with psycopg.connect(pg_conninfo, autocommit=True) as conn:
        undefined = raised(lambda: conn.execute("SELECT * FROM no_such_table"))
        assert isinstance(undefined, psycopg.errors.UndefinedTable)
        assert not is_environment(undefined)
        assert not is_environment(raised(lambda: conn.execute("SELEC 1")))
        duplicate = raised(
            lambda: conn.execute("INSERT INTO rooms (name) VALUES ('Interview Room 1')")
        )
        assert isinstance(duplicate, psycopg.errors.UniqueViolation)
        assert not is_environment(duplicate)


@pytest.mark.postgresql
def test_postgresql_a_refused_port_and_a_terminated_connection_are_the_environment(
    pg_conninfo: str,
) -> None:
    refused = raised(
        lambda: psycopg.connect(f"host=127.0.0.1 port={closed_port()} connect_timeout=2")
    )
    assert "Connection refused" in str(refused)
    assert is_environment(refused)
    victim = psycopg.connect(pg_conninfo, autocommit=True)
    pid = victim.info.backend_pid
    with psycopg.connect(pg_conninfo, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
    terminated = raised(lambda: victim.execute("SELECT 1"))
    victim.close()
    assert isinstance(terminated, psycopg.OperationalError)
    assert is_environment(terminated)


@pytest.mark.postgresql
def test_postgresql_a_lock_wait_a_timeout_and_a_read_only_server_are_the_environment(
    pg_conninfo: str,
) -> None:
    with psycopg.connect(pg_conninfo) as holder, psycopg.connect(pg_conninfo) as waiter:
        holder.execute("LOCK TABLE rooms IN ACCESS EXCLUSIVE MODE")
        waiter.execute("SET lock_timeout = '50ms'")
        lock = raised(lambda: waiter.execute("SELECT * FROM rooms"))
        assert isinstance(lock, psycopg.errors.LockNotAvailable)  # 55P03
        assert is_environment(lock)
        holder.rollback()
        waiter.rollback()
        waiter.execute("SET statement_timeout = '50ms'")
        cancelled = raised(lambda: waiter.execute("SELECT pg_sleep(5)"))
        assert isinstance(cancelled, psycopg.errors.QueryCanceled)  # 57014
        assert is_environment(cancelled)
        waiter.rollback()
        waiter.execute("SET TRANSACTION READ ONLY")
        standby_like = raised(lambda: waiter.execute("INSERT INTO rooms (name) VALUES ('x')"))
        assert isinstance(standby_like, psycopg.errors.ReadOnlySqlTransaction)  # 25006
        assert is_environment(standby_like)


@pytest.mark.postgresql
def test_sqlalchemy_wrapping_psycopg_is_judged_by_what_it_wraps(pg_conninfo: str) -> None:
    url = pg_conninfo.replace("postgresql://", "postgresql+psycopg://", 1)
    engine = create_engine(url)
    with engine.connect() as conn:
        undefined = raised(lambda: conn.execute(text("SELECT * FROM no_such_table")))
    engine.dispose()
    assert not is_environment(undefined)
    port = closed_port()
    nobody = create_engine(f"postgresql+psycopg://safedesk@127.0.0.1:{port}/safedesk")
    assert is_environment(raised(nobody.connect))


def test_the_database_wrappers_own_verdict_and_plain_network_errors_are_the_environment() -> None:
    assert is_environment(DatabaseUnavailable("database unavailable"))
    assert is_environment(raised(lambda: socket.create_connection(("127.0.0.1", closed_port()))))
    assert not is_environment(raised(lambda: {}["key"]))
    assert not is_environment(raised(lambda: 1 / 0))
