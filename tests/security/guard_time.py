"""Time passing for the sign-in guard: the FakeClock on SQLite, the guard's rows on PostgreSQL.

On PostgreSQL the guard decides by the server's clock (no PC may claim the time), so a test that
"waits" moves the guard's own timestamps back by the same amount instead.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import text

from safedesk.clock import FakeClock
from safedesk.db import Database


def pass_time(db: Database, clock: FakeClock, seconds: float) -> None:
    clock.advance(seconds)
    if not db.is_postgresql:
        return
    shift = timedelta(seconds=seconds)
    with db.engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE sign_in_guard SET locked_until = locked_until - :shift,"
                " last_failure_at = last_failure_at - :shift"
            ),
            {"shift": shift},
        )
        conn.execute(
            text("UPDATE sign_in_attempts SET begun_at = begun_at - :shift"), {"shift": shift}
        )
