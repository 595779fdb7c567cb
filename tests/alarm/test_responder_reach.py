"""Responder reach: who on the rota is signed in on a running SafeDesk PC, by the server's clock.

The rota says who should respond; only a PC's heartbeat says one of them can be reached. With
nobody reachable an alarm goes to every screen at once (issue 10 item 5, issue 12 item 8).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select, text, update

from safedesk.clock import FakeClock
from safedesk.db import Database
from safedesk.models import Workstation
from safedesk.services.alarms.pc_presence import (
    STALE_AFTER_S,
    SignedInPC,
    is_fresh,
    record_signed_out,
)
from safedesk.services.alarms.responder_reach import (
    ResponderReach,
    alert_level_with_reach,
    reach_of,
)
from safedesk.services.alarms.rota import AlertLevel, OnDuty
from safedesk.services.hub import Services
from safedesk.services.shared.workstation_place import WorkstationPlace, register_workstation
from tests.helpers.office import SeededOffice

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
TOM = OnDuty(staff_id=1, name="Tom Whitfield", until=NOW + timedelta(hours=8))
SAM = OnDuty(staff_id=2, name="Sam Patel", until=NOW + timedelta(hours=8))


def _pc(staff_id: int, label: str | None, seen_s_ago: float) -> SignedInPC:
    return SignedInPC(staff_id, "?", label, True, NOW - timedelta(seconds=seen_s_ago))


def test_the_rota_alone_reaches_nobody() -> None:
    reach = reach_of(1, [TOM, SAM], [])
    assert reach.summary == "Responders reachable: 0 of 2 on duty"
    assert reach.nobody_reachable
    assert [r.where for r in reach.on_duty] == ["not signed in on any SafeDesk PC"] * 2
    assert alert_level_with_reach(AlertLevel.NOTICE, reach) is AlertLevel.FULL_SCREEN


def test_a_responder_signed_in_on_a_heartbeating_pc_is_reachable() -> None:
    reach = reach_of(1, [TOM, SAM], [_pc(1, "RESPONDER-1", 20), _pc(9, "DESK-1", 5)])
    assert reach.summary == "Responders reachable: 1 of 2 on duty"
    assert not reach.nobody_reachable
    assert reach.on_duty[0].where == "signed in on RESPONDER-1"
    assert reach.on_duty[1].where == "not signed in on any SafeDesk PC"
    assert alert_level_with_reach(AlertLevel.NOTICE, reach) is AlertLevel.NOTICE
    # A PC known only by its host name is described, never named.
    unnamed = reach_of(1, [TOM], [_pc(1, None, 20)])
    assert unnamed.on_duty[0].where == "signed in on a SafeDesk PC"


def test_an_empty_rota_is_not_called_unreachable() -> None:
    reach = reach_of(1, [], [])
    assert not reach.nobody_reachable  # "NOBODY ON THE ROTA" is its own (rota) rule
    assert alert_level_with_reach(AlertLevel.FULL_SCREEN, reach) is AlertLevel.FULL_SCREEN


def test_a_heartbeat_counts_for_two_and_a_half_minutes() -> None:
    assert is_fresh(NOW - timedelta(seconds=STALE_AFTER_S), NOW, STALE_AFTER_S)
    assert not is_fresh(NOW - timedelta(seconds=STALE_AFTER_S + 1), NOW, STALE_AFTER_S)
    assert not is_fresh(None, NOW, STALE_AFTER_S)


def _heartbeat(db: Database, clock: FakeClock, seeded: SeededOffice, login: str | None) -> None:
    place = WorkstationPlace(seeded.office_id, "", "RESPONDER-1", "responder", None, None, ())
    staff_id = seeded.staff_ids[login] if login else None
    register_workstation(
        db, place, now=clock.now(), sound_ok=True, signed_in_staff_id=staff_id, label="RESPONDER-1"
    )


def test_heartbeats_are_stamped_with_the_database_servers_clock(
    db: Database,
    services: Services,
    office: SeededOffice,
    clock: FakeClock,
) -> None:
    reach = ResponderReach(db, services.rota, clock)
    assert reach.reach(office.office_id).summary == "Responders reachable: 0 of 3 on duty"

    _heartbeat(db, clock, office, "twhitfield")

    with db.session() as s:
        seen = s.scalars(select(Workstation.last_seen_at)).one()
    assert seen is not None
    if db.is_postgresql:
        # The server's time, whatever this PC's clock says (the test clock is days away).
        assert abs((seen - datetime.now(UTC)).total_seconds()) < 60
        assert abs((seen - clock.now()).total_seconds()) > 3600
    else:
        assert seen == clock.now()  # SQLite: the database is this PC's file, its clock the server's
    result = reach.reach(office.office_id)
    assert result.summary == "Responders reachable: 1 of 3 on duty"
    tom = next(r for r in result.on_duty if r.name == "Tom Whitfield")
    assert tom.where == "signed in on RESPONDER-1"


def test_a_pc_not_heard_from_for_minutes_no_longer_counts(
    db: Database,
    services: Services,
    office: SeededOffice,
    clock: FakeClock,
) -> None:
    _heartbeat(db, clock, office, "twhitfield")
    with db.session() as s:
        if db.is_postgresql:
            s.execute(text("UPDATE workstations SET last_seen_at = now() - interval '10 minutes'"))
        else:
            s.execute(update(Workstation).values(last_seen_at=clock.now() - timedelta(minutes=10)))

    reach = ResponderReach(db, services.rota, clock).reach(office.office_id)

    assert reach.nobody_reachable


def test_closing_safedesk_or_signing_out_leaves_nobody_reachable_there(
    db: Database,
    services: Services,
    office: SeededOffice,
    clock: FakeClock,
) -> None:
    reach = ResponderReach(db, services.rota, clock)
    _heartbeat(db, clock, office, "twhitfield")
    record_signed_out(db, "RESPONDER-1")
    assert reach.reach(office.office_id).nobody_reachable

    _heartbeat(db, clock, office, "twhitfield")
    _heartbeat(db, clock, office, None)  # signed out, PC still running
    assert reach.reach(office.office_id).nobody_reachable
