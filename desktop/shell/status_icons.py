"""Status icons drawn at run time: a shape and a glyph for each state, so colour is never the only cue.

Drawn rather than shipped as files so the tray, header and alert share one look at any DPI.
"""

from __future__ import annotations

import enum

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPainterPath, QPen, QPixmap


class StatusKind(enum.Enum):
    OK = "ok"  # green circle with a tick: connected, sound works, responders on duty
    ALARM = "alarm"  # red triangle with "!": an alarm is open
    WARNING = "warning"  # amber triangle with "!": not connected, no sound, nobody on the rota
    TEST = "test"  # blue circle with "T": a weekly test press
    NO_SOUND = "no_sound"  # amber square with a crossed-out speaker
    INFO = "info"  # grey circle with "i": what the rota says, not yet known to be true


_COLOURS = {
    StatusKind.OK: "#1b7f3b",
    StatusKind.ALARM: "#c00000",
    StatusKind.WARNING: "#d98200",
    StatusKind.TEST: "#1f4e9c",
    StatusKind.NO_SOUND: "#d98200",
    StatusKind.INFO: "#4a5560",
}


def status_pixmap(kind: StatusKind, size: int = 64) -> QPixmap:
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    p = QPainter(pixmap)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    colour = QColor(_COLOURS[kind])
    p.setPen(QPen(QColor("white"), size * 0.04))
    p.setBrush(colour)
    s = float(size)
    if kind in (StatusKind.ALARM, StatusKind.WARNING):
        path = QPainterPath()
        path.moveTo(s / 2, s * 0.04)
        path.lineTo(s * 0.97, s * 0.94)
        path.lineTo(s * 0.03, s * 0.94)
        path.closeSubpath()
        p.drawPath(path)
        _glyph(p, "!", QRectF(0, s * 0.22, s, s * 0.72), s * 0.5)
    elif kind is StatusKind.NO_SOUND:
        p.drawRoundedRect(QRectF(s * 0.04, s * 0.04, s * 0.92, s * 0.92), s * 0.15, s * 0.15)
        p.setBrush(QColor("white"))
        p.setPen(Qt.PenStyle.NoPen)
        speaker = QPainterPath()
        speaker.moveTo(s * 0.2, s * 0.4)
        speaker.lineTo(s * 0.34, s * 0.4)
        speaker.lineTo(s * 0.54, s * 0.22)
        speaker.lineTo(s * 0.54, s * 0.78)
        speaker.lineTo(s * 0.34, s * 0.6)
        speaker.lineTo(s * 0.2, s * 0.6)
        speaker.closeSubpath()
        p.drawPath(speaker)
        pen = QPen(QColor("white"), s * 0.08)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        p.setPen(pen)
        p.drawLine(QPointF(s * 0.62, s * 0.36), QPointF(s * 0.84, s * 0.64))
        p.drawLine(QPointF(s * 0.84, s * 0.36), QPointF(s * 0.62, s * 0.64))
    else:
        p.drawEllipse(QRectF(s * 0.04, s * 0.04, s * 0.92, s * 0.92))
        glyph = {StatusKind.OK: "✓", StatusKind.INFO: "i"}.get(kind, "T")
        _glyph(p, glyph, QRectF(0, 0, s, s), s * 0.55)
    p.end()
    return pixmap


def _glyph(p: QPainter, text: str, rect: QRectF, pixel_size: float) -> None:
    font = QFont()
    font.setBold(True)
    font.setPixelSize(max(1, int(pixel_size)))
    p.setFont(font)
    p.setPen(QColor("white"))
    p.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)


def status_icon(kind: StatusKind) -> QIcon:
    icon = QIcon()
    for size in (16, 24, 32, 48, 64):
        icon.addPixmap(status_pixmap(kind, size))
    return icon
