"""What a panic button tells the core, whatever the wire: the contract between hardware/ and services.

Drivers (serial, GPIO, hotkey, simulated, the bridge) turn their inputs into these events and hand
them to a ``PressSink``; the alarm service is the real sink. Keeping the contract in the core lets
the bridge's outbox and the drivers be tested against any sink.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

# The longest device id the database stores (panic_devices, alarm_events, alarm_presses).
DEVICE_ID_MAX_LENGTH = 80


def device_id_problem(device_id: str) -> str | None:
    """Why ``device_id`` cannot identify a button, or None. Checked where ids are configured, so a
    press is never made under an id the database cannot store."""
    if not device_id or device_id != device_id.strip():
        return "must not be empty or start or end with a space"
    if len(device_id) > DEVICE_ID_MAX_LENGTH:
        return f"is {len(device_id)} characters long; at most {DEVICE_ID_MAX_LENGTH} are stored"
    if not device_id.isprintable():
        return "must contain printable characters only"
    return None


class DeviceKind(enum.StrEnum):
    SERIAL = "serial"
    GPIO = "gpio"
    HOTKEY = "hotkey"
    BRIDGE = "bridge"
    SIMULATED = "simulated"


class LedState(enum.StrEnum):
    """What the button's LED tells the person in the room."""

    IDLE = "idle"  # connected and ready
    WAITING = "waiting"  # pressed, not yet confirmed by the system
    DELIVERED = "delivered"  # the alarm is on the responders' screens
    RESPONDING = "responding"  # a responder said "I'm responding": help is coming
    NOT_DELIVERED = "not_delivered"  # the system cannot be reached: the press is held locally
    TEST = "test"  # the button is in its weekly test window


@dataclass(frozen=True)
class ButtonPress:
    """One press as the device numbered it; (device_id, sequence) makes a resend recognisable."""

    device_id: str
    sequence: int
    pressed_at: datetime  # timezone-aware; the device's (or driver's) time of the press
    source: DeviceKind
    boot_id: int | None = None  # changes when the device reboots and its sequence restarts


@dataclass(frozen=True)
class DeviceHeard:
    """A hello or heartbeat: the device is alive (supervision updates last seen)."""

    device_id: str
    heard_at: datetime
    source: DeviceKind
    firmware_version: str | None = None


@dataclass(frozen=True)
class PressReceipt:
    """What the sink did with a press: the alarm it belongs to and whether it was new."""

    alarm_id: int
    created: bool  # False: a resend, or "pressed again" on an open alarm
    is_test: bool = False  # the press fell in the device's weekly test window
    # Kept in the bridge's local outbox, not yet in the database (alarm_id is 0 then): the
    # device is acknowledged (it may stop resending) but shows "not delivered".
    held: bool = False


class PressSink(Protocol):
    """Where presses go. Raises on failure (e.g. database unreachable) so callers can hold them."""

    def press(self, press: ButtonPress) -> PressReceipt: ...

    def heard(self, heard: DeviceHeard) -> None: ...
