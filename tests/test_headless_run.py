"""`pytest -m "not gui"` is a run a headless Raspberry Pi can do (tests/helpers/gui.py).

A child pytest, with the suite's own conftest, runs a planted test module: a plain rule, a window
driven with qtbot, a module that imports the desktop, and a label made through a route the marker
rule cannot see. The first runs, the two GUI tests are left out, and the hidden widget fails loudly.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PLANTED = """
import importlib


def test_a_plain_rule():
    assert 2 + 2 == 4


def test_a_label_made_where_the_rule_cannot_see():
    widgets = importlib.import_module("PySide6." + "QtWidgets")
    app = widgets.QApplication.instance() or widgets.QApplication([])
    widgets.QLabel("HELP IS COMING", None)
    assert app is not None
"""

PLANTED_QTBOT = """
import importlib


def test_a_window_driven_with_qtbot(qtbot):
    widgets = importlib.import_module("PySide6." + "QtWidgets")
    qtbot.addWidget(widgets.QLabel("HELP IS COMING"))
"""

PLANTED_DESKTOP = """
from desktop.alarm import notice


def test_the_notice_module_is_there():
    assert notice
"""


def _child_pytest(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """pytest on ``folder`` with this suite's conftest and settings."""
    suite = ("-p", "tests.conftest", "-c", str(ROOT / "pyproject.toml"), "--rootdir", str(ROOT))
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            *suite,
            "-p",
            "no:cacheprovider",
            "-q",
            *args,
            str(folder),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def test_a_not_gui_run_leaves_out_widget_tests_and_fails_one_that_hides_its_widget(
    tmp_path: Path,
) -> None:
    (tmp_path / "test_plain_and_hidden.py").write_text(PLANTED)
    (tmp_path / "test_with_qtbot.py").write_text(PLANTED_QTBOT)
    (tmp_path / "test_desktop_module.py").write_text(PLANTED_DESKTOP)

    listed = _child_pytest(tmp_path, "-m", "not gui", "--collect-only")
    assert listed.returncode == 0, listed.stdout + listed.stderr
    assert "test_plain_and_hidden.py::test_a_plain_rule" in listed.stdout
    assert "test_with_qtbot.py" not in listed.stdout  # uses qtbot: gui
    assert "test_desktop_module.py" not in listed.stdout  # imports desktop: gui

    done = _child_pytest(tmp_path, "-m", "not gui")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "1 failed, 1 passed, 2 deselected" in done.stdout, done.stdout
    assert (
        "test_plain_and_hidden.py::test_a_label_made_where_the_rule_cannot_see starts Qt's GUI"
        " (QApplication) but is not marked gui" in done.stdout
    ), done.stdout
