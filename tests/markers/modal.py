"""Acting on a modal dialog while the click that opened it waits (``exec()`` blocks the test).

``with ModalDialogs(act) as modals: qtbot.mouseClick(button, ...)`` runs ``act(dialog)`` for
each modal dialog that opens during the block; ``act`` drives it as a person would and closes
it. If ``act`` fails, the dialog is closed (so the test never hangs) and the failure is raised
when the block ends. A dialog that opens when ``act`` is None is recorded and closed at once:
that is how a test proves a click opened *no* form.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from types import TracebackType

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialog, QWidget

Act = Callable[[QDialog], None]


class ModalDialogs:
    def __init__(self, act: Act | None = None, *, timeout_s: float = 10.0) -> None:
        self.act = act
        self.timeout_s = timeout_s
        self.opened: list[QWidget] = []
        self.titles: list[str] = []
        self.errors: list[BaseException] = []
        self._deadline = 0.0
        self._stopped = False

    def __enter__(self) -> ModalDialogs:
        self._deadline = time.monotonic() + self.timeout_s
        QTimer.singleShot(0, self._poll)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stopped = True
        if exc is None and self.errors:
            raise self.errors[0]

    def _poll(self) -> None:
        if self._stopped:
            return
        widget = QApplication.activeModalWidget()
        if widget is not None and widget not in self.opened and widget.isVisible():
            self.opened.append(widget)
            self.titles.append(widget.windowTitle())
            if self.act is None or not isinstance(widget, QDialog):
                widget.close()
            else:
                try:
                    self.act(widget)
                except BaseException as exc:  # noqa: BLE001  (re-raised in __exit__)
                    self.errors.append(exc)
                    widget.reject()
        if time.monotonic() < self._deadline:
            QTimer.singleShot(20, self._poll)
