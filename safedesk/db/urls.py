"""Database URLs, including the multi-host form that lets every PC find the primary after a failover.

A council that runs a primary with a hot standby lists both servers in every PC's and bridge's URL
and asks for the one that takes writes::

    postgresql://reception_derby:PW@/safedesk?host=db1:5432&host=db2:5432&target_session_attrs=read-write

libpq tries the hosts in order and keeps the first read-write one, so after the standby is promoted
a reconnecting pool or bus finds it without any PC being reconfigured. Two other spellings that
administrators write are accepted and rewritten to the one above: libpq's own
``postgresql://user@db1:5432,db2:5432/safedesk?...`` and ``?host=db1:5432,db2:5432``.

The pool (SQLAlchemy's psycopg dialect) and the alarm bus's LISTEN connection (psycopg directly)
must read the URL the same way, so both go through ``connect_kwargs`` here.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from psycopg.conninfo import make_conninfo
from sqlalchemy.dialects.postgresql.psycopg import PGDialect_psycopg
from sqlalchemy.engine import URL, make_url

# Sessions that may take a write: libpq skips a standby (and a primary being demoted) for these.
WRITABLE_SESSION_ATTRS = ("read-write", "primary")

# libpq's multi-host authority: scheme://[userinfo@]host[:port],host[:port]/rest
_AUTHORITY = re.compile(
    r"^(?P<scheme>postgres(?:ql)?(?:\+\w+)?)://(?:(?P<userinfo>[^@/?]*)@)?"
    r"(?P<hosts>[^/?@]*,[^/?@]*)(?P<rest>[/?].*)?$"
)


def _rewrite_libpq_hosts(url: str) -> str:
    """``scheme://u@h1:p1,h2:p2/db?q`` -> ``scheme://u@/db?host=h1:p1&host=h2:p2&q``."""
    found = _AUTHORITY.match(url)
    if found is None:
        return url
    rest = found.group("rest") or "/"
    path, _, query = rest.partition("?")
    hosts = "&".join(f"host={quote(h.strip(), safe=':')}" for h in found.group("hosts").split(","))
    userinfo = found.group("userinfo")
    user = f"{userinfo}@" if userinfo is not None else ""
    return f"{found.group('scheme')}://{user}{path or '/'}?{hosts}{'&' + query if query else ''}"


def _split_host_lists(parsed: URL) -> URL:
    """``?host=h1:p1,h2:p2`` (one value holding a list) -> one ``host`` per server.

    SQLAlchemy reads ``host=h1,h2&port=p1,p2`` and repeated ``host=h:p`` correctly, but a single
    value with ports in it becomes the host "h1:p1,h2:p2" and the port "," (nothing connects).
    """
    value = parsed.query.get("host")
    if not isinstance(value, str) or "," not in value or ":" not in value:
        return parsed
    if "port" in parsed.query:
        return parsed  # host=h1,h2&port=p1,p2 mixed with ports in hosts: let the dialect refuse
    hosts = tuple(h.strip() for h in value.split(",") if h.strip())
    return parsed.update_query_dict({"host": hosts})


def normalise_url(url: str) -> str:
    """``postgresql://`` means psycopg 3 here; multi-host spellings become repeated ``host=``.
    Anything else (SQLite) is passed through."""
    parsed = make_url(_rewrite_libpq_hosts(url))
    if parsed.get_backend_name() != "postgresql":
        return parsed.render_as_string(hide_password=False)
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return _split_host_lists(parsed).render_as_string(hide_password=False)


def connect_kwargs(url: str) -> dict[str, Any]:
    """The libpq keywords this URL means (host and port as libpq's comma lists), exactly as the
    pool's dialect passes them to psycopg. ValueError for a URL the dialect cannot read."""
    parsed = make_url(normalise_url(url))
    try:
        _, kwargs = PGDialect_psycopg().create_connect_args(parsed)
    except Exception as exc:  # the dialect raises ArgumentError/ValueError/TypeError for bad forms
        raise ValueError(str(exc)) from exc
    return {key: value for key, value in kwargs.items() if value is not None}


def libpq_conninfo(url: str) -> str:
    """The URL as a libpq connection string (for connections made with psycopg directly)."""
    return make_conninfo(**{key: str(value) for key, value in connect_kwargs(url).items()})


def server_addresses(url: str) -> list[tuple[str, str]]:
    """Each server the URL lists, as (host, port) text ("" where libpq uses its default)."""
    kwargs = connect_kwargs(url)
    hosts = str(kwargs.get("host", "")).split(",")
    ports = str(kwargs.get("port", "")).split(",")
    if len(ports) == 1:
        ports = ports * len(hosts)  # one port for every host, as libpq reads it
    ports += [""] * (len(hosts) - len(ports))
    return list(zip(hosts, ports, strict=False))


def failover_problem(url: str) -> str | None:
    """Why this PostgreSQL URL would not find the primary after a failover, or None.

    A URL naming several servers without ``target_session_attrs=read-write`` may connect to the
    standby, where no press can be written and LISTEN is refused: every alarm would be held.
    """
    servers = server_addresses(url)
    if len(servers) < 2:
        return None
    attrs = str(connect_kwargs(url).get("target_session_attrs", "any"))
    if attrs in WRITABLE_SESSION_ATTRS:
        return None
    return (
        f"names {len(servers)} servers but not target_session_attrs=read-write (it has "
        f"{attrs!r}): a PC could connect to the standby, where no alarm can be written; add "
        "&target_session_attrs=read-write"
    )


def describe_servers(url: str) -> str:
    """ "db1:5432, db2:5432" for logs and messages (never a login or a password)."""
    return ", ".join(
        f"{h or 'localhost'}:{p}" if p else (h or "localhost") for h, p in server_addresses(url)
    )


def display_url(url: str) -> str:
    """The URL for logs and screens, password hidden; several servers in libpq's own spelling
    (``postgresql+psycopg://user@db1:5432,db2:5432/safedesk?target_session_attrs=read-write``)."""
    parsed = make_url(normalise_url(url))
    if parsed.get_backend_name() != "postgresql" or len(server_addresses(url)) < 2:
        return parsed.render_as_string(hide_password=True)
    rest = {k: v for k, v in parsed.query.items() if k not in ("host", "port")}
    query = "&".join(
        f"{k}={item}" for k, v in rest.items() for item in ((v,) if isinstance(v, str) else v)
    )
    user = f"{parsed.username}@" if parsed.username else ""
    if parsed.password is not None:
        user = f"{parsed.username}:***@"
    servers = describe_servers(url).replace(" ", "")
    return f"{parsed.drivername}://{user}{servers}/{parsed.database or ''}" + (
        f"?{query}" if query else ""
    )
