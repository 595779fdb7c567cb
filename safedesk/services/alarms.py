"""Raising, acknowledging, escalating and resolving alarms: the core of the alarm path.

Every driver (serial, GPIO, hotkey, simulated, the bridge) calls ``press``; it is the PressSink.
A press is idempotent per (device, boot, sequence); a new press while the room's alarm is open is
"pressed again" on that alarm; an unregistered device still raises an alarm ("unknown location").
Each state change, its audit entry and its bus event commit in one transaction.
"""

from __future__ import annotations

from datetime import datetime

from safedesk.alarm_bus import AlarmBus
from safedesk.button_events import ButtonPress, DeviceHeard, DeviceKind, PressReceipt
from safedesk.clock import Clock
from safedesk.config import AlarmConfig
from safedesk.db import Database
from safedesk.models import AlarmOutcome
from safedesk.services.actor import Actor
from safedesk.services.alarm_views import AlertView


class AlarmError(Exception):
    """A request the alarm service refuses (unknown alarm, already resolved, missing notes)."""


class AlarmService:
    """The PressSink and the responder actions. Thread-safe: each call is its own transaction."""

    def __init__(
        self, db: Database, bus: AlarmBus, clock: Clock, config: AlarmConfig, workstation: str
    ) -> None:
        self.db = db
        self.bus = bus
        self.clock = clock
        self.config = config
        self.workstation = workstation

    # --- PressSink ----------------------------------------------------------------------------

    def press(self, press: ButtonPress) -> PressReceipt:
        """Record a press: a new alarm, "pressed again", a resend (no-op), or a weekly test press."""
        raise NotImplementedError

    def heard(self, heard: DeviceHeard) -> None:
        """A hello or heartbeat: update last seen (and firmware). Unknown ids register nothing."""
        raise NotImplementedError

    def press_room(
        self, room_id: int, *, source: DeviceKind = DeviceKind.SIMULATED, actor: Actor | None = None
    ) -> PressReceipt:
        """The simulated/on-screen button: press the room's device (or a per-room virtual id)."""
        raise NotImplementedError

    # --- responder actions --------------------------------------------------------------------

    def respond(self, alarm_id: int, actor: Actor) -> AlertView:
        """ "I'm responding": recorded once per person; the first one acknowledges the alarm."""
        raise NotImplementedError

    def resolve(self, alarm_id: int, actor: Actor, outcome: AlarmOutcome, notes: str) -> AlertView:
        """Close the alarm with an outcome and notes: this is the incident record."""
        raise NotImplementedError

    def escalate_due(self, now: datetime | None = None) -> list[int]:
        """Escalate open alarms unacknowledged for ``escalate_after_s``; return their ids.

        Any PC may call it on a timer: the escalation is recorded once (guarded by the row).
        """
        raise NotImplementedError

    # --- queries ------------------------------------------------------------------------------

    def alert(self, alarm_id: int) -> AlertView:
        """The alert view model for one alarm (room, office, visitor, instructions, responders)."""
        raise NotImplementedError

    def open_alarms(self, office_id: int | None = None) -> list[AlertView]:
        """Open (unresolved, non-test) alarms, oldest first: what a screen shows on start-up."""
        raise NotImplementedError
