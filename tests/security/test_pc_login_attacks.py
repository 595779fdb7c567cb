"""Issue 13: someone with a PC's database login (or the PC itself) goes to the database directly.

Each attack of the issue is tried as every kind of PC login (real LOGIN roles on the test server,
made as the README says) and must be refused by the database; the owner's view afterwards shows
nothing changed.
"""

from __future__ import annotations

import psycopg
import pytest
from psycopg import errors

from safedesk.clock import FakeClock
from tests.helpers import postgres
from tests.security.conftest import NOT_TOLD, SOURCE, WHAT_HAPPENED, Office
from tests.security.pc_logins import PcLogins

pytestmark = pytest.mark.postgresql

ORDINARY = ("bridge", "reception", "responder", "manager", "restricted")
EVERY = (*ORDINARY, "admin")
# Every table the press path reads or writes: none may be locked by an ordinary PC's login.
PRESS_TABLES = (
    "alarm_events",
    "alarm_presses",
    "alarm_tests",
    "audit_log",
    "bus_events",
    "offices",
    "panic_devices",
    "rooms",
    "visits",
    "staff",
)
Refused = (errors.InsufficientPrivilege,)


def _owner(pg_url: str, sql: str, *args: object) -> list[tuple[object, ...]]:
    with psycopg.connect(pg_url, autocommit=True) as conn:
        return conn.execute(sql, args or None).fetchall()


@pytest.mark.parametrize("kind", EVERY)
def test_no_pc_login_takes_over_an_account_or_gives_itself_a_role(
    kind: str, office: Office, logins: PcLogins, pg_url: str
) -> None:
    """Accounts change only from the administrator's login (which sets passwords, but reads no
    password hash either)."""
    before = _owner(pg_url, "SELECT password_hash FROM staff WHERE login = 'admin'")
    with logins.connect(kind) as conn:
        with pytest.raises(Refused):
            conn.execute("SELECT password_hash FROM staff")
        if kind != "admin":
            with pytest.raises(Refused):
                conn.execute("UPDATE staff SET password_hash = 'mine' WHERE login = 'admin'")
            with pytest.raises(Refused):
                conn.execute(
                    "INSERT INTO staff_roles (staff_id, role) VALUES (%s, 'asb_manager')",
                    (office.world.staff["reception"],),
                )
            with pytest.raises(Refused):
                conn.execute("UPDATE staff SET active = true")
    assert _owner(pg_url, "SELECT password_hash FROM staff WHERE login = 'admin'") == before
    roles = _owner(
        pg_url, "SELECT role FROM staff_roles WHERE staff_id = %s", office.world.staff["reception"]
    )
    assert roles == [("reception",)]


@pytest.mark.parametrize("kind", ORDINARY)
def test_an_audit_row_names_the_database_login_that_wrote_it(
    kind: str, office: Office, logins: PcLogins, pg_url: str
) -> None:
    with logins.connect(kind) as conn:
        conn.execute(
            "INSERT INTO audit_log (at, staff_id, actor, workstation, action, detail, db_login)"
            " VALUES (now(), %s, 'admin', 'ADMIN-PC', 'auth.unlocked', '{}', 'sd_admin_pc')",
            (office.world.staff["admin"],),
        )
        with pytest.raises(Refused):
            conn.execute("UPDATE audit_log SET db_login = 'someone'")
        with pytest.raises(Refused):
            conn.execute("DELETE FROM audit_log")
    rows = _owner(pg_url, "SELECT actor, db_login FROM audit_log WHERE action = 'auth.unlocked'")
    assert rows == [("admin", logins.names[kind])]


@pytest.mark.parametrize("kind", ORDINARY)
def test_a_resolved_incident_record_is_kept_as_written(
    kind: str, office: Office, logins: PcLogins, pg_url: str
) -> None:
    alarm = office.resolved_alarm
    before = _owner(pg_url, "SELECT notes, outcome FROM alarm_events WHERE id = %s", alarm)
    with logins.connect(kind) as conn:
        for change in (
            "notes = 'Nothing happened'",
            "outcome = 'false_alarm'",
            "resolved_at = NULL",
            "resolved_by_id = NULL",
        ):
            with pytest.raises(Refused):
                conn.execute(f"UPDATE alarm_events SET {change} WHERE id = %s", (alarm,))
        if kind in ("manager", "restricted"):
            # The manager's follow-up is added to, never rewritten.
            conn.execute(
                "UPDATE alarm_events SET follow_up_notes = 'Letter sent' WHERE id = %s", (alarm,)
            )
            conn.execute(
                "UPDATE alarm_events SET follow_up_notes = follow_up_notes || E'\\nBanned'"
                " WHERE id = %s",
                (alarm,),
            )
            with pytest.raises(Refused, match="only added to"):
                conn.execute(
                    "UPDATE alarm_events SET follow_up_notes = 'Nothing' WHERE id = %s", (alarm,)
                )
        with pytest.raises(Refused):
            conn.execute("DELETE FROM alarm_events WHERE id = %s", (alarm,))
    assert _owner(pg_url, "SELECT notes, outcome FROM alarm_events WHERE id = %s", alarm) == before


@pytest.mark.parametrize("kind", EVERY)
def test_restricted_detail_is_read_only_from_a_restricted_access_pc(
    kind: str, office: Office, logins: PcLogins
) -> None:
    queries = (
        "SELECT what_happened FROM marker_evidence",
        "SELECT source FROM marker_evidence",
        "SELECT * FROM marker_evidence",
        "SELECT not_informed_reason FROM markers",
        "SELECT not_informed_reason FROM marker_reviews",
        "SELECT reason FROM marker_restricted",
        "SELECT id FROM markers WHERE not_informed_reason LIKE 'T%'",
    )
    with logins.connect(kind) as conn:
        if kind == "restricted":
            mine = " WHERE marker_id = %s"
            got = conn.execute(queries[0] + mine, (office.restricted_marker,)).fetchall()
            assert got == [(WHAT_HAPPENED,)]
            got = conn.execute(queries[1] + mine, (office.restricted_marker,)).fetchall()
            assert got == [(SOURCE,)]
            got = conn.execute(
                queries[3] + " WHERE id = %s", (office.restricted_marker,)
            ).fetchall()
            assert got == [(NOT_TOLD,)]
            return
        for query in queries:
            with pytest.raises(Refused):
                conn.execute(query)
        if kind != "bridge":
            # What every PC needs is readable: the instructions, the dates, who placed it.
            count = conn.execute("SELECT count(*), min(occurred_on) FROM marker_evidence")
            assert count.fetchone() is not None
            marker = conn.execute(
                "SELECT restricted, instructions FROM markers WHERE id = %s",
                (office.restricted_marker,),
            ).fetchone()
            assert marker is not None and marker[0] is True


@pytest.mark.parametrize("kind", EVERY)
def test_only_a_restricted_access_pc_removes_or_unrestricts_a_restricted_marker(
    kind: str, office: Office, logins: PcLogins, pg_url: str
) -> None:
    marker = office.restricted_marker
    with logins.connect(kind) as conn:
        if kind == "restricted":
            conn.execute("UPDATE markers SET restricted = false WHERE id = %s", (marker,))
            conn.execute("UPDATE markers SET restricted = true WHERE id = %s", (marker,))
            return
        for attack in (
            "DELETE FROM markers WHERE id = %s",
            "DELETE FROM marker_restricted WHERE marker_id = %s",
            "DELETE FROM marker_evidence WHERE marker_id = %s",
            "UPDATE markers SET restricted = false WHERE id = %s",
            "UPDATE markers SET status = 'removed', removed_at = now() WHERE id = %s",
            "UPDATE markers SET person_id = person_id + 1 WHERE id = %s",
        ):
            with pytest.raises(Refused):
                conn.execute(attack, (marker,))
        # No ON DELETE CASCADE path either (the administrator may delete people: not these).
        with pytest.raises((*Refused, errors.ForeignKeyViolation)):
            conn.execute("DELETE FROM people")
    assert _owner(
        pg_url,
        "SELECT m.restricted, m.status, count(r.*) FROM markers m"
        " JOIN marker_restricted r ON r.marker_id = m.id WHERE m.id = %s GROUP BY 1, 2",
        marker,
    ) == [(True, "active", 1)]


@pytest.mark.parametrize("kind", EVERY)
def test_no_pc_login_moves_a_sequence(kind: str, office: Office, logins: PcLogins) -> None:
    with logins.connect(kind) as conn:
        for sequence in ("audit_log_id_seq", "alarm_events_id_seq", "bus_events_id_seq"):
            with pytest.raises(Refused):
                conn.execute(f"SELECT setval('{sequence}', 1)")
            with pytest.raises(Refused):
                conn.execute(f"ALTER SEQUENCE {sequence} RESTART")


@pytest.mark.parametrize("kind", ORDINARY)
def test_no_pc_login_locks_a_table_presses_use(kind: str, office: Office, logins: PcLogins) -> None:
    with logins.connect(kind) as conn:
        for table in PRESS_TABLES:
            for mode in ("", " IN SHARE MODE", " IN EXCLUSIVE MODE"):
                with pytest.raises(Refused), conn.transaction():
                    conn.execute(f"LOCK TABLE {table}{mode}")


@pytest.mark.parametrize("kind", EVERY)
def test_no_pc_login_writes_the_sign_in_guard_or_adds_objects(
    kind: str, office: Office, logins: PcLogins
) -> None:
    with logins.connect(kind) as conn:
        attacks = [
            "CREATE TABLE public.mine (id int)",
            "CREATE FUNCTION public.lower(text) RETURNS text LANGUAGE sql AS 'SELECT $1'",
            "ALTER TABLE staff ADD COLUMN x int",
            "DROP TRIGGER audit_log_stamp ON audit_log",
            "TRUNCATE audit_log",
        ]
        if kind != "admin":
            attacks += [
                "UPDATE sign_in_guard SET failures = 0",
                "DELETE FROM sign_in_guard",
                "INSERT INTO sign_in_guard (login_key, failures) VALUES ('x', 0)",
                "UPDATE sign_in_policy SET free_attempts = 1000",
                "SET ROLE safedesk_admin",
            ]
        for attack in attacks:
            with pytest.raises((*Refused, errors.InvalidParameterValue)):
                conn.execute(attack)


def test_a_temporary_table_does_not_fool_the_sign_in_functions(
    office: Office, logins: PcLogins, pg_url: str, clock: FakeClock
) -> None:
    """SECURITY DEFINER functions search pg_temp last: a PC's own temporary sign_in_guard is
    not the one they count in."""
    with logins.connect("reception") as conn:
        conn.execute("CREATE TEMPORARY TABLE sign_in_guard (login_key text, failures int)")
        for _ in range(5):
            row = conn.execute(
                "SELECT attempt_id FROM safedesk_sign_in_begin('asb', 'PC', 5, 60, 900)"
            ).fetchone()
            assert row is not None and row[0] is not None
        locked = conn.execute(
            "SELECT attempt_id, wait_s FROM safedesk_sign_in_begin('asb', 'PC', 5, 60, 900)"
        ).fetchone()
        assert locked is not None and locked[0] is None and int(str(locked[1])) > 0
    assert _owner(pg_url, "SELECT failures FROM sign_in_guard WHERE login_key = 'asb'") == [(5,)]


def test_a_pc_cannot_ask_for_a_laxer_policy_or_replay_a_guess(
    office: Office, logins: PcLogins, pg_url: str
) -> None:
    with logins.connect("reception") as conn:
        begun = [
            conn.execute(
                "SELECT attempt_id FROM safedesk_sign_in_begin('officer', 'PC', 1000, 0, 0)"
            ).fetchone()
            for _ in range(6)
        ]
        assert [b is not None and b[0] is not None for b in begun] == [True] * 5 + [False]
        first = begun[0]
        assert first is not None
        for _ in range(2):  # finishing twice, or an id never begun, checks nothing
            done = conn.execute(
                "SELECT staff_id FROM safedesk_sign_in_finish(%s, 'x', 'PC', true)", (first[0],)
            ).fetchone()
            assert done == (None,)
        done = conn.execute(
            "SELECT staff_id FROM safedesk_sign_in_finish(999999, 'x', 'PC', true)"
        ).fetchone()
        assert done == (None,)
    assert _owner(pg_url, "SELECT failures FROM sign_in_guard WHERE login_key = 'officer'") == [
        (5,)
    ]


def test_the_bridge_login_cannot_sign_anyone_in(office: Office, logins: PcLogins) -> None:
    with logins.connect("bridge") as conn, pytest.raises(Refused):
        conn.execute("SELECT * FROM safedesk_sign_in_begin('asb', 'PC', 5, 60, 900)")


def test_old_style_logins_are_kept_working_by_the_upgrade(empty_pg_url: str) -> None:
    """A login made the pre-0014 way (IN ROLE safedesk_app) still places markers after the
    upgrade, and the upgrade names it so it can be narrowed to its kind."""
    import uuid

    from psycopg import sql

    from safedesk.db import Database
    from safedesk.db.migrate import upgrade

    name = f"sd_old_pc_{uuid.uuid4().hex[:8]}"
    db = Database(empty_pg_url)
    try:
        upgrade(db.engine, "0013")
        with postgres.admin_connect() as conn:
            conn.execute(
                sql.SQL("CREATE ROLE {} LOGIN IN ROLE safedesk_app").format(sql.Identifier(name))
            )
        upgrade(db.engine)
        with postgres.admin_connect() as conn:
            member = conn.execute(
                "SELECT pg_has_role(%s, 'safedesk_manager', 'MEMBER')", (name,)
            ).fetchone()
        assert member == (True,)
    finally:
        db.dispose()
        postgres.drop_database(empty_pg_url.rsplit("/", 1)[1])
        with postgres.admin_connect() as conn:
            conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(name)))
