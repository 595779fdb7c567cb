"""Names as recorded at the time: visits, alarms and incidents keep the visitor's name.

- visits.recorded_name, visits.recorded_date_of_birth: who the visitor was, as recorded when the
  visit was booked (and again on arrival). The alarm screen and the incident record read the
  visitor through the visit, so a later correction of the person's record leaves history as it
  was. Existing visits are filled from the person (or the walk-in name) as they stand now: the
  best that is known when upgrading.

Revision ID: 0007
Revises: 0006
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("visits", schema=None) as batch_op:
        batch_op.add_column(sa.Column("recorded_name", sa.String(length=240), nullable=True))
        batch_op.add_column(sa.Column("recorded_date_of_birth", sa.Date(), nullable=True))
    op.execute(
        """
        UPDATE visits SET
            recorded_name = (
                SELECT TRIM(people.forenames || ' ' || people.surname)
                FROM people WHERE people.id = visits.person_id
            ),
            recorded_date_of_birth = (
                SELECT people.date_of_birth FROM people WHERE people.id = visits.person_id
            )
        WHERE person_id IS NOT NULL
        """
    )
    op.execute(
        """
        UPDATE visits SET
            recorded_name = walk_in_name,
            recorded_date_of_birth = walk_in_date_of_birth
        WHERE person_id IS NULL
        """
    )


def downgrade() -> None:
    with op.batch_alter_table("visits", schema=None) as batch_op:
        batch_op.drop_column("recorded_date_of_birth")
        batch_op.drop_column("recorded_name")
