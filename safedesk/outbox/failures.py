"""Which failures are the environment (retried quietly) and which are bugs (loud)."""

from __future__ import annotations

from sqlalchemy.exc import InterfaceError, OperationalError

from safedesk.db import DatabaseUnavailable

# The environment (server gone or hung, network down), as opposed to a bug: logged without a
# traceback, and the press is held until the database answers.
CONNECTION_FAILURES: tuple[type[BaseException], ...] = (
    DatabaseUnavailable,
    ConnectionError,
    TimeoutError,
    OperationalError,
    InterfaceError,
)


def is_connection_failure(exc: BaseException) -> bool:
    return isinstance(exc, CONNECTION_FAILURES)


def describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:500]
