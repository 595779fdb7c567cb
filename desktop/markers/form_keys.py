"""Enter in a marker form never submits it: only its button, or a deliberate Ctrl+Enter.

A manager presses Enter to search for a person, to finish a line, or by habit; on a QDialog
that would click the default button and place a marker half filled in. The filter sits on the
dialog (which sees every Enter a field leaves unused) and on its multi-line boxes (which would
otherwise take Ctrl+Enter as a new line).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QDialog, QPlainTextEdit, QPushButton

ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
SUBMIT_HINT = "Ctrl+Enter"


class DeliberateSubmit(QObject):
    """Installed on a form dialog: plain Enter does nothing more than the field's own action,
    Ctrl+Enter calls ``submit``. A focused push button still takes Enter (it is chosen)."""

    def __init__(self, dialog: QDialog, submit: Callable[[], None]) -> None:
        super().__init__(dialog)
        self._submit = submit
        dialog.installEventFilter(self)
        for box in dialog.findChildren(QPlainTextEdit):
            box.installEventFilter(self)
        for button in dialog.findChildren(QPushButton):
            button.setAutoDefault(False)
            button.setDefault(False)

    def watch(self, widget: QObject) -> None:
        """A field added after the dialog was built (a new evidence row)."""
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.KeyPress:
            return False
        assert isinstance(event, QKeyEvent)
        if event.key() not in ENTER_KEYS:
            return False
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self._submit()
            return True
        focused = QApplication.focusWidget()
        if isinstance(focused, QPushButton) and focused.window() is self.parent():
            focused.click()  # Enter on a button the person moved to is deliberate
            return True
        # A multi-line box takes Enter as a new line; anything else reaching the dialog is
        # swallowed instead of pressing the default button.
        return not isinstance(watched, QPlainTextEdit)
