"""The log file: written where the config says, rotated, and escaped exceptions land in it."""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from safedesk.config import LoggingConfig
from safedesk.log_file import install_excepthooks, install_log_file


@pytest.fixture
def clean_root_logger() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    hooks = (sys.excepthook, threading.excepthook)
    yield
    for handler in list(root.handlers):
        if handler not in handlers:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level)
    sys.excepthook, threading.excepthook = hooks


def test_log_lines_go_to_the_configured_file(tmp_path: Path, clean_root_logger: None) -> None:
    path = install_log_file(LoggingConfig(level="INFO", file=str(tmp_path / "logs" / "sd.log")))
    logging.getLogger("safedesk.test").info("responder PC started")
    logging.getLogger("safedesk.test").debug("not at INFO")
    text = path.read_text(encoding="utf-8")
    assert "responder PC started" in text
    assert "not at INFO" not in text


def test_installing_twice_does_not_double_every_line(
    tmp_path: Path, clean_root_logger: None
) -> None:
    config = LoggingConfig(file=str(tmp_path / "sd.log"))
    install_log_file(config)
    path = install_log_file(config)
    logging.getLogger("safedesk.test").warning("once")
    assert path.read_text(encoding="utf-8").count("once") == 1


def test_an_exception_escaping_a_thread_is_in_the_log_with_its_traceback(
    tmp_path: Path, clean_root_logger: None
) -> None:
    path = install_log_file(LoggingConfig(file=str(tmp_path / "sd.log")))
    threading.excepthook = lambda args: None  # pytest's hook would turn it into a failure
    install_excepthooks()

    def worker() -> None:
        raise ValueError("bus decoder met an unknown event")

    thread = threading.Thread(target=worker, name="bus-reader")
    thread.start()
    thread.join()
    text = path.read_text(encoding="utf-8")
    assert "uncaught exception in thread bus-reader" in text
    assert "ValueError: bus decoder met an unknown event" in text
    assert "Traceback" in text


def test_an_exception_escaping_to_the_top_is_in_the_log(
    tmp_path: Path, clean_root_logger: None
) -> None:
    path = install_log_file(LoggingConfig(file=str(tmp_path / "sd.log")))
    original = sys.excepthook
    sys.excepthook = lambda *a: None  # the default hook would print to stderr
    install_excepthooks()
    try:
        raise RuntimeError("slot failed")
    except RuntimeError:
        sys.excepthook(*sys.exc_info())
    sys.excepthook = original
    assert "RuntimeError: slot failed" in path.read_text(encoding="utf-8")
