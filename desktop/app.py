"""Start-up: configuration, database (retrying, never falling back), migrations, the main window."""

from __future__ import annotations

import argparse
import logging
import sys

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from desktop.connect_window import ConnectWindow
from desktop.main_window import MainWindow
from safedesk.cli.context import CliContext
from safedesk.clock import SystemClock
from safedesk.db import Database, DatabaseUnavailable
from safedesk.db.migrate import upgrade
from safedesk.demo.seed import database_has_data, seed_demo

log = logging.getLogger(__name__)

DEMO_PEOPLE = 5000


def run_app(ctx: CliContext, args: argparse.Namespace) -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("SafeDesk")
    app.setQuitOnLastWindowClosed(True)
    config = ctx.config
    db = Database(
        config.database_url,
        pool_size=config.database.pool_size,
        max_overflow=config.database.max_overflow,
    )
    windows: list[object] = []

    def start() -> None:
        upgrade(db.engine)  # the embedded SQLite upgrades itself on first start
        if ctx.demo and not database_has_data(db):
            seed_demo(db, DEMO_PEOPLE, SystemClock().now())
        window = MainWindow(config=config, db=db, demo=ctx.demo)
        windows.append(window)
        window.show()
        if args.screenshot:
            QTimer.singleShot(800, lambda: (window.grab().save(args.screenshot), app.quit()))

    try:
        db.ping()
        start()
    except DatabaseUnavailable as exc:
        # Never fall back to another database: keep retrying and say so on screen.
        log.error("cannot reach %s: %s", db.display_url, exc)
        waiting = ConnectWindow(db, retry_s=config.database.connect_retry_s, on_connected=start)
        windows.append(waiting)
        waiting.show()
    return app.exec()
