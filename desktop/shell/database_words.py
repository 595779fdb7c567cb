"""Where this PC's database is, in words for the screen: never a URL, a login or a password.

"postgresql+psycopg://reception_derby:***@dbhost/safedesk" means nothing to a receptionist and
tells anyone looking over a shoulder the login; "server dbhost" says what IT needs to hear.
"""

from __future__ import annotations

from sqlalchemy.engine import URL

_THIS_PC_HOSTS = frozenset({"", "localhost", "127.0.0.1", "::1"})


def database_place(url: URL) -> str:
    """ "on this PC" (SQLite), "server on this PC" or "server dbhost" (PostgreSQL)."""
    if url.get_backend_name() == "sqlite":
        return "on this PC"
    host = (url.host or "").strip()
    if host in _THIS_PC_HOSTS or host.startswith("/"):
        return "server on this PC"
    return f"server {host}"


def database_in_words(url: URL) -> str:
    """The status bar's line: "Database: server dbhost"."""
    return f"Database: {database_place(url)}"
