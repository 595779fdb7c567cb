"""USB panic buttons plugged into this PC (a reception desk), run inside the app.

The same serial driver as the bridge (``hardware.serial_button``) listens on the configured
ports (``devices.serial_ports``) and on any port with a button's USB id (``devices.usb_ids``),
feeding this PC's durable press outbox (``services.presses``; the alarm service itself only if
the outbox could not be opened): a press the database cannot take is held on disk with its
press time, the LED says "not delivered", and it turns to "delivered" when the press is
forwarded; the LED relay carries "help is coming" back to the button;
the supervision timer announces buttons going offline or coming back (once per change, whoever
notices first, see ``safedesk.services.buttons.supervision``).

Driver threads never touch widgets: their status reaches the GUI through a queued signal, and a
``DeviceOffline``/``DeviceOnline`` on the bus refreshes the panic-button flags at once instead
of at the next timer tick.

Signals:
    status_changed(DeviceStatus): a button on this PC came online or went offline.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Qt, Signal

from hardware.button_source import DeviceStatus
from hardware.led_relay import LedRelay
from hardware.serial_button import SerialButtonConfig, SerialButtonSource, parse_usb_id
from safedesk.button_events import ButtonPress, LedState, PressReceipt
from safedesk.config import DevicesConfig
from safedesk.services.buttons.supervision import SupervisionTimer
from safedesk.services.hub import Services

log = logging.getLogger(__name__)


def serial_config(devices: DevicesConfig) -> SerialButtonConfig | None:
    """The driver's settings from the PC's config; None when this PC owns no USB buttons."""
    usb_ids: list[tuple[int, int]] = []
    for text in devices.usb_ids:
        try:
            usb_ids.append(parse_usb_id(text))
        except ValueError as exc:
            log.error("devices.usb_ids: %s (ignored)", exc)
    if not devices.serial_ports and not usb_ids:
        return None
    return SerialButtonConfig(
        port_urls=tuple(devices.serial_ports), discover=bool(usb_ids), usb_ids=tuple(usb_ids)
    )


class OwnedButtons(QObject):
    """This PC's USB buttons, their LEDs and supervision; ``start``/``stop`` on the GUI thread."""

    status_changed = Signal(object)

    def __init__(
        self,
        services: Services,
        *,
        serial: SerialButtonConfig | None,
        supervise: bool = True,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.services = services
        sink = services.presses or services.alarms
        self.source = (
            SerialButtonSource(sink, services.clock, serial, on_status=self.status_changed.emit)
            if serial is not None
            else None
        )
        self.relay = LedRelay(services.bus, [self.source]) if self.source is not None else None
        self.supervision = SupervisionTimer(services.supervision) if supervise else None
        self.statuses: dict[str, DeviceStatus] = {}
        # Queued explicitly: emitted on a driver thread, handled on this object's (GUI) thread.
        self.status_changed.connect(self._on_status, Qt.ConnectionType.QueuedConnection)

    def start(self) -> None:
        if self.source is not None and self.services.presses is not None:
            self.services.presses.subscribe(on_forwarded=self._on_forwarded)
        if self.relay is not None:
            self.relay.start()
        if self.source is not None:
            self.source.start()
        if self.supervision is not None:
            self.supervision.start()

    def stop(self) -> None:
        if self.supervision is not None:
            self.supervision.stop()
        if self.source is not None:
            self.source.stop()
        if self.relay is not None:
            self.relay.stop()
        if self.services.presses is not None:
            self.services.presses.unsubscribe(self._on_forwarded)

    def _on_forwarded(self, press: ButtonPress, receipt: PressReceipt) -> None:
        """A held press reached the database: the room's LED stops saying "not delivered"."""
        source = self.source
        if source is not None and source.owns(press.device_id):
            source.set_led(
                press.device_id, LedState.TEST if receipt.is_test else LedState.DELIVERED
            )

    def _on_status(self, status: DeviceStatus) -> None:
        self.statuses[status.device_id] = status


def attach(window: QObject, services: Services, bus_adapter: QObject) -> OwnedButtons:
    """Start this PC's buttons for ``window`` and refresh its flags on device events.

    ``window`` is the MainWindow: its status bar shows buttons coming and going, and its
    ``weekly_test_status`` (if the weekly-test panel is loaded) refreshes on DeviceOffline /
    DeviceOnline from the bus adapter's ``device_status`` signal.
    """
    owned = OwnedButtons(services, serial=serial_config(services.config.devices), parent=window)

    def on_status(status: DeviceStatus) -> None:
        bar = getattr(window, "statusBar", None)
        if callable(bar):
            state = "connected" if status.online else "DISCONNECTED"
            bar().showMessage(f"Panic button {status.device_id} {state} {status.detail}", 15000)

    def on_device_event(_event: object) -> None:
        status = getattr(window, "weekly_test_status", None)
        refresh = getattr(status, "refresh", None)
        if callable(refresh):
            refresh()

    owned.status_changed.connect(on_status, Qt.ConnectionType.QueuedConnection)
    signal = getattr(bus_adapter, "device_status", None)
    if signal is not None:
        signal.connect(on_device_event)
    owned.start()
    return owned
