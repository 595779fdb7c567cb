"""The database URL chooses the bus, as it chooses the database: no ``if testing`` anywhere."""

from __future__ import annotations

from safedesk.alarm_bus.interface import AlarmBus
from safedesk.alarm_bus.postgres_bus import PostgresAlarmBus
from safedesk.alarm_bus.sqlite_bus import SqliteAlarmBus
from safedesk.clock import Clock
from safedesk.config import AlarmConfig
from safedesk.db import Database


def make_bus(db: Database, clock: Clock, config: AlarmConfig | None = None) -> AlarmBus:
    """SQLite file -> polling bus; PostgreSQL -> LISTEN/NOTIFY bus with catch-up."""
    config = config or AlarmConfig()
    if db.is_postgresql:
        return PostgresAlarmBus(db, clock)
    return SqliteAlarmBus(db, clock, poll_interval_s=config.poll_interval_ms / 1000)
