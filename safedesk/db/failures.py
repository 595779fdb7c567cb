"""Which failures are the environment and which are bugs: the one rule, for every caller.

The environment (the world around a correct program) is retried quietly: the server gone, hung
or refusing connections, the network down, a connection reset, the server shutting down or
standing by read-only, too many connections, the disk full, the file locked by another writer.
The screens say NOT CONNECTED, a press is held and sent when the database answers.

Anything else is a bug and loud: a missing table, an SQL syntax error, a constraint broken, a
statement the driver refuses. It propagates as it is (never as ``DatabaseUnavailable``), is
logged with its traceback and shown as an internal error, not as "cannot reach the database".

The rules, by what raised:

* ``DatabaseUnavailable`` (the Database wrapper already decided), a deadline missed, no free
  pooled connection, ``ConnectionError``/``TimeoutError``, and an ``OSError`` for a full, gone or
  read-only disk: the environment.
* SQLAlchemy errors are judged by the driver's error inside them, and are the environment
  whenever SQLAlchemy saw the connection drop (``connection_invalidated``).
* psycopg, by SQLSTATE: classes 08 (connection exception), 53 (insufficient resources: disk
  full, out of memory, too many connections), 57 (operator intervention: admin or crash
  shutdown, cannot connect now, query cancelled), 58 (system error: I/O); 40001/40P01
  (serialization failure, deadlock: retrying succeeds), 55P03/55006 (lock not available, object
  in use), 25006 (read-only transaction: a standby after failover), 25P03/25P04 (session or
  transaction timeout). An ``OperationalError`` with no SQLSTATE is the client's own (connection
  refused, lost, timed out, name not resolved).
* sqlite3, by primary result code: BUSY, LOCKED, NOMEM, READONLY, PERM, INTERRUPT (a deadline's
  cut), IOERR, CORRUPT, FULL ("database or disk is full"), CANTOPEN, PROTOCOL, NOTADB; or, where
  the driver gave no code, the same words in the message.
"""

from __future__ import annotations

import errno
import sqlite3

import psycopg
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from safedesk.db.deadlines import DeadlineExceeded


class DatabaseUnavailable(Exception):
    """The database cannot be reached (server down, network gone, file locked, disk full): the
    environment, not a bug. Callers on the alarm path hold the work and retry; screens show NOT
    CONNECTED."""


_PG_ENVIRONMENT_CLASSES = frozenset({"08", "53", "57", "58"})
_PG_ENVIRONMENT_STATES = frozenset({"40001", "40P01", "55P03", "55006", "25006", "25P03", "25P04"})

_SQLITE_ENVIRONMENT_CODES = frozenset(
    {
        sqlite3.SQLITE_PERM,
        sqlite3.SQLITE_BUSY,
        sqlite3.SQLITE_LOCKED,
        sqlite3.SQLITE_NOMEM,
        sqlite3.SQLITE_READONLY,
        sqlite3.SQLITE_INTERRUPT,
        sqlite3.SQLITE_IOERR,
        sqlite3.SQLITE_CORRUPT,
        sqlite3.SQLITE_FULL,
        sqlite3.SQLITE_CANTOPEN,
        sqlite3.SQLITE_PROTOCOL,
        sqlite3.SQLITE_NOTADB,
    }
)
_SQLITE_ENVIRONMENT_WORDS = (
    "database is locked",
    "database table is locked",
    "database or disk is full",
    "disk i/o error",
    "unable to open database file",
    "readonly database",
    "interrupted",
    "file is not a database",
    "database disk image is malformed",
)

_OS_ENVIRONMENT_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.EROFS})


def is_environment(exc: BaseException) -> bool:
    """True: the world (retry quietly, hold the work). False: a bug (loud, shown as such)."""
    if isinstance(exc, DatabaseUnavailable | DeadlineExceeded | PoolTimeout):
        return True
    if isinstance(exc, DBAPIError):
        return bool(exc.connection_invalidated) or (
            exc.orig is not None and is_environment(exc.orig)
        )
    if isinstance(exc, psycopg.Error):
        return _psycopg_is_environment(exc)
    if isinstance(exc, sqlite3.Error):
        return _sqlite_is_environment(exc)
    if isinstance(exc, ConnectionError | TimeoutError):
        return True
    if isinstance(exc, OSError):
        return exc.errno in _OS_ENVIRONMENT_ERRNOS
    return False


def is_bug(exc: BaseException) -> bool:
    return not is_environment(exc)


def _psycopg_is_environment(exc: psycopg.Error) -> bool:
    state = exc.sqlstate
    if state is None:
        # No SQLSTATE: the client's own failure (refused, lost, timed out) or a misuse of it.
        return isinstance(exc, psycopg.OperationalError)
    return state[:2] in _PG_ENVIRONMENT_CLASSES or state in _PG_ENVIRONMENT_STATES


def _sqlite_is_environment(exc: sqlite3.Error) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    if isinstance(code, int):
        return code & 0xFF in _SQLITE_ENVIRONMENT_CODES
    message = str(exc).lower()
    return isinstance(exc, sqlite3.OperationalError) and any(
        words in message for words in _SQLITE_ENVIRONMENT_WORDS
    )


def describe(exc: BaseException) -> str:
    """One line for a log entry or an outbox note: the kind of error and its message."""
    return f"{type(exc).__name__}: {exc}"[:500]


INTERNAL_ERROR = "INTERNAL ERROR"


def internal_error_text(exc: BaseException) -> str:
    """What a screen says about a bug: never "cannot reach the database"."""
    first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{INTERNAL_ERROR}: {type(exc).__name__}: {first_line[:200]} (see the log)"


def is_internal_error_text(detail: str) -> bool:
    """``detail`` (a status line) reports a bug made into words by ``internal_error_text``."""
    return detail.startswith(INTERNAL_ERROR)
