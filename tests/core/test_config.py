"""Configuration: one typed object; every mistake named by file, key and problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from safedesk import paths
from safedesk.config import ConfigError, load_config


def write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "safedesk.toml"
    path.write_text(body, encoding="utf-8")
    return path


def test_defaults_use_sqlite_in_the_user_data_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(paths, "user_config_dir", lambda: tmp_path)
    config = load_config(None, environ={})
    assert config.database_url.startswith("sqlite:///")
    assert config.database_url.endswith(paths.default_database_path().as_posix())


def test_the_example_config_in_resources_is_valid() -> None:
    config = load_config(paths.resources_dir() / "safedesk.example.toml", environ={})
    assert config.alarm.escalate_after_s == 30
    assert config.database.url.startswith("postgresql")


def test_file_sets_database_url_and_environment_overrides_it(tmp_path: Path) -> None:
    path = write(tmp_path, '[database]\nurl = "postgresql://safedesk@db.council.local/safedesk"\n')
    assert (
        load_config(path, environ={}).database_url
        == "postgresql://safedesk@db.council.local/safedesk"
    )
    env = {"SAFEDESK_DATABASE_URL": f"sqlite:///{(tmp_path / 'x.db').as_posix()}"}
    assert load_config(path, environ=env).database_url.startswith("sqlite:///")


def test_config_file_found_through_environment_variable(tmp_path: Path) -> None:
    path = write(tmp_path, "[alarm]\nescalate_after_s = 45\n")
    assert load_config(environ={"SAFEDESK_CONFIG": str(path)}).alarm.escalate_after_s == 45


@pytest.mark.parametrize(
    ("body", "key", "problem"),
    [
        ("[alarm]\nescalate_after = 30\n", "alarm.escalate_after", "unknown key"),
        ("[alarms]\n", "alarms", "unknown section"),
        (
            '[alarm]\nescalate_after_s = "thirty"\n',
            "alarm.escalate_after_s",
            "expected a whole number",
        ),
        ('[database]\nurl = "mysql://x/y"\n', "database.url", "unsupported database"),
        ('[database]\nurl = "not a url"\n', "database.url", "not a database URL"),
        ('[workstation]\nmode = "kiosk"\n', "workstation.mode", "must be reception"),
        ('[weekly_test]\nweekday = "funday"\n', "weekly_test.weekday", "must be one of"),
        ("[alarm\n", "", "not valid TOML"),
    ],
)
def test_bad_config_names_file_key_and_problem(
    tmp_path: Path, body: str, key: str, problem: str
) -> None:
    path = write(tmp_path, body)
    with pytest.raises(ConfigError) as info:
        load_config(path, environ={})
    assert info.value.source == str(path)
    assert info.value.key == key
    assert problem in info.value.problem
    assert str(path) in str(info.value)


def test_missing_explicit_config_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "nope.toml", environ={})


def test_bad_database_url_in_environment_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="SAFEDESK_DATABASE_URL"):
        load_config(None, environ={"SAFEDESK_DATABASE_URL": "oracle://x/y"})
