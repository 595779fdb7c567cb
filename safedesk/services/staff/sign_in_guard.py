"""The sign-in guard: each guess is counted before its password is checked, atomically across PCs.

A guess has two steps, each its own short transaction:

1. ``begin``: under a lock on the login's guard row, refuse if the login is locked; otherwise
   count the guess as a failure now (locking the login if that reaches the policy), and hand out
   the stored hash's settings (made-up ones for an unknown login: the same work, the same time).
2. ``finish``: the PC's argon2 of the typed password is compared with the stored hash; a match
   clears the run of failures. Each begun guess checks one password, once, within 2 minutes.

So twenty PCs guessing the same login at the same instant check at most the policy's number of
passwords, and a PC that never finishes has still used a guess. Unknown logins are counted and
locked like real ones, so no answer says whether a login exists.

PostgreSQL: both steps are SECURITY DEFINER functions (migration 0014) using the server's clock;
no PC's login may touch the guard tables or read a stored hash. SQLite (one PC): the same steps
here, each taking the database's write lock before it reads anything.
"""

from __future__ import annotations

import base64
import math
import os
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import Engine, delete, func, select, text
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from safedesk.db.write_lock import take_sqlite_write_lock
from safedesk.models import SignInAttempt, SignInGuard, SignInPolicy, Staff
from safedesk.services.shared import audit
from safedesk.services.shared.actor import Actor
from safedesk.services.staff.passwords import split_hash

SIGNED_IN = "auth.signed_in"
CHECKED = "auth.password_checked"  # a password typed to authorise something (an override)
FAILED = "auth.sign_in_failed"
LOCKED = "auth.sign_in_locked"
ATTEMPT_LIFETIME = timedelta(minutes=2)
_STALE_ATTEMPTS = timedelta(minutes=10)
_DEFAULT_SETTINGS = "$argon2id$v=19$m=65536,t=3,p=4$"


class Sessions(Protocol):
    """Where each step runs its own transaction: a Database, or ``EngineSessions``."""

    @property
    def is_postgresql(self) -> bool: ...

    def session(self) -> AbstractContextManager[Session]: ...


class EngineSessions:
    """Transactions of their own beside a caller's session (a password checked mid-booking)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    @property
    def is_postgresql(self) -> bool:
        return self._engine.dialect.name == "postgresql"

    @contextmanager
    def session(self) -> Iterator[Session]:
        with Session(self._engine, expire_on_commit=False) as s, s.begin():
            yield s


@dataclass(frozen=True)
class LockoutPolicy:
    """After ``free_attempts`` failures in a row the login waits ``first_lock_s``, doubling with
    each further failure up to ``max_lock_s``. The office's policy (``sign_in_policy``) is the
    laxest allowed: a PC asking for a laxer one gets the office's."""

    free_attempts: int = 5
    first_lock_s: int = 60
    max_lock_s: int = 900

    def lock_for(self, failures: int) -> timedelta:
        if failures < self.free_attempts:
            return timedelta(0)
        seconds = self.first_lock_s * 2 ** min(failures - self.free_attempts, 20)
        return timedelta(seconds=min(seconds, self.max_lock_s))

    def strictest(self, other: LockoutPolicy) -> LockoutPolicy:
        first = max(self.first_lock_s, other.first_lock_s, 1)
        return LockoutPolicy(
            free_attempts=max(1, min(self.free_attempts, other.free_attempts)),
            first_lock_s=first,
            max_lock_s=max(self.max_lock_s, other.max_lock_s, first),
        )


@dataclass(frozen=True)
class Begun:
    """A counted guess (``attempt_id``) with the settings to compute, or a refusal (``wait_s``)."""

    attempt_id: int | None
    settings: str
    hash_chars: int
    wait_s: int


@dataclass(frozen=True)
class Finished:
    staff_id: int | None  # None: wrong login or password
    locked_s: int  # how long the login is now locked (0: not locked)


def login_key(login: str) -> str:
    return login.strip()[:64].lower()


def begin(
    db: Sessions, login: str, *, workstation: str | None, now: datetime, policy: LockoutPolicy
) -> Begun:
    if db.is_postgresql:
        with db.session() as s:
            row = s.execute(
                text(
                    "SELECT attempt_id, settings, hash_chars, wait_s"
                    " FROM safedesk_sign_in_begin(:login, :ws, :free, :first, :max)"
                ),
                {
                    "login": login,
                    "ws": workstation,
                    "free": policy.free_attempts,
                    "first": policy.first_lock_s,
                    "max": policy.max_lock_s,
                },
            ).one()
        return Begun(row.attempt_id, row.settings or "", row.hash_chars or 0, row.wait_s or 0)
    with db.session() as s:
        return _begin_here(s, login, workstation=workstation, now=now, policy=policy)


def finish(
    db: Sessions,
    attempt_id: int,
    proof: str,
    *,
    workstation: str | None,
    now: datetime,
    signing_in: bool = True,
) -> Finished:
    """Check the proof; ``signing_in`` False: a password typed to authorise something else."""
    if db.is_postgresql:
        with db.session() as s:
            row = s.execute(
                text(
                    "SELECT staff_id, locked_s"
                    " FROM safedesk_sign_in_finish(:id, :proof, :ws, :signing_in)"
                ),
                {"id": attempt_id, "proof": proof, "ws": workstation, "signing_in": signing_in},
            ).one()
        return Finished(row.staff_id, row.locked_s or 0)
    with db.session() as s:
        return _finish_here(
            s, attempt_id, proof, workstation=workstation, now=now, signing_in=signing_in
        )


def reset(session: Session, login: str) -> None:
    """Clear a login's run of failures and its guesses in progress (unlock, new password)."""
    key = login_key(login)
    session.execute(delete(SignInAttempt).where(SignInAttempt.login_key == key))
    session.execute(delete(SignInGuard).where(SignInGuard.login_key == key))


# --- SQLite: the same two steps in Python ----------------------------------------------------


def _office_policy(session: Session, asked: LockoutPolicy) -> LockoutPolicy:
    row = session.scalar(select(SignInPolicy).order_by(SignInPolicy.id).limit(1))
    office = LockoutPolicy(row.free_attempts, row.first_lock_s, row.max_lock_s) if row else asked
    return office.strictest(asked)


def _guard_row(session: Session, key: str) -> SignInGuard:
    """Take the write lock first (the insert), then read: guesses from other PCs wait here."""
    session.execute(
        sqlite_insert(SignInGuard).values(login_key=key, failures=0).on_conflict_do_nothing()
    )
    return session.scalars(
        select(SignInGuard)
        .where(SignInGuard.login_key == key)
        .execution_options(populate_existing=True)
    ).one()


def _stranger(key: str, workstation: str | None) -> Actor:
    """Whoever typed a login that is unknown or disabled, named by what they typed."""
    return Actor(None, key or "(blank)", workstation)


def _staff(session: Session, key: str) -> Staff | None:
    staff = session.scalar(select(Staff).where(func.lower(Staff.login) == key))
    return staff if staff is not None and staff.active else None


def _begin_here(
    s: Session, login: str, *, workstation: str | None, now: datetime, policy: LockoutPolicy
) -> Begun:
    key = login_key(login)
    guard = _guard_row(s, key)
    policy = _office_policy(s, policy)
    staff = _staff(s, key)
    if guard.locked_until is not None and now < guard.locked_until:
        who = Actor(staff.id, staff.login, workstation) if staff else _stranger(key, workstation)
        audit.record(
            s,
            who,
            LOCKED,
            at=now,
            subject_type="staff",
            subject_id=staff.id if staff else None,
        )
        wait = int((guard.locked_until - now).total_seconds()) + 1
        return Begun(None, "", 0, max(1, wait))
    guard.failures += 1
    guard.last_failure_at = now
    lock = policy.lock_for(guard.failures)
    guard.locked_until = now + lock if lock else None
    s.execute(
        delete(SignInAttempt).where(
            SignInAttempt.login_key == key, SignInAttempt.begun_at < now - _STALE_ATTEMPTS
        )
    )
    attempt = SignInAttempt(login_key=key, begun_at=now)
    s.add(attempt)
    s.flush()
    stored = staff.password_hash if staff is not None else None
    if stored and stored.startswith("$argon2"):
        settings, digest = split_hash(stored)
        return Begun(attempt.id, settings, len(digest), 0)
    return Begun(attempt.id, _made_up_settings(s), 43, 0)


def _made_up_settings(s: Session) -> str:
    """A real hash's parameters with a random salt: an unknown login costs the same work."""
    sample = s.scalar(
        select(Staff.password_hash).where(Staff.password_hash.like("$argon2%")).limit(1)
    )
    prefix = split_hash(split_hash(sample)[0])[0] + "$" if sample else _DEFAULT_SETTINGS
    return prefix + base64.b64encode(os.urandom(16)).decode().rstrip("=")


def _finish_here(
    s: Session,
    attempt_id: int,
    proof: str,
    *,
    workstation: str | None,
    now: datetime,
    signing_in: bool,
) -> Finished:
    # The write lock before anything is read: a guess is finished once, by one PC.
    take_sqlite_write_lock(s)
    attempt = s.get(SignInAttempt, attempt_id, populate_existing=True)
    if attempt is None:
        return Finished(None, 0)  # unknown, or finished already
    key = attempt.login_key
    guard = _guard_row(s, key)
    s.delete(attempt)
    if attempt.begun_at < now - ATTEMPT_LIFETIME:
        return Finished(None, 0)
    staff = _staff(s, key)
    stored = staff.password_hash if staff is not None else None
    if (
        staff is not None
        and stored
        and stored.startswith("$argon2")
        and proof
        and split_hash(stored)[1] == proof
    ):
        guard.failures = 0
        guard.last_failure_at = None
        guard.locked_until = None
        audit.record(
            s,
            Actor(staff.id, staff.login, workstation),
            SIGNED_IN if signing_in else CHECKED,
            at=now,
            subject_type="staff",
            subject_id=staff.id,
        )
        return Finished(staff.id, 0)
    if staff is None:
        known = s.scalar(select(Staff.id).where(func.lower(Staff.login) == key))
        audit.record(
            s,
            _stranger(key, workstation),
            FAILED,
            at=now,
            subject_type="staff",
            subject_id=known,
            why="inactive account" if known is not None else "unknown login",
        )
    else:
        audit.record(
            s,
            Actor(staff.id, staff.login, workstation),
            FAILED,
            at=now,
            subject_type="staff",
            subject_id=staff.id,
        )
    locked_s = 0
    if guard.locked_until is not None and guard.locked_until > now:
        # The lock this guess's count set (at begin), as the person is told it.
        since = guard.last_failure_at or now
        locked_s = max(1, math.floor((guard.locked_until - since).total_seconds() + 0.5))
    return Finished(None, locked_s)
