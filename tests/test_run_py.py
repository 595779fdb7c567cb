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
