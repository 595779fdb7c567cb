"""What the alert tests do as a person would: press a button, wait for the alert, click it.

Also the contrast check: WCAG 2 contrast computed from the pixels actually painted on screen
(the colours the stylesheet and palette really produced, not the ones the code meant).
"""

from __future__ import annotations

from collections import Counter

import shiboken6
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QPushButton, QWidget
from pytestqt.qtbot import QtBot

from desktop.alarm.alert_window import AlertWindow
from safedesk.button_events import ButtonPress, DeviceKind
from safedesk.clock import FakeClock
from safedesk.services.hub import Services
from tests.helpers.office import SeededOffice
from tests.helpers.screens import Screen

SCREEN = (1366, 768)


def press(
    services: Services, office: SeededOffice, clock: FakeClock, room: str, *, seq: int = 1
) -> int:
    """The room's USB button pressed once, as its bridge would deliver it."""
    event = ButtonPress(office.device_ids[room], seq, clock.now(), DeviceKind.SERIAL, boot_id=7)
    return services.alarms.press(event).alarm_id


def alert_on(qtbot: QtBot, screen: Screen, alarm_id: int) -> AlertWindow:
    """The full-screen alert for ``alarm_id`` on ``screen``, once it is shown (at 1366x768)."""
    qtbot.waitUntil(lambda: alarm_id in screen.controller.windows, timeout=5000)
    window = screen.controller.windows[alarm_id]
    qtbot.waitUntil(window.isVisible, timeout=2000)
    qtbot.waitExposed(window)
    return window


def click(qtbot: QtBot, window: AlertWindow, button: QPushButton) -> None:
    """A deliberate click: the person looks at the alert first (it ignores the mouse at first)."""
    qtbot.waitUntil(lambda: getattr(window, "armed", True), timeout=8000)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def global_rect(widget: QWidget) -> QRect:
    return QRect(widget.mapToGlobal(QPoint(0, 0)), widget.size())


def relative_luminance(colour: QColor) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    return (
        0.2126 * channel(colour.red())
        + 0.7152 * channel(colour.green())
        + 0.0722 * channel(colour.blue())
    )


def contrast(a: QColor, b: QColor) -> float:
    la, lb = relative_luminance(a), relative_luminance(b)
    hi, lo = max(la, lb), min(la, lb)
    return (hi + 0.05) / (lo + 0.05)


def painted_contrast(top: QWidget, widget: QWidget, *, inset: int = 0) -> float:
    """The contrast between ``widget``'s text and what is behind it, as painted in ``top``.

    The background is the commonest colour in the widget's area; the text colour is the painted
    colour furthest from it (the core of the glyphs). Must hold text to be meaningful; ``inset``
    leaves out a frame (a button's border is not its text).
    """
    image: QImage = top.grab().toImage()
    origin = widget.mapTo(top, QPoint(0, 0))
    area = QRect(origin, widget.size()).adjusted(inset, inset, -inset, -inset)
    area = area.intersected(image.rect())
    assert area.width() > 0 and area.height() > 0, f"{widget!r} is not inside {top!r}"
    counts: Counter[int] = Counter()
    for y in range(area.top(), area.bottom() + 1):
        for x in range(area.left(), area.right() + 1):
            counts[image.pixel(x, y) & 0xFFFFFF] += 1
    background = QColor(counts.most_common(1)[0][0])
    best = 1.0
    for rgb in counts:
        best = max(best, contrast(background, QColor(rgb)))
    return best


def gone(widget: QWidget) -> bool:
    """Not on screen any more (hidden, or already deleted after closing)."""
    return not shiboken6.isValid(widget) or not widget.isVisible()
