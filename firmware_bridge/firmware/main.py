"""USB panic button firmware entry point (MicroPython on a Raspberry Pi Pico).

Copy main.py, button_logic.py, boot_counter.py, button_settings.py and protocol.py to the board
(docs/firmware.md).
Hold the button down while plugging in to skip start-up and reach the REPL for maintenance.
"""

import select
import sys

import boot_counter
import machine
import micropython
from button_logic import ButtonController

import button_settings as settings

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def make_device_id() -> str:
    if settings.DEVICE_ID:
        return str(settings.DEVICE_ID)
    return "pico-" + "".join("{:02x}".format(b) for b in machine.unique_id())


def make_boot_id() -> int:
    # One more than last start's, kept in flash: a restart is never taken for a resend.
    return boot_counter.next_boot_id(boot_counter.counter_path(settings.__file__))


def output_pin(pin_id: "Any") -> "machine.Pin":
    pin = machine.Pin(pin_id, machine.Pin.OUT)
    pin.value(0)
    return pin


class UsbSerial:
    """The USB CDC link: raw bytes, never blocking the button loop."""

    def __init__(self) -> None:
        self._in = sys.stdin.buffer  # type: Any
        self._out = sys.stdout.buffer  # type: Any
        self._poll = select.poll()
        self._poll.register(sys.stdin, select.POLLIN)

    def write(self, data: bytes) -> None:
        self._out.write(data)

    def read_available(self, limit: int = 64) -> bytes:
        chunk = b""
        while len(chunk) < limit and self._poll.poll(0):
            byte = self._in.read(1)
            if not byte:
                break
            chunk += byte
        return chunk

    def wait(self, ms: int) -> None:
        self._poll.poll(ms)


def run() -> None:
    import time

    button = machine.Pin(settings.BUTTON_PIN, machine.Pin.IN, machine.Pin.PULL_UP)
    if button.value() == 0:
        return  # held at power-up: maintenance mode, leave the REPL free for mpremote
    # In service a stray Ctrl-C byte on the USB line must not stop the button (see docs).
    micropython.kbd_intr(-1)
    led = output_pin(settings.LED_PIN)
    buzzer = output_pin(settings.BUZZER_PIN) if settings.BUZZER_PIN is not None else None
    link = UsbSerial()
    controller = ButtonController(
        button=button,
        led=led,
        write=link.write,
        clock=time,
        device_id=make_device_id(),
        boot_id=make_boot_id(),
        buzzer=buzzer,
        debounce_ms=settings.DEBOUNCE_MS,
        hold_ms=settings.HOLD_MS,
    )
    watchdog = machine.WDT(timeout=settings.WATCHDOG_MS) if settings.WATCHDOG_MS else None
    while True:
        controller.poll()
        data = link.read_available()
        if data:
            controller.on_bytes(data)
        link.wait(5)
        if watchdog is not None:
            watchdog.feed()


def main() -> None:
    try:
        run()
    except Exception as exc:  # a bug: say what it was on the line, then start again at once
        sys.print_exception(exc)
        machine.reset()  # sooner than the watchdog: the button is back in about a second


if __name__ == "__main__":
    main()
