"""The installed PySide6 must not leak references on Signal.emit() (6.12.0 did, and crashed).

A responder PC emits a signal for every bus event; a leak of one reference to True per emit made
Python 3.11 abort ("bool_dealloc") after some thousands of emits. The check runs in a child
process because the failure mode is an abort, which would take the test run down with it.
"""

from __future__ import annotations

import os
import subprocess
import sys

CHILD = """
import sys
from PySide6.QtCore import QCoreApplication, QObject, Signal

app = QCoreApplication([])


class Emitter(QObject):
    changed = Signal(object)


emitter = Emitter()
emitter.changed.connect(lambda _value: None)
before = sys.getrefcount(True), sys.getrefcount(False)
for _ in range(5000):
    emitter.changed.emit(1)
after = sys.getrefcount(True), sys.getrefcount(False)
print(after[0] - before[0], after[1] - before[1])
"""


def test_emitting_signals_does_not_leak_references_to_true_or_false() -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, "-c", CHILD],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["0", "0"], done.stdout
