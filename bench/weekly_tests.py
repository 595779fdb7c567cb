"""How long the weekly-test screens take to load on a large office, on SQLite or PostgreSQL.

A big office (60 rooms, one button each) with a full year of history: the checklist and
readiness (refreshed every 2 s on the checklist screen), the year view, the CSV and the PDF.

    .venv/bin/python bench/weekly_tests.py [DATABASE_URL]

Prints figures; asserts nothing (speed targets are read, not tested).
"""

from __future__ import annotations

import io
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from safedesk.button_events import DeviceKind
from safedesk.clock import FakeClock
from safedesk.config import Config
from safedesk.db import Database
from safedesk.db.migrate import upgrade
from safedesk.demo.weekly_test_history import seed_test_history
from safedesk.models import Office, PanicDevice, Role, Room, RoomKind, Staff, StaffRole
from safedesk.services.weekly_test.desk import WeeklyTestDesk
from safedesk.services.weekly_test.export import write_csv
from safedesk.services.weekly_test.report import render_report

ROOMS = 60


def build(db: Database, now: datetime) -> int:
    with db.session() as s:
        office = Office(name="Bench Office", address="1 Bench Road", time_zone="Europe/London")
        s.add(office)
        s.flush()
        for i in range(ROOMS):
            room = Room(office_id=office.id, name=f"Room {i + 1:02d}", kind=RoomKind.INTERVIEW_ROOM)
            s.add(room)
            s.flush()
            s.add(
                PanicDevice(
                    device_id=f"bench-{i}",
                    kind=DeviceKind.SERIAL,
                    room_id=room.id,
                    last_seen_at=now,
                    registered_at=datetime(2025, 1, 1, tzinfo=UTC),
                )
            )
        staff = Staff(name="Bench Tester", login="bench", home_office_id=office.id, created_at=now)
        staff.roles.append(StaffRole(role=Role.RECEPTION))
        s.add(staff)
        return office.id


def timed(label: str, fn: Callable[[], object], runs: int = 10) -> None:
    fn()  # warm up
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    print(f"{label:<36} median {statistics.median(samples):7.1f} ms   max {max(samples):7.1f} ms")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = sys.argv[1] if len(sys.argv) > 1 else f"sqlite:///{Path(tmp, 'bench.db').as_posix()}"
        db = Database(url)
        upgrade(db.engine)
        clock = FakeClock(datetime(2026, 11, 24, 9, 0, tzinfo=UTC))
        config = Config()
        office_id = build(db, clock.now())
        rows = seed_test_history(db, clock, config, weeks=46)
        desk = WeeklyTestDesk(db, clock, config)
        print(f"{db.display_url}: {ROOMS} buttons, {rows} tests of history")
        timed("readiness (room flags)", lambda: desk.readiness(office_id))
        timed("checklist", lambda: desk.checklist(office_id))
        timed("expire_windows (nothing due)", desk.expire_windows)
        timed("year record (grid + tests)", lambda: desk.year_record(office_id, 2026), runs=5)
        record = desk.year_record(office_id, 2026)
        timed("CSV export", lambda: write_csv([record], io.StringIO()), runs=5)
        timed("PDF report", lambda: render_report([record], clock.now()), runs=3)
        pdf = render_report([record], clock.now())
        print(f"PDF report: {len(pdf) / 1024:.0f} KiB")
        db.dispose()


if __name__ == "__main__":
    main()
