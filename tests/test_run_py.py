"""run.py does what its own help and the README say (issue 10, item 23).

`python run.py --mode responder` failed ("unrecognized arguments"), and `safedesk ...` is not on
PATH after the first run. These tests run run.py's own ``main`` (its environment step skipped:
the tests already run inside that .venv) on a throw-away home directory, so the demo database it
creates is the test's own.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType

import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.gui


def load_run_py() -> ModuleType:
    spec = importlib.util.spec_from_file_location("run_py_under_test", ROOT / "run.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def run_py(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    module = load_run_py()
    monkeypatch.setattr(module, "ensure_venv", lambda: None)  # we are in the .venv already
    monkeypatch.setattr(module, "PYTHON", Path(sys.executable))
    home = tmp_path / "home"
    for key, path in (
        ("HOME", home),
        ("XDG_DATA_HOME", home / ".local" / "share"),
        ("XDG_CONFIG_HOME", home / ".config"),
        ("LOCALAPPDATA", home / "AppData"),
    ):
        path.mkdir(parents=True, exist_ok=True)
        monkeypatch.setenv(key, str(path))
    for key in ("SAFEDESK_CONFIG", "SAFEDESK_DATABASE_URL"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    return module


def test_its_own_example_starts_the_responder_screen(run_py: ModuleType, tmp_path: Path) -> None:
    shot = tmp_path / "responder.png"
    # The docstring's example, plus the hidden option that saves the window and exits.
    code = run_py.main(["--mode", "responder", "--screenshot", str(shot)])
    assert code == 0
    with Image.open(shot) as image:
        assert image.width >= 800 and image.height >= 600
    # The [logging] section's file, at its default place in the user data directory.
    log_file = Path(os.environ["XDG_DATA_HOME"]) / "SafeDesk" / "safedesk.log"
    if sys.platform == "win32":  # platformdirs' Windows form
        log_file = Path(os.environ["LOCALAPPDATA"]) / "SafeDesk" / "SafeDesk" / "safedesk.log"
    assert " started on " in log_file.read_text(encoding="utf-8")


def test_safedesk_commands_run_through_it(
    run_py: ModuleType, capfd: pytest.CaptureFixture[str]
) -> None:
    assert run_py.main(["safedesk", "--demo", "demo", "--people", "50"]) == 0
    assert run_py.main(["safedesk", "--demo", "tests", "status"]) == 0
    out = capfd.readouterr().out
    assert "Weekly alarm test" in out and "Derby Central Housing Office" in out, out


def test_the_readme_says_how_to_run_safedesk_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert ".venv/bin/safedesk" in readme
    assert ".venv\\Scripts\\safedesk" in readme
    assert "python3 run.py safedesk" in readme
    assert os.path.exists(ROOT / "run.py")


def _stand_in_pytest(tmp_path: Path, recorded: str | None, exit_status: int) -> Path:
    """A 'python' whose pytest records ``recorded`` as its verdict and then exits ``exit_status``
    (what a shutdown that replaces the exit status looks like from run.py)."""
    script = tmp_path / "python"
    write = f'printf "{recorded}" > "$SAFEDESK_PYTEST_VERDICT"\n' if recorded is not None else ""
    script.write_text(f"#!/bin/sh\n{write}exit {exit_status}\n")
    script.chmod(0o755)
    return script


@pytest.mark.skipif(sys.platform == "win32", reason="the stand-in python is a shell script")
@pytest.mark.parametrize(
    ("recorded", "exit_status", "expected"),
    [("1", 0, 1), (None, 0, 1), ("0", 0, 0), ("1", 1, 1), ("0", 3, 3)],
)
def test_the_test_command_fails_when_pytest_recorded_a_failure_whatever_the_exit_status(
    run_py: ModuleType, tmp_path: Path, recorded: str | None, exit_status: int, expected: int
) -> None:
    run_py.PYTHON = _stand_in_pytest(tmp_path, recorded, exit_status)
    assert run_py.run_tests(["-q"]) == expected


def test_the_suite_records_its_verdict_where_run_py_reads_it(tmp_path: Path) -> None:
    import subprocess

    verdict = tmp_path / "verdict"
    env = {**os.environ, "SAFEDESK_PYTEST_VERDICT": str(verdict)}
    env.pop("SAFEDESK_REQUIRE_POSTGRESQL", None)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "tests/test_readme_tree.py",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout
    assert verdict.read_text() == "0"
