"""Driving reception as a receptionist does: the window shown at 1366x768, real keys and clicks.

Modal dialogs (the flag warning, the manager override) run their own event loop, so what the
receptionist does in them is queued with ``when_shown`` before the key that opens them.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QWidget
from pytestqt.qtbot import QtBot

from desktop.reception.book_in_dialog import BookInDialog

SCREEN = (1366, 768)


def texts(widget: QWidget) -> str:
    """Every label's text in a widget: what the person reads."""
    return "\n".join(label.text() for label in widget.findChildren(QLabel) if label.isVisible())


def when_shown(kind: type[QWidget], act: Callable[[QWidget], None], seen: list[QWidget]) -> None:
    """Act on the next visible window of `kind` once it is on screen (and its loop running)."""

    def attempt(tries: int = 0) -> None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, kind) and widget.isVisible() and widget not in seen:
                seen.append(widget)
                try:
                    act(widget)
                except BaseException:
                    if isinstance(widget, QDialog) and widget.isVisible():
                        widget.reject()  # end the modal loop so the failure is reported
                    raise
                return
        if tries > 300:
            for widget in QApplication.topLevelWidgets():
                if isinstance(widget, QDialog) and widget.isVisible():
                    widget.reject()  # unblock whatever modal loop is waiting, then fail
            raise AssertionError(f"no {kind.__name__} appeared")
        QTimer.singleShot(10, lambda: attempt(tries + 1))

    QTimer.singleShot(0, attempt)


def type_text(qtbot: QtBot, widget: QWidget, text: str) -> None:
    """Type `text` key by key. QTest types only ASCII; a letter such as ë or Ł arrives as the
    key event a keyboard layout or input method delivers for it: a key press carrying the text.
    """
    run = ""
    for char in text:
        if char.isascii():
            run += char
            continue
        if run:
            qtbot.keyClicks(widget, run)
            run = ""
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, 0, Qt.KeyboardModifier.NoModifier, char))
    if run:
        qtbot.keyClicks(widget, run)


def type_search(qtbot: QtBot, dialog: BookInDialog, text: str) -> None:
    """Type the visitor's answers into the search box and wait for the shortlist."""
    with qtbot.waitSignal(dialog.runner.results, timeout=10_000):
        type_text(qtbot, dialog.search_box, text)


def press(qtbot: QtBot, key: Qt.Key, modifier: Qt.KeyboardModifier | None = None) -> None:
    """A key pressed wherever the keyboard focus is now, as on a real keyboard."""
    target = QApplication.focusWidget()
    assert target is not None, "nothing has the keyboard focus"
    if modifier is None:
        qtbot.keyClick(target, key)
    else:
        qtbot.keyClick(target, key, modifier)


def type_here(qtbot: QtBot, text: str) -> None:
    target = QApplication.focusWidget()
    assert target is not None, "nothing has the keyboard focus"
    type_text(qtbot, target, text)


def wait_for_keyboard(qtbot: QtBot, window: QWidget) -> None:
    """Until `window` is the active window with the keyboard focus inside it."""

    def inside() -> bool:
        focus = QApplication.focusWidget()
        return focus is not None and (focus is window or window.isAncestorOf(focus))

    qtbot.waitUntil(inside, timeout=5000)


def tick_read_it(qtbot: QtBot, warning: QWidget) -> None:
    """Alt+R in the flag warning: "I have read this warning" (ticked a moment later)."""
    wait_for_keyboard(qtbot, warning)
    press(qtbot, Qt.Key.Key_R, Qt.KeyboardModifier.AltModifier)
    box = warning.read_it  # type: ignore[attr-defined]
    qtbot.waitUntil(box.isChecked, timeout=2000)


def read_and_acknowledge(qtbot: QtBot, warning: QWidget) -> None:
    """Tick "I have read this warning" and press Enter, from the keyboard."""
    tick_read_it(qtbot, warning)
    press(qtbot, Qt.Key.Key_Return)
