"""Staff sign-in on a shared PC: passwords, lockout with backoff, quick switching, the signed-in
user on every audit entry."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from safedesk.clock import FakeClock
from safedesk.models import AuditEntry
from safedesk.services.markers.placing import create_marker
from safedesk.services.staff import sign_in as auth
from safedesk.services.staff.sign_in import LockoutPolicy, SignInRefused, StaffSession
from tests.markers.office_world import PASSWORD, World
from tests.security.guard_time import pass_time


def _actions(world: World) -> list[tuple[str, str]]:
    with world.db.session() as s:
        return [(e.action, e.actor) for e in s.scalars(select(AuditEntry).order_by(AuditEntry.id))]


def test_right_password_signs_in_and_is_audited(world: World, clock: FakeClock) -> None:
    signed = auth.sign_in(world.db, "ASB", PASSWORD, workstation="RECEPTION-1", now=clock.now())
    assert signed.name == "Steve Barker"
    assert signed.actor.staff_id == world.staff["asb"]
    assert signed.actor.workstation == "RECEPTION-1"
    assert _actions(world) == [("auth.signed_in", "asb")]


def test_wrong_password_and_unknown_login_get_the_same_message_and_are_audited(
    world: World, clock: FakeClock
) -> None:
    for login in ("asb", "nobody"):
        with pytest.raises(SignInRefused, match=r"^Wrong login or password$"):
            auth.sign_in(world.db, login, "guess", workstation="PC", now=clock.now())
    assert _actions(world) == [("auth.sign_in_failed", "asb"), ("auth.sign_in_failed", "nobody")]


def test_repeated_failures_lock_the_account_with_growing_backoff(
    world: World, clock: FakeClock
) -> None:
    policy = LockoutPolicy(free_attempts=3, first_lock_s=60, max_lock_s=600)
    # (On PostgreSQL the lockout runs on the server's clock: pass_time moves the guard's rows.)

    def attempt(password: str) -> str:
        return auth.sign_in(
            world.db, "officer", password, workstation="PC", now=clock.now(), policy=policy
        ).login

    for _ in range(2):
        with pytest.raises(SignInRefused, match=r"^Wrong login or password$"):
            attempt("guess")
    with pytest.raises(SignInRefused, match="locked for 60 s"):
        attempt("guess")
    # Locked: even the right password is refused, without checking it.
    pass_time(world.db, clock, 30)
    with pytest.raises(SignInRefused, match=r"try again in 3[01] s") as locked:  # 31: SQLite
        attempt(PASSWORD)
    assert locked.value.locked_until is not None
    pass_time(world.db, clock, 31)
    with pytest.raises(SignInRefused, match="locked for 120 s"):  # the fourth failure doubles it
        attempt("guess again")
    pass_time(world.db, clock, 60)
    with pytest.raises(SignInRefused, match="try again"):
        attempt(PASSWORD)
    pass_time(world.db, clock, 61)
    assert attempt(PASSWORD) == "officer"  # signed in; the run of failures is over
    with pytest.raises(SignInRefused, match=r"^Wrong login or password$"):
        attempt("guess")


def test_an_administrator_can_unlock_an_account(world: World, clock: FakeClock) -> None:
    policy = LockoutPolicy(free_attempts=1, first_lock_s=600)
    with pytest.raises(SignInRefused, match="locked"):
        auth.sign_in(world.db, "officer", "x", workstation="PC", now=clock.now(), policy=policy)
    with world.db.session() as s:
        auth.unlock(s, world.actor("admin"), "officer", now=clock.now())
    signed = auth.sign_in(
        world.db, "officer", PASSWORD, workstation="PC", now=clock.now(), policy=policy
    )
    assert signed.login == "officer"


def test_quick_switch_on_a_shared_reception_pc(world: World, clock: FakeClock) -> None:
    desk = StaffSession(world.db, clock, workstation="RECEPTION-1")
    changes: list[str | None] = []
    desk.on_change(lambda who: changes.append(who.login if who else None))
    desk.sign_in("reception", PASSWORD)
    assert desk.actor.login == "reception"
    # A wrong password from the next person leaves the current one signed in.
    with pytest.raises(SignInRefused):
        desk.switch_user("asb", "wrong")
    assert desk.actor.login == "reception"
    desk.switch_user("asb", PASSWORD)
    assert desk.actor.login == "asb"
    # What the new user does is recorded under their name, at this PC.
    with world.db.session() as s:
        create_marker(s, desk.actor, world.assessment(), now=clock.now(), config=world.config)
    desk.sign_out()
    with pytest.raises(auth.NotSignedIn):
        _ = desk.actor
    assert changes == ["reception", "asb", None]
    assert _actions(world) == [
        ("auth.signed_in", "reception"),
        ("auth.sign_in_failed", "asb"),
        ("auth.signed_in", "asb"),
        ("auth.signed_out", "reception"),
        ("marker.placed", "asb"),
        ("auth.signed_out", "asb"),
    ]
    with world.db.session() as s:
        placed = s.scalars(select(AuditEntry).where(AuditEntry.action == "marker.placed")).one()
        assert placed.workstation == "RECEPTION-1"


def test_a_disabled_account_cannot_sign_in(world: World, clock: FakeClock) -> None:
    from safedesk.services.staff import accounts as staff_admin

    with world.db.session() as s:
        staff_admin.set_active(s, world.actor("admin"), "officer", False, now=clock.now())
    with pytest.raises(SignInRefused, match=r"^Wrong login or password$"):
        auth.sign_in(world.db, "officer", PASSWORD, workstation="PC", now=clock.now())
