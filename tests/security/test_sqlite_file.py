"""The embedded database file: made private to its user, never a chmod of someone else's file,
refused with a clear message when other users can read or write it or its folder."""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from safedesk.cli import main
from safedesk.db import Database
from safedesk.db.migrate import upgrade
from safedesk.db.sqlite_file import UnsafeDatabaseFile

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX mode bits (Windows: NTFS ACLs)")


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _url(path: Path) -> str:
    return f"sqlite:///{path.as_posix()}"


@pytest.fixture
def open_umask() -> Iterator[None]:
    """As on a PC whose umask lets everyone read new files (022) or even write them (000)."""
    old = os.umask(0)
    yield
    os.umask(old)


def test_a_new_database_and_its_folder_are_private_whatever_the_umask(
    tmp_path: Path, open_umask: None
) -> None:
    path = tmp_path / "new-folder" / "safedesk.sqlite3"
    db = Database(_url(path))
    try:
        upgrade(db.engine)
    finally:
        db.dispose()
    assert _mode(path) == 0o600
    assert _mode(path.parent) == 0o700
    for companion in path.parent.glob("safedesk.sqlite3-*"):
        assert _mode(companion) & 0o077 == 0, companion


def test_a_url_naming_a_text_file_leaves_its_permissions_alone(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("shopping list\n")
    notes.chmod(0o644)
    with pytest.raises(UnsafeDatabaseFile, match="can be read or written by other users"):
        Database(_url(notes))
    assert _mode(notes) == 0o644  # was chmod-ed to 0600 before failing
    assert notes.read_text() == "shopping list\n"


def test_a_url_naming_a_link_does_not_change_the_linked_file(tmp_path: Path) -> None:
    target = tmp_path / "somebody-elses.txt"
    target.write_text("not a database\n")
    target.chmod(0o664)
    link = tmp_path / "safedesk.sqlite3"
    link.symlink_to(target)
    with pytest.raises(UnsafeDatabaseFile, match="other users"):
        Database(_url(link))
    assert _mode(target) == 0o664


def test_a_world_readable_database_is_refused_with_what_to_do(tmp_path: Path) -> None:
    path = tmp_path / "safedesk.sqlite3"
    sqlite3.connect(path).close()
    path.chmod(0o644)
    with pytest.raises(UnsafeDatabaseFile) as refused:
        Database(_url(path))
    assert f"chmod 600 '{path}'" in str(refused.value)
    assert "restricted marker reasons" in str(refused.value)
    assert _mode(path) == 0o644


def test_a_database_in_a_folder_others_can_write_is_refused(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    path = shared / "safedesk.sqlite3"
    with pytest.raises(UnsafeDatabaseFile, match="can be written by other users"):
        Database(_url(path))
    assert not path.exists()


def test_a_private_database_with_an_open_journal_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "safedesk.sqlite3"
    db = Database(_url(path))
    upgrade(db.engine)
    db.dispose()
    wal = path.with_name(path.name + "-wal")
    wal.write_bytes(b"")
    wal.chmod(0o666)
    with pytest.raises(UnsafeDatabaseFile, match="-wal can be read or written"):
        Database(_url(path))


@pytest.mark.skipif(os.getuid() != 0, reason="needs root to give the file to another user")
def test_a_database_file_of_another_user_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "safedesk.sqlite3"
    sqlite3.connect(path).close()
    path.chmod(0o600)
    os.chown(path, 65534, 65534)
    with pytest.raises(UnsafeDatabaseFile, match="belongs to another user"):
        Database(_url(path))


def test_the_command_line_says_why_and_stops(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "safedesk.sqlite3"
    sqlite3.connect(path).close()
    path.chmod(0o640)
    monkeypatch.setenv("SAFEDESK_DATABASE_URL", _url(path))
    monkeypatch.setenv("SAFEDESK_CONFIG", str(tmp_path / "none.toml"))
    (tmp_path / "none.toml").write_text("")
    assert main(["db", "upgrade"]) == 2
    err = capsys.readouterr().err
    assert "can be read or written by other users" in err
    assert _mode(path) == 0o640
