"""Real PostgreSQL login roles, one per kind of PC, made exactly as the README says.

Roles belong to the whole server, so each test makes its own (random suffix) and drops them
afterwards, after its database.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url

from tests.helpers import postgres

# The kind of PC -> its group role (README "Database roles").
KINDS = {
    "bridge": "safedesk_bridge",
    "reception": "safedesk_reception",
    "responder": "safedesk_responder",
    "manager": "safedesk_manager",
    "restricted": "safedesk_restricted",
    "admin": "safedesk_admin",
}
# What bounds a stuck or hostile session; set on each login (groups' settings are not inherited).
LOGIN_SETTINGS = {
    "lock_timeout": "10s",
    "statement_timeout": "60s",
    "idle_in_transaction_session_timeout": "60s",
}


def login_sql(login: str, kind: str, password: str = "...") -> list[str]:
    """The statements the README gives for one PC's login of ``kind``."""
    statements = [f"CREATE ROLE {login} LOGIN PASSWORD '{password}' IN ROLE {KINDS[kind]};"]
    statements += [
        f"ALTER ROLE {login} SET {name} = '{value}';" for name, value in LOGIN_SETTINGS.items()
    ]
    return statements


class PcLogins:
    """One LOGIN role per kind of PC (trust authentication on the test server: no password)."""

    def __init__(self, pg_url: str) -> None:
        suffix = uuid.uuid4().hex[:8]
        self.names = {kind: f"sd_{kind}_pc_{suffix}" for kind in KINDS}
        self._url = make_url(pg_url)
        with postgres.admin_connect() as conn:
            for kind, name in self.names.items():
                conn.execute(
                    sql.SQL("CREATE ROLE {} LOGIN IN ROLE {}").format(
                        sql.Identifier(name), sql.Identifier(KINDS[kind])
                    )
                )
                for setting, value in LOGIN_SETTINGS.items():
                    conn.execute(
                        sql.SQL("ALTER ROLE {} SET {} = {}").format(
                            sql.Identifier(name), sql.Identifier(setting), sql.Literal(value)
                        )
                    )

    def url(self, kind: str) -> str:
        return self._url.set(username=self.names[kind]).render_as_string(hide_password=False)

    def connect(self, kind: str) -> psycopg.Connection[tuple[object, ...]]:
        return psycopg.connect(self.url(kind), autocommit=True)

    def drop(self) -> None:
        with postgres.admin_connect() as conn:
            for name in self.names.values():
                conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(name)))


def made_for(pg_url: str) -> Iterator[PcLogins]:
    """Yield logins for ``pg_url``; drop the database first (its sessions), then the roles."""
    made = PcLogins(pg_url)
    try:
        yield made
    finally:
        postgres.drop_database(make_url(pg_url).database or "")
        made.drop()
