"""Every PC and bridge is given both servers; each part of SafeDesk must read that URL the same way.

The pool reads the URL through SQLAlchemy's psycopg dialect; the alarm bus's LISTEN connection
through psycopg directly. Before: the bus turned ``?host=db1:5432&host=db2:5433`` into a libpq
URI naming the host "db2:5433", which does not resolve, so a PC on a failover URL never received
an alarm; libpq's own ``db1:5432,db2:5433`` spelling was refused as "not a database URL".
"""

from __future__ import annotations

import pytest
from psycopg.conninfo import conninfo_to_dict

from safedesk.alarm_bus.postgres_bus import psycopg_conninfo
from safedesk.config import ConfigError, validate_database_url
from safedesk.db.engine import make_engine
from safedesk.db.urls import connect_kwargs, display_url

SPELLINGS = [
    # SQLAlchemy's documented multi-host form (what docs/failover.md gives)
    "postgresql://desk:pw@/safedesk?host=db1:5432&host=db2:5433&target_session_attrs=read-write",
    # libpq's own, as a PostgreSQL administrator writes it
    "postgresql://desk:pw@db1:5432,db2:5433/safedesk?target_session_attrs=read-write",
    # one host value holding the list
    "postgresql://desk:pw@/safedesk?host=db1:5432,db2:5433&target_session_attrs=read-write",
    # libpq's parallel lists
    "postgresql://desk:pw@/safedesk?host=db1,db2&port=5432,5433&target_session_attrs=read-write",
]


@pytest.mark.parametrize("url", SPELLINGS)
def test_every_spelling_of_two_servers_reaches_both_from_the_pool_and_the_bus(url: str) -> None:
    checked = validate_database_url(url, "safedesk.toml").render_as_string(hide_password=False)
    pool = connect_kwargs(checked)
    assert (pool["host"], str(pool["port"])) == ("db1,db2", "5432,5433")
    assert pool["target_session_attrs"] == "read-write"
    bus = conninfo_to_dict(psycopg_conninfo(checked))
    assert (bus["host"], bus["port"]) == ("db1,db2", "5432,5433")
    assert (bus["dbname"], bus["user"], bus["password"]) == ("safedesk", "desk", "pw")
    assert bus["target_session_attrs"] == "read-write"
    engine = make_engine(url)  # what Database builds: the same servers
    try:
        assert connect_kwargs(engine.url.render_as_string(hide_password=False)) == pool
    finally:
        engine.dispose()


def test_two_servers_without_read_write_are_refused_naming_the_key() -> None:
    with pytest.raises(ConfigError) as refused:
        validate_database_url("postgresql://desk@db1:5432,db2:5433/safedesk", "office.toml")
    assert refused.value.key == "database.url"
    assert "target_session_attrs=read-write" in refused.value.problem
    assert "standby" in refused.value.problem


def test_a_single_server_url_is_unchanged() -> None:
    url = "postgresql://desk:pw@db1:5432/safedesk"
    assert conninfo_to_dict(psycopg_conninfo(url)) == {
        "host": "db1",
        "port": "5432",
        "dbname": "safedesk",
        "user": "desk",
        "password": "pw",
    }
    validate_database_url(url, "safedesk.toml")


def test_logs_name_both_servers_and_never_the_password() -> None:
    shown = display_url(SPELLINGS[0])
    assert "db1:5432,db2:5433/safedesk" in shown
    assert "pw" not in shown
