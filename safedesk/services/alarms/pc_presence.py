"""Who is signed in where, from the PCs' heartbeats: the facts behind "can anyone be reached?".

Each SafeDesk PC writes its ``workstations`` row about once a minute (and at every sign-in and
sign-out) with who is signed in, stamped with the database server's time. A row counts only while
its heartbeat is fresh: a PC that crashed or lost its network stops counting within a few
minutes, whoever was signed in on it. A PC that stopped heartbeating with someone still signed
in (closing SafeDesk signs them out) has gone quiet: it is shown like an offline button.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from safedesk.db import Database
from safedesk.models import Staff, Workstation

# PCs heartbeat every 60 s: after two missed heartbeats (and some slack) a PC no longer counts.
STALE_AFTER_S = 150.0
# A PC that went quiet longer ago than a rota shift is old news, not "stopped during the shift".
QUIET_WITHIN_S = 12 * 3600.0


@dataclass(frozen=True)
class SignedInPC:
    """A PC that is heartbeating with someone signed in on it."""

    staff_id: int
    staff_name: str
    label: str | None  # the PC's configured name; None: not named (never show the host name)
    sound_ok: bool | None
    last_seen_at: datetime


def is_fresh(last_seen_at: datetime | None, now: datetime, stale_after_s: float) -> bool:
    """A heartbeat counts if it is at most ``stale_after_s`` old (server time on both sides)."""
    if last_seen_at is None:
        return False
    return (now - last_seen_at).total_seconds() <= stale_after_s


def signed_in_now(
    session: Session,
    now: datetime,
    *,
    office_id: int | None = None,
    desk_room_id: int | None = None,
    stale_after_s: float = STALE_AFTER_S,
) -> list[SignedInPC]:
    """PCs (of an office, or at a desk) whose heartbeat is fresh and that have someone signed in."""
    query = (
        select(Workstation, Staff.name)
        .join(Staff, Staff.id == Workstation.signed_in_staff_id)
        .where(Workstation.last_seen_at.is_not(None))
        .order_by(Workstation.label, Workstation.id)
    )
    if office_id is not None:
        query = query.where(Workstation.office_id == office_id)
    if desk_room_id is not None:
        query = query.where(Workstation.desk_room_id == desk_room_id)
    rows: Sequence[tuple[Workstation, str]] = session.execute(query).all()
    return [
        SignedInPC(
            staff_id=pc.signed_in_staff_id,
            staff_name=name,
            label=pc.label,
            sound_ok=pc.sound_ok,
            last_seen_at=pc.last_seen_at,
        )
        for pc, name in rows
        if pc.signed_in_staff_id is not None
        and pc.last_seen_at is not None
        and is_fresh(pc.last_seen_at, now, stale_after_s)
    ]


@dataclass(frozen=True)
class QuietPC:
    """A PC that stopped heartbeating with someone still signed in on it (not closed: crashed,
    switched off, or off the network)."""

    staff_id: int
    label: str | None  # the PC's configured name; None: not named (never show the host name)
    last_seen_at: datetime  # its last heartbeat (the database server's time)


def gone_quiet(
    session: Session,
    now: datetime,
    *,
    office_id: int,
    staff_ids: Sequence[int],
    stale_after_s: float = STALE_AFTER_S,
    within_s: float = QUIET_WITHIN_S,
) -> list[QuietPC]:
    """PCs of the office, with one of ``staff_ids`` signed in, whose heartbeat stopped (it is
    stale) within the last ``within_s`` seconds: most recently heard first."""
    if not staff_ids:
        return []
    rows: Sequence[Workstation] = session.scalars(
        select(Workstation)
        .where(
            Workstation.office_id == office_id,
            Workstation.signed_in_staff_id.in_(staff_ids),
            Workstation.last_seen_at.is_not(None),
        )
        .order_by(Workstation.last_seen_at.desc(), Workstation.id)
    ).all()
    return [
        QuietPC(staff_id=pc.signed_in_staff_id, label=pc.label, last_seen_at=pc.last_seen_at)
        for pc in rows
        if pc.signed_in_staff_id is not None
        and pc.last_seen_at is not None
        and not is_fresh(pc.last_seen_at, now, stale_after_s)
        and (now - pc.last_seen_at).total_seconds() <= within_s
    ]


def record_signed_out(db: Database, workstation: str) -> None:
    """The PC is closing: whoever was signed in on it can no longer be reached there."""
    with db.session() as s:
        s.execute(
            update(Workstation)
            .where(Workstation.name == workstation)
            .values(signed_in_staff_id=None)
        )
