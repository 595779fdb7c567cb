"""The outbox file: presses kept on this machine's disk until the database has them.

One SQLite file, durable before a press is acknowledged (``synchronous=FULL``: a press the room
was told about survives a power cut). Every operation raises ``OutboxError`` on failure (disk
full, read-only, file gone), never a bare sqlite3 error: the forwarder decides what a broken
outbox means, and it never means "stop sending presses to a database that answers".
"""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from safedesk.button_events import ButtonPress, DeviceKind, HeardOn, PressedBy
from safedesk.services.alarms.press_identity import is_same_press

_NO_BOOT = -1  # boot_id None, stored in a NOT NULL column so lookups by name work
_VERSION = 3  # PRAGMA user_version of the current layout

# Version 2: where the press was heard (``heard_on``, checked against the device's binding), and
# no UNIQUE name: a button restarted under its old boot id makes a NEW press under a name already
# held; ``add`` tells a resend from it by press time (``is_same_press``) and keeps both.
# Version 3: who was signed in at the PC that made a desk press (``pressed_by``), so its audit
# entry names them when the held press finally reaches the database.
_TABLE = """
CREATE TABLE IF NOT EXISTS held_presses (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    device_id TEXT NOT NULL,
    boot_id INTEGER NOT NULL,
    sequence INTEGER NOT NULL,
    pressed_at TEXT NOT NULL,
    source TEXT NOT NULL,
    held_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    heard_on TEXT,
    pressed_by TEXT
)
"""
_INDEX = (
    "CREATE INDEX IF NOT EXISTS held_presses_name ON held_presses (device_id, boot_id, sequence)"
)
_COLUMNS = (
    "id, device_id, boot_id, sequence, pressed_at, source, held_at, attempts, last_error,"
    " heard_on, pressed_by"
)


def _upgrade(conn: sqlite3.Connection) -> None:
    """Create the table, or bring an older file to the current layout, keeping every press in
    it: version 1 (UNIQUE name, no heard_on) is rebuilt, version 2 gains ``pressed_by``."""
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    if version >= _VERSION:
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        old = conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'held_presses'"
        ).fetchone()
        if old is not None and version == 2:
            conn.execute("ALTER TABLE held_presses ADD COLUMN pressed_by TEXT")
            old = None  # kept in place
        elif old is not None:
            conn.execute("ALTER TABLE held_presses RENAME TO held_presses_v1")
        conn.execute(_TABLE)
        conn.execute(_INDEX)
        if old is not None:
            conn.execute(
                "INSERT INTO held_presses (id, device_id, boot_id, sequence, pressed_at, source,"
                " held_at, attempts, last_error) SELECT id, device_id, boot_id, sequence,"
                " pressed_at, source, held_at, attempts, last_error FROM held_presses_v1"
            )
            conn.execute("DROP TABLE held_presses_v1")
        conn.execute(f"PRAGMA user_version = {_VERSION}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


class OutboxError(Exception):
    """The local outbox file cannot be opened, read or written (disk full, read-only, corrupt)."""


@dataclass(frozen=True)
class HeldPress:
    """One press waiting in the outbox."""

    outbox_id: int
    press: ButtonPress
    held_at: datetime
    attempts: int
    last_error: str | None


class LocalOutbox:
    """The SQLite file itself; thread-safe (one connection behind a lock)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            if path.is_dir():
                raise OutboxError(f"the press outbox {path} is a directory, not a file")
            self._conn = sqlite3.connect(
                str(path), isolation_level=None, check_same_thread=False, timeout=10
            )
            self._conn.execute("PRAGMA journal_mode=WAL")
            # FULL: a press acknowledged to the room survives a power cut on the Pi.
            self._conn.execute("PRAGMA synchronous=FULL")
            _upgrade(self._conn)
        except (sqlite3.Error, OSError) as exc:
            raise OutboxError(f"cannot open the press outbox {path}: {exc}") from exc
        self._lock = threading.Lock()

    def add(self, press: ButtonPress, held_at: datetime, error: str) -> int | None:
        """Keep a press: its outbox id, or None if it is already held (a resend: same name and
        press time; a new press under a repeated name is kept beside it)."""
        boot = _NO_BOOT if press.boot_id is None else press.boot_id
        heard_on = press.heard_on.to_text() if press.heard_on is not None else None
        pressed_by = press.pressed_by.to_text() if press.pressed_by is not None else None
        with self._lock:
            try:
                for (stored,) in self._conn.execute(
                    "SELECT pressed_at FROM held_presses WHERE device_id = ? AND boot_id = ?"
                    " AND sequence = ?",
                    (press.device_id, boot, press.sequence),
                ):
                    when = _time(stored)
                    if when is None or is_same_press(when, press.pressed_at):
                        return None
                cursor = self._conn.execute(
                    "INSERT INTO held_presses (device_id, boot_id, sequence, pressed_at,"
                    " source, held_at, last_error, heard_on, pressed_by)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        press.device_id,
                        boot,
                        press.sequence,
                        press.pressed_at.isoformat(),
                        press.source.value,
                        held_at.isoformat(),
                        error[:500],
                        heard_on,
                        pressed_by,
                    ),
                )
            except (sqlite3.Error, OverflowError, ValueError) as exc:
                raise OutboxError(f"cannot write to the press outbox {self.path}: {exc}") from exc
            return cursor.lastrowid

    def held(self, *, after_id: int = 0, limit: int | None = None) -> list[HeldPress]:
        """Held presses with an id above ``after_id``, oldest first."""
        query = f"SELECT {_COLUMNS} FROM held_presses WHERE id > ? ORDER BY id"
        if limit is not None:
            query += f" LIMIT {int(limit)}"
        with self._lock:
            try:
                rows = self._conn.execute(query, (after_id,)).fetchall()
            except sqlite3.Error as exc:
                raise OutboxError(f"cannot read the press outbox {self.path}: {exc}") from exc
        return [_held(row) for row in rows]

    def count(self) -> int:
        with self._lock:
            try:
                return int(self._conn.execute("SELECT count(*) FROM held_presses").fetchone()[0])
            except sqlite3.Error as exc:
                raise OutboxError(f"cannot read the press outbox {self.path}: {exc}") from exc

    def remove(self, outbox_id: int) -> None:
        with self._lock:
            try:
                self._conn.execute("DELETE FROM held_presses WHERE id = ?", (outbox_id,))
            except sqlite3.Error as exc:
                raise OutboxError(
                    f"cannot remove a forwarded press from the outbox {self.path}: {exc}"
                ) from exc

    def note_failure(self, outbox_id: int, error: str) -> None:
        with self._lock:
            try:
                self._conn.execute(
                    "UPDATE held_presses SET attempts = attempts + 1, last_error = ? WHERE id = ?",
                    (error[:500], outbox_id),
                )
            except sqlite3.Error as exc:
                raise OutboxError(f"cannot write to the press outbox {self.path}: {exc}") from exc

    def probe(self) -> None:
        """Prove the file takes a durable write now (``safedesk-bridge --check``, start-up)."""
        with self._lock:
            try:
                self._conn.execute("BEGIN IMMEDIATE")
                try:
                    self._conn.execute(
                        "INSERT INTO held_presses (device_id, boot_id, sequence, pressed_at,"
                        " source, held_at) VALUES ('(probe)', -2, -2, '', 'bridge', '')"
                    )
                    self._conn.execute("DELETE FROM held_presses WHERE boot_id = -2")
                    self._conn.execute("COMMIT")
                except BaseException:
                    self._conn.execute("ROLLBACK")
                    raise
            except sqlite3.Error as exc:
                raise OutboxError(f"the press outbox {self.path} cannot be written: {exc}") from exc

    def close(self, *, remove_if_empty: bool = False) -> None:
        """Close the file; with ``remove_if_empty``, delete it when nothing is held (a desk PC
        leaves no empty outbox behind; one with presses in it stays for the next start)."""
        with self._lock:
            empty = False
            if remove_if_empty:
                try:
                    empty = (
                        self._conn.execute("SELECT count(*) FROM held_presses").fetchone()[0] == 0
                    )
                except sqlite3.Error:
                    empty = False
            self._conn.close()
        if empty:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)


def _held(row: tuple[object, ...]) -> HeldPress:
    """A row back as a press. Best effort on a damaged row: a press is never skipped for it."""
    (
        outbox_id,
        device_id,
        boot,
        sequence,
        pressed_at,
        source,
        held_at,
        attempts,
        error,
        heard,
        by,
    ) = row
    held_time = _time(held_at) or datetime.now(UTC)
    try:
        kind = DeviceKind(str(source))
    except ValueError:
        kind = DeviceKind.BRIDGE
    boot_id = int(str(boot)) if boot is not None else _NO_BOOT
    return HeldPress(
        outbox_id=int(str(outbox_id)),
        press=ButtonPress(
            device_id=str(device_id),
            boot_id=None if boot_id == _NO_BOOT else boot_id,
            sequence=int(str(sequence)),
            pressed_at=_time(pressed_at) or held_time,
            source=kind,
            heard_on=HeardOn.from_text(None if heard is None else str(heard)),
            pressed_by=PressedBy.from_text(None if by is None else str(by)),
        ),
        held_at=held_time,
        attempts=int(str(attempts or 0)),
        last_error=None if error is None else str(error),
    )


def _time(text: object) -> datetime | None:
    try:
        when = datetime.fromisoformat(str(text))
    except ValueError:
        return None
    return when if when.tzinfo is not None else None
