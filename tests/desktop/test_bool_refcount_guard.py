"""A long-running PC emits signals all day; PySide6's emit() must not exhaust True's references."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal

from desktop import bool_refcount_guard


class _Emitter(QObject):
    ping = Signal(bool)


def test_a_day_of_signal_emits_does_not_crash_the_desktop() -> None:
    emitter = _Emitter()
    seen: list[bool] = []
    emitter.ping.connect(seen.append)
    before = sys.getrefcount(True)

    for _ in range(100_000):  # far more than True's ordinary reference count on CPython 3.11
        emitter.ping.emit(True)

    assert len(seen) == 100_000
    seen.clear()
    if bool_refcount_guard.apply():  # CPython 3.11: the guard holds the reserve
        assert sys.getrefcount(True) > bool_refcount_guard.RESERVE // 2
        assert before - sys.getrefcount(True) < 200_000
