"""`safedesk devices ...`: the panic devices, and where each is registered to be heard.

A device id is bound to its bridge or PC, its port and its USB serial number; a frame from
anywhere else raises "unknown location", never the device's room. `devices bind` registers the
place (audited); a device with no place registered is bound where it is first heard.
"""

from __future__ import annotations

import argparse

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from safedesk.cli.context import CliContext, CommandError
from safedesk.clock import SystemClock
from safedesk.models import PanicDevice
from safedesk.services.buttons.device_binding import BindingError, bind
from safedesk.services.shared.actor import Actor


def register(sub: argparse._SubParsersAction) -> None:
    devices = sub.add_parser("devices", help="panic devices and where they are registered")
    devices_sub = devices.add_subparsers(dest="devices_command", metavar="ACTION", required=True)

    show = devices_sub.add_parser("list", help="every device: room, where it is bound, last seen")
    show.set_defaults(func=_list)

    place = devices_sub.add_parser(
        "bind", help="register where DEVICE_ID is heard (an empty value clears that part)"
    )
    place.add_argument("device_id")
    place.add_argument("--host", metavar="NAME", help="the bridge or PC it is plugged into")
    place.add_argument("--port", metavar="URL", help="e.g. /dev/serial/by-id/usb-... or COM5")
    place.add_argument("--usb-serial", metavar="SERIAL", help="the USB serial number")
    place.set_defaults(func=_bind)


def _list(ctx: CliContext, args: argparse.Namespace) -> int:
    del args
    db = ctx.open_database()
    try:
        with db.session() as s:
            devices = s.scalars(
                select(PanicDevice)
                .options(joinedload(PanicDevice.room))
                .order_by(PanicDevice.device_id)
            ).all()
            for d in devices:
                where = ", ".join(
                    f"{name} {value}"
                    for name, value in (
                        ("host", d.bound_host),
                        ("port", d.bound_port),
                        ("USB serial", d.bound_usb_serial),
                    )
                    if value
                )
                seen = d.last_seen_at.isoformat(timespec="seconds") if d.last_seen_at else "never"
                room = d.room.name if d.room is not None else "NO ROOM"
                print(
                    f"{d.device_id}\t{room}\t{where or 'not bound yet'}\tlast seen {seen}"
                    + ("" if d.enabled else "\tDISABLED")
                )
    finally:
        db.dispose()
    return 0


def _bind(ctx: CliContext, args: argparse.Namespace) -> int:
    db = ctx.open_database()
    try:
        with db.session() as s:
            try:
                device = bind(
                    s,
                    args.device_id,
                    Actor.system(ctx.config.workstation_name),
                    SystemClock().now(),
                    host=args.host,
                    port=args.port,
                    usb_serial=args.usb_serial,
                )
            except BindingError as exc:
                raise CommandError(str(exc)) from None
            print(
                f"{device.device_id}: host {device.bound_host or '-'}, port "
                f"{device.bound_port or '-'}, USB serial {device.bound_usb_serial or '-'}"
            )
    finally:
        db.dispose()
    return 0
