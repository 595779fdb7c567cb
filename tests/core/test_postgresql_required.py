"""The README's test command fails when the PostgreSQL tests did not run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _pytest(tmp_path: Path, body: str, require: bool) -> subprocess.CompletedProcess[str]:
    test_file = tmp_path / "test_child.py"
    test_file.write_text(body, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "SAFEDESK_REQUIRE_POSTGRESQL"}
    if require:
        env["SAFEDESK_REQUIRE_POSTGRESQL"] = "1"
    env["PYTHONPATH"] = str(ROOT)
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "tests.conftest",
            "-p",
            "no:cacheprovider",
            "--rootdir",
            str(tmp_path),
            str(test_file),
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


SKIPPED_PG_TEST = """
import pytest

@pytest.mark.postgresql
def test_needs_the_server():
    pytest.skip("server not running")

def test_plain():
    assert True
"""


def test_a_skipped_postgresql_test_fails_the_required_run(tmp_path: Path) -> None:
    done = _pytest(tmp_path, SKIPPED_PG_TEST, require=True)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "the PostgreSQL tests must run" in done.stdout


def test_without_the_requirement_a_skip_is_only_a_skip(tmp_path: Path) -> None:
    done = _pytest(tmp_path, SKIPPED_PG_TEST, require=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_passing_postgresql_test_satisfies_the_requirement(tmp_path: Path) -> None:
    body = "import pytest\n\n@pytest.mark.postgresql\ndef test_ran():\n    assert True\n"
    done = _pytest(tmp_path, body, require=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "PostgreSQL tests passed: 1 of 1 selected" in done.stdout
