"""A stand-in for MicroPython's ``machine`` module, for running the button firmware off the board.

Input levels are set by tests (``Pin.drive``), or, when FAKE_MACHINE_PINS names a directory, read
from a file per pin so a test can press the button of a firmware running in another process;
output pins record every level and mirror it to that directory.
"""

import os

_PIN_DIR = os.getenv("FAKE_MACHINE_PINS")


class Pin:
    IN = 0
    OUT = 1
    OPEN_DRAIN = 2
    PULL_UP = 1
    PULL_DOWN = 2

    levels = {}  # pin id -> level driven by the test
    written = {}  # pin id -> every level the firmware wrote

    def __init__(self, pin_id, mode=-1, pull=-1, value=None):
        self.id = pin_id
        self.mode = mode
        self.pull = pull
        if mode == Pin.OUT:
            Pin.written[pin_id] = []
            if value is not None:
                self.value(value)

    @classmethod
    def drive(cls, pin_id, level):
        cls.levels[pin_id] = level

    def _file(self):
        return _PIN_DIR + "/" + str(self.id)

    def value(self, level=None):
        if level is None:
            if self.mode == Pin.OUT:
                history = Pin.written.get(self.id)
                return history[-1] if history else 0
            if _PIN_DIR is not None:
                try:
                    with open(self._file()) as f:
                        return int(f.read().strip() or "1")
                except OSError:
                    pass
            return Pin.levels.get(self.id, 1 if self.pull == Pin.PULL_UP else 0)
        level = 1 if level else 0
        Pin.written.setdefault(self.id, []).append(level)
        if _PIN_DIR is not None and self.mode == Pin.OUT:
            with open(self._file(), "w") as f:
                f.write(str(level))
        return None

    def on(self):
        self.value(1)

    def off(self):
        self.value(0)


class WDT:
    def __init__(self, id=0, timeout=5000):
        self.timeout = timeout
        self.fed = 0

    def feed(self):
        self.fed += 1


def unique_id():
    return b"\xe6\x61\x4c\x31\x1b\x7e\x5d\x2f"


def reset():
    raise SystemExit("machine.reset()")
