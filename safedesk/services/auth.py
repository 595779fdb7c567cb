"""Staff sign-in on shared PCs: local accounts, argon2 hashes, lockout with backoff, quick switch.

Failed attempts are counted from the audit log (consecutive failures since the last success,
unlock or new password), so the count is shared by every PC, survives restarts and is itself
evidence. After ``free_attempts`` failures in a row the account is locked for ``first_lock_s``,
doubling with each further failure up to ``max_lock_s``; a locked account is refused without
checking the password.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from safedesk.clock import Clock
from safedesk.db import Database
from safedesk.models import AuditEntry, Role, Staff
from safedesk.services import audit
from safedesk.services.actor import Actor
from safedesk.services.passwords import hash_password, needs_rehash, verify_password

SIGNED_IN = "auth.signed_in"
FAILED = "auth.sign_in_failed"
LOCKED = "auth.sign_in_locked"
SIGNED_OUT = "auth.signed_out"
UNLOCKED = "auth.unlocked"
PASSWORD_SET = "staff.password_set"
# Any of these ends a run of failures.
_RESETS = (SIGNED_IN, UNLOCKED, PASSWORD_SET)

WRONG = "Wrong login or password"


@dataclass(frozen=True)
class LockoutPolicy:
    free_attempts: int = 5
    first_lock_s: int = 60
    max_lock_s: int = 900

    def lock_for(self, failures: int) -> timedelta:
        if failures < self.free_attempts:
            return timedelta(0)
        seconds = self.first_lock_s * 2 ** min(failures - self.free_attempts, 20)
        return timedelta(seconds=min(seconds, self.max_lock_s))


class SignInRefused(Exception):
    """Wrong login or password, or locked: one message for the person at the screen."""

    def __init__(self, message: str, locked_until: datetime | None = None) -> None:
        super().__init__(message)
        self.locked_until = locked_until


class NotSignedIn(Exception):
    """Nobody is signed in on this PC."""


@dataclass(frozen=True)
class SignedIn:
    actor: Actor
    staff_id: int
    login: str
    name: str
    roles: frozenset[Role]
    signed_in_at: datetime


@dataclass(frozen=True)
class FailureRun:
    failures: int
    last_failure_at: datetime | None


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return hash_password("not a real password")


def failure_run(session: Session, staff_id: int, *, limit: int = 64) -> FailureRun:
    """Consecutive failed attempts for this account since the last reset."""
    query = (
        select(AuditEntry.action, AuditEntry.at)
        .where(
            AuditEntry.subject_type == "staff",
            AuditEntry.subject_id == staff_id,
            AuditEntry.action.in_((FAILED, *_RESETS)),
        )
        .order_by(AuditEntry.id.desc())
        .limit(limit)
    )
    failures = 0
    last: datetime | None = None
    for action, at in session.execute(query):
        if action != FAILED:
            break
        failures += 1
        last = last or at
    return FailureRun(failures, last)


def locked_until(session: Session, staff_id: int, policy: LockoutPolicy) -> datetime | None:
    run = failure_run(session, staff_id)
    if run.last_failure_at is None:
        return None
    lock = policy.lock_for(run.failures)
    return run.last_failure_at + lock if lock else None


def _find(session: Session, login: str) -> Staff | None:
    return session.scalar(select(Staff).where(func.lower(Staff.login) == login.strip().lower()))


def authenticate(
    session: Session,
    login: str,
    password: str,
    *,
    workstation: str | None,
    now: datetime,
    policy: LockoutPolicy | None = None,
) -> SignedIn:
    """Check the password and record the attempt. Raise SignInRefused; commit either way.

    The caller must commit even on refusal (the failure is what the lockout counts): use
    ``sign_in`` below, which does.
    """
    policy = policy or LockoutPolicy()
    staff = _find(session, login)
    if staff is None or not staff.active:
        verify_password(_dummy_hash(), password)  # same time taken: no hint the login exists
        audit.record(
            session,
            Actor(staff_id=None, login=login.strip()[:64] or "(blank)", workstation=workstation),
            FAILED,
            at=now,
            subject_type="staff",
            subject_id=staff.id if staff else None,
            why="inactive account" if staff else "unknown login",
        )
        raise SignInRefused(WRONG)
    actor = Actor(staff_id=staff.id, login=staff.login, workstation=workstation)
    until = locked_until(session, staff.id, policy)
    if until is not None and now < until:
        audit.record(session, actor, LOCKED, at=now, subject_type="staff", subject_id=staff.id)
        wait = int((until - now).total_seconds()) + 1
        raise SignInRefused(
            f"Too many wrong passwords: try again in {wait} s, or ask an administrator "
            "to unlock the account",
            locked_until=until,
        )
    if not verify_password(staff.password_hash, password):
        audit.record(session, actor, FAILED, at=now, subject_type="staff", subject_id=staff.id)
        run = failure_run(session, staff.id)
        lock = policy.lock_for(run.failures)  # includes this one (autoflush)
        if lock:
            raise SignInRefused(
                f"{WRONG}. The account is now locked for {int(lock.total_seconds())} s",
                locked_until=now + lock,
            )
        raise SignInRefused(WRONG)
    if staff.password_hash and needs_rehash(staff.password_hash):
        staff.password_hash = hash_password(password)
    audit.record(session, actor, SIGNED_IN, at=now, subject_type="staff", subject_id=staff.id)
    return SignedIn(
        actor=actor,
        staff_id=staff.id,
        login=staff.login,
        name=staff.name,
        roles=staff.role_set,
        signed_in_at=now,
    )


def sign_in(
    db: Database,
    login: str,
    password: str,
    *,
    workstation: str | None,
    now: datetime,
    policy: LockoutPolicy | None = None,
) -> SignedIn:
    """Authenticate in its own transaction, keeping the record of a failed attempt."""
    refused: SignInRefused | None = None
    with db.session() as s:
        try:
            return authenticate(s, login, password, workstation=workstation, now=now, policy=policy)
        except SignInRefused as exc:
            refused = exc  # leave the block normally so the failure is committed
    assert refused is not None
    raise refused


def unlock(session: Session, actor: Actor, login: str, *, now: datetime) -> Staff:
    staff = _find(session, login)
    if staff is None:
        raise LookupError(f"no staff account {login!r}")
    audit.record(session, actor, UNLOCKED, at=now, subject_type="staff", subject_id=staff.id)
    return staff


class StaffSession:
    """Who is using this PC now. Quick switch: the next person signs in over the current one.

    Every service call takes ``session.actor``, so the signed-in person is on every audit entry.
    Listeners (the desktop's ``user_changed`` signal) hear each change.
    """

    def __init__(
        self,
        db: Database,
        clock: Clock,
        *,
        workstation: str | None,
        policy: LockoutPolicy | None = None,
    ) -> None:
        self._db = db
        self._clock = clock
        self.workstation = workstation
        self.policy = policy or LockoutPolicy()
        self.current: SignedIn | None = None
        self._listeners: list[Callable[[SignedIn | None], None]] = []

    def on_change(self, listener: Callable[[SignedIn | None], None]) -> None:
        self._listeners.append(listener)

    @property
    def actor(self) -> Actor:
        if self.current is None:
            raise NotSignedIn("nobody is signed in on this PC")
        return self.current.actor

    @property
    def roles(self) -> frozenset[Role]:
        return self.current.roles if self.current else frozenset()

    def sign_in(self, login: str, password: str) -> SignedIn:
        """Sign in (or switch to) ``login``; the previous user stays signed in if this fails."""
        signed = sign_in(
            self._db,
            login,
            password,
            workstation=self.workstation,
            now=self._clock.now(),
            policy=self.policy,
        )
        previous = self.current
        if previous is not None and previous.staff_id != signed.staff_id:
            with self._db.session() as s:
                audit.record(
                    s,
                    previous.actor,
                    SIGNED_OUT,
                    at=self._clock.now(),
                    subject_type="staff",
                    subject_id=previous.staff_id,
                    switched_to=signed.login,
                )
        self.current = signed
        self._notify()
        return signed

    switch_user = sign_in

    def sign_out(self) -> None:
        previous = self.current
        if previous is None:
            return
        with self._db.session() as s:
            audit.record(
                s,
                previous.actor,
                SIGNED_OUT,
                at=self._clock.now(),
                subject_type="staff",
                subject_id=previous.staff_id,
            )
        self.current = None
        self._notify()

    def _notify(self) -> None:
        for listener in list(self._listeners):
            listener(self.current)
