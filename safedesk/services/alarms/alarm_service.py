"""Raising, acknowledging, escalating and resolving alarms: the core of the alarm path.

Every driver (serial, GPIO, hotkey, simulated, the bridge) calls ``press``; it is the PressSink.
A press is idempotent per (device, boot, sequence); a new press while the room's alarm is open is
"pressed again" on that alarm; an unregistered device still raises an alarm ("unknown location"),
in the office of the bridge or PC that heard it, and so does a device heard somewhere other than
where it is registered (``device_binding``): never as the registered room.
Only the press that completes a weekly test is a test (``test_press_rule``): every other press,
a second press of the tested button included, is a real alarm.
Each state change, its audit entry and its bus event commit in one transaction.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext
from datetime import datetime, timedelta

from sqlalchemy import ScalarSelect, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from safedesk.alarm_bus import (
    AlarmBus,
    AlarmEscalated,
    AlarmPressedAgain,
    AlarmRaised,
    AlarmResolved,
    AlarmResponding,
    TestPressReceived,
)
from safedesk.button_events import ButtonPress, DeviceHeard, DeviceKind, HeardOn, PressReceipt
from safedesk.clock import Clock
from safedesk.config import AlarmConfig
from safedesk.db import Database, DatabaseUnavailable
from safedesk.db.server_time import server_now
from safedesk.db.write_lock import take_sqlite_write_lock
from safedesk.models import (
    AlarmEvent,
    AlarmOutcome,
    AlarmPress,
    AlarmResponse,
    AlarmTest,
    PanicDevice,
    Room,
    Staff,
    TestResult,
)
from safedesk.services.alarms.alert_view_builder import build_alert_view, room_label
from safedesk.services.alarms.alert_views import AlertView
from safedesk.services.alarms.press_audit import record_pressed_by
from safedesk.services.alarms.press_identity import (
    BOOT_ID_MASK,
    is_same_press,
    next_life,
    same_boot,
)
from safedesk.services.alarms.press_time import judge_press_time
from safedesk.services.alarms.room_presence import (
    latest_visit_in_room,
    room_time_zone,
)
from safedesk.services.alarms.unstorable_press import storable_press
from safedesk.services.buttons.device_binding import bind_on_first_contact, host_office_id, mismatch
from safedesk.services.shared import audit
from safedesk.services.shared.actor import Actor
from safedesk.services.weekly_test.test_press_rule import armed_test_for

log = logging.getLogger(__name__)

# Namespace for PostgreSQL advisory locks taken while raising (one per room or unknown device).
_LOCK_NAMESPACE = 0x5AFE
_PRESS_ATTEMPTS = 3


class AlarmError(Exception):
    """A request the alarm service refuses (unknown alarm, already resolved, missing notes)."""


class AlarmAlreadyResolved(AlarmError):
    """Someone (perhaps on another PC) resolved the alarm first; ``view`` says who and when, so
    the screen can take the alert down and say so instead of refusing."""

    def __init__(self, view: AlertView) -> None:
        who = view.resolved_by or "someone"
        super().__init__(f"the alarm in {view.room_name} was already resolved by {who}")
        self.view = view


class AlarmService:
    """The PressSink and the responder actions. Thread-safe: each call is its own transaction."""

    def __init__(
        self, db: Database, bus: AlarmBus, clock: Clock, config: AlarmConfig, workstation: str
    ) -> None:
        self.db = db
        self.bus = bus
        self.clock = clock
        self.config = config
        self.workstation = workstation
        self._simulated_seq = 0
        self._simulated_lock = threading.Lock()
        self._unknown_heard: set[str] = set()
        self._misplaced_heard: set[tuple[str, HeardOn]] = set()
        # PostgreSQL: how long a press waits for another transaction on the same room, and how
        # long a transaction holding a room may sit idle before the server ends it.
        self.lock_timeout_s = 5.0
        self.idle_limit_s = 10.0
        self._sqlite_writer: AbstractContextManager[object] = (
            nullcontext() if db.is_postgresql else threading.Lock()
        )

    # --- PressSink ----------------------------------------------------------------------------

    def press(self, press: ButtonPress) -> PressReceipt:
        """Record a press: a new alarm, "pressed again", a resend (no-op), or a weekly test press.

        Raises DatabaseUnavailable when the database cannot be reached (or does not answer
        within the press deadline), so the caller holds the press and resends it; the resend is
        then recognised by its (device, boot, sequence). A press that cannot be stored as sent
        (an id longer than the database keeps) still raises: unknown location, what was received
        in the audit entry (``unstorable_press``).
        """
        stored = storable_press(press, self.clock.now())
        if stored is not press:
            return self._raise_unstorable(press, stored)
        for attempt in range(1, _PRESS_ATTEMPTS + 1):
            try:
                return self._press_once(press)
            except IntegrityError:
                # Another PC committed the same press between our check and our insert; the
                # retry finds it and answers "already recorded".
                if attempt == _PRESS_ATTEMPTS:
                    raise
                log.info(
                    "press %s/%s/%s raced another writer; re-reading",
                    press.device_id,
                    press.boot_id,
                    press.sequence,
                )
        raise AssertionError("unreachable")

    def _press_once(self, press: ButtonPress) -> PressReceipt:
        # SQLite: presses from this process's threads queue on a Python lock instead of SQLite's
        # busy handler, whose growing sleeps (up to 100 ms each) would add to the alarm's latency.
        with self._sqlite_writer, self.db.press_deadline():
            return self._press_in_transaction(press)

    def _raise_unstorable(self, received: ButtonPress, stored: ButtonPress) -> PressReceipt:
        log.error(
            "PANIC PRESS that cannot be stored as sent (device id %r, sequence %d, pressed %s): "
            "raised %s; correct the driver or the id where it is configured",
            received.device_id,
            received.sequence,
            received.pressed_at.isoformat(),
            f"as UNKNOWN LOCATION under {stored.device_id!r}"
            if stored.device_id != received.device_id
            else f"with what could be stored (pressed {stored.pressed_at.isoformat()})",
        )
        receipt = self.press(stored)
        try:
            with self.db.session(deadline_s=self.db.timeouts.press_s) as s:
                audit.record(
                    s,
                    Actor.system(self.workstation),
                    "alarm.unstorable_press",
                    at=self.clock.now(),
                    subject_type="alarm",
                    subject_id=receipt.alarm_id,
                    received_device_id=received.device_id[:1000],
                    received_pressed_at=received.pressed_at.isoformat(),
                    stored_device_id=stored.device_id,
                )
        except DatabaseUnavailable as exc:
            log.warning(
                "alarm %d raised; its audit note was not written: %s", receipt.alarm_id, exc
            )
        return receipt

    def _press_in_transaction(self, press: ButtonPress) -> PressReceipt:
        boot = press.boot_id or 0
        with self.db.session() as s:
            # Device, room and office in one read: every statement here is alarm latency.
            device = s.scalar(
                select(PanicDevice)
                .options(joinedload(PanicDevice.room).joinedload(Room.office))
                .where(PanicDevice.device_id == press.device_id)
            )
            # Received on the database server's clock (safedesk.db.server_time): no round trip
            # unless this process has not read the server's clock yet. The press keeps its own
            # claimed time, judged here (press_time); a doubtful one is never a test.
            received = server_now(s, self.clock)
            plausible = judge_press_time(press.pressed_at, received).doubt is None
            heard = press.heard_on.with_host(self.workstation) if press.heard_on else None
            misplaced = self._misplaced(device, heard)
            if misplaced:
                device = None  # never the registered room, its test, or its "last seen"
            room = device.room if device is not None else None
            self._serialise_raising(s, room, press.device_id)
            # One round trip answers the three questions (resend? test window? room's alarm
            # already open?) and finds who is in the room.
            resent_id, test_id, open_id, visit_id = s.execute(
                select(
                    self._resent_press(press, boot),
                    self._open_test_window(device, press.pressed_at, received),
                    self._open_alarm_for(room, press.device_id),
                    self._visit_in_room(room, received),
                )
            ).one()
            if resent_id is not None:
                earlier = s.get_one(AlarmPress, resent_id)
                if boot > BOOT_ID_MASK or is_same_press(earlier.pressed_at, press.pressed_at):
                    alarm = s.get_one(AlarmEvent, earlier.alarm_id)
                    log.debug("resend of press %s/%s/%s", press.device_id, boot, press.sequence)
                    return PressReceipt(alarm_id=alarm.id, created=False, is_test=alarm.is_test)
                boot = next_life(earlier.boot_id, boot)
                log.warning(
                    "panic button %s restarted with the boot id of an earlier start (%08X): "
                    "press %d, pressed %s, is a NEW press (the earlier one was pressed %s)",
                    press.device_id,
                    boot & BOOT_ID_MASK,
                    press.sequence,
                    press.pressed_at.isoformat(),
                    earlier.pressed_at.isoformat(),
                )
            if device is None and not misplaced:
                log.error(
                    "ALARM from UNREGISTERED panic device %r (sequence %d) heard on %s: raised "
                    "for unknown location; register the device so alarms show its room",
                    press.device_id,
                    press.sequence,
                    heard.describe() if heard else "no known port",
                )
            elif device is not None:
                if device.last_seen_at is None or device.last_seen_at < received:
                    device.last_seen_at = received
                if heard is not None:
                    bind_on_first_contact(s, device, heard, received, self.workstation)
                if not device.enabled:
                    log.warning("alarm from disabled device %r: raised anyway", press.device_id)
                if room is None:
                    log.error("ALARM from device %r which has no room", press.device_id)
            # A real emergency already open in the room outranks a test window: never let a
            # press during someone's weekly test be filed away as a test.
            if open_id is not None:
                open_alarm = s.get_one(AlarmEvent, open_id)
                return self._record_pressed_again(s, open_alarm, press, boot, received)
            if device is not None and test_id is not None and plausible:
                # Lock the test and look again: expiry may have closed it ("no signal") since the
                # read above. A press on a closed test is a real alarm, never a lost test.
                test = s.get_one(AlarmTest, test_id, with_for_update=True, populate_existing=True)
                if test.result is TestResult.PENDING and test.pressed_at is None:
                    return self._record_test_press(s, test, device, room, press, boot, received)
                log.warning(
                    "test %d closed or completed before press %s/%s arrived: real alarm",
                    test.id,
                    press.device_id,
                    press.sequence,
                )
            return self._raise_new(s, device, room, press, boot, received, visit_id, heard)

    def _misplaced(self, device: PanicDevice | None, heard: HeardOn | None) -> bool:
        """A registered device heard somewhere other than where it is bound (logged once)."""
        if device is None or heard is None:
            return False
        problem = mismatch(device, heard)
        if problem is None:
            return False
        log.error(
            "PANIC DEVICE %r heard on %s, not where it is registered (%s): raised as UNKNOWN "
            "LOCATION, never as its room; check the cabling, or re-register it "
            "(safedesk devices bind)",
            device.device_id,
            heard.describe(),
            problem,
        )
        return True

    def _serialise_raising(self, s: Session, room: Room | None, device_id: str) -> None:
        """Let one transaction at a time decide "new alarm or pressed again" for a room.

        PostgreSQL: a transaction-scoped advisory lock per room (or per unknown device).
        SQLite: a no-op write takes the database write lock before anything is read.
        """
        if self.db.is_postgresql:
            # A PC that froze mid-press must not hold the room for ever: waiters give up after
            # lock_timeout (the caller holds and resends), and the server ends the frozen
            # transaction after idle_in_transaction_session_timeout, freeing the room.
            s.execute(
                text(
                    "SELECT set_config('lock_timeout', :lock, true), "
                    "set_config('idle_in_transaction_session_timeout', :idle, true)"
                ),
                {
                    "lock": f"{int(self.lock_timeout_s * 1000)}ms",
                    "idle": f"{int(self.idle_limit_s * 1000)}ms",
                },
            )
            if room is not None:
                s.execute(
                    text("SELECT pg_advisory_xact_lock(:ns, :key)"),
                    {"ns": _LOCK_NAMESPACE, "key": room.id},
                )
            else:
                s.execute(
                    text("SELECT pg_advisory_xact_lock(:ns, hashtext(:device))"),
                    {"ns": _LOCK_NAMESPACE + 1, "device": device_id},
                )
        take_sqlite_write_lock(s)

    @staticmethod
    def _resent_press(press: ButtonPress, boot: int) -> ScalarSelect[int | None]:
        """The latest stored press with this name (in any life of a repeated boot id)."""
        return (
            select(AlarmPress.id)
            .where(
                AlarmPress.device_id == press.device_id,
                same_boot(AlarmPress.boot_id, boot),
                AlarmPress.sequence == press.sequence,
            )
            .order_by(AlarmPress.id.desc())
            .limit(1)
            .scalar_subquery()
        )

    @staticmethod
    def _open_test_window(
        device: PanicDevice | None, pressed_at: datetime, received: datetime
    ) -> ScalarSelect[int | None]:
        """The weekly test this press completes: the armed window's first press only."""
        return armed_test_for(device.id if device is not None else None, pressed_at, received)

    @staticmethod
    def _open_alarm_for(room: Room | None, device_id: str) -> ScalarSelect[int | None]:
        """The room's open emergency (tests never count), or the unknown device's own."""
        query = select(AlarmEvent.id).where(
            AlarmEvent.resolved_at.is_(None), AlarmEvent.is_test.is_(False)
        )
        if room is not None:
            query = query.where(AlarmEvent.room_id == room.id)
        else:
            query = query.where(AlarmEvent.room_id.is_(None), AlarmEvent.device_id == device_id)
        return query.order_by(AlarmEvent.id.desc()).limit(1).scalar_subquery()

    @staticmethod
    def _visit_in_room(room: Room | None, now: datetime) -> ScalarSelect[int | None]:
        return latest_visit_in_room(room.id if room is not None else -1, room_time_zone(room), now)

    def _add_press(
        self, s: Session, alarm: AlarmEvent, press: ButtonPress, boot: int, received: datetime
    ) -> None:
        s.add(
            AlarmPress(
                alarm_id=alarm.id,
                device_id=press.device_id,
                boot_id=boot,
                sequence=press.sequence,
                pressed_at=press.pressed_at,
                received_at=received,
            )
        )
        # Flushed with the bus event; a duplicate still fails inside the press retry loop.
        self._mark_doubtful_time(s, alarm, press, received)
        record_pressed_by(s, alarm, press, received)  # a desk's press: who was signed in there

    def _mark_doubtful_time(
        self, s: Session, alarm: AlarmEvent, press: ButtonPress, received: datetime
    ) -> None:
        """A press whose claimed time cannot be believed: kept as claimed, raised now, marked."""
        judged = judge_press_time(press.pressed_at, received)
        if judged.doubt is None:
            return
        log.warning(
            "press %s/%s/%s on alarm %d: %s (claimed %s, received %s); raised at the time it "
            "arrived",
            press.device_id,
            press.boot_id,
            press.sequence,
            alarm.id,
            judged.doubt,
            press.pressed_at.isoformat(),
            received.isoformat(),
        )
        audit.record(
            s,
            Actor.system(self.workstation),
            "alarm.press_time_doubtful",
            at=received,
            subject_type="alarm",
            subject_id=alarm.id,
            device_id=press.device_id,
            sequence=press.sequence,
            claimed_pressed_at=press.pressed_at.isoformat(),
            received_at=received.isoformat(),
            claimed_age_s=round(judged.claimed_age_s, 1),
            why=judged.doubt,
        )

    def _raise_new(
        self,
        s: Session,
        device: PanicDevice | None,
        room: Room | None,
        press: ButtonPress,
        boot: int,
        received: datetime,
        visit_id: int | None,
        heard: HeardOn | None = None,
    ) -> PressReceipt:
        # Unknown location: the office of the bridge or PC that heard it (None: every office).
        if room is not None:
            office_id: int | None = room.office_id
        else:
            office_id = host_office_id(s, heard.host) if heard is not None else None
        alarm = AlarmEvent(
            device_pk=device.id if device is not None else None,
            device_id=press.device_id,
            room_id=room.id if room is not None else None,
            office_id=office_id,
            heard_on=heard.describe()[:255] if room is None and heard is not None else None,
            source=press.source,
            device_sequence=press.sequence,
            pressed_at=press.pressed_at,
            raised_at=received,
            press_count=1,
            is_test=False,
            visit_id=visit_id,
        )
        s.add(alarm)
        s.flush()
        self._add_press(s, alarm, press, boot, received)
        audit.record(
            s,
            Actor.system(self.workstation),
            "alarm.raised",
            at=received,
            subject_type="alarm",
            subject_id=alarm.id,
            device_id=press.device_id,
            sequence=press.sequence,
            boot_id=boot,
            source=press.source.value,
            room=room.name if room is not None else None,
            unknown_location=room is None,
            visit_id=alarm.visit_id,
        )
        self.bus.publish(
            s,
            AlarmRaised(
                office_id=alarm.office_id,
                alarm_id=alarm.id,
                room_id=alarm.room_id,
                room_name=room_label(room, press.device_id, alarm.heard_on),
                device_id=press.device_id,
                source=press.source,
                pressed_at=press.pressed_at,
                raised_at=received,
                unknown_location=room is None,
            ),
            at=received,
        )
        log.warning(
            "ALARM %d raised: %s (device %s, %s)",
            alarm.id,
            room_label(room, press.device_id, alarm.heard_on),
            press.device_id,
            press.source.value,
        )
        return PressReceipt(alarm_id=alarm.id, created=True, is_test=False)

    def _record_pressed_again(
        self, s: Session, alarm: AlarmEvent, press: ButtonPress, boot: int, received: datetime
    ) -> PressReceipt:
        self._add_press(s, alarm, press, boot, received)
        alarm.press_count += 1
        audit.record(
            s,
            Actor.system(self.workstation),
            "alarm.pressed_again",
            at=received,
            subject_type="alarm",
            subject_id=alarm.id,
            device_id=press.device_id,
            sequence=press.sequence,
            press_count=alarm.press_count,
        )
        self.bus.publish(
            s,
            AlarmPressedAgain(
                office_id=alarm.office_id,
                alarm_id=alarm.id,
                device_id=press.device_id,
                press_count=alarm.press_count,
                pressed_at=press.pressed_at,
            ),
            at=received,
        )
        log.warning("alarm %d pressed again (%d presses)", alarm.id, alarm.press_count)
        return PressReceipt(alarm_id=alarm.id, created=False, is_test=False)

    def _record_test_press(
        self,
        s: Session,
        test: AlarmTest,
        device: PanicDevice,
        room: Room | None,
        press: ButtonPress,
        boot: int,
        received: datetime,
    ) -> PressReceipt:
        alarm = AlarmEvent(
            device_pk=device.id,
            device_id=press.device_id,
            room_id=room.id if room is not None else None,
            office_id=room.office_id if room is not None else test.office_id,
            source=press.source,
            device_sequence=press.sequence,
            pressed_at=press.pressed_at,
            raised_at=received,
            press_count=1,
            is_test=True,
        )
        s.add(alarm)
        s.flush()
        self._add_press(s, alarm, press, boot, received)
        latency_ms = max(0.0, (received - press.pressed_at).total_seconds() * 1000)
        test.pressed_at = press.pressed_at
        test.received_at = received
        test.latency_ms = latency_ms
        test.alarm_id = alarm.id
        audit.record(
            s,
            Actor.system(self.workstation),
            "alarm_test.press_received",
            at=received,
            subject_type="alarm_test",
            subject_id=test.id,
            alarm_id=alarm.id,
            device_id=press.device_id,
            latency_ms=round(latency_ms, 1),
        )
        self.bus.publish(
            s,
            TestPressReceived(
                office_id=alarm.office_id,
                alarm_id=alarm.id,
                test_id=test.id,
                device_id=press.device_id,
                room_id=alarm.room_id,
                room_name=room_label(room, press.device_id),
                pressed_at=press.pressed_at,
                received_at=received,
                latency_ms=latency_ms,
            ),
            at=received,
        )
        log.info("weekly test press from %s: %.0f ms", press.device_id, latency_ms)
        return PressReceipt(alarm_id=alarm.id, created=True, is_test=True)

    def heard(self, heard: DeviceHeard) -> None:
        """A hello or heartbeat: update last seen (and firmware). Unknown ids register nothing."""
        with self.db.session(deadline_s=self.db.timeouts.press_s) as s:
            device = s.scalar(select(PanicDevice).where(PanicDevice.device_id == heard.device_id))
            if device is None:
                # Heartbeats come every 2 s: say it loudly once per device, not 1,800 times an hour.
                first = heard.device_id not in self._unknown_heard
                self._unknown_heard.add(heard.device_id)
                log.log(
                    logging.WARNING if first else logging.DEBUG,
                    "heartbeat from unregistered panic device %r (%s): not registered "
                    "automatically; add it to a room",
                    heard.device_id,
                    heard.source.value,
                )
                return
            place = heard.heard_on.with_host(self.workstation) if heard.heard_on else None
            if place is not None and mismatch(device, place) is not None:
                # Someone else speaking for this device keeps nothing "online"; once per place.
                key = (device.device_id, place)
                level = logging.DEBUG if key in self._misplaced_heard else logging.ERROR
                self._misplaced_heard.add(key)
                log.log(
                    level,
                    "panic device %r heard on %s, not where it is registered (%s): ignored",
                    device.device_id,
                    place.describe(),
                    mismatch(device, place),
                )
                return
            if place is not None:
                bind_on_first_contact(s, device, place, heard.heard_at, self.workstation)
            # Last seen on the server's clock: never later than now, whatever clock stamped the
            # heartbeat, so a fast PC cannot keep a dead button "online".
            seen = min(heard.heard_at, server_now(s, self.clock))
            if device.last_seen_at is None or device.last_seen_at < seen:
                device.last_seen_at = seen
            if heard.firmware_version and heard.firmware_version != device.firmware_version:
                audit.record(
                    s,
                    Actor.system(self.workstation),
                    "device.firmware_changed",
                    at=heard.heard_at,
                    subject_type="panic_device",
                    subject_id=device.id,
                    old=device.firmware_version,
                    new=heard.firmware_version,
                )
                device.firmware_version = heard.firmware_version

    def press_room(
        self, room_id: int, *, source: DeviceKind = DeviceKind.SIMULATED, actor: Actor | None = None
    ) -> PressReceipt:
        """The simulated/on-screen button: press as the room's device, with a fresh sequence.

        A room without a registered device still raises, under the id "<source>:room:<id>".
        """
        with self.db.session() as s:
            room = s.get(Room, room_id)
            if room is None:
                raise AlarmError(f"no room with id {room_id}")
            now = server_now(s, self.clock)  # a one-off command may not have read it yet
            device = s.scalar(
                select(PanicDevice)
                .where(PanicDevice.room_id == room_id, PanicDevice.enabled.is_(True))
                .order_by(PanicDevice.id)
                .limit(1)
            )
            device_id = device.device_id if device is not None else f"{source.value}:room:{room_id}"
            if actor is not None:
                audit.record(
                    s,
                    actor,
                    "alarm.simulated_press",
                    at=now,
                    subject_type="room",
                    subject_id=room_id,
                    device_id=device_id,
                    source=source.value,
                )
        with self._simulated_lock:
            self._simulated_seq += 1
            seq = self._simulated_seq
        # A per-call boot id keeps simulated sequences unique across processes and restarts.
        boot = int(now.timestamp() * 1_000_000) % (2**62)
        return self.press(
            ButtonPress(
                device_id=device_id, sequence=seq, pressed_at=now, source=source, boot_id=boot
            )
        )

    # --- responder actions --------------------------------------------------------------------

    def respond(self, alarm_id: int, actor: Actor) -> AlertView:
        """ "I'm responding": recorded once per person; the first one acknowledges the alarm."""
        if actor.staff_id is None:
            raise AlarmError("only a signed-in member of staff can respond")
        now = self.clock.now()
        with self.db.session() as s:
            alarm = self._lock_alarm(s, alarm_id)
            if alarm.resolved_at is not None:
                raise AlarmAlreadyResolved(build_alert_view(s, alarm, now))
            staff = s.get(Staff, actor.staff_id)
            if staff is None:
                raise AlarmError(f"no member of staff with id {actor.staff_id}")
            already = s.scalar(
                select(AlarmResponse).where(
                    AlarmResponse.alarm_id == alarm_id, AlarmResponse.staff_id == staff.id
                )
            )
            if already is None:
                first = alarm.acknowledged_at is None
                s.add(
                    AlarmResponse(
                        alarm_id=alarm_id,
                        staff_id=staff.id,
                        workstation=actor.workstation,
                        at=now,
                    )
                )
                if first:
                    alarm.acknowledged_by_id = staff.id
                    alarm.acknowledged_at = now
                audit.record(
                    s,
                    actor,
                    "alarm.responding",
                    at=now,
                    subject_type="alarm",
                    subject_id=alarm_id,
                    first=first,
                    seconds_after_raise=round((now - alarm.raised_at).total_seconds(), 1),
                )
                s.flush()
                self.bus.publish(
                    s,
                    AlarmResponding(
                        office_id=alarm.office_id,
                        alarm_id=alarm_id,
                        staff_id=staff.id,
                        staff_name=staff.name,
                        workstation=actor.workstation,
                        at=now,
                        first=first,
                        device_id=alarm.device_id,
                    ),
                    at=now,
                )
            return build_alert_view(s, alarm, now)

    def resolve(self, alarm_id: int, actor: Actor, outcome: AlarmOutcome, notes: str) -> AlertView:
        """Close the alarm with an outcome and notes: this is the incident record."""
        if not isinstance(outcome, AlarmOutcome):
            raise AlarmError("choose an outcome: " + ", ".join(o.value for o in AlarmOutcome))
        notes = (notes or "").strip()
        if not notes:
            raise AlarmError("notes are required: say what happened and what was done")
        now = self.clock.now()
        with self.db.session() as s:
            alarm = self._lock_alarm(s, alarm_id)
            if alarm.resolved_at is not None:
                raise AlarmAlreadyResolved(build_alert_view(s, alarm, now))
            staff = s.get(Staff, actor.staff_id) if actor.staff_id is not None else None
            alarm.resolved_at = now
            alarm.resolved_by_id = staff.id if staff is not None else None
            alarm.outcome = outcome
            alarm.notes = notes
            audit.record(
                s,
                actor,
                "alarm.resolved",
                at=now,
                subject_type="alarm",
                subject_id=alarm_id,
                outcome=outcome.value,
            )
            s.flush()
            self.bus.publish(
                s,
                AlarmResolved(
                    office_id=alarm.office_id,
                    alarm_id=alarm_id,
                    outcome=outcome,
                    resolved_by_id=alarm.resolved_by_id,
                    resolved_by_name=staff.name if staff is not None else actor.login,
                    at=now,
                    device_id=alarm.device_id,
                ),
                at=now,
            )
            return build_alert_view(s, alarm, now)

    def escalate_due(self, now: datetime | None = None) -> list[int]:
        """Escalate open alarms unacknowledged for ``escalate_after_s``; return their ids.

        Any PC may call it on a timer: the row lock and the escalated_at check record it once.
        """
        cutoff_s = self.config.escalate_after_s
        escalated: list[int] = []
        # Every PC runs this every second or so: look first, lock only when something is due.
        with self.db.session() as s:
            # On the server's time (read first here by a process that has not read it yet).
            now = now or server_now(s, self.clock)
            due = (
                AlarmEvent.resolved_at.is_(None),
                AlarmEvent.acknowledged_at.is_(None),
                AlarmEvent.escalated_at.is_(None),
                AlarmEvent.is_test.is_(False),
                AlarmEvent.raised_at <= now - timedelta(seconds=cutoff_s),
            )
            if s.scalar(select(AlarmEvent.id).where(*due).limit(1)) is None:
                return escalated
        with self.db.session() as s:
            take_sqlite_write_lock(s)
            query = select(AlarmEvent).where(*due)
            if self.db.is_postgresql:
                query = query.with_for_update(skip_locked=True)
            for alarm in s.scalars(query.order_by(AlarmEvent.id)).all():
                waited = (now - alarm.raised_at).total_seconds()
                alarm.escalated_at = now
                audit.record(
                    s,
                    Actor.system(self.workstation),
                    "alarm.escalated",
                    at=now,
                    subject_type="alarm",
                    subject_id=alarm.id,
                    unacknowledged_s=round(waited, 1),
                )
                s.flush()
                self.bus.publish(
                    s,
                    AlarmEscalated(
                        office_id=alarm.office_id,
                        alarm_id=alarm.id,
                        escalated_at=now,
                        unacknowledged_s=waited,
                    ),
                    at=now,
                )
                log.error("ALARM %d ESCALATED: nobody acknowledged within %d s", alarm.id, cutoff_s)
                escalated.append(alarm.id)
        return escalated

    def _lock_alarm(self, s: Session, alarm_id: int) -> AlarmEvent:
        take_sqlite_write_lock(s)
        query = select(AlarmEvent).where(AlarmEvent.id == alarm_id)
        if self.db.is_postgresql:
            query = query.with_for_update()
        alarm = s.scalar(query)
        if alarm is None:
            raise AlarmError(f"no alarm with id {alarm_id}")
        return alarm

    # --- queries ------------------------------------------------------------------------------

    def alert(self, alarm_id: int) -> AlertView:
        """The alert view model for one alarm (room, office, visitor, instructions, responders)."""
        with self.db.session() as s:
            alarm = s.get(AlarmEvent, alarm_id)
            if alarm is None:
                raise AlarmError(f"no alarm with id {alarm_id}")
            return build_alert_view(s, alarm, self.clock.now())

    def open_alarms(self, office_id: int | None = None) -> list[AlertView]:
        """Open (unresolved, non-test) alarms, oldest first: what a screen shows on start-up.

        With an office, alarms from unknown locations are included: nobody knows where they are.
        """
        now = self.clock.now()
        with self.db.session() as s:
            query = select(AlarmEvent).where(
                AlarmEvent.resolved_at.is_(None), AlarmEvent.is_test.is_(False)
            )
            if office_id is not None:
                query = query.where(
                    (AlarmEvent.office_id == office_id) | AlarmEvent.office_id.is_(None)
                )
            alarms: Sequence[AlarmEvent] = s.scalars(query.order_by(AlarmEvent.id)).all()
            return [build_alert_view(s, a, now) for a in alarms]
