"""Where SafeDesk keeps its files on each platform (platformdirs: AppData on Windows, XDG on Linux)."""

from __future__ import annotations

from pathlib import Path

import platformdirs

APP_NAME = "SafeDesk"
APP_AUTHOR = "SafeDesk"


def user_data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, APP_AUTHOR))


def user_config_dir() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME, APP_AUTHOR))


def default_database_path() -> Path:
    return user_data_dir() / "safedesk.sqlite3"


def demo_database_path() -> Path:
    """The demo office lives in its own file so trying the demo never touches real records."""
    return user_data_dir() / "safedesk-demo.sqlite3"


def default_config_path() -> Path:
    return user_config_dir() / "safedesk.toml"


def resources_dir() -> Path:
    """resources/ beside the packages (a source checkout or an editable install)."""
    return Path(__file__).resolve().parent.parent / "resources"
