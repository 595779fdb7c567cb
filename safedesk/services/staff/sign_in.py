"""Staff sign-in on shared PCs: local accounts, argon2 hashes, lockout with backoff, quick switch.

Lockout lives in the sign-in guard (``sign_in_guard``), not in the audit log any PC may append
to: each guess is counted before its password is checked, under a row lock shared by every PC,
and on PostgreSQL the database itself checks the password (``safedesk.services.staff.sign_in_guard``).
After ``free_attempts`` failures in a row the login is locked for ``first_lock_s``, doubling with
each further failure up to ``max_lock_s``; a locked login is refused without checking the
password. Unknown and disabled logins are counted and locked like real ones and get the same
messages, so no answer says whether a login exists.

Lockout stops new sign-ins only: whoever is already signed in on a PC keeps acting there (a
responder locked out by a stranger's guesses still says "I'm responding" from their own PC).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from safedesk.clock import Clock
from safedesk.db import Database
from safedesk.models import Role, Staff
from safedesk.services.shared import audit
from safedesk.services.shared.actor import Actor
from safedesk.services.staff import sign_in_guard
from safedesk.services.staff.passwords import hash_password, needs_rehash, sign_in_proof
from safedesk.services.staff.sign_in_guard import FAILED, LOCKED, SIGNED_IN, LockoutPolicy

__all__ = [
    "FAILED",
    "LOCKED",
    "PASSWORD_SET",
    "SIGNED_IN",
    "SIGNED_OUT",
    "UNLOCKED",
    "WRONG",
    "LockoutPolicy",
    "NotSignedIn",
    "SignInRefused",
    "SignedIn",
    "StaffSession",
    "check_password",
    "sign_in",
    "unlock",
]

SIGNED_OUT = "auth.signed_out"
UNLOCKED = "auth.unlocked"
PASSWORD_SET = "staff.password_set"

WRONG = "Wrong login or password"


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


def _find(session: Session, login: str) -> Staff | None:
    return session.scalar(select(Staff).where(func.lower(Staff.login) == login.strip().lower()))


def _proof(settings: str, hash_chars: int, password: str) -> str:
    try:
        return sign_in_proof(settings, hash_chars, password)
    except ValueError:
        return ""  # not an argon2 hash: nothing can match it


def sign_in(
    db: Database,
    login: str,
    password: str,
    *,
    workstation: str | None,
    now: datetime,
    policy: LockoutPolicy | None = None,
) -> SignedIn:
    """Check the password through the sign-in guard; raise SignInRefused. Every attempt is
    recorded (the count and the audit entry) whatever happens after."""
    policy = policy or LockoutPolicy()
    begun = sign_in_guard.begin(db, login, workstation=workstation, now=now, policy=policy)
    if begun.attempt_id is None:
        raise SignInRefused(
            f"Too many wrong passwords: try again in {begun.wait_s} s, or ask an administrator "
            "to unlock the account",
            locked_until=now + timedelta(seconds=begun.wait_s),
        )
    proof = _proof(begun.settings, begun.hash_chars, password)
    done = sign_in_guard.finish(db, begun.attempt_id, proof, workstation=workstation, now=now)
    if done.staff_id is None:
        if done.locked_s:
            raise SignInRefused(
                f"{WRONG}. The account is now locked for {done.locked_s} s",
                locked_until=now + timedelta(seconds=done.locked_s),
            )
        raise SignInRefused(WRONG)
    with db.session() as s:
        staff = s.get_one(Staff, done.staff_id)
        if not db.is_postgresql:
            # Newer argon2 parameters: rehash while the password is at hand. (PostgreSQL: no
            # PC's login may write password hashes; `safedesk staff passwd` does it.)
            stored = staff.password_hash
            if stored and needs_rehash(stored):
                staff.password_hash = hash_password(password)
        return SignedIn(
            actor=Actor(staff_id=staff.id, login=staff.login, workstation=workstation),
            staff_id=staff.id,
            login=staff.login,
            name=staff.name,
            roles=staff.role_set,
            signed_in_at=now,
        )


def check_password(
    session: Session,
    login: str,
    password: str,
    *,
    workstation: str | None = None,
    now: datetime | None = None,
) -> Staff | None:
    """The member of staff whose password this is (None: wrong, unknown or locked), for a
    password typed to authorise something (a manager's override at reception).

    Counted and checked by the sign-in guard exactly like a sign-in, in transactions of its own
    beside ``session`` (whose own work must not hold the SQLite write lock yet), so guessing a
    manager's password through an override dialog locks that login like any other guessing.
    """
    when = now or datetime.now(UTC)
    sessions = sign_in_guard.EngineSessions(session.get_bind().engine)
    begun = sign_in_guard.begin(
        sessions, login, workstation=workstation, now=when, policy=LockoutPolicy()
    )
    if begun.attempt_id is None:
        return None
    proof = _proof(begun.settings, begun.hash_chars, password)
    done = sign_in_guard.finish(
        sessions, begun.attempt_id, proof, workstation=workstation, now=when, signing_in=False
    )
    return session.get(Staff, done.staff_id) if done.staff_id is not None else None


def unlock(session: Session, actor: Actor, login: str, *, now: datetime) -> Staff:
    """Clear a locked login (an administrator's job: on PostgreSQL only their login may)."""
    staff = _find(session, login)
    if staff is None:
        raise LookupError(f"no staff account {login!r}")
    sign_in_guard.reset(session, staff.login)
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
