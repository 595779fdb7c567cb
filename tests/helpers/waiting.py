"""Waiting for something another thread or process does (a driver, a bridge, a standby)."""

from __future__ import annotations

import time
from collections.abc import Callable


def eventually(check: Callable[[], object], timeout: float = 10.0, *, every: float = 0.01) -> bool:
    """True as soon as ``check()`` holds, polling every ``every`` seconds; after ``timeout``
    seconds, whether it holds at that last look (so ``assert eventually(...)`` says which)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(every)
    return bool(check())
