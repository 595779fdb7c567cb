"""A test rig around ButtonController: fake pins, a fake tick clock, a wire to decode.

Runs under MicroPython (and CPython); scenario scripts print one JSON object for pytest to check.
"""

import json

import protocol
from button_logic import ButtonController
from fake_ticks import FakeTicks
from machine import Pin

BUTTON = 15
LED = "LED"
BUZZER = 16


class Rig:
    def __init__(self, start_ticks=0, buzzer=True, **options):
        Pin.levels.clear()
        Pin.written.clear()
        self.clock = FakeTicks(start_ticks)
        self.wire = b""
        self.decoder = protocol.FrameDecoder()
        self.button = Pin(BUTTON, Pin.IN, Pin.PULL_UP)
        self.led = Pin(LED, Pin.OUT)
        self.buzzer = Pin(BUZZER, Pin.OUT) if buzzer else None
        self.ctrl = ButtonController(
            button=self.button,
            led=self.led,
            write=self._write,
            clock=self.clock,
            device_id="pico-test",
            boot_id=0x0BADF00D,
            buzzer=self.buzzer,
            **options,
        )
        self.host_boot = 0x12345678
        self.host_seq = 0

    def _write(self, data):
        self.wire += data

    def run(self, ms, step=5):
        """Let ``ms`` milliseconds pass, polling as main.py does."""
        elapsed = 0
        while elapsed < ms:
            self.ctrl.poll()
            self.clock.advance(step)
            elapsed += step
        self.ctrl.poll()

    def hold(self, ms):
        Pin.drive(BUTTON, 0)
        self.run(ms)
        Pin.drive(BUTTON, 1)

    def bounce(self, levels, step=2):
        """Contact bounce: the pin flips through ``levels``, one every ``step`` ms."""
        for level in levels:
            Pin.drive(BUTTON, level)
            self.run(step, step)

    def sent(self):
        """Frames the button sent since the last call."""
        frames = self.decoder.feed(self.wire)
        self.wire = b""
        return frames

    def host(self, frame):
        self.ctrl.on_bytes(protocol.encode(frame))

    def host_led(self, state):
        self.host_seq += 1
        self.host(protocol.led("pico-test", self.host_boot, self.host_seq, state))

    def ack(self, press_frame):
        self.host(protocol.ack(press_frame))

    def shown(self):
        return self.ctrl.state(self.clock.ticks_ms())

    def led_writes(self):
        return Pin.written.get(LED, [])

    def buzzer_writes(self):
        return Pin.written.get(BUZZER, [])


def report(**values):
    print(json.dumps(values))


def kinds(frames):
    return [f.kind for f in frames]
