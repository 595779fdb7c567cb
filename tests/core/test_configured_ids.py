"""Names a PC is configured with are checked where they are configured, against what the
database stores: a name too long for its column would make every press and heartbeat from the
PC fail to be written (issue 12: a press that cannot be stored as sent)."""

from __future__ import annotations

from pathlib import Path

import pytest

from safedesk.config import ConfigError, load_config


def write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "safedesk.toml"
    path.write_text(body, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("key", "value", "problem"),
    [
        ("name", "PC-" + "r" * 118, "121 characters long; at most 120"),
        ("desk", " Reception desk 1", "without leading or trailing spaces"),
        ("office", "Derby\tCentral", "printable"),
    ],
)
def test_a_workstation_name_the_database_cannot_store_is_refused_naming_the_key(
    tmp_path: Path, key: str, value: str, problem: str
) -> None:
    path = write(tmp_path, f'[workstation]\n{key} = "{value.replace(chr(9), chr(92) + "t")}"\n')
    with pytest.raises(ConfigError) as refused:
        load_config(path, environ={})
    assert refused.value.key == f"workstation.{key}"
    assert problem in refused.value.problem
    assert str(path) in str(refused.value)


def test_names_that_fit_are_accepted(tmp_path: Path) -> None:
    path = write(
        tmp_path, '[workstation]\nname = "PC-' + "r" * 117 + '"\ndesk = "Reception desk 1"\n'
    )
    assert load_config(path, environ={}).workstation.desk == "Reception desk 1"
