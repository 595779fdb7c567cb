"""The rota: who is on duty now, over midnight, with extras and absences, across GMT/BST."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from safedesk.alarm_bus import NoRespondersOnDuty, RespondersOnDuty
from safedesk.cli import main
from safedesk.clock import FakeClock
from safedesk.db import Database
from safedesk.models import Office, RotaShift, ShiftKind, Staff
from safedesk.services.alarms.rota import AlertLevel, RotaError, ShiftRule, on_duty_until
from safedesk.services.hub import Services
from safedesk.services.shared import audit
from tests.helpers.office import SeededOffice

LONDON = ZoneInfo("Europe/London")


def regular(staff: int, weekday: int, starts: time, ends: time) -> ShiftRule:
    return ShiftRule(staff, ShiftKind.REGULAR, weekday, None, starts, ends)


def dated(staff: int, kind: ShiftKind, on: date, starts: time, ends: time) -> ShiftRule:
    return ShiftRule(staff, kind, None, on, starts, ends)


def at(y: int, m: int, d: int, hh: int, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=UTC)


def test_a_day_shift_covers_its_hours_on_its_weekday_only() -> None:
    rules = [regular(1, 0, time(9), time(17))]  # Mondays 09:00-17:00
    assert set(on_duty_until(rules, at(2026, 11, 23, 9, 0), LONDON)) == {1}  # Monday 09:00 GMT
    assert set(on_duty_until(rules, at(2026, 11, 23, 17, 0), LONDON)) == set()  # end excluded
    assert set(on_duty_until(rules, at(2026, 11, 24, 10, 0), LONDON)) == set()  # Tuesday


def test_a_night_shift_runs_over_midnight_into_the_next_day() -> None:
    rules = [regular(2, 4, time(19), time(7))]  # Friday 19:00 to Saturday 07:00
    assert set(on_duty_until(rules, at(2026, 11, 27, 23, 0), LONDON)) == {2}  # Friday night
    until = on_duty_until(rules, at(2026, 11, 28, 6, 59), LONDON)  # Saturday morning
    assert until == {2: at(2026, 11, 28, 7, 0)}
    assert set(on_duty_until(rules, at(2026, 11, 28, 7, 0), LONDON)) == set()
    assert set(on_duty_until(rules, at(2026, 11, 27, 6, 0), LONDON)) == set()  # Thursday's night


def test_shift_times_are_local_so_they_follow_the_clocks_changing() -> None:
    sunday_day = [regular(3, 6, time(9), time(17))]
    # 29 March 2026: BST starts at 01:00 UTC. 09:00 local is 08:00 UTC.
    assert set(on_duty_until(sunday_day, at(2026, 3, 29, 8, 0), LONDON)) == {3}
    assert set(on_duty_until(sunday_day, at(2026, 3, 29, 7, 59), LONDON)) == set()
    # The Sunday before, in GMT, 08:00 UTC is 08:00 local: not yet on duty.
    assert set(on_duty_until(sunday_day, at(2026, 3, 22, 8, 0), LONDON)) == set()
    # A night shift over the spring change is an hour shorter: ends 06:00 BST = 05:00 UTC.
    night = [regular(4, 5, time(22), time(6))]  # Saturday 28 March 22:00 GMT
    assert on_duty_until(night, at(2026, 3, 29, 3, 0), LONDON) == {4: at(2026, 3, 29, 5, 0)}
    # Over the autumn change (25 October 2026) it is an hour longer: ends 06:00 GMT.
    autumn = [regular(4, 5, time(22), time(6))]  # Saturday 24 October 22:00 BST = 21:00 UTC
    assert set(on_duty_until(autumn, at(2026, 10, 24, 21, 0), LONDON)) == {4}
    assert on_duty_until(autumn, at(2026, 10, 25, 5, 30), LONDON) == {4: at(2026, 10, 25, 6, 0)}


def test_an_extra_shift_adds_and_an_absence_removes_a_responder_on_that_date() -> None:
    monday = date(2026, 11, 23)
    rules = [
        regular(1, 0, time(9), time(17)),
        dated(1, ShiftKind.ABSENT, monday, time(0), time(0)),  # off sick all day
        dated(5, ShiftKind.EXTRA, monday, time(12), time(14)),  # covering lunch
    ]
    assert set(on_duty_until(rules, at(2026, 11, 23, 10, 0), LONDON)) == set()
    assert set(on_duty_until(rules, at(2026, 11, 23, 12, 30), LONDON)) == {5}
    assert set(on_duty_until(rules, at(2026, 11, 30, 10, 0), LONDON)) == {1}  # next Monday


def test_rota_service_alert_levels_and_nobody_on_duty_warning(
    db: Database, services: Services, office: SeededOffice, clock: FakeClock
) -> None:
    now = at(2026, 11, 23, 10, 0)  # Monday: demo day shift twhitfield, sokafor, dkowalski
    on_duty = {d.staff_id for d in services.rota.on_duty(office.office_id, now)}
    assert office.staff_ids["twhitfield"] in on_duty
    assert office.staff_ids["gholt"] not in on_duty  # nights
    level = services.rota.alert_level(
        office.office_id, now, staff_id=office.staff_ids["twhitfield"]
    )
    assert level is AlertLevel.FULL_SCREEN
    reception = office.staff_ids["gholt"]
    assert services.rota.alert_level(office.office_id, now, staff_id=reception) is AlertLevel.NOTICE
    assert (
        services.rota.alert_level(office.office_id, now, staff_id=reception, escalated=True)
        is AlertLevel.FULL_SCREEN
    )
    assert services.rota.announce_cover(office.office_id, now) is None  # covered, no change

    with db.session() as s:
        for shift in s.query(RotaShift).filter(RotaShift.office_id == office.office_id):
            s.delete(shift)
        s.add(
            RotaShift(
                staff_id=office.staff_ids["twhitfield"],
                office_id=office.office_id,
                kind=ShiftKind.EXTRA,
                on_date=date(2026, 11, 23),
                starts=time(12),
                ends=time(13),
            )
        )
        assert s.get(Office, office.office_id) is not None
        assert s.get(Staff, reception) is not None
    assert services.rota.nobody_on_duty(office.office_id, now)
    assert (
        services.rota.alert_level(office.office_id, now, staff_id=reception)
        is AlertLevel.FULL_SCREEN
    )
    assert services.rota.announce_cover(office.office_id, now) is False
    assert services.rota.announce_cover(office.office_id, now) is None  # announced once
    assert services.rota.announce_cover(office.office_id, at(2026, 11, 23, 12, 0)) is True
    kinds = [m.kind for m in services.bus.poll(0)]
    assert kinds == [NoRespondersOnDuty.KIND, RespondersOnDuty.KIND]


def test_an_absence_recorded_today_takes_a_responder_off_and_is_audited(
    db: Database, services: Services, office: SeededOffice
) -> None:
    now = at(2026, 11, 23, 10, 0)  # Monday, Tom Whitfield's day shift
    tom = office.staff_ids["twhitfield"]
    manager = office.actor("lmoss")
    shift_id = services.rota.add_shift(
        manager,
        staff_id=tom,
        office_id=office.office_id,
        kind=ShiftKind.ABSENT,
        on_date=date(2026, 11, 23),
        starts=time(0),
        ends=time(0),
        note="Sick",
        at=now,
    )
    assert tom not in {d.staff_id for d in services.rota.on_duty(office.office_id, now)}
    listed = services.rota.shifts(office.office_id, from_date=date(2026, 11, 23))
    assert listed[-1].shift_id == shift_id and listed[-1].note == "Sick"
    services.rota.remove_shift(manager, shift_id, at=now)
    assert tom in {d.staff_id for d in services.rota.on_duty(office.office_id, now)}
    with db.session() as s:
        actions = [e.action for e in audit.entries(s, subject_type="rota_shift")]
    assert actions == ["rota.shift_removed", "rota.shift_added"]


def test_a_rota_change_without_its_day_is_refused(services: Services, office: SeededOffice) -> None:
    with pytest.raises(RotaError, match="needs a date"):
        services.rota.add_shift(
            office.actor("lmoss"),
            staff_id=office.staff_ids["twhitfield"],
            office_id=office.office_id,
            kind=ShiftKind.EXTRA,
            starts=time(9),
            ends=time(12),
            at=at(2026, 11, 23, 9),
        )
    with pytest.raises(RotaError, match="weekday"):
        services.rota.add_shift(
            office.actor("lmoss"),
            staff_id=office.staff_ids["twhitfield"],
            office_id=office.office_id,
            kind=ShiftKind.REGULAR,
            weekday=7,
            starts=time(9),
            ends=time(12),
            at=at(2026, 11, 23, 9),
        )


def test_rota_commands_record_an_absence_and_refuse_unknown_people(
    db_url: str,
    office: SeededOffice,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("SAFEDESK_DATABASE_URL", db_url)
    monkeypatch.setenv("SAFEDESK_CONFIG", str(tmp_path / "none.toml"))
    (tmp_path / "none.toml").write_text("", encoding="utf-8")
    assert main(["rota", "absent", "twhitfield", "--date", "2030-01-07", "--note", "Leave"]) == 0
    assert "absent" in capsys.readouterr().out
    assert main(["rota", "absent", "nobody", "--date", "2026-11-23"]) == 2
    assert main(["rota", "extra", "sokafor", "--date", "23/11/2026"]) == 2
    assert main(["rota", "list"]) == 0
    assert "Leave" in capsys.readouterr().out
