"""Markers: database roles that keep restricted reasons from ordinary PCs (PostgreSQL only).

Two NOLOGIN group roles (cluster-wide, so created only if missing):

- ``safedesk_app``: every ordinary PC's login role is a member. All tables, except that
  ``marker_restricted`` may only be INSERTed into (a manager placing a restricted marker from an
  ordinary PC writes the reason, but can never read one back); the audit log is insert-and-read.
- ``safedesk_restricted``: member of ``safedesk_app`` plus SELECT/UPDATE/DELETE on
  ``marker_restricted``; for the PCs of the roles allowed to see the restricted register.

Default privileges make tables added by later migrations (run by the same owner) usable by
``safedesk_app``. On SQLite nothing happens here: the app enforces the rule and the file is 0600.

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APP = "safedesk_app"
RESTRICTED = "safedesk_restricted"

_CREATE_ROLES = f"""
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{APP}') THEN
        BEGIN
            CREATE ROLE {APP} NOLOGIN;
        EXCEPTION WHEN duplicate_object THEN NULL;  -- another migration created it meanwhile
        END;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{RESTRICTED}') THEN
        BEGIN
            CREATE ROLE {RESTRICTED} NOLOGIN;
        EXCEPTION WHEN duplicate_object THEN NULL;
        END;
    END IF;
    IF NOT pg_has_role('{RESTRICTED}', '{APP}', 'MEMBER') THEN
        GRANT {APP} TO {RESTRICTED};
    END IF;
END
$$;
"""


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(_CREATE_ROLES)
    statements = [
        f"GRANT USAGE ON SCHEMA public TO {APP}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {APP}",
        f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {APP}",
        # The restricted register: ordinary PCs may add a reason, never read, change or delete one
        # (UPDATE/DELETE with a WHERE clause would need SELECT anyway). Rows go with their marker
        # by ON DELETE CASCADE, which runs with the table owner's rights.
        f"REVOKE ALL ON marker_restricted FROM {APP}",
        f"GRANT INSERT ON marker_restricted TO {APP}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON marker_restricted TO {RESTRICTED}",
        # The audit log is evidence: append and read only (the triggers refuse the rest anyway).
        f"REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM {APP}",
        # Schema changes stay with the owner that runs `safedesk db upgrade`.
        f"REVOKE INSERT, UPDATE, DELETE ON alembic_version FROM {APP}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {APP}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO {APP}",
    ]
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    # The roles are cluster-wide and may serve other databases: only this database's grants go.
    for statement in (
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE SELECT, INSERT, UPDATE, DELETE ON TABLES FROM {APP}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE USAGE, SELECT, UPDATE ON SEQUENCES FROM {APP}",
        f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {APP}",
        f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {APP}",
        f"REVOKE ALL ON marker_restricted FROM {RESTRICTED}",
        f"REVOKE USAGE ON SCHEMA public FROM {APP}",
    ):
        op.execute(statement)
