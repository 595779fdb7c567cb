"""The README's architecture tables are the map a newcomer reads: they must match the tree."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _rooms_table() -> list[list[str]]:
    block = README.split(
        "| room | core services (`safedesk/services/`) | screens (`desktop/`) |", 1
    )[1]
    rows = []
    for line in block.splitlines()[2:]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip("|").split("|")])
    return rows


def _packages(folder: Path) -> set[str]:
    return {p.parent.name for p in folder.glob("*/__init__.py")}


def _named(column: int) -> set[str]:
    names: set[str] = set()
    for row in _rooms_table():
        names |= set(re.findall(r"`(\w+)/`", row[column].split(":", 1)[0]))
    return names


def test_every_core_service_room_is_in_the_readme_table_and_nothing_else() -> None:
    assert _named(1) == _packages(ROOT / "safedesk" / "services")


def test_every_desktop_package_is_in_the_readme_table_and_nothing_else() -> None:
    assert _named(2) == _packages(ROOT / "desktop")


def test_services_and_desktop_hold_packages_and_only_a_few_composition_modules() -> None:
    loose_core = {p.name for p in (ROOT / "safedesk" / "services").glob("*.py")}
    loose_desktop = {p.name for p in (ROOT / "desktop").glob("*.py")}
    assert loose_core == {"__init__.py", "hub.py"}
    assert loose_desktop <= {"__init__.py", "__main__.py", "app.py", "entry.py", "panels.py"}


def _imported_packages(package: str) -> set[str]:
    """Which of our other top-level packages ``package`` imports (any module, any depth)."""
    ours = {"safedesk", "desktop", "hardware", "firmware_bridge"} - {package}
    found: set[str] = set()
    for source in (ROOT / package).rglob("*.py"):
        if "firmware" in source.relative_to(ROOT / package).parts[:-1]:
            continue  # MicroPython files on the board import only each other
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            found |= {name.split(".")[0] for name in names} & ours
    return found


def test_the_package_table_says_what_each_package_really_imports() -> None:
    rows = {
        m.group(1): m.group(2)
        for m in re.finditer(r"^\| `(\w+)/` \| .*? \| (.*?) \|$", README, flags=re.M)
    }
    for package in ("safedesk", "desktop", "hardware", "firmware_bridge"):
        said = set(re.findall(r"`(\w+)`", rows[package]))
        assert said == _imported_packages(package), package
