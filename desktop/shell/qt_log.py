"""Qt's own warnings (a failed style sheet, a missing audio backend) into SafeDesk's log.

Without this they go to a console nobody watches on a reception PC; with it they are in the
rotating log file beside everything else, at a level that matches Qt's.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QMessageLogContext, QtMsgType, qInstallMessageHandler

log = logging.getLogger("qt")

_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}


def install_qt_message_log() -> None:
    qInstallMessageHandler(_on_qt_message)


def _on_qt_message(kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
    category = context.category or "qt"
    log.log(_LEVELS.get(kind, logging.WARNING), "%s: %s", category, message)
