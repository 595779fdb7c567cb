"""Two testers starting the same button at the same moment: exactly one gets the window."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from safedesk.clock import FakeClock
from safedesk.db import Database
from safedesk.models import AlarmTest, TestResult
from safedesk.services.weekly_test import starting
from safedesk.services.weekly_test.desk import WeeklyTestDesk
from safedesk.services.weekly_test.refusals import TestHeld
from safedesk.services.weekly_test.starting import StartOutcome
from tests.weekly_test.office_builder import TestOffice


def start(
    desk: WeeklyTestDesk,
    office: TestOffice,
    login: str,
    barrier: threading.Barrier,
    outcomes: dict[str, StartOutcome | BaseException],
) -> None:
    """One tester's click, released at the same instant as the other's."""
    barrier.wait()
    try:
        outcomes[login] = desk.start(office.devices["Interview Room 1"], office.actor(login))
    except BaseException as exc:  # noqa: BLE001 - handed to the test thread to assert on
        outcomes[login] = exc


def test_two_testers_starting_the_same_button_at_once_one_is_refused_with_the_holder(
    desk: WeeklyTestDesk, db: Database, office: TestOffice
) -> None:
    rounds = 5
    for _ in range(rounds):
        barrier = threading.Barrier(2)
        outcomes: dict[str, StartOutcome | BaseException] = {}

        threads = [
            threading.Thread(target=start, args=(desk, office, login, barrier, outcomes))
            for login in ("asha", "ben")
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
        winners = [o for o in outcomes.values() if isinstance(o, StartOutcome)]
        losers = [o for o in outcomes.values() if not isinstance(o, StartOutcome)]
        assert len(winners) == 1, outcomes
        assert len(losers) == 1 and isinstance(losers[0], TestHeld), outcomes
        winner_name = "Asha Patel" if isinstance(outcomes["asha"], StartOutcome) else "Ben Okafor"
        assert losers[0].holder_name == winner_name
        # Clear the button for the next round: the window times out.
        with db.session() as s:
            test = s.get(AlarmTest, winners[0].test_id)
            assert test is not None
            test.result = TestResult.FAIL
            test.completed_at = test.started_at + timedelta(seconds=130)
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(AlarmTest)) == rounds


def test_the_database_refuses_a_second_open_test_for_a_button(
    db: Database, clock: FakeClock, office: TestOffice
) -> None:
    """The backstop under the lock: even code that skips the check cannot open two windows."""
    now = clock.now()

    def pending(staff_login: str) -> AlarmTest:
        actor = office.actor(staff_login)
        assert actor.staff_id is not None
        return AlarmTest(
            week_start=now.date(),
            device_pk=office.devices["Interview Room 2"],
            office_id=office.office_id,
            tester_id=actor.staff_id,
            started_at=now,
            window_ends_at=now + timedelta(seconds=120),
        )

    with db.session() as s:
        s.add(pending("asha"))
    with pytest.raises(IntegrityError), db.session() as s:
        s.add(pending("ben"))


def test_start_all_refused_on_one_button_keeps_the_windows_it_opened_before_it(
    desk: WeeklyTestDesk, db: Database, office: TestOffice, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ben's start on Interview Room 3 lands between Asha's check and her insert ("Start all"
    goes Room 1, Room 2, Room 3, Reception): the unique index refuses her Room 3 window, and
    only that one. Rooms 1 and 2, already opened in the same transaction, stay open."""
    room_3 = office.devices["Interview Room 3"]
    bens = desk.start(room_3, office.actor("ben"))
    real_check = starting._pending_test
    missed: list[int] = []

    def check_that_ran_before_bens_commit(session: Session, device_pk: int) -> AlarmTest | None:
        if device_pk == room_3 and not missed:
            missed.append(device_pk)
            return None
        return real_check(session, device_pk)

    monkeypatch.setattr(starting, "_pending_test", check_that_ran_before_bens_commit)

    outcome = desk.start_all(office.office_id, office.actor("asha"))

    assert missed == [room_3]
    assert [s.room_name for s in outcome.started] == [
        "Interview Room 1",
        "Interview Room 2",
        "Reception desk 1",
    ]
    assert len(outcome.refused) == 1 and "Ben Okafor" in outcome.refused[0]
    assert outcome.message.startswith("3 test windows open")
    asha, ben = office.actor("asha").staff_id, office.actor("ben").staff_id
    with db.session() as s:  # a new session: what the database holds, not what was reported
        open_windows = {
            t.device_pk: (t.id, t.tester_id)
            for t in s.scalars(select(AlarmTest).where(AlarmTest.result == TestResult.PENDING))
        }
    assert open_windows == {
        **{started.device_pk: (started.test_id, asha) for started in outcome.started},
        room_3: (bens.test_id, ben),
    }
