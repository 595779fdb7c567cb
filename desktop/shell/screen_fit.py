"""Windows that fit the screen they open on, so a 1366x768 laptop shows every part of them.

A window larger than the screen hides its bottom (the Switch user / Sign out bar) or its edge
(a popup's button) until someone thinks of maximising it. Sizes are worked out from the screen's
*available* area (without the taskbar), and once the window manager has put its frame round a
window, the frame is kept inside that area too.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

# After show(), window managers add the title bar within a few hundred milliseconds.
_SETTLE_MS = (0, 250, 1000)


def available_area(widget: QWidget | None = None) -> QRect:
    """The usable part of the widget's screen (the primary screen when it has none yet)."""
    screen = widget.screen() if widget is not None else None
    screen = screen or QGuiApplication.primaryScreen()
    return screen.availableGeometry() if screen is not None else QRect(0, 0, 1366, 768)


def fitted_size(preferred: QSize, area: QRect) -> QSize:
    """The preferred size, made smaller where the screen is smaller."""
    return QSize(min(preferred.width(), area.width()), min(preferred.height(), area.height()))


def frame_inside(frame: QRect, area: QRect) -> bool:
    return area.contains(frame)


def keep_on_screen(window: QWidget) -> None:
    """Shrink and move a shown top-level window so its frame is inside the available area."""
    if not window.isWindow() or not window.isVisible():
        return
    area = available_area(window)
    frame = window.frameGeometry()
    if frame_inside(frame, area):
        return
    extra_w = frame.width() - window.width()
    extra_h = frame.height() - window.height()
    width = max(window.minimumWidth(), min(window.width(), area.width() - extra_w))
    height = max(window.minimumHeight(), min(window.height(), area.height() - extra_h))
    if (width, height) != (window.width(), window.height()):
        window.resize(width, height)
    outer_w, outer_h = width + extra_w, height + extra_h
    x = min(max(frame.x(), area.x()), area.x() + area.width() - outer_w)
    y = min(max(frame.y(), area.y()), area.y() + area.height() - outer_h)
    window.move(max(x, area.x()), max(y, area.y()))  # move() places the frame


def keep_on_screen_once_shown(window: QWidget) -> None:
    """keep_on_screen now and again as the window manager settles the frame."""
    for delay in _SETTLE_MS:
        QTimer.singleShot(delay, window, lambda: keep_on_screen(window))
