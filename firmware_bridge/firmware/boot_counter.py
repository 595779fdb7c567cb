"""The button's boot id: a counter kept in flash, one more at every start.

The host tells a restarted button from a resend by its boot id, so a restart must never repeat
the id of the boot before it: a random draw can (a weak or stuck random source at power-up), a
counter cannot. A fresh board, or one whose file system was wiped, starts the counter at a random
value, so its ids do not repeat those of an earlier life either. The new value is written before
it is used: a crash straight after start still moves the next boot on. MicroPython only (no
typing at runtime; no os.path).
"""

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Callable

FILE_NAME = "boot_count"


def random32() -> int:
    return int.from_bytes(os.urandom(4), "big")


def _read(path: str) -> "int | None":
    try:
        with open(path) as f:
            text = f.read().strip()
        value = int(text, 16)
    except (OSError, ValueError):
        return None  # no file yet, or a torn write: start afresh from a random value
    if len(text) != 8 or not 0 <= value <= 0xFFFFFFFF:
        return None
    return value


def next_boot_id(path: str, draw: "Callable[[], int]" = random32) -> int:
    """The id for this start; ``path`` is the counter file on the board's flash."""
    previous = _read(path)
    if previous is None:
        previous = _read(path + ".new")  # power lost between writing and renaming
    boot = (draw() if previous is None else previous + 1) & 0xFFFFFFFF
    new = path + ".new"
    try:
        with open(new, "w") as f:
            f.write("{:08X}".format(boot))
        os.rename(new, path)  # replaces the old file in one step (littlefs, POSIX)
    except OSError as exc:
        # Flash full or read-only: the id is still new for this boot, only not remembered.
        print("boot counter not saved:", exc)
    return boot


def counter_path(settings_file: str) -> str:
    """The counter file beside the settings file (the board's root folder on a Pico)."""
    cut = settings_file.rfind("/")
    return (settings_file[: cut + 1] if cut >= 0 else "") + FILE_NAME
