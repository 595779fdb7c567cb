"""Issue 13: twenty PCs guessing one login at the same instant check at most the policy's number
of passwords (five), on SQLite and on PostgreSQL through a reception PC's own login; so do two
processes; and forged "unlocked" audit rows no longer reset the count."""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor

import pytest
from sqlalchemy import text

from safedesk.clock import FakeClock
from safedesk.db import Database
from safedesk.services import audit, auth
from safedesk.services.actor import Actor
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
