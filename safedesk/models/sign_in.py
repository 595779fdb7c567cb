"""Sign-in guard: the lockout state per login, the guesses in progress, the policy (migration 0014).

Kept apart from the audit log so that no ordinary PC can write it: on PostgreSQL only the sign-in
functions (SECURITY DEFINER) and the administrator's login touch these tables. A row exists for
every login that was tried, known or not, so an unknown login locks exactly like a real one.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from safedesk.models.base import Base


class SignInGuard(Base):
    """One login's run of failed guesses and how long it is locked (server time)."""

    __tablename__ = "sign_in_guard"

    # The login as typed, trimmed and lower-cased (at most 64 characters).
    login_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    last_failure_at: Mapped[datetime | None]
    locked_until: Mapped[datetime | None]


class SignInAttempt(Base):
    """A guess begun and not yet finished: each begun guess may check one password, once."""

    __tablename__ = "sign_in_attempts"

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True
    )
    login_key: Mapped[str] = mapped_column(String(64), index=True)
    begun_at: Mapped[datetime]


class SignInPolicy(Base):
    """The office's lockout policy (one row). A PC may ask for a stricter one, never a laxer one."""

    __tablename__ = "sign_in_policy"

    id: Mapped[int] = mapped_column(primary_key=True)
    free_attempts: Mapped[int] = mapped_column(default=5)
    first_lock_s: Mapped[int] = mapped_column(default=60)
    max_lock_s: Mapped[int] = mapped_column(default=900)
