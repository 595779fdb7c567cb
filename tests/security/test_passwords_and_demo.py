"""Issue 13: weak passwords refused with the NCSC's advice; the demo's shared password never
beside real accounts, and not the published one on a shared PostgreSQL server."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from safedesk.cli import main
from safedesk.clock import FakeClock
from safedesk.db import Database
from safedesk.demo.office import DEMO_PASSWORD, DemoRefused
from safedesk.demo.seed import seed_demo
from safedesk.models import Role, Staff
from safedesk.services.shared.refusals import InvalidInput
from safedesk.services.staff import accounts as staff_admin
from safedesk.services.staff import sign_in as auth
from tests.markers.office_world import World


@pytest.mark.parametrize(
    "weak",
    ["password", "12345678", "aaaaaaaa", "safedesk", "Password1", "rgreen2026", "qwertyuiop"],
)
def test_a_weak_password_is_refused_with_the_three_random_words_advice(
    world: World, clock: FakeClock, weak: str
) -> None:
    with pytest.raises(InvalidInput) as refused, world.db.session() as s:
        staff_admin.create_staff(
            s,
            world.actor("admin"),
            login="rgreen",
            name="Rachel Green",
            roles=[Role.OFFICER],
            password=weak,
            now=clock.now(),
        )
    assert refused.value.fields == ["password"]
    assert "Three random words" in str(refused.value)


def test_a_weak_new_password_is_refused_too(world: World, clock: FakeClock) -> None:
    with pytest.raises(InvalidInput, match="Three random words"), world.db.session() as s:
        staff_admin.set_password(s, world.actor("admin"), "officer", "officer1", now=clock.now())
    with world.db.session() as s:
        staff_admin.set_password(
            s, world.actor("admin"), "officer", "kettle orbit lantern", now=clock.now()
        )
    signed = auth.sign_in(
        world.db, "officer", "kettle orbit lantern", workstation="PC", now=clock.now()
    )
    assert signed.login == "officer"


def test_the_demo_is_never_seeded_beside_real_staff(world: World, clock: FakeClock) -> None:
    with pytest.raises(DemoRefused, match="already has staff"):
        seed_demo(world.db, 0, clock.now())
    with world.db.session() as s:
        logins = set(s.scalars(select(Staff.login)))
    assert "psharma" not in logins  # no demo account was added


@pytest.mark.postgresql
def test_a_demo_seeded_on_postgresql_gets_its_own_password(
    pg_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("SAFEDESK_DATABASE_URL", pg_url)
    monkeypatch.setenv("SAFEDESK_CONFIG", str(tmp_path / "none.toml"))
    (tmp_path / "none.toml").write_text("")
    assert main(["demo", "--people", "0"]) == 0
    out = capsys.readouterr().out
    password = out.rsplit("every demo account's password is: ", 1)[1].strip()
    assert password and password != DEMO_PASSWORD
    db = Database(pg_url)
    clock = FakeClock()
    try:
        with pytest.raises(auth.SignInRefused):
            auth.sign_in(db, "admin", DEMO_PASSWORD, workstation="PC", now=clock.now())
        assert auth.sign_in(db, "psharma", password, workstation="PC", now=clock.now())
    finally:
        db.dispose()
    assert main(["demo", "--people", "0"]) == 2  # and never again on top of it
