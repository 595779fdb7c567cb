"""Can a responder on the rota be reached? "Responders reachable: N of M on duty".

The rota says who should respond; only a PC's heartbeat says that one of them is signed in on a
SafeDesk PC that is running. A screen never says "alerted" or shows a green "on duty" on the
rota's word alone. With nobody reachable, waiting for the escalation timer helps nobody: the
alarm goes to every screen at once, and the alert says why. A responder's PC that stopped
heartbeating while they are on duty is named, like an offline button ("RESPONDER-1 (Tom
Whitfield) not heard from since 10:02").
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from safedesk.clock import Clock
from safedesk.db import Database
from safedesk.services.alarms.pc_presence import (
    STALE_AFTER_S,
    QuietPC,
    SignedInPC,
    gone_quiet,
    signed_in_now,
)
from safedesk.services.alarms.rota import AlertLevel, OnDuty, RotaService
from safedesk.services.shared.pc_names import other_pc_name
from safedesk.services.shared.server_clock import database_now


@dataclass(frozen=True)
class ResponderOnDuty:
    """A responder on the rota now, and the running PCs they are signed in on (if any)."""

    staff_id: int
    name: str
    pcs: tuple[SignedInPC, ...]
    quiet: tuple[QuietPC, ...] = ()  # their PCs that stopped heartbeating (still signed in)

    @property
    def reachable(self) -> bool:
        return bool(self.pcs)

    @property
    def where(self) -> str:
        """Human words for where they are signed in, or that they are not."""
        if not self.pcs:
            return "not signed in on any SafeDesk PC"
        named = [pc.label for pc in self.pcs if pc.label]
        if named:
            return "signed in on " + ", ".join(named)
        return "signed in on a SafeDesk PC"


@dataclass(frozen=True)
class Reach:
    """Everyone on the rota now for one office, each with whether they can be reached."""

    office_id: int
    on_duty: tuple[ResponderOnDuty, ...]

    @property
    def reachable(self) -> tuple[ResponderOnDuty, ...]:
        return tuple(r for r in self.on_duty if r.reachable)

    @property
    def summary(self) -> str:
        """ "Responders reachable: 2 of 3 on duty"."""
        return f"Responders reachable: {len(self.reachable)} of {len(self.on_duty)} on duty"

    @property
    def nobody_reachable(self) -> bool:
        """Someone is on the rota but none of them is signed in on a running PC."""
        return bool(self.on_duty) and not self.reachable

    @property
    def gone_quiet(self) -> tuple[tuple[ResponderOnDuty, QuietPC], ...]:
        """Responders on duty and their PCs that stopped heartbeating, most recent first."""
        found = [(r, pc) for r in self.on_duty for pc in r.quiet]
        return tuple(sorted(found, key=lambda item: item[1].last_seen_at, reverse=True))


def not_heard_from(name: str, pc: QuietPC, since: str) -> str:
    """ "RESPONDER-1 (Tom Whitfield) not heard from since 10:02" (``since``: the time, as the
    screen shows it)."""
    return f"{other_pc_name(pc.label)} ({name}) not heard from since {since}"


def reach_of(
    office_id: int,
    on_duty: Iterable[OnDuty],
    present: Sequence[SignedInPC],
    quiet: Sequence[QuietPC] = (),
) -> Reach:
    """Join the rota with the PCs' presence (the rule, without a database)."""
    people = []
    for duty in on_duty:
        pcs = tuple(pc for pc in present if pc.staff_id == duty.staff_id)
        gone = tuple(pc for pc in quiet if pc.staff_id == duty.staff_id)
        people.append(ResponderOnDuty(duty.staff_id, duty.name, pcs, gone))
    return Reach(office_id, tuple(people))


def alert_level_with_reach(level: AlertLevel, reach: Reach | None) -> AlertLevel:
    """Full screen everywhere at once when the rota has people but none can be reached."""
    if reach is not None and reach.nobody_reachable:
        return AlertLevel.FULL_SCREEN
    return level


class ResponderReach:
    """Answers "who on the rota can be reached now?" for an office (one read of the rota, one of
    the PCs' heartbeats, judged by the database server's clock)."""

    def __init__(
        self, db: Database, rota: RotaService, clock: Clock, stale_after_s: float = STALE_AFTER_S
    ) -> None:
        self.db = db
        self.rota = rota
        self.clock = clock
        self.stale_after_s = stale_after_s

    def reach(self, office_id: int) -> Reach:
        on_duty = self.rota.on_duty(office_id, self.clock.now())
        with self.db.session() as s:
            now = database_now(s, self.clock.now())
            present = signed_in_now(s, now, office_id=office_id, stale_after_s=self.stale_after_s)
            quiet = gone_quiet(
                s,
                now,
                office_id=office_id,
                staff_ids=[d.staff_id for d in on_duty],
                stale_after_s=self.stale_after_s,
            )
        return reach_of(office_id, on_duty, present, quiet)
