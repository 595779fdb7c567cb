"""What travels on the alarm bus: small frozen dataclasses, one per thing a screen must react to.

Each event is stored as one ``bus_events`` row (``kind`` + ``payload``) in the same transaction as
the state change it announces, so a screen that reads the log can never see an alarm that was
rolled back, nor miss one that was committed. ``to_payload``/``event_from_row`` are the only
(de)serialisation, so the desktop, the bridge and the bench all agree on the wire shape.
"""

from __future__ import annotations

import dataclasses
import enum
import typing
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from safedesk.button_events import DeviceKind
from safedesk.models.alarms import AlarmOutcome


class UnknownBusEvent(ValueError):
    """A bus row whose kind this version does not know (a newer PC wrote it): logged, never fatal."""


@dataclass(frozen=True)
class BusEventBase:
    """Common to every event: the office it concerns (None: unknown location, every office)."""

    KIND: ClassVar[str] = ""

    office_id: int | None

    @property
    def alarm_ref(self) -> int | None:
        """The alarm this event concerns, if any (for the ``bus_events.alarm_id`` column)."""
        value = getattr(self, "alarm_id", None)
        return value if isinstance(value, int) else None

    def to_payload(self) -> dict[str, Any]:
        """JSON-safe dict for ``bus_events.payload`` (datetimes as ISO 8601, enums as values)."""
        return {f.name: _encode(getattr(self, f.name)) for f in dataclasses.fields(self)}

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> BusEventBase:
        values: dict[str, Any] = {}
        for name, decode in _decoders(cls):
            if name in payload:
                value = payload[name]
                values[name] = None if value is None else decode(value)
        return cls(**values)


# --- alarms -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class AlarmRaised(BusEventBase):
    """A new alarm: every screen in the office shows it (full screen or notice, per the rota)."""

    KIND: ClassVar[str] = "alarm_raised"

    alarm_id: int
    room_id: int | None
    room_name: str  # "unknown location (device X)" when the device is not registered
    device_id: str
    source: DeviceKind
    pressed_at: datetime
    raised_at: datetime
    unknown_location: bool = False


@dataclass(frozen=True)
class AlarmPressedAgain(BusEventBase):
    """Another press in a room whose alarm is still open: recorded on that alarm, not a new one."""

    KIND: ClassVar[str] = "alarm_pressed_again"

    alarm_id: int
    device_id: str
    press_count: int
    pressed_at: datetime


@dataclass(frozen=True)
class AlarmResponding(BusEventBase):
    """A member of staff said "I'm responding": every screen shows who is going.

    ``device_id`` lets the button's driver turn its LED to "help is coming".
    """

    KIND: ClassVar[str] = "alarm_responding"

    alarm_id: int
    staff_id: int | None
    staff_name: str
    workstation: str | None
    at: datetime
    first: bool  # the first responder acknowledges the alarm (stops escalation)
    device_id: str = ""


@dataclass(frozen=True)
class AlarmEscalated(BusEventBase):
    """Nobody acknowledged in time: every screen in the office shows the full alert."""

    KIND: ClassVar[str] = "alarm_escalated"

    alarm_id: int
    escalated_at: datetime
    unacknowledged_s: float


@dataclass(frozen=True)
class AlarmResolved(BusEventBase):
    """Closed with an outcome and notes (the incident record exists): screens take the alert down."""

    KIND: ClassVar[str] = "alarm_resolved"

    alarm_id: int
    outcome: AlarmOutcome
    resolved_by_id: int | None
    resolved_by_name: str
    at: datetime
    device_id: str = ""


@dataclass(frozen=True)
class TestPressReceived(BusEventBase):
    """A press inside the device's weekly test window: a test, not an emergency (no alert)."""

    __test__: ClassVar[bool] = False  # not a pytest test class
    KIND: ClassVar[str] = "test_press_received"

    alarm_id: int
    test_id: int
    device_id: str
    room_id: int | None
    room_name: str
    pressed_at: datetime
    received_at: datetime
    latency_ms: float


# --- devices and cover ------------------------------------------------------------------------


@dataclass(frozen=True)
class DeviceOffline(BusEventBase):
    """A panic button has not been heard within its limit: "Panic button in <room> OFFLINE"."""

    KIND: ClassVar[str] = "device_offline"

    device_id: str
    room_id: int | None
    room_name: str
    last_seen_at: datetime | None
    at: datetime


@dataclass(frozen=True)
class DeviceOnline(BusEventBase):
    """A panic button that was offline is heard again."""

    KIND: ClassVar[str] = "device_online"

    device_id: str
    room_id: int | None
    room_name: str
    at: datetime


@dataclass(frozen=True)
class NoRespondersOnDuty(BusEventBase):
    """Nobody is on the rota for the office right now: every screen shows a warning."""

    KIND: ClassVar[str] = "no_responders_on_duty"

    at: datetime


@dataclass(frozen=True)
class RespondersOnDuty(BusEventBase):
    """Cover is back (someone is on the rota again): screens clear the warning."""

    KIND: ClassVar[str] = "responders_on_duty"

    at: datetime
    staff_ids: tuple[int, ...] = ()


# --- the movements diary (officers out on visits) -----------------------------------------------


@dataclass(frozen=True)
class MovementChanged(BusEventBase):
    """A diary entry was logged or changed (back, extended, going in): boards refresh."""

    KIND: ClassVar[str] = "movement_changed"

    movement_id: int
    change: str  # logged, back, extended, going_in, came_out, cancelled
    officer_name: str
    at: datetime


@dataclass(frozen=True)
class OverdueRaised(BusEventBase):
    """An officer is not back in time: the OVERDUE alert (its own look and sound, not the panic)."""

    KIND: ClassVar[str] = "overdue_raised"

    overdue_id: int
    movement_id: int
    officer_name: str
    address: str
    reason: str  # due, amber, end_of_day
    due_at: datetime
    raised_at: datetime


@dataclass(frozen=True)
class OverdueChanged(BusEventBase):
    """An OVERDUE alert was taken, escalated, police called, or resolved: screens update."""

    KIND: ClassVar[str] = "overdue_changed"

    overdue_id: int
    change: str  # taken, escalated_managers, escalated_all, police_called, resolved
    by_name: str
    at: datetime


@dataclass(frozen=True)
class UnrecognisedEvent(BusEventBase):
    """A row whose kind this version does not know (written by a newer SafeDesk).

    Delivered rather than dropped, so readers' cursors move past it; screens ignore it.
    """

    KIND: ClassVar[str] = "unrecognised"

    kind: str = ""
    payload: dict[str, Any] = dataclasses.field(default_factory=dict)


EVENT_TYPES: dict[str, type[BusEventBase]] = {
    cls.KIND: cls
    for cls in (
        AlarmRaised,
        AlarmPressedAgain,
        AlarmResponding,
        AlarmEscalated,
        AlarmResolved,
        TestPressReceived,
        DeviceOffline,
        DeviceOnline,
        NoRespondersOnDuty,
        RespondersOnDuty,
        MovementChanged,
        OverdueRaised,
        OverdueChanged,
    )
}

ALARM_EVENT_KINDS = frozenset(
    cls.KIND
    for cls in (AlarmRaised, AlarmPressedAgain, AlarmResponding, AlarmEscalated, AlarmResolved)
)


@dataclass(frozen=True)
class BusMessage:
    """One delivered bus row: its id (the screen's cursor), when it was written, and the event."""

    id: int
    created_at: datetime
    event: BusEventBase

    @property
    def kind(self) -> str:
        return self.event.KIND


def event_from_row(kind: str, payload: dict[str, Any]) -> BusEventBase:
    """Rebuild an event from its bus row; UnknownBusEvent for a kind this version cannot read."""
    cls = EVENT_TYPES.get(kind)
    if cls is None:
        raise UnknownBusEvent(f"unknown bus event kind {kind!r}")
    return cls.from_payload(payload)


def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, tuple):
        return [_encode(v) for v in value]
    return value


_DECODERS: dict[str, tuple[tuple[str, Callable[[Any], Any]], ...]] = {}


def _decoders(cls: type[BusEventBase]) -> tuple[tuple[str, Callable[[Any], Any]], ...]:
    """Per event class, one converter per field: worked out once, since every screen decodes
    every event (type hints are slow to evaluate)."""
    key = f"{cls.__module__}.{cls.__qualname__}"
    found = _DECODERS.get(key)
    if found is None:
        hints = typing.get_type_hints(cls)
        found = tuple((f.name, _decoder_for(hints[f.name])) for f in dataclasses.fields(cls))
        _DECODERS[key] = found
    return found


def _decoder_for(annotation: Any) -> Callable[[Any], Any]:
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if typing.get_origin(annotation) is tuple:
        item = _decoder_for(args[0])
        return lambda value: tuple(item(v) for v in value)
    target = args[0] if args else annotation
    if target is datetime:
        return datetime.fromisoformat
    if isinstance(target, type) and issubclass(target, enum.Enum):
        return target
    return _same


def _same(value: Any) -> Any:
    return value
