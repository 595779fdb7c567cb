"""The embedded database file: created private to its user, refused if other users can get at it.

The file holds restricted marker reasons, so on POSIX:

- a new database is created here with mode 0600 (exclusive create, never following a link), its
  folder (if made here) 0700;
- an existing path is never chmod-ed: a URL naming a text file or a link must not change that
  file's mode. It is checked instead, and refused with what to do when it is not a regular file
  of this user's, when other users may read or write it (or its -wal/-shm/-journal companions),
  or when its folder may be written by others (they could swap the file or plant a companion).

On Windows mode bits do not say who may read a file (NTFS ACLs do) and SafeDesk's default place
is the user's own profile folder, which other users cannot open; nothing is checked there.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

_COMPANIONS = ("-wal", "-shm", "-journal")


class UnsafeDatabaseFile(Exception):
    """The SQLite database file or its folder is open to other users (or is not a file)."""


def prepare_database_file(path: Path) -> None:
    """Make a new private database file at ``path``, or check the existing one."""
    if os.name != "posix":
        path.parent.mkdir(parents=True, exist_ok=True)
        return
    folder = path.parent
    if not folder.exists():
        folder.mkdir(parents=True, mode=0o700, exist_ok=True)
    _check_folder(folder)
    if os.path.lexists(path):
        _check_file(path)
        for suffix in _COMPANIONS:
            companion = path.with_name(path.name + suffix)
            if os.path.lexists(companion):
                _check_file(companion)
        return
    _create_private(path)


def _create_private(path: Path) -> None:
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags, 0o600)
    except FileExistsError:
        _check_file(path)  # another process made it meanwhile
        return
    try:
        os.fchmod(fd, 0o600)  # the file just made, whatever the umask
    finally:
        os.close(fd)


def _check_folder(folder: Path) -> None:
    info = folder.stat()
    if not stat.S_ISDIR(info.st_mode):
        raise UnsafeDatabaseFile(f"{folder} is not a folder: put the SafeDesk database in a folder")
    if info.st_mode & 0o022:
        raise UnsafeDatabaseFile(
            f"the SafeDesk database folder {folder} can be written by other users "
            f"(mode {stat.filemode(info.st_mode)}), who could replace the database or its "
            "journal: use a folder only you can write (for example: chmod go-w "
            f"'{folder}'), or the default location"
        )
    if info.st_uid not in (os.getuid(), 0):
        raise UnsafeDatabaseFile(
            f"the SafeDesk database folder {folder} belongs to another user (uid "
            f"{info.st_uid}), who can change who may read it: use a folder of your own"
        )


def _check_file(path: Path) -> None:
    try:
        info = path.stat()  # the file itself, through a link
    except FileNotFoundError:
        raise UnsafeDatabaseFile(
            f"{path} is a link to nothing: give the database's own path"
        ) from None
    if not stat.S_ISREG(info.st_mode):
        raise UnsafeDatabaseFile(f"{path} is not a file: give the path of the SafeDesk database")
    if info.st_uid != os.getuid():
        raise UnsafeDatabaseFile(
            f"the SafeDesk database {path} belongs to another user (uid {info.st_uid}): "
            "it holds restricted marker reasons, so it must be your own file"
        )
    if info.st_mode & 0o066:
        raise UnsafeDatabaseFile(
            f"the SafeDesk database {path} can be read or written by other users (mode "
            f"{stat.filemode(info.st_mode)}); it holds restricted marker reasons. Make it "
            f"private (chmod 600 '{path}') if it is the SafeDesk database; SafeDesk does not "
            "change the permissions of a file it did not create"
        )
