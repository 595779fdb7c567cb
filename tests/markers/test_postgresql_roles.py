"""On PostgreSQL the database, not only the window, keeps restricted reasons from ordinary PCs.

Each test creates real LOGIN roles (as a PC's account would be), members of the group roles
of migration 0014 (a manager's PC, a restricted-access PC), and connects as them.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta

import psycopg
import pytest
from psycopg import errors, sql
from sqlalchemy import select
from sqlalchemy.engine import make_url

from safedesk.clock import FakeClock
from safedesk.db import Database
from safedesk.models import AuditEntry, Marker, MarkerCategory, MarkerRestricted, ReviewDecision
from safedesk.services.markers import retention as marker_retention
from safedesk.services.markers.placing import create_marker
from safedesk.services.markers.restricted_register import RestrictedStorageRefused, view_restricted
from safedesk.services.markers.review import ReviewInput, record_review
from safedesk.services.shared.actor import Actor
from tests.helpers import postgres
from tests.markers.office_world import World, build_world

pytestmark = pytest.mark.postgresql

REASON = "Conviction for wounding (2021); released on licence"


class PcLogins:
    def __init__(self, pg_url: str) -> None:
        suffix = uuid.uuid4().hex[:8]
        self.ordinary = f"sd_manager_pc_{suffix}"
        self.restricted = f"sd_asb_pc_{suffix}"
        self._url = make_url(pg_url)
        with postgres.admin_connect() as conn:
            for name, group in (
                (self.ordinary, "safedesk_manager"),
                (self.restricted, "safedesk_restricted"),
            ):
                conn.execute(
                    sql.SQL("CREATE ROLE {} LOGIN IN ROLE {}").format(
                        sql.Identifier(name), sql.Identifier(group)
                    )
                )

    def url(self, login: str) -> str:
        return self._url.set(username=login).render_as_string(hide_password=False)

    def conninfo(self, login: str) -> str:
        return self.url(login)

    def drop(self) -> None:
        with postgres.admin_connect() as conn:
            for name in (self.ordinary, self.restricted):
                conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(name)))


@pytest.fixture
def logins(pg_url: str) -> Iterator[PcLogins]:
    made = PcLogins(pg_url)
    yield made
    postgres.drop_database(make_url(pg_url).database or "")
    made.drop()


@pytest.fixture
def pg_world(pg_url: str, clock: FakeClock) -> Iterator[World]:
    db = Database(pg_url)
    yield build_world(db, clock.now())
    db.dispose()


def _place_offender_marker(world: World, clock: FakeClock, actor: Actor) -> int:
    with world.db.session() as s:
        return create_marker(
            s,
            actor,
            world.assessment(category=MarkerCategory.OFFENDER, restricted=True, reason=REASON),
            now=clock.now(),
            config=world.config,
        ).id


def _psql(logins: PcLogins, login: str) -> psycopg.Connection[tuple[object, ...]]:
    return psycopg.connect(logins.conninfo(login), autocommit=True)


def test_the_ordinary_pc_role_is_refused_the_restricted_reasons(
    pg_world: World, logins: PcLogins, clock: FakeClock
) -> None:
    marker_id = _place_offender_marker(pg_world, clock, pg_world.actor("asb"))
    with _psql(logins, logins.ordinary) as conn:
        # Everything reception needs is readable...
        assert conn.execute("SELECT count(*) FROM markers").fetchone() == (1,)
        assert conn.execute("SELECT count(*) FROM people").fetchone() == (2,)
        # ...but not the restricted register.
        with pytest.raises(errors.InsufficientPrivilege, match="permission denied"):
            conn.execute("SELECT reason FROM marker_restricted")
        with pytest.raises(errors.InsufficientPrivilege):
            conn.execute(
                "UPDATE marker_restricted SET reason = 'x' WHERE marker_id = %s", (marker_id,)
            )
        with pytest.raises(errors.InsufficientPrivilege):
            conn.execute("DELETE FROM marker_restricted")
        # And the audit log is append-only for it by grant as well as by trigger.
        with pytest.raises(errors.InsufficientPrivilege):
            conn.execute("DELETE FROM audit_log")
        # Nor can it remove the marker, or take it off the register, to get rid of the reason.
        with pytest.raises(errors.InsufficientPrivilege):
            conn.execute("DELETE FROM markers WHERE id = %s", (marker_id,))
        with pytest.raises(errors.InsufficientPrivilege, match="restricted-access PC"):
            conn.execute("UPDATE markers SET restricted = false WHERE id = %s", (marker_id,))


def test_the_restricted_role_can_read_the_restricted_reasons(
    pg_world: World, logins: PcLogins, clock: FakeClock
) -> None:
    marker_id = _place_offender_marker(pg_world, clock, pg_world.actor("asb"))
    with _psql(logins, logins.restricted) as conn:
        row = conn.execute(
            "SELECT reason FROM marker_restricted WHERE marker_id = %s", (marker_id,)
        )
        assert row.fetchone() == (REASON,)


def test_a_manager_on_an_ordinary_pc_places_a_restricted_marker_but_cannot_read_it_back(
    pg_world: World, logins: PcLogins, clock: FakeClock
) -> None:
    ordinary_pc = Database(logins.url(logins.ordinary))
    restricted_pc = Database(logins.url(logins.restricted))
    try:
        pc_world = World(
            db=ordinary_pc,
            office_id=pg_world.office_id,
            room_id=pg_world.room_id,
            staff=pg_world.staff,
            person_id=pg_world.person_id,
            other_person_id=pg_world.other_person_id,
        )
        marker_id = _place_offender_marker(pc_world, clock, pc_world.actor("asb"))
        # The Area Housing Manager's role allows it, but this PC's database account does not.
        with pytest.raises(RestrictedStorageRefused, match="safedesk_restricted"):
            view_restricted(
                ordinary_pc,
                pc_world.actor("area"),
                marker_id,
                now=clock.now(),
                config=pc_world.config,
            )
        # The same person on a restricted-access PC reads it, and the view is audited.
        detail = view_restricted(
            restricted_pc,
            pc_world.actor("area"),
            marker_id,
            now=clock.now(),
            config=pc_world.config,
        )
        assert detail.reason == REASON
        with ordinary_pc.session() as s:
            actions = [
                e.action
                for e in s.scalars(
                    select(AuditEntry)
                    .where(AuditEntry.subject_id == marker_id)
                    .order_by(AuditEntry.id)
                )
            ]
        assert actions == [
            "marker.placed",
            "marker.restricted_view_refused",
            "marker.restricted_viewed",
        ]
        # Removing a restricted marker, and purging its reason, are restricted actions: refused
        # on the ordinary PC with a message, done on the restricted-access PC.
        removal = ReviewInput(
            decision=ReviewDecision.REMOVE,
            reason="Licence ended; no incidents in 2 years",
            information_considered="Probation report; housing officer notes",
            tenant_informed=True,
        )
        with (
            pytest.raises(RestrictedStorageRefused, match="restricted access"),
            ordinary_pc.session() as s,
        ):
            record_review(
                s,
                pc_world.actor("asb"),
                marker_id,
                removal,
                now=clock.now(),
                config=pc_world.config,
            )
        with restricted_pc.session() as s:
            record_review(
                s,
                pc_world.actor("asb"),
                marker_id,
                removal,
                now=clock.now(),
                config=pc_world.config,
            )
        clock.advance(timedelta(days=2191).total_seconds())
        with (
            pytest.raises(RestrictedStorageRefused, match="restricted access"),
            ordinary_pc.session() as s,
        ):
            marker_retention.purge(s, Actor.system(), now=clock.now(), config=pc_world.config)
        with restricted_pc.session() as s:
            purged = marker_retention.purge(
                s, Actor.system(), now=clock.now(), config=pc_world.config
            )
        assert [p.marker_id for p in purged] == [marker_id]
        with restricted_pc.session() as s:
            assert s.get(Marker, marker_id) is None
            assert s.execute(select(MarkerRestricted)).all() == []
    finally:
        ordinary_pc.dispose()
        restricted_pc.dispose()


def test_every_table_has_its_grants_and_none_lets_a_pc_stop_presses(pg_url: str) -> None:
    """Also guards later migrations: a new table is granted to the kinds of PC that use it, the
    restricted register and the sign-in guard stay closed, and no ordinary kind gets a table-wide
    UPDATE, DELETE or TRUNCATE (which allow LOCK TABLE) on what presses use, nor any sequence
    UPDATE (setval)."""
    kinds = ("safedesk_bridge", "safedesk_reception", "safedesk_responder", "safedesk_manager")
    with psycopg.connect(pg_url, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT tablename, has_table_privilege('safedesk_app', 'public.' || tablename, 'SELECT'),"
            " has_any_column_privilege('safedesk_app', 'public.' || tablename, 'SELECT'),"
            " has_table_privilege('safedesk_restricted', 'public.' || tablename, 'SELECT')"
            " FROM pg_tables WHERE schemaname = 'public'"
        ).fetchall()
        by_table = {name: (whole, some, restricted) for name, whole, some, restricted in rows}
        assert by_table.pop("marker_restricted") == (False, False, True)
        for guard in ("sign_in_guard", "sign_in_attempts", "sign_in_policy"):
            assert by_table.pop(guard) == (False, False, False), guard
        for partly in ("staff", "markers", "marker_reviews", "marker_evidence"):
            whole, some, _ = by_table.pop(partly)
            assert (whole, some) == (False, True), partly  # secret columns left out
        assert by_table and all(v == (True, True, True) for v in by_table.values()), by_table
        for kind in kinds:
            wide = conn.execute(
                "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                " WHERE n.nspname = 'public' AND c.relkind = 'r' AND ("
                " has_table_privilege(%(k)s, c.oid, 'UPDATE')"
                " OR has_table_privilege(%(k)s, c.oid, 'TRUNCATE')"
                " OR (has_table_privilege(%(k)s, c.oid, 'DELETE') AND c.relname <> 'rota_shifts'))",
                {"k": kind},
            ).fetchall()
            assert wide == [], (kind, wide)
        updatable = conn.execute(
            "SELECT c.relname, r.rolname FROM pg_class c CROSS JOIN pg_roles r"
            " WHERE c.relkind = 'S' AND r.rolname LIKE 'safedesk\\_%%'"
            " AND has_sequence_privilege(r.rolname, c.oid, 'UPDATE')"
        ).fetchall()
        assert updatable == []
