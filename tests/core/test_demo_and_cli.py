"""`safedesk demo`, `safedesk db upgrade` and the command line's handling of bad input."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from safedesk.cli import main
from safedesk.clock import FakeClock
from safedesk.db import Database
from safedesk.demo.seed import seed_demo
from safedesk.models import (
    Marker,
    MarkerRestricted,
    Office,
    PanicDevice,
    Person,
    PersonAlias,
    Role,
    Room,
    RotaShift,
    Staff,
)


def test_demo_office_has_offices_rooms_devices_staff_rota_people_and_markers(
    db: Database, clock: FakeClock
) -> None:
    result = seed_demo(db, 3000, clock.now())
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Office)) == 2
        assert s.scalar(select(func.count()).select_from(Person)) == 3000 == result.people
        assert s.scalar(select(func.count()).select_from(PersonAlias)) > 0
        rooms = s.scalars(select(Room)).all()
        assert all(room.devices for room in rooms), "every demo room has a panic button"
        assert s.scalar(select(func.count()).select_from(PanicDevice)) == len(rooms)
        markers = s.scalar(select(func.count()).select_from(Marker))
        assert markers == result.markers
        assert 0.01 * 3000 < markers < 0.03 * 3000  # about 2%
        assert s.scalar(select(func.count()).select_from(MarkerRestricted)) > 0
        staff = s.scalars(select(Staff)).all()
        for role in (
            Role.RECEPTION,
            Role.OFFICER,
            Role.RESPONDER,
            Role.MANAGER,
            Role.SENIOR_MANAGER,
            Role.ADMIN,
        ):
            assert any(member.has_role(role) for member in staff), role
        shifts = s.scalars(select(RotaShift)).all()
        for office in s.scalars(select(Office)):
            days = {shift.weekday for shift in shifts if shift.office_id == office.id}
            assert days == set(range(7)), f"{office.name}: rota must cover the week"
    # ids stay usable after bulk loading (the PostgreSQL sequence was moved past them)
    with db.session() as s:
        s.add(
            Person(
                forenames="New", surname="Tenant", created_at=clock.now(), updated_at=clock.now()
            )
        )


def test_demo_is_deterministic_for_a_seed(tmp_path: Path, clock: FakeClock) -> None:
    names = []
    for i in range(2):
        db = Database(f"sqlite:///{(tmp_path / f'd{i}.db').as_posix()}")
        from safedesk.db.migrate import upgrade

        upgrade(db.engine)
        seed_demo(db, 200, clock.now())
        with db.session() as s:
            names.append(s.scalars(select(Person.surname).order_by(Person.id)).all())
        db.dispose()
    assert names[0] == names[1]


def _run_cli(
    *args: str, env_url: str | None = None, tmp_path: Path
) -> subprocess.CompletedProcess[str]:
    import os

    env = {
        **os.environ,
        "SAFEDESK_CONFIG": "",
        "HOME": str(tmp_path),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_CONFIG_HOME": str(tmp_path / "cfg"),
    }
    if env_url:
        env["SAFEDESK_DATABASE_URL"] = env_url
    return subprocess.run(
        [sys.executable, "-m", "safedesk", *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=120,
    )


def test_db_upgrade_brings_an_empty_sqlite_file_to_head(tmp_path: Path) -> None:
    url = f"sqlite:///{(tmp_path / 'new.db').as_posix()}"
    done = _run_cli("db", "upgrade", env_url=url, tmp_path=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "-> 0" in done.stdout and "(head)" in done.stdout


@pytest.mark.postgresql
def test_db_upgrade_brings_an_empty_postgresql_database_to_head(
    empty_pg_url: str, tmp_path: Path
) -> None:
    done = _run_cli("db", "upgrade", env_url=empty_pg_url, tmp_path=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "empty ->" in done.stdout


def test_malformed_config_gives_one_line_and_exit_code_2(tmp_path: Path) -> None:
    cfg = tmp_path / "bad.toml"
    cfg.write_text("[alarm]\nescalate_after_s = -1\n", encoding="utf-8")
    done = _run_cli("--config", str(cfg), "db", "current", tmp_path=tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0, done.stderr
    assert str(cfg) in done.stderr and "alarm.escalate_after_s" in done.stderr
    assert "Traceback" not in done.stderr


def test_bad_database_url_gives_one_line_and_exit_code_2(tmp_path: Path) -> None:
    done = _run_cli("db", "current", env_url="mongodb://localhost/x", tmp_path=tmp_path)
    assert done.returncode == 2
    assert "SAFEDESK_DATABASE_URL" in done.stderr and "Traceback" not in done.stderr


def test_unreachable_postgresql_is_reported_and_retried_never_replaced(tmp_path: Path) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text(
        '[database]\nurl = "postgresql://postgres@127.0.0.1:1/nowhere"\nconnect_retry_s = 0.1\n',
        encoding="utf-8",
    )
    done = _run_cli("--config", str(cfg), "db", "current", tmp_path=tmp_path)
    assert done.returncode == 3
    assert done.stderr.count("retrying") == 2  # three attempts, then a clear failure
    assert "127.0.0.1:1" in done.stderr and "Traceback" not in done.stderr
    assert not list((tmp_path / "data").rglob("*.sqlite3")), "must never fall back to SQLite"


def test_demo_refuses_a_database_that_already_has_data(
    sqlite_url: str,
    clock: FakeClock,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SAFEDESK_DATABASE_URL", sqlite_url)
    monkeypatch.delenv("SAFEDESK_CONFIG", raising=False)
    assert main(["demo", "--people", "10"]) == 0
    assert main(["demo", "--people", "10"]) == 2
    assert "already has offices" in capsys.readouterr().err
