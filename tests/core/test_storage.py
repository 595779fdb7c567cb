"""Both databases migrate from empty to head and keep every column of every table."""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime, time
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import inspect, select, text
from sqlalchemy.exc import DBAPIError

from safedesk.db import Database
from safedesk.db.migrate import current_revision, downgrade, head_revision, upgrade
from safedesk.models import AuditEntry, Base

MAPPERS = {m.local_table.name: m.class_ for m in Base.registry.mappers}


def _sample(column: sa.Column[Any], ids: dict[str, int]) -> Any:
    if column.foreign_keys:
        (fk,) = column.foreign_keys
        return ids[fk.column.table.name]
    col_type = column.type
    if isinstance(col_type, sa.TypeDecorator):
        col_type = col_type.impl_instance
    python_type: Any = None
    try:
        python_type = col_type.python_type
    except NotImplementedError:
        python_type = None
    if isinstance(col_type, sa.Enum):
        assert col_type.enum_class is not None
        members = list(col_type.enum_class)
        return members[-1]
    if isinstance(col_type, sa.JSON) or python_type in (dict, list):
        return (
            ["Visit in pairs", "No lone interviews"]
            if column.name == "instructions"
            else {"room": "Interview Room 1", "n": [1, 2]}
        )
    if python_type is bool:
        return True
    if python_type is int:
        return 4_000_000_123 if isinstance(col_type, sa.BigInteger) else 42
    if python_type is float:
        return 123.5
    if python_type is datetime:
        return datetime(2026, 3, 29, 0, 59, 58, 123456, tzinfo=UTC)  # the GMT->BST change
    if python_type is date:
        return date(2028, 2, 29)
    if python_type is time:
        return time(23, 30)
    if python_type is str:
        length = getattr(col_type, "length", None) or 200
        return "Siân O'Brien-Ní Bhriain ✓"[: min(length, 26)]
    raise AssertionError(f"no sample value for {column}")


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)]
)
def test_empty_database_migrates_to_head_and_back(
    backend: str, tmp_path: Any, request: pytest.FixtureRequest
) -> None:
    url = (
        f"sqlite:///{(tmp_path / 'fresh.sqlite3').as_posix()}"
        if backend == "sqlite"
        else request.getfixturevalue("empty_pg_url")
    )
    db = Database(url)
    try:
        assert current_revision(db.engine) is None
        upgrade(db.engine)
        assert current_revision(db.engine) == head_revision()
        tables = set(inspect(db.engine).get_table_names())
        assert set(Base.metadata.tables) <= tables
        downgrade(db.engine, "base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade(db.engine)
        assert current_revision(db.engine) == head_revision()
    finally:
        db.dispose()


def test_migrated_schema_matches_the_models(db: Database) -> None:
    """Autogenerate finds nothing to do: the migrations and the models agree."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    with db.engine.connect() as conn:
        diff = compare_metadata(
            MigrationContext.configure(conn, opts={"compare_type": False}), Base.metadata
        )
    assert diff == []


def test_every_table_round_trips_every_column(db: Database) -> None:
    ids: dict[str, int] = {}
    identities: dict[str, tuple[Any, ...]] = {}
    written: dict[str, dict[str, Any]] = {}
    with db.session() as session:
        for table in Base.metadata.sorted_tables:
            cls = MAPPERS[table.name]
            values = {}
            for column in table.columns:
                if column.info.get("stamped_by_database"):
                    continue  # the database writes it, whatever is sent (audit_log.db_login)
                if (
                    column.primary_key
                    and not column.foreign_keys
                    and isinstance(column.type, sa.Integer)
                ):
                    continue
                values[column.key] = _sample(column, ids)
            obj = cls(**values)
            session.add(obj)
            session.flush()
            pk = inspect(obj).identity
            assert pk is not None
            ids[table.name] = pk[0]
            identities[table.name] = pk
            written[table.name] = values
    with db.session() as session:
        for table in Base.metadata.sorted_tables:
            cls = MAPPERS[table.name]
            obj = session.get(cls, identities[table.name])
            assert obj is not None, table.name
            for key, value in written[table.name].items():
                got = getattr(obj, key)
                if isinstance(value, enum.Enum):
                    assert got == value and isinstance(got, type(value)), (table.name, key)
                else:
                    assert got == value, (table.name, key, got, value)
                if isinstance(value, datetime):
                    assert got.tzinfo is not None, f"{table.name}.{key} came back naive"


def test_naive_datetimes_are_refused(db: Database) -> None:
    with pytest.raises(sa.exc.StatementError, match="naive datetime"), db.session() as session:
        session.add(AuditEntry(at=datetime(2026, 1, 1), actor="x", action="y", detail={}))
        session.flush()


def test_audit_log_is_append_only_in_the_database(db: Database) -> None:
    with db.session() as session:
        session.add(
            AuditEntry(
                at=datetime(2026, 1, 1, tzinfo=UTC), actor="psharma", action="viewed", detail={}
            )
        )
    for statement in ("UPDATE audit_log SET actor = 'someone-else'", "DELETE FROM audit_log"):
        with pytest.raises(DBAPIError, match="append-only"), db.engine.begin() as conn:
            conn.execute(text(statement))
    with db.session() as session:
        assert session.scalars(select(AuditEntry.actor)).all() == ["psharma"]


def test_sqlite_runs_in_wal_mode_with_foreign_keys(sqlite_url: str) -> None:
    db = Database(sqlite_url)
    try:
        with db.engine.connect() as conn:
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
    finally:
        db.dispose()
