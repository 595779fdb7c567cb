"""What a panic button tells the core, whatever the wire: the contract between hardware/ and services.

Drivers (serial, GPIO, hotkey, simulated, the bridge) turn their inputs into these events and hand
them to a ``PressSink``; the alarm service is the real sink. Keeping the contract in the core lets
the bridge's outbox and the drivers be tested against any sink.
"""

from __future__ import annotations

import enum
import json
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
class HeardOn:
    """Where a frame was heard: the bridge or PC, the port, the USB serial number behind it.

    A device id is bound to where it was registered; the alarm service compares this with the
    binding, so a frame from elsewhere is never raised as the registered room. Empty parts are
    unknown (a pty has no USB serial number; drivers leave ``host`` to the alarm service).
    """

    host: str = ""
    port: str = ""
    usb_serial: str = ""

    def describe(self) -> str:
        """For people: "port COM5 (USB serial E6614C31) on BRIDGE-1"."""
        parts = []
        if self.port:
            parts.append(f"port {self.port}")
        if self.usb_serial:
            parts.append(f"(USB serial {self.usb_serial})")
        if self.host:
            parts.append(f"on {self.host}")
        return " ".join(parts) or "an unknown port"

    def with_host(self, host: str) -> HeardOn:
        return self if self.host else HeardOn(host, self.port, self.usb_serial)

    def to_text(self) -> str:
        """One line for storage (an outbox row); ``from_text`` reads it back."""
        return "\t".join((self.host, self.port, self.usb_serial))

    @staticmethod
    def from_text(text: str | None) -> HeardOn | None:
        if text is None:
            return None
        host, _, rest = text.partition("\t")
        port, _, usb_serial = rest.partition("\t")
        return HeardOn(host, port, usb_serial)


@dataclass(frozen=True)
class PressedBy:
    """Who was signed in at the PC whose on-screen button or hotkey made a press (``staff_id``
    None: nobody; ``login`` "system" then), and which PC. It travels with the press, held in an
    outbox too, so the alarm's audit names the person at the desk whenever the press arrives."""

    staff_id: int | None
    login: str
    workstation: str

    def to_text(self) -> str:
        """One line for storage (an outbox row); ``from_text`` reads it back."""
        return json.dumps({"staff_id": self.staff_id, "login": self.login, "pc": self.workstation})

    @staticmethod
    def from_text(text: str | None) -> PressedBy | None:
        """None for None, and for a damaged value (the press is never lost for it)."""
        if text is None:
            return None
        try:
            data = json.loads(text)
            staff_id = data["staff_id"]
            return PressedBy(
                int(staff_id) if staff_id is not None else None, str(data["login"]), str(data["pc"])
            )
        except (ValueError, TypeError, KeyError):
            return None


@dataclass(frozen=True)
class ButtonPress:
    """One press as the device numbered it; (device_id, sequence) makes a resend recognisable."""

    device_id: str
    sequence: int
    pressed_at: datetime  # timezone-aware; the device's (or driver's) time of the press
    source: DeviceKind
    boot_id: int | None = None  # changes when the device reboots and its sequence restarts
    heard_on: HeardOn | None = None  # where the driver heard it (None: no place to check)
    pressed_by: PressedBy | None = None  # a PC's on-screen or hotkey press: who was signed in


@dataclass(frozen=True)
class DeviceHeard:
    """A hello or heartbeat: the device is alive (supervision updates last seen)."""

    device_id: str
    heard_at: datetime
    source: DeviceKind
    firmware_version: str | None = None
    heard_on: HeardOn | None = None


@dataclass(frozen=True)
class PressReceipt:
    """What the sink did with a press: the alarm it belongs to and whether it was new."""

    alarm_id: int
    created: bool  # False: a resend, or "pressed again" on an open alarm
    is_test: bool = False  # the press fell in the device's weekly test window
    # Kept in the bridge's local outbox, not yet in the database (alarm_id is 0 then): the
    # device is acknowledged (it may stop resending) but shows "not delivered".
    held: bool = False
    # Held because recording it hit a bug, not an outage: what the screen says instead of "sent
    # when the database answers" (``safedesk.db.failures.internal_error_text``).
    internal_error: str | None = None


class PressSink(Protocol):
    """Where presses go. Raises on failure (e.g. database unreachable) so callers can hold them."""

    def press(self, press: ButtonPress) -> PressReceipt: ...

    def heard(self, heard: DeviceHeard) -> None: ...
