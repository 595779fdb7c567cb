"""The log file the ``[logging]`` section promises, rotated, and the hooks that put escapes in it.

A responder PC runs for weeks; what went wrong on Tuesday must still be on disk on Friday, so the
desktop and the bridge log to a rotating file as well as to the console. An exception that escapes a
Qt slot or a worker thread never reaches our own ``except`` blocks: ``sys.excepthook`` and
``threading.excepthook`` catch it here, so it is in the log with its traceback, not only on a
console nobody is watching.
"""

from __future__ import annotations

import logging
import logging.handlers
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from safedesk.config import LoggingConfig
from safedesk.paths import user_data_dir

LOG_NAME = "safedesk.log"
MAX_BYTES = 5 * 1024 * 1024
BACKUPS = 5
FORMAT = "%(asctime)s %(levelname)s %(threadName)s %(name)s: %(message)s"

log = logging.getLogger("safedesk.escaped")


def log_path(config: LoggingConfig) -> Path:
    return Path(config.file) if config.file else user_data_dir() / LOG_NAME


def install_log_file(config: LoggingConfig) -> Path:
    """Add a rotating file handler at the configured level to the root logger; return its path.

    Called once per process; a second call replaces the handler instead of doubling every line.
    """
    path = log_path(config)
    path.parent.mkdir(parents=True, exist_ok=True)
    root = logging.getLogger()
    for handler in list(root.handlers):
        if isinstance(handler, _SafeDeskFileHandler):
            root.removeHandler(handler)
            handler.close()
    handler = _SafeDeskFileHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8")
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.setLevel(config.level.upper())
    root.addHandler(handler)
    if root.level > handler.level or root.level == logging.NOTSET:
        root.setLevel(handler.level)
    return path


_bug_listeners: list[Callable[[str], None]] = []


def add_bug_listener(listener: Callable[[str], None]) -> None:
    """Call ``listener`` (from any thread) with one line for each exception that escapes."""
    _bug_listeners.append(listener)


def remove_bug_listener(listener: Callable[[str], None]) -> None:
    if listener in _bug_listeners:
        _bug_listeners.remove(listener)


def _tell_listeners(value: BaseException) -> None:
    first_line = (str(value).splitlines() or [""])[0]
    line = f"{type(value).__name__}: {first_line[:200]}" if first_line else type(value).__name__
    for listener in list(_bug_listeners):
        try:
            listener(line)
        except Exception:  # a listener that fails must not hide the bug it was told of
            log.exception("telling the screen about an uncaught exception failed")


def install_excepthooks() -> None:
    """Log every exception that escapes to the top of a thread (or a Qt slot), with traceback."""
    previous_sys = sys.excepthook
    previous_thread = threading.excepthook

    def on_uncaught(
        kind: type[BaseException], value: BaseException, tb: TracebackType | None
    ) -> None:
        if not issubclass(kind, KeyboardInterrupt):
            log.critical("uncaught exception (a bug)", exc_info=(kind, value, tb))
            _tell_listeners(value)
        previous_sys(kind, value, tb)

    def on_thread(args: threading.ExceptHookArgs) -> None:
        if args.exc_type is not SystemExit and args.exc_value is not None:
            name = args.thread.name if args.thread is not None else "?"
            log.critical(
                "uncaught exception in thread %s (a bug)",
                name,
                exc_info=(args.exc_type, args.exc_value, args.exc_traceback),
            )
            _tell_listeners(args.exc_value)
        previous_thread(args)

    sys.excepthook = on_uncaught
    threading.excepthook = on_thread


class _SafeDeskFileHandler(logging.handlers.RotatingFileHandler):
    """Our own subclass, so install_log_file can find and replace the handler it added."""
