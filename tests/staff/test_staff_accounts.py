"""Staff accounts: created and changed by an administrator or the command line, all audited."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy import select

from safedesk.cli import main
from safedesk.clock import FakeClock
from safedesk.db import Database
from safedesk.models import AuditEntry, Role, Staff
from safedesk.services.shared.actor import Actor
from safedesk.services.shared.refusals import InvalidInput, PermissionRefused
from safedesk.services.staff import accounts as staff_admin
from safedesk.services.staff import sign_in as auth
from tests.markers.office_world import World


def test_an_administrator_creates_an_account_that_can_sign_in(
    world: World, clock: FakeClock
) -> None:
    with world.db.session() as s:
        staff_admin.create_staff(
            s,
            world.actor("admin"),
            login="RGreen",
            name="Rachel Green",
            roles=[Role.OFFICER, Role.RESPONDER],
            password="tulips in april",
            now=clock.now(),
        )
    signed = auth.sign_in(world.db, "rgreen", "tulips in april", workstation="PC", now=clock.now())
    assert signed.roles == {Role.OFFICER, Role.RESPONDER}
    with world.db.session() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "staff.created")).one()
        assert entry.actor == "admin" and entry.detail["roles"] == ["officer", "responder"]


def test_bad_account_details_are_refused_naming_each_field(world: World, clock: FakeClock) -> None:
    with pytest.raises(InvalidInput) as refused, world.db.session() as s:
        staff_admin.create_staff(
            s,
            world.actor("admin"),
            login="asb",
            name="",
            roles=[],
            password="short",
            now=clock.now(),
        )
    assert refused.value.fields == ["login", "name", "roles", "password"]
    assert "already in use" in str(refused.value)


def test_only_an_administrator_changes_accounts(world: World, clock: FakeClock) -> None:
    with pytest.raises(PermissionRefused, match="admin role"), world.db.session() as s:
        staff_admin.set_roles(s, world.actor("head"), "officer", [Role.ADMIN], now=clock.now())
    # Anyone may change their own password.
    with world.db.session() as s:
        staff_admin.set_password(
            s, world.actor("officer"), "officer", "a much longer one", now=clock.now()
        )


def test_roles_are_replaced_and_the_change_is_audited(world: World, clock: FakeClock) -> None:
    with world.db.session() as s:
        staff_admin.set_roles(
            s, Actor.system(), "officer", [Role.OFFICER, Role.MANAGER], now=clock.now()
        )
    with world.db.session() as s:
        staff = s.scalars(select(Staff).where(Staff.login == "officer")).one()
        assert staff.role_set == {Role.OFFICER, Role.MANAGER}
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "staff.roles_set")).one()
        assert entry.detail == {"before": ["officer", "responder"], "after": ["manager", "officer"]}


def test_the_staff_commands(
    sqlite_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("SAFEDESK_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("SAFEDESK_CONFIG", str(tmp_path / "none.toml"))
    (tmp_path / "none.toml").write_text("")
    monkeypatch.setattr("sys.stdin", io.StringIO("first password\n"))
    assert (
        main(
            [
                "staff",
                "add",
                "jbloggs",
                "--name",
                "Jo Bloggs",
                "--roles",
                "officer,responder",
                "--password-stdin",
            ]
        )
        == 0
    )
    monkeypatch.setattr("sys.stdin", io.StringIO("second password\n"))
    assert main(["staff", "passwd", "jbloggs", "--password-stdin"]) == 0
    assert main(["staff", "roles", "jbloggs", "--add", "manager"]) == 0
    assert main(["staff", "roles", "jbloggs", "--set", "wizard"]) == 2
    assert main(["staff", "passwd", "nobody", "--password-stdin"]) == 2
    out, err = capsys.readouterr()
    assert "created jbloggs (Jo Bloggs): officer, responder" in out
    assert "jbloggs: manager, officer, responder" in out
    assert "unknown role wizard" in err
    assert "no staff account 'nobody'" in err
    db = Database(sqlite_url)
    try:
        auth.sign_in(db, "jbloggs", "second password", workstation="PC", now=FakeClock().now())
        with db.session() as s:
            actors = set(
                s.scalars(select(AuditEntry.actor).where(AuditEntry.action.like("staff.%")))
            )
        assert all(a.startswith("cli:") for a in actors)
    finally:
        db.dispose()
