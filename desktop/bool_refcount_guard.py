"""Protects the process from a PySide6 6.12 reference-count bug that crashes it after enough emits.

``SignalInstance.emit()`` returns ``True`` without taking a reference to it. On CPython 3.11,
where ``True`` is an ordinary object, every emit from Python lowers its reference count by one;
after some tens of thousands of emits (an afternoon of bus events, or a test run) the count reaches
zero and the interpreter aborts ("bool_dealloc: deallocating True or False") or segfaults in a
garbage collection. That would silently kill a responder's PC, so the desktop package applies
this guard on import: it gives ``True`` and ``False`` a reserve of references so large that the
leak can never exhaust it (CPython 3.12+ makes them immortal, so nothing is done there).
"""

from __future__ import annotations

import ctypes
import logging
import sys

log = logging.getLogger(__name__)

RESERVE = 1 << 40  # a trillion emits; the leak is one reference per emit


def apply() -> bool:
    """Add the reserve once per process; True if applied (CPython before 3.12 only)."""
    if sys.implementation.name != "cpython" or sys.version_info >= (3, 12):
        return False
    if sys.getrefcount(True) > RESERVE // 2:
        return True  # already applied
    for value in (True, False):
        # ob_refcnt is the first field of every CPython object (Include/object.h).
        refcount = ctypes.c_ssize_t.from_address(id(value))
        refcount.value += RESERVE
    log.debug("PySide6 emit() refcount guard applied to True/False")
    return True
