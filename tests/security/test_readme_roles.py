"""The README's "Database roles" section says what migration 0014 does: every kind of PC with
the SQL that makes its login, and the same limits on each login."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from types import ModuleType

from tests.security.pc_logins import KINDS, LOGIN_SETTINGS, login_sql

ROOT = Path(__file__).resolve().parents[2]
MIGRATION = ROOT / "safedesk" / "migrations" / "versions" / "0014_database_boundary.py"


def _migration() -> ModuleType:
    spec = importlib.util.spec_from_file_location("migration_0014", MIGRATION)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _section() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return text.split("## Database roles (PostgreSQL)", 1)[1].split("\n## ", 1)[0]


def test_the_readme_gives_the_sql_for_a_login_of_every_kind() -> None:
    section = _section()
    made = dict(re.findall(r"CREATE ROLE (\w+) LOGIN PASSWORD '\.\.\.' IN ROLE (\w+);", section))
    by_group = {group: kind for kind, group in KINDS.items()}
    assert set(made.values()) == set(KINDS.values())
    for login, group in made.items():
        for line in login_sql(login, by_group[group]):
            assert line in section, line


def test_the_readme_and_the_tests_make_logins_as_the_migration_expects() -> None:
    migration = _migration()
    assert set(KINDS.values()) | {"safedesk_app"} == set(migration.KINDS)
    assert LOGIN_SETTINGS == migration.LOGIN_SETTINGS
    section = _section()
    for group in migration.KINDS:
        assert f"`{group}`" in section, group
