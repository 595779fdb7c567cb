"""Markers: appeal outcomes named as UK usage reads them.

An appeal *upheld* is one the tenant wins. The first schema stored "upheld" for the opposite (the
marker stays), so every stored outcome is renamed:

    upheld  -> dismissed        the appeal failed: the marker stays as it is
    amended -> upheld_amended   the appeal succeeded in part: the instructions changed
    removed -> upheld_removed   the appeal succeeded: the marker was removed

The CHECK constraint on ``marker_appeals.outcome`` is replaced to allow only the new values.
(Audit entries written before this keep their words: the audit log is never rewritten.)

Revision ID: 0009
Revises: 0008
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "marker_appeals"
CONSTRAINT = "ck_marker_appeals_appeal_outcome"
OLD = ("upheld", "amended", "removed")
NEW = ("dismissed", "upheld_amended", "upheld_removed")


def _enum(values: Sequence[str]) -> sa.Enum:
    return sa.Enum(
        *values, name="appeal_outcome", native_enum=False, create_constraint=True, length=32
    )


def _rename(mapping: dict[str, str]) -> None:
    cases = " ".join(f"WHEN '{old}' THEN '{new}'" for old, new in mapping.items())
    op.execute(f"UPDATE {TABLE} SET outcome = CASE outcome {cases} END WHERE outcome IS NOT NULL")


def _switch(old: Sequence[str], new: Sequence[str]) -> None:
    mapping = dict(zip(old, new, strict=True))
    if op.get_bind().dialect.name == "sqlite":
        # SQLite cannot drop a CHECK: the table is copied without it, renamed, and copied again
        # with the new one.
        with op.batch_alter_table(TABLE, recreate="always") as batch:
            batch.alter_column(
                "outcome", existing_type=_enum(old), type_=sa.String(32), existing_nullable=True
            )
        _rename(mapping)
        with op.batch_alter_table(TABLE, recreate="always") as batch:
            batch.alter_column(
                "outcome", existing_type=sa.String(32), type_=_enum(new), existing_nullable=True
            )
        return
    op.drop_constraint(op.f(CONSTRAINT), TABLE, type_="check")
    _rename(mapping)
    allowed = ", ".join(f"'{v}'" for v in new)
    op.create_check_constraint(op.f(CONSTRAINT), TABLE, f"outcome IN ({allowed})")


def upgrade() -> None:
    _switch(OLD, NEW)


def downgrade() -> None:
    _switch(NEW, OLD)
