"""The ``gui`` marker: which tests make widgets, and a guard that catches one that is not marked.

A test is a GUI test when it asks for ``qtbot`` or ``qapp`` (directly or through its fixtures), or
when its module imports Qt's widget side (``PySide6.QtWidgets``, ``QtGui``, ``QtTest``, pytest-qt)
or the ``desktop`` package, itself or through a ``tests`` helper module. ``PySide6.QtCore`` alone
is no GUI: signals and timers run headless. ``pytest -m "not gui"`` is then a run a Raspberry Pi
with no display can do, and the guard proves it: while a test without the marker runs, creating a
QApplication or QGuiApplication raises ``NotAGuiTest`` instead of looking for a screen.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
GUI_FIXTURES = frozenset({"qtbot", "qapp"})
GUI_MODULES = ("PySide6.QtWidgets", "PySide6.QtGui", "PySide6.QtTest", "pytestqt", "desktop")


class NotAGuiTest(RuntimeError):
    """A test without the ``gui`` marker tried to start Qt's GUI."""


def _is_gui_import(name: str) -> bool:
    return any(name == m or name.startswith(f"{m}.") for m in GUI_MODULES)


def _module_file(name: str) -> Path | None:
    base = ROOT.joinpath(*name.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _imported_names(path: Path) -> Iterator[str]:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


@cache
def imports_gui(path: Path) -> bool:
    """Whether the module at ``path`` imports Qt's widget side or ``desktop``, itself or through
    the ``tests`` helper modules it imports."""
    return _imports_gui(path, frozenset())


def _imports_gui(path: Path, seen: frozenset[Path]) -> bool:
    for name in _imported_names(path):
        if _is_gui_import(name):
            return True
        if name.startswith("tests.") and name != __name__:  # this module only guards the GUI
            helper = _module_file(name)
            if (
                helper is not None
                and helper not in seen | {path}
                and _imports_gui(helper, seen | {path})
            ):
                return True
    return False


def makes_widgets(fixturenames: list[str], module_path: Path) -> bool:
    """The rule for one test: a Qt fixture in its closure, or a module that imports the GUI."""
    return bool(GUI_FIXTURES.intersection(fixturenames)) or imports_gui(module_path)


@contextmanager
def no_gui_while(running: Callable[[], str | None]) -> Iterator[None]:
    """While ``running()`` names a test without the marker, refuse to create a QApplication or a
    QGuiApplication (every widget needs one). A session without PySide6 has nothing to guard."""
    try:
        from PySide6.QtGui import QGuiApplication
        from PySide6.QtWidgets import QApplication
    except ImportError:
        yield
        return
    originals = {cls: cls.__init__ for cls in (QGuiApplication, QApplication)}

    def guarded(cls: type) -> Callable[..., None]:
        original = originals[cls]

        def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
            test = running()
            if test is not None:
                raise NotAGuiTest(
                    f"{test} starts Qt's GUI ({cls.__name__}) but is not marked gui: use qtbot,"
                    " or mark it (pytestmark = pytest.mark.gui), so `pytest -m 'not gui'` stays"
                    " a headless run"
                )
            original(self, *args, **kwargs)

        return __init__

    for cls in originals:
        cls.__init__ = guarded(cls)  # type: ignore[misc]
    try:
        yield
    finally:
        for cls, original in originals.items():
            cls.__init__ = original  # type: ignore[misc]


def qt_objects_die_here() -> None:
    """Run pending deleteLater()s and collect garbage now, in the GUI thread, so that no Qt object
    is destroyed by a later collection on a driver or bus thread (a crash)."""
    import gc

    from PySide6.QtCore import QCoreApplication, QEvent

    if QCoreApplication.instance() is not None:
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    gc.collect()
    if QCoreApplication.instance() is not None:
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
