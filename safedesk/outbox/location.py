"""Where a PC keeps its press outbox: one file per database and workstation.

A press held for one database must never be forwarded to another (a PC moved to another office's
server would raise old alarms in the wrong place), so the file is named for the database: beside
an embedded SQLite database, or in the user data directory with a digest of the server URL
(password left out, so changing it keeps the file). The workstation name is part of the name
too: two SafeDesk windows of one user (two "PCs" on one machine) never share, or delete, one
file.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from sqlalchemy.engine import make_url

from safedesk import paths


def default_outbox_path(database_url: str, workstation: str = "") -> Path:
    url = make_url(database_url)
    where = url.set(password=None).render_as_string(hide_password=False)
    digest = hashlib.sha256(f"{where}\n{workstation}".encode()).hexdigest()[:16]
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        database = Path(url.database)
        return database.with_name(f"{database.stem}.press-outbox-{digest}.sqlite3")
    return paths.user_data_dir() / f"press-outbox-{digest}.sqlite3"
