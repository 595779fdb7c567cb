"""A device id is bound to where it was registered: its bridge or PC, its port, its USB serial.

Any port could speak for any device id: a frame on Interview Room 1's port raised Interview
Room 2. Now a press is checked against where its device is registered; one heard elsewhere is
raised as "unknown location: panic device X heard on Y" and logged, never as the other room, and
does not keep the registered device "online". An unregistered (or misplaced) device raises in the
office of the bridge or PC that heard it, not in every office.

Binding: an administrator registers the place (``safedesk devices bind``). A device registered
with no place at all is bound the first time it is heard with one: to that host and, when the
port reports one, the USB serial number (not the port name, which changes when a cable is moved
to another socket). Parts left empty are not checked.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from safedesk.button_events import HeardOn
from safedesk.models import PanicDevice, Room, Workstation
from safedesk.services.shared import audit
from safedesk.services.shared.actor import Actor

log = logging.getLogger(__name__)


class BindingError(ValueError):
    """A bind request names no device, or nothing to bind it to."""


def is_bound(device: PanicDevice) -> bool:
    return bool(device.bound_host or device.bound_port or device.bound_usb_serial)


def mismatch(device: PanicDevice, heard: HeardOn) -> str | None:
    """What about ``heard`` contradicts the device's registration (None: it is where it belongs).

    A bound part the driver could not report counts as a mismatch: it cannot be vouched for.
    """
    problems = []
    for part, bound, seen in (
        ("bridge or PC", device.bound_host, heard.host),
        ("port", device.bound_port, heard.port),
        ("USB serial number", device.bound_usb_serial, heard.usb_serial),
    ):
        if bound and seen != bound:
            problems.append(f"{part} {seen or 'unknown'}, registered {bound}")
    return "; ".join(problems) or None


def bind_on_first_contact(
    session: Session, device: PanicDevice, heard: HeardOn, at: datetime, workstation: str
) -> bool:
    """Bind a device registered without a place to where it is first heard; True if bound."""
    if is_bound(device) or not heard.host:
        return False
    device.bound_host = heard.host[:120]
    device.bound_usb_serial = heard.usb_serial[:80] or None
    audit.record(
        session,
        Actor.system(workstation),
        "device.bound",
        at=at,
        subject_type="panic_device",
        subject_id=device.id,
        device_id=device.device_id,
        host=device.bound_host,
        usb_serial=device.bound_usb_serial,
        first_contact=True,
    )
    log.info("panic device %s bound to %s on first contact", device.device_id, heard.describe())
    return True


def host_office_id(session: Session, host: str) -> int | None:
    """The office of the bridge or PC called ``host`` (None: not known to serve one office).

    Its workstation row says so; a bridge without one serves the office of the rooms whose
    devices are bound to it, if they are all in one office.
    """
    if not host:
        return None
    office = session.scalar(select(Workstation.office_id).where(Workstation.name == host))
    if office is not None:
        return office
    offices = session.scalars(
        select(func.distinct(Room.office_id))
        .join(PanicDevice, PanicDevice.room_id == Room.id)
        .where(PanicDevice.bound_host == host)
        .limit(2)
    ).all()
    return offices[0] if len(offices) == 1 else None


def bind(
    session: Session,
    device_id: str,
    actor: Actor,
    at: datetime,
    *,
    host: str | None = None,
    port: str | None = None,
    usb_serial: str | None = None,
) -> PanicDevice:
    """Register where a device is heard (what is given replaces the binding; "" clears a part)."""
    device = session.scalar(select(PanicDevice).where(PanicDevice.device_id == device_id))
    if device is None:
        raise BindingError(f"no panic device {device_id!r} is registered")
    if host is None and port is None and usb_serial is None:
        raise BindingError("say where the device is: --host, --port or --usb-serial")
    old = (device.bound_host, device.bound_port, device.bound_usb_serial)
    if host is not None:
        device.bound_host = host.strip()[:120] or None
    if port is not None:
        device.bound_port = port.strip()[:255] or None
    if usb_serial is not None:
        device.bound_usb_serial = usb_serial.strip()[:80] or None
    audit.record(
        session,
        actor,
        "device.bound",
        at=at,
        subject_type="panic_device",
        subject_id=device.id,
        device_id=device.device_id,
        old=list(old),
        host=device.bound_host,
        port=device.bound_port,
        usb_serial=device.bound_usb_serial,
    )
    return device
