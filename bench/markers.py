"""Marker screens and sign-in on a realistic office: prints how long each takes.

    .venv/bin/python bench/markers.py [--people N] [--database-url URL] [--json]

Seeds the demo office with N people (about 2% with markers) into a fresh SQLite file (or the
given empty database), then times: loading the register for a manager, the due/overdue list,
opening restricted detail (with its audit entry), a sign-in (argon2 verify), and a purge run.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from safedesk.config import MarkersConfig
from safedesk.db import Database
from safedesk.db.migrate import upgrade
from safedesk.demo.office import DEMO_PASSWORD
from safedesk.demo.seed import seed_demo
from safedesk.models import Marker, Staff
from safedesk.services.markers import retention as marker_retention
from safedesk.services.markers.restricted_register import register_entries, view_restricted
from safedesk.services.markers.review import due_and_overdue
from safedesk.services.markers.review_dates import uk_date
from safedesk.services.shared.actor import Actor
from safedesk.services.staff import sign_in as auth


def _ms(work: Callable[[], object], repeat: int) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), max(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    tmp = tempfile.TemporaryDirectory()
    url = args.database_url or f"sqlite:///{(Path(tmp.name) / 'bench.sqlite3').as_posix()}"
    db = Database(url, pool_size=2, max_overflow=2)
    upgrade(db.engine)
    now = datetime.now(UTC)
    seed_demo(db, args.people, now)
    config = MarkersConfig()
    today = uk_date(now)
    with db.session() as s:
        manager = s.scalars(select(Staff).where(Staff.login == "pfraser")).one()
        roles = manager.role_set
        actor = Actor(manager.id, manager.login, "BENCH")
        markers = s.scalars(select(Marker.id)).all()
    figures: dict[str, object] = {"backend": db.engine.dialect.name, "people": args.people}
    figures["markers"] = len(markers)

    def register() -> None:
        with db.session() as s:
            register_entries(s, roles, today=today, config=config)

    def due() -> None:
        with db.session() as s:
            due_and_overdue(s, today=today)

    def view() -> None:
        view_restricted(db, actor, markers[0], now=now, config=config)

    def sign_in() -> None:
        auth.sign_in(db, "pfraser", DEMO_PASSWORD, workstation="BENCH", now=now)

    def purge() -> None:
        with db.session() as s:
            marker_retention.purge(s, Actor.system(), now=now, config=config)

    for name, work, repeat in (
        ("register_ms", register, 5),
        ("due_list_ms", due, 5),
        ("restricted_view_ms", view, 20),
        ("sign_in_ms", sign_in, 10),
        ("purge_run_ms", purge, 3),
    ):
        median, worst = _ms(work, repeat)
        figures[name] = round(median, 1)
        figures[name.replace("_ms", "_max_ms")] = round(worst, 1)
    db.dispose()
    tmp.cleanup()
    if args.json:
        print(json.dumps(figures))
    else:
        for key, value in figures.items():
            print(f"{key:>24}: {value}")


if __name__ == "__main__":
    main()
