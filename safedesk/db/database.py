"""The Database wrapper: engine, sessions as transactions, and environment errors made explicit."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext

from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session, sessionmaker

from safedesk.db import deadlines
from safedesk.db.engine import DatabaseTimeouts, is_postgresql, make_engine
from safedesk.db.failures import DatabaseUnavailable, is_environment
from safedesk.db.urls import display_url

log = logging.getLogger(__name__)


__all__ = ["Database", "DatabaseUnavailable"]


def _is_environment(exc: DBAPIError) -> bool:
    """The world, not a bug (``safedesk.db.failures``); also any failure of a call whose
    deadline passed, because the deadline's watchdog cut it."""
    scope = deadlines.current()
    return is_environment(exc) or (scope is not None and scope.expired)


class Database:
    def __init__(
        self,
        url: str,
        *,
        pool_size: int = 1,
        max_overflow: int = 1,
        timeouts: DatabaseTimeouts | None = None,
    ) -> None:
        self.url = url
        self.timeouts = timeouts or DatabaseTimeouts()
        self.engine: Engine = make_engine(
            url, pool_size=pool_size, max_overflow=max_overflow, timeouts=self.timeouts
        )
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    def deadline(self, seconds: float | None) -> AbstractContextManager[object]:
        """Every call on this thread inside the block finishes within ``seconds`` or fails with
        DatabaseUnavailable (None: no deadline). The press path runs inside one."""
        return nullcontext() if seconds is None else deadlines.deadline(seconds)

    def press_deadline(self) -> AbstractContextManager[object]:
        """The deadline of one press-path call (``timeouts.press_s``)."""
        return self.deadline(self.timeouts.press_s)

    @property
    def is_postgresql(self) -> bool:
        return is_postgresql(self.engine)

    @property
    def display_url(self) -> str:
        return display_url(self.url)

    @contextmanager
    def session(self, *, deadline_s: float | None = None) -> Iterator[Session]:
        """A transaction: committed when the block ends, rolled back if it raises.

        The environment (``safedesk.db.failures``: connection failures, disk full, locked, a
        deadline missed (``deadline_s``, or the caller's ``deadline`` scope), no free pooled
        connection) comes out as DatabaseUnavailable; a bug propagates as it is.
        """
        with self.deadline(deadline_s if deadline_s is not None else self.timeouts.call_s):
            session = self._sessions()
            try:
                yield session
                session.commit()
            except DBAPIError as exc:
                _rollback(session)
                if _is_environment(exc):
                    raise DatabaseUnavailable(self._why(exc.orig)) from exc
                raise  # a bug (no such table, bad SQL, a constraint): loud, never "unreachable"
            except (PoolTimeout, deadlines.DeadlineExceeded) as exc:
                _rollback(session)
                raise DatabaseUnavailable(self._why(exc)) from exc
            except BaseException:
                session.rollback()
                raise
            finally:
                session.close()

    def _why(self, error: object) -> str:
        scope = deadlines.current()
        if scope is not None and scope.expired:
            return (
                f"database {self.display_url} gave no answer within {scope.seconds:g} s "
                f"(server hung or network partitioned): {error}"
            )
        if isinstance(error, PoolTimeout):
            return f"database {self.display_url}: every pooled connection is busy: {error}"
        return f"database {self.display_url} unavailable: {error}"

    def ping(self) -> None:
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except DBAPIError as exc:
            if _is_environment(exc):
                raise DatabaseUnavailable(self._why(exc.orig)) from exc
            raise
        except (PoolTimeout, deadlines.DeadlineExceeded) as exc:
            raise DatabaseUnavailable(self._why(exc)) from exc

    def confirm_durable(self, *, deadline_s: float | None = None) -> None:
        """Return once every commit the server has made so far is as safe as a new one of ours.

        A press the outbox resends may already be in the database without being safe: a commit
        whose wait for the synchronous standby was cut short (the waiting backend cancelled or
        terminated, the primary restarted) is kept on the primary alone, and the standby that
        will be promoted lacks it. So before the outbox forgets such a press it commits a write
        of its own (a one-line WAL message, no table touched): that commit comes later in the
        WAL and waits for the standby like any press, so when it returns the standby has the
        press too. Raises DatabaseUnavailable (the press stays held) if no standby confirms
        within the deadline. SQLite: nothing to wait for.
        """
        if not self.is_postgresql:
            return
        with self.session(deadline_s=deadline_s or self.timeouts.press_s) as s:
            s.execute(text("SELECT pg_logical_emit_message(true, 'safedesk', 'durable')"))

    def wait_until_reachable(
        self,
        *,
        retry_s: float,
        on_retry: Callable[[DatabaseUnavailable, int], None],
        sleep: Callable[[float], None] = time.sleep,
        max_attempts: int | None = None,
    ) -> None:
        """Retry until the database answers; never fall back to another database.

        A reception PC silently on the wrong database would miss every alarm.
        """
        attempt = 0
        while True:
            attempt += 1
            try:
                self.ping()
                return
            except DatabaseUnavailable as exc:
                if max_attempts is not None and attempt >= max_attempts:
                    raise
                on_retry(exc, attempt)
                sleep(retry_s)

    def dispose(self) -> None:
        self.engine.dispose()


def _rollback(session: Session) -> None:
    """Roll back after a failed statement; the connection may be gone, which is the point."""
    try:
        session.rollback()
    except DBAPIError as exc:
        log.debug("rollback after a failed statement failed too: %s", exc.orig)
