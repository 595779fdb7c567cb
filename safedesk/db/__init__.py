"""Storage: one URL chooses embedded SQLite or shared PostgreSQL; the code is the same."""

from safedesk.db.database import Database, DatabaseUnavailable

__all__ = ["Database", "DatabaseUnavailable"]
