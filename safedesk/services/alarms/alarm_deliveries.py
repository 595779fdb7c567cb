"""Which screens showed an alarm: recorded by each PC as it shows it, read for the record.

"Nobody can say afterwards which screens showed it" (issue 12): every PC records the full alert
or the notice it showed, with who was signed in, the database server's time and whether the
alarm sound played (and why not). The alert lists them live ("Shown on: RESPONDER-1 (sound),
DESK-2 (notice)"); the incident record and its CSV export list them with times. A row is written
once per PC, alarm and way of showing it; a PC restarting and showing it again keeps the first.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from safedesk.db import Database
from safedesk.models import AlarmDelivery, DeliveryKind, Staff
from safedesk.plural import plural
from safedesk.services.shared.pc_names import other_pc_name
from safedesk.services.shared.server_clock import database_now

log = logging.getLogger(__name__)

# Why a screen did not sound the alarm, in words for the record.
SILENCED_BEFORE = "shown without the alarm sound (silenced, or opened from the notice)"
NOTICE_IS_QUIET = "the smaller notice has no alarm sound"


@dataclass(frozen=True)
class Shown:
    """What one PC reports when it shows an alarm (the time is the database server's)."""

    alarm_id: int
    workstation: str  # the PC's row key (never shown)
    label: str | None  # its configured name; None: not named
    staff_id: int | None  # who is signed in there
    kind: DeliveryKind
    sound_played: bool
    no_sound_reason: str | None = None


@dataclass(frozen=True)
class Delivery:
    """One screen that showed the alarm, as recorded."""

    workstation: str  # the PC's row key, to tell PCs apart (never shown)
    pc: str  # the PC's configured name then, or that it had none
    staff_name: str | None
    kind: DeliveryKind
    shown_at: datetime
    sound_played: bool
    no_sound_reason: str | None

    @property
    def short(self) -> str:
        """ "RESPONDER-1 (sound)", "RESPONDER-2 (no sound)", "DESK-2 (notice)"."""
        if self.kind is DeliveryKind.NOTICE:
            how = "notice"
        else:
            how = "sound" if self.sound_played else "no sound"
        return f"{self.pc} ({how})"

    def detail(self, when: str) -> str:
        """For the record: "RESPONDER-1, Tom Whitfield, 10:02:03, full alert, sound"."""
        kind = "full alert" if self.kind is DeliveryKind.FULL_ALERT else "notice"
        if self.sound_played:
            sound = "sound"
        else:
            sound = "no sound" + (f" ({self.no_sound_reason})" if self.no_sound_reason else "")
        who = self.staff_name or "nobody signed in"
        return f"{self.pc}, {who}, {when}, {kind}, {sound}"


def one_per_pc(deliveries: Sequence[Delivery]) -> tuple[Delivery, ...]:
    """Each PC once, in the order they first showed it: its full alert if it showed one (a
    notice that became the full alert on escalation is the full alert)."""
    chosen: dict[str, Delivery] = {}
    for delivery in deliveries:
        earlier = chosen.get(delivery.workstation)
        if earlier is None or earlier.kind is DeliveryKind.NOTICE:
            chosen[delivery.workstation] = delivery
    first: dict[str, datetime] = {}
    for delivery in deliveries:
        first.setdefault(delivery.workstation, delivery.shown_at)
    return tuple(sorted(chosen.values(), key=lambda d: first[d.workstation]))


def shown_on_text(deliveries: Sequence[Delivery], *, limit: int = 8) -> str:
    """ "Shown on: RESPONDER-1 (sound), DESK-2 (notice)"; empty when none is recorded yet.

    A big office's list is cut after ``limit`` screens ("... and 40 more screens").
    """
    if not deliveries:
        return ""
    screens = one_per_pc(deliveries)
    text = "Shown on: " + ", ".join(d.short for d in screens[:limit])
    if len(screens) > limit:
        text += f" and {plural(len(screens) - limit, 'more screen')}"
    return text


def record_shown(db: Database, shown: Shown, now: datetime) -> bool:
    """Write that this PC showed the alarm (server time); False if it already had that way."""
    try:
        with db.session() as s:
            if _exists(s, shown):
                return False
            staff_name = None
            if shown.staff_id is not None:
                staff_name = s.scalar(select(Staff.name).where(Staff.id == shown.staff_id))
            s.add(
                AlarmDelivery(
                    alarm_id=shown.alarm_id,
                    workstation=shown.workstation,
                    label=shown.label,
                    staff_id=shown.staff_id,
                    staff_name=staff_name,
                    kind=shown.kind,
                    shown_at=database_now(s, now),
                    sound_played=shown.sound_played,
                    no_sound_reason=(shown.no_sound_reason or "")[:255] or None,
                )
            )
    except IntegrityError:
        # Another connection of this PC wrote it first (a restart racing the old process).
        return False
    return True


def _exists(s: Session, shown: Shown) -> bool:
    found = s.scalar(
        select(AlarmDelivery.id).where(
            AlarmDelivery.alarm_id == shown.alarm_id,
            AlarmDelivery.workstation == shown.workstation,
            AlarmDelivery.kind == shown.kind,
        )
    )
    return found is not None


def deliveries_of(s: Session, alarm_ids: Iterable[int]) -> dict[int, tuple[Delivery, ...]]:
    """Alarm id -> every recorded showing of it, first shown first."""
    ids = set(alarm_ids)
    if not ids:
        return {}
    rows = s.scalars(
        select(AlarmDelivery)
        .where(AlarmDelivery.alarm_id.in_(ids))
        .order_by(AlarmDelivery.alarm_id, AlarmDelivery.shown_at, AlarmDelivery.id)
    ).all()
    found: dict[int, list[Delivery]] = {}
    for row in rows:
        found.setdefault(row.alarm_id, []).append(
            Delivery(
                workstation=row.workstation,
                pc=other_pc_name(row.label),
                staff_name=row.staff_name,
                kind=row.kind,
                shown_at=row.shown_at,
                sound_played=row.sound_played,
                no_sound_reason=row.no_sound_reason,
            )
        )
    return {alarm_id: tuple(shown) for alarm_id, shown in found.items()}


def deliveries_for(db: Database, alarm_ids: Iterable[int]) -> dict[int, tuple[Delivery, ...]]:
    with db.session() as s:
        return deliveries_of(s, alarm_ids)
