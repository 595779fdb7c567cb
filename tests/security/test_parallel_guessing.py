"""Issue 13: twenty PCs guessing one login at the same instant check at most the policy's number
of passwords (five), on SQLite and on PostgreSQL through a reception PC's own login; so do two
processes; forged "unlocked" audit rows no longer reset the count; and a lockout never stops a
responder already signed in."""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor

import pytest
from sqlalchemy import select, text

from safedesk.clock import FakeClock
from safedesk.config import Config
from safedesk.db import Database
from safedesk.models import Room
from safedesk.services.hub import Services
from safedesk.services.shared import audit
from safedesk.services.shared.actor import Actor
from safedesk.services.staff import sign_in as auth
from tests.markers.office_world import PASSWORD, build_world
from tests.security.guessing import guess_in_process, guess_together
from tests.security.pc_logins import made_for

FREE = auth.LockoutPolicy().free_attempts


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)])
def office_url(request: pytest.FixtureRequest, clock: FakeClock) -> Iterator[str]:
    """A seeded office; the URL a reception PC uses (on PostgreSQL: its own narrow login)."""
    if request.param == "sqlite":
        url = str(request.getfixturevalue("sqlite_url"))
        owner = Database(url)
        build_world(owner, clock.now())
        owner.dispose()
        yield url
        return
    pg_url = str(request.getfixturevalue("pg_url"))
    owner = Database(pg_url)
    build_world(owner, clock.now())
    owner.dispose()
    for logins in made_for(pg_url):
        yield logins.url("reception")


def test_twenty_pcs_guessing_at_once_check_at_most_five_passwords(office_url: str) -> None:
    checked = guess_together(office_url, "officer", 20)
    assert 1 <= checked <= FREE
    db = Database(office_url)
    try:  # the login is locked now, the right password included
        with pytest.raises(auth.SignInRefused, match="try again"):
            auth.sign_in(db, "officer", PASSWORD, workstation="PC", now=FakeClock().now())
    finally:
        db.dispose()


def test_two_processes_guessing_at_once_check_at_most_five_passwords(office_url: str) -> None:
    start_at = time.time() + 4.0  # both processes up and their threads released together
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=2, mp_context=spawn) as pool:
        counts = list(pool.map(guess_in_process, [(office_url, "asb", 10, start_at)] * 2))
    assert 1 <= sum(counts) <= FREE, counts


def test_an_unknown_login_is_locked_exactly_like_a_real_one(office_url: str) -> None:
    db = Database(office_url)
    clock = FakeClock()
    try:
        answers: dict[str, list[str]] = {}
        for login in ("officer", "nobody"):
            answers[login] = []
            for _ in range(FREE + 1):
                with pytest.raises(auth.SignInRefused) as refused:
                    auth.sign_in(db, login, "guess", workstation="PC", now=clock.now())
                answers[login].append(str(refused.value).replace("31 s", "30 s"))
    finally:
        db.dispose()
    assert answers["officer"] == answers["nobody"]
    assert answers["nobody"][0] == "Wrong login or password"
    assert "locked for 60 s" in answers["nobody"][FREE - 1]
    assert "try again in" in answers["nobody"][FREE]


def test_forged_unlocked_rows_in_the_audit_log_do_not_reset_the_count(
    office_url: str, clock: FakeClock
) -> None:
    """One forged auth.unlocked row after each guess used to allow 30 guesses where 5 should be."""
    db = Database(office_url)
    checked = 0
    try:
        for _ in range(30):
            try:
                auth.sign_in(db, "officer", "guess", workstation="PC", now=clock.now())
            except auth.SignInRefused as exc:
                checked += "try again" not in str(exc)
            with db.session() as s:  # what any PC's login may write
                audit.record(
                    s,
                    Actor(None, "admin", "ADMIN-PC"),
                    auth.UNLOCKED,
                    at=clock.now(),
                    subject_type="staff",
                    subject_id=s.scalar(text("SELECT id FROM staff WHERE login = 'officer'")),
                )
    finally:
        db.dispose()
    assert checked == FREE


def test_a_stranger_locking_a_responder_out_does_not_stop_them_responding(
    office_url: str, clock: FakeClock
) -> None:
    """Lockout blocks new sign-ins only: "I'm responding" still works on the PC where the
    responder is already signed in (SQLite, and PostgreSQL through a reception PC's login)."""
    db = Database(office_url, pool_size=2, max_overflow=2)
    services = Services.build(Config(), db, clock, "RESPONDER-PC")
    try:
        desk = auth.StaffSession(db, clock, workstation="RESPONDER-PC")
        desk.sign_in("officer", PASSWORD)
        for _ in range(FREE):
            with pytest.raises(auth.SignInRefused):
                auth.sign_in(db, "officer", "guess", workstation="LOBBY-PC", now=clock.now())
        with pytest.raises(auth.SignInRefused, match="try again"):
            auth.sign_in(db, "officer", PASSWORD, workstation="LOBBY-PC", now=clock.now())
        with db.session() as s:
            room_id = s.scalars(select(Room.id)).first()
        assert room_id is not None
        alarm = services.alarms.press_room(room_id).alarm_id
        view = services.alarms.respond(alarm, desk.actor)
        assert [r.name for r in view.responders] == ["Tom Whitfield"]
    finally:
        services.close()
        db.dispose()
