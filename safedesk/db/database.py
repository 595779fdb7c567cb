"""The Database wrapper: engine, sessions as transactions, and environment errors made explicit."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from safedesk.db.engine import is_postgresql, make_engine

log = logging.getLogger(__name__)


class DatabaseUnavailable(Exception):
    """The database cannot be reached (server down, network gone, file locked): the environment,
    not a bug. Callers on the alarm path hold the work and retry; screens show NOT CONNECTED."""


def _is_connection_problem(exc: DBAPIError) -> bool:
    return bool(exc.connection_invalidated) or isinstance(exc, OperationalError)


class Database:
    def __init__(self, url: str, *, pool_size: int = 1, max_overflow: int = 1) -> None:
        self.url = url
        self.engine: Engine = make_engine(url, pool_size=pool_size, max_overflow=max_overflow)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def is_postgresql(self) -> bool:
        return is_postgresql(self.engine)

    @property
    def display_url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A transaction: committed when the block ends, rolled back if it raises.

        Connection failures come out as DatabaseUnavailable; everything else propagates as is.
        """
        session = self._sessions()
        try:
            yield session
            session.commit()
        except DBAPIError as exc:
            session.rollback()
            if _is_connection_problem(exc):
                raise DatabaseUnavailable(
                    f"database {self.display_url} unavailable: {exc.orig}"
                ) from exc
            raise
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def ping(self) -> None:
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except DBAPIError as exc:
            raise DatabaseUnavailable(
                f"database {self.display_url} unavailable: {exc.orig}"
            ) from exc

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
