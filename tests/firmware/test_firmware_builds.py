"""The firmware builds for the board: the real MicroPython compiler and the rp2 type stubs."""

from __future__ import annotations

import importlib.metadata
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.firmware.firmware_paths import FIRMWARE, MPY_CROSS

BOARD_FILES = sorted(FIRMWARE.glob("*.py"))
STUB_DISTRIBUTIONS = ("micropython-stdlib-stubs", "micropython-rp2-stubs")


def test_the_board_gets_main_its_logic_settings_and_the_shared_codec() -> None:
    assert {f.name for f in BOARD_FILES} == {
        "main.py",
        "button_logic.py",
        "boot_counter.py",
        "button_settings.py",
        "protocol.py",
    }


@pytest.mark.parametrize("source", BOARD_FILES, ids=lambda p: p.name)
def test_every_file_for_the_board_compiles_with_mpy_cross(source: Path, tmp_path: Path) -> None:
    out = tmp_path / (source.stem + ".mpy")
    done = subprocess.run(
        [str(MPY_CROSS), "-o", str(out), str(source)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert out.stat().st_size > 0


def test_mpy_cross_refuses_syntax_micropython_lacks(tmp_path: Path) -> None:
    source = tmp_path / "cpython_only.py"
    source.write_text("def first[T](items: list[T]) -> T:\n    return items[0]\n")
    done = subprocess.run([str(MPY_CROSS), str(source)], capture_output=True, check=False)
    assert done.returncode != 0


@pytest.fixture(scope="module")
def micropython_typeshed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A custom typeshed: MicroPython's reduced stdlib plus the rp2 board stubs, as mypy wants.

    The stub wheels install flat into site-packages, where mypy would not prefer them over
    CPython's stdlib (machine, time, select...); a custom typeshed directory makes them the stdlib.
    """
    root = tmp_path_factory.mktemp("mpy-typeshed")
    stdlib = root / "stdlib"
    stdlib.mkdir()
    for name in STUB_DISTRIBUTIONS:
        dist = importlib.metadata.distribution(name)
        for file in dist.files or []:
            parts = file.parts
            if not str(file).endswith((".pyi", "VERSIONS")) or ".dist-info" in parts[0]:
                continue
            if parts[0] in ("stdlib", "stubs"):  # already in typeshed layout (mypy needs stubs/)
                target = root / Path(*parts)
            else:
                target = stdlib / Path(*parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(Path(str(file.locate())), target)
    versions = stdlib / "VERSIONS"
    listed = {
        line.split(":")[0].strip()
        for line in versions.read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    extra = sorted(
        {p.stem if p.suffix == ".pyi" else p.name for p in stdlib.iterdir()} - listed - {"VERSIONS"}
    )
    with versions.open("a") as f:
        f.writelines(f"{module}: 3.0-\n" for module in extra)
    (root / "mypy.ini").write_text(
        "[mypy]\n"
        "python_version = 3.11\n"
        f"custom_typeshed_dir = {root}\n"
        "no_site_packages = True\n"
        "disallow_untyped_defs = True\n"
        "warn_unreachable = True\n"
        "warn_unused_ignores = True\n"
    )
    return root


def run_mypy(typeshed: Path, files: list[Path], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    # A copy in one flat folder: that is how the files sit on the board (protocol.py beside main).
    board = tmp_path / "board"
    board.mkdir(exist_ok=True)
    for file in files:
        shutil.copyfile(file, board / file.name)
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--config-file",
            str(typeshed / "mypy.ini"),
            "--cache-dir",
            str(tmp_path / "mypy-cache"),
            *(str(board / f.name) for f in files),
        ],
        capture_output=True,
        text=True,
        cwd=board,
        check=False,
    )


def test_the_firmware_type_checks_against_the_rp2_stubs(
    micropython_typeshed: Path, tmp_path: Path
) -> None:
    done = run_mypy(micropython_typeshed, BOARD_FILES, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_stub_check_catches_a_pin_used_wrongly(
    micropython_typeshed: Path, tmp_path: Path
) -> None:
    wrong = tmp_path / "wrong.py"
    wrong.write_text("import machine\n\nmachine.Pin(15).valuee()\nn: int = machine.unique_id()\n")
    done = run_mypy(micropython_typeshed, [wrong], tmp_path)
    assert done.returncode == 1
    assert 'has no attribute "valuee"' in done.stdout
    assert 'has type "bytes"' in done.stdout
