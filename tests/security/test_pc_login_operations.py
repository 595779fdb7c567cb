"""Issue 13: through its own narrow login each kind of PC still does everything SafeDesk does there.

The bridge raises alarms and supervises its buttons; a responder's PC raises, responds, resolves
and escalates; reception books a visitor in past a flag warning; a manager's PC places markers,
reviews them and debriefs incidents; a restricted-access PC reads the restricted register and
removes a restricted marker; the administrator's login manages accounts. What a kind may not do
is refused with SafeDesk's own message, not a database error.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import ProgrammingError

from safedesk.button_events import ButtonPress, DeviceHeard, DeviceKind
from safedesk.clock import FakeClock
from safedesk.config import Config
from safedesk.db import Database
from safedesk.models import AlarmOutcome, AuditEntry, MarkerStatus, ReviewDecision, Role
from safedesk.services.hub import Services
from safedesk.services.markers import retention as marker_retention
from safedesk.services.markers.placing import create_marker
from safedesk.services.markers.restricted_register import RestrictedStorageRefused, view_restricted
from safedesk.services.markers.review import ReviewInput, record_review
from safedesk.services.reception.booking import BookingRequest
from safedesk.services.reception.desk import ReceptionDesk
from safedesk.services.reception.person_search import PersonSearch
from safedesk.services.reception.room_choice import readiness_from_buttons
from safedesk.services.shared.workstation_place import WorkstationPlace, register_workstation
from safedesk.services.staff import accounts as staff_admin
from safedesk.services.staff import sign_in as auth
from tests.markers.office_world import PASSWORD
from tests.security.conftest import NOT_TOLD, REASON, WHAT_HAPPENED, Office
from tests.security.pc_logins import PcLogins

pytestmark = pytest.mark.postgresql


class Pc:
    """One PC: its database login and SafeDesk's services on it."""

    def __init__(self, logins: PcLogins, kind: str, clock: FakeClock) -> None:
        self.login = logins.names[kind]
        self.db = Database(logins.url(kind), pool_size=2, max_overflow=2)
        self.services = Services.build(Config(), self.db, clock, f"{kind.upper()}-PC")

    def close(self) -> None:
        self.services.close()
        self.db.dispose()


class Pcs:
    """The office's PCs, each made the first time a test uses it."""

    def __init__(self, logins: PcLogins, clock: FakeClock) -> None:
        self._logins = logins
        self._clock = clock
        self._made: dict[str, Pc] = {}

    def __getitem__(self, kind: str) -> Pc:
        if kind not in self._made:
            self._made[kind] = Pc(self._logins, kind, self._clock)
        return self._made[kind]

    def close(self) -> None:
        for pc in self._made.values():
            pc.close()


@pytest.fixture
def pcs(logins: PcLogins, clock: FakeClock) -> Iterator[Pcs]:
    made = Pcs(logins, clock)
    yield made
    made.close()


def _press(pc: Pc, office: Office, clock: FakeClock, sequence: int) -> int:
    receipt = pc.services.alarms.press(
        ButtonPress(
            device_id=office.device_id,
            sequence=sequence,
            pressed_at=clock.now(),
            source=DeviceKind.SERIAL,
            boot_id=11,
        )
    )
    return receipt.alarm_id


def test_the_bridge_login_raises_alarms_and_supervises_its_buttons(
    office: Office, pcs: Pcs, clock: FakeClock
) -> None:
    bridge = pcs["bridge"]
    first = _press(bridge, office, clock, 1)
    assert _press(bridge, office, clock, 2) == first  # pressed again
    assert _press(bridge, office, clock, 2) == first  # a resend
    bridge.services.alarms.heard(
        DeviceHeard(
            device_id=office.device_id,
            heard_at=clock.now(),
            source=DeviceKind.SERIAL,
            firmware_version="1.2.0",
        )
    )
    clock.advance(3600)
    changes = bridge.services.supervision.check()
    assert office.device_id in changes.went_offline
    with office.world.db.session() as s:
        rows = s.execute(
            select(AuditEntry.action, AuditEntry.db_login).where(
                AuditEntry.action.in_(("alarm.raised", "alarm.pressed_again", "device.offline"))
            )
        ).all()
    assert {action for action, _ in rows} == {
        "alarm.raised",
        "alarm.pressed_again",
        "device.offline",
    }
    assert {login for _, login in rows} == {bridge.login}


def test_a_responder_pc_raises_responds_resolves_and_escalates(
    office: Office, pcs: Pcs, clock: FakeClock
) -> None:
    pc = pcs["responder"]
    officer = office.actor("officer")
    signed = auth.sign_in(pc.db, "officer", PASSWORD, workstation="RESPONDER-PC", now=clock.now())
    assert signed.staff_id == office.world.staff["officer"]
    register_workstation(
        pc.db,
        WorkstationPlace(
            office.world.office_id, "Derby", "RESPONDER-PC", "responder", None, None, ()
        ),
        now=clock.now(),
        sound_ok=True,
        signed_in_staff_id=signed.staff_id,
    )
    alarm = pc.services.alarms.press_room(office.world.room_id, actor=officer).alarm_id
    clock.advance(120)
    assert pc.services.alarms.escalate_due() == [alarm]
    view = pc.services.alarms.respond(alarm, officer)
    assert [r.name for r in view.responders] == ["Tom Whitfield"]
    view = pc.services.alarms.resolve(
        alarm, officer, AlarmOutcome.RESOLVED_ON_SITE, "Visitor calmed down and left"
    )
    assert view.resolved_at is not None
    rows = pc.services.incidents.list()
    assert alarm in [r.alarm_id for r in rows]
    # A responder's PC does not write the manager's debrief.
    with pytest.raises(ProgrammingError, match="permission denied"):
        pc.services.incidents.record_debrief(alarm, office.actor("manager"), "Talked it through")


def test_a_locked_out_responder_still_responds_from_the_pc_they_are_signed_in_on(
    office: Office, pcs: Pcs, clock: FakeClock
) -> None:
    pc = pcs["responder"]
    desk = auth.StaffSession(pc.db, clock, workstation="RESPONDER-PC")
    desk.sign_in("officer", PASSWORD)
    stranger = pcs["reception"]
    for _ in range(5):
        with pytest.raises(auth.SignInRefused):
            auth.sign_in(
                stranger.db, "officer", "guess", workstation="RECEPTION-PC", now=clock.now()
            )
    with pytest.raises(auth.SignInRefused, match="try again"):
        auth.sign_in(pc.db, "officer", PASSWORD, workstation="RESPONDER-PC", now=clock.now())
    alarm = _press(pcs["bridge"], office, clock, 40)
    view = pc.services.alarms.respond(alarm, desk.actor)
    assert [r.name for r in view.responders] == ["Tom Whitfield"]


def test_reception_books_a_flagged_visitor_in_after_the_warning(
    office: Office, pcs: Pcs, clock: FakeClock
) -> None:
    with office.world.db.session() as s:  # the incident's visitor has gone
        s.execute(text("UPDATE visits SET left_at = arrived_at + interval '1 hour'"))
    pc = pcs["reception"]
    search = PersonSearch.load(pc.db, clock)
    desk = ReceptionDesk(pc.db, clock, search, readiness=readiness_from_buttons(clock, Config()))
    receptionist = office.actor("reception")
    person = office.world.other_person_id  # flagged with an ordinary marker
    request = BookingRequest(
        office_id=office.world.office_id,
        person_id=person,
        host_officer_id=office.world.staff["officer"],
        room_id=office.world.room_id,
        acknowledged={person: (office.plain_marker,)},
    )
    view = desk.book_in(receptionist, request)
    assert view.arrived_at is not None
    assert view.flagged
    assert view.id in [v.id for v in desk.todays_visits(office.world.office_id)]
    # Reception reads what it must show, never the reasons behind it: not even the ASB
    # Manager, whose role may, reads them on a reception PC.
    with pytest.raises(RestrictedStorageRefused):
        view_restricted(
            pc.db,
            office.actor("asb"),
            office.plain_marker,
            now=clock.now(),
            config=office.world.config,
        )


def test_a_manager_pc_places_reviews_and_debriefs(
    office: Office, pcs: Pcs, clock: FakeClock
) -> None:
    pc = pcs["manager"]
    asb = office.actor("asb")
    with pc.db.session() as s:
        placed = create_marker(
            s,
            asb,
            office.world.assessment(restricted=True, reason="Threatened staff with a knife"),
            now=clock.now(),
            config=office.world.config,
        ).id
        record_review(
            s,
            asb,
            office.plain_marker,
            ReviewInput(
                decision=ReviewDecision.CONTINUE,
                reason="Still threatening",
                information_considered="Officer notes",
                tenant_informed=True,
            ),
            now=clock.now(),
            config=office.world.config,
        )
    incidents = pc.services.incidents
    incidents.record_debrief(office.resolved_alarm, office.actor("manager"), "Talked it through")
    incidents.record_follow_up(office.resolved_alarm, office.actor("manager"), "Warning letter")
    incidents.record_follow_up(office.resolved_alarm, office.actor("manager"), "Banned 6 months")
    row = next(r for r in incidents.list() if r.alarm_id == office.resolved_alarm)
    assert row.follow_up_notes is not None and row.follow_up_notes.count("\n") == 1
    # The reason went in; this PC cannot read it back, nor take the marker off the register.
    with pytest.raises(RestrictedStorageRefused, match="safedesk_restricted"):
        view_restricted(pc.db, asb, placed, now=clock.now(), config=office.world.config)
    with pytest.raises(RestrictedStorageRefused, match="restricted access"), pc.db.session() as s:
        record_review(
            s,
            asb,
            placed,
            ReviewInput(
                decision=ReviewDecision.REMOVE,
                reason="Moved away",
                information_considered="Tenancy ended",
                tenant_informed=True,
            ),
            now=clock.now(),
            config=office.world.config,
        )
    with office.world.db.session() as s:
        status = s.scalar(text("SELECT status FROM markers WHERE id = :id"), {"id": placed})
    assert status == MarkerStatus.ACTIVE.value


def test_a_restricted_access_pc_reads_and_removes_restricted_markers(
    office: Office, pcs: Pcs, clock: FakeClock
) -> None:
    pc = pcs["restricted"]
    area = office.actor("area")
    detail = view_restricted(
        pc.db, area, office.restricted_marker, now=clock.now(), config=office.world.config
    )
    assert detail.reason == REASON
    assert detail.not_informed_reason == NOT_TOLD
    assert [e.what_happened for e in detail.evidence] == [WHAT_HAPPENED]
    with pc.db.session() as s:
        record_review(
            s,
            office.actor("asb"),
            office.restricted_marker,
            ReviewInput(
                decision=ReviewDecision.REMOVE,
                reason="Licence ended; no incidents in 2 years",
                information_considered="Probation report",
                tenant_informed=True,
            ),
            now=clock.now(),
            config=office.world.config,
        )
    clock.advance(timedelta(days=2191).total_seconds())
    with pcs["manager"].db.session() as s, pytest.raises(RestrictedStorageRefused):
        marker_retention.purge(s, office.actor("asb"), now=clock.now(), config=office.world.config)
    with pc.db.session() as s:
        purged = marker_retention.purge(
            s, office.actor("asb"), now=clock.now(), config=office.world.config
        )
    assert [p.marker_id for p in purged] == [office.restricted_marker]
    with office.world.db.session() as s:
        left = s.scalar(
            text("SELECT count(*) FROM marker_restricted WHERE marker_id = :id"),
            {"id": office.restricted_marker},
        )
    assert left == 0


def test_only_the_administrator_login_manages_accounts(
    office: Office, pcs: Pcs, clock: FakeClock
) -> None:
    admin = pcs["admin"]
    with admin.db.session() as s:
        staff_admin.create_staff(
            s,
            office.actor("admin"),
            login="rgreen",
            name="Rachel Green",
            roles=[Role.OFFICER],
            password="tulips in april",
            now=clock.now(),
        )
    with admin.db.session() as s:
        staff_admin.set_roles(
            s, office.actor("admin"), "rgreen", [Role.OFFICER, Role.RESPONDER], now=clock.now()
        )
        staff_admin.set_password(
            s, office.actor("admin"), "rgreen", "daffodils in may", now=clock.now()
        )
    for _ in range(5):
        with pytest.raises(auth.SignInRefused):
            auth.sign_in(pcs["reception"].db, "rgreen", "x", workstation="PC", now=clock.now())
    with admin.db.session() as s:
        auth.unlock(s, office.actor("admin"), "rgreen", now=clock.now())
    signed = auth.sign_in(
        pcs["reception"].db, "rgreen", "daffodils in may", workstation="PC", now=clock.now()
    )
    assert signed.roles == {Role.OFFICER, Role.RESPONDER}
    # The same service on a manager's PC: the database refuses, whatever SafeDesk believes.
    with (
        pytest.raises(ProgrammingError, match="permission denied"),
        pcs["manager"].db.session() as s,
    ):
        staff_admin.set_roles(s, office.actor("admin"), "rgreen", [Role.ADMIN], now=clock.now())
