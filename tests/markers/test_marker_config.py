"""The markers section of the configuration: a misspelling is an error naming the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from safedesk.config import ConfigError, parse_config


def test_restricted_roles_and_retention_categories_are_checked() -> None:
    config = parse_config(
        {"markers": {"restricted_roles": ["asb_manager"], "retention_days": {"near_miss": 180}}},
        "office.toml",
    )
    assert config.markers.restricted_roles == ["asb_manager"]
    with pytest.raises(
        ConfigError, match=r"markers.restricted_roles\[1\]: unknown role 'asb_manger'"
    ):
        parse_config(
            {"markers": {"restricted_roles": ["asb_manager", "asb_manger"]}}, "office.toml"
        )
    with pytest.raises(ConfigError, match=r"markers\.retention_days\.nearmiss: unknown category"):
        parse_config({"markers": {"retention_days": {"nearmiss": 30}}}, "office.toml")
    with pytest.raises(ConfigError, match="at least 1 day"):
        parse_config({"markers": {"retention_days": {"near_miss": 0}}}, "office.toml")


def test_the_letter_templates_folder_must_exist(tmp_path: Path) -> None:
    config = parse_config({"markers": {"letter_templates_dir": str(tmp_path)}}, "office.toml")
    assert config.markers.letter_templates_dir == str(tmp_path)
    with pytest.raises(ConfigError, match=r"markers\.letter_templates_dir: not a folder"):
        parse_config({"markers": {"letter_templates_dir": str(tmp_path / "nope")}}, "office.toml")
