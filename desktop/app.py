"""Start-up: configuration, database (retrying, never falling back), migrations, the main window.

Builds the pieces once, in order: services -> where this PC is -> who is signed in -> sound ->
bus adapter -> alarm controller -> main window -> a reception desk's silent button and hotkey ->
panels (``desktop.panels``) -> tray. Then the adapter starts reading the alarm bus and this PC
receives alarms. The desk is armed here, not in the Alarms tab: a tab that fails to load must
not leave the desk without its hotkey, or let its own alarm sound at the desk.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from desktop.alarm.bus_adapter import BusAdapter
from desktop.alarm.controller import AlarmController
from desktop.alarm.delivery_recorder import DeliveryRecorder
from desktop.alarm.owned_buttons import OwnedButtons
from desktop.alarm.owned_buttons import attach as attach_owned_buttons
from desktop.alarm.panic_button import DemoButtons, DeskHotkey, PanicButton
from desktop.alarm.press_outbox import close_press_outbox, open_press_outbox
from desktop.alarm.sound import AlarmSound
from desktop.panels import PANELS
from desktop.shell.connect_window import ConnectWindow
from desktop.shell.demo_heartbeats import DemoHeartbeats, start_demo_heartbeats
from desktop.shell.main_window import MainWindow, PanelFactory
from desktop.shell.qt_log import install_qt_message_log
from desktop.shell.tray import SafeDeskTray, TrayState
from safedesk import __version__
from safedesk.cli.context import CliContext
from safedesk.clock import Clock, SystemClock
from safedesk.config import Config
from safedesk.db import Database, DatabaseUnavailable
from safedesk.db.migrate import upgrade
from safedesk.db.server_time import ServerClockTimer, server_clock_for
from safedesk.demo.office import DEMO_PASSWORD
from safedesk.demo.seed import database_has_data, seed_demo
from safedesk.log_file import install_excepthooks, install_log_file
from safedesk.services.alarms.pc_presence import record_signed_out
from safedesk.services.hub import Services
from safedesk.services.shared.actor import Actor
from safedesk.services.shared.pc_names import DEMO_PC_NAME, configured_name, warn_if_unnamed
from safedesk.services.shared.workstation_place import (
    PlaceError,
    WorkstationPlace,
    first_reception_desk,
    login_of,
    register_workstation,
    resolve_place,
)
from safedesk.services.staff.sign_in import SignInRefused, StaffSession

log = logging.getLogger(__name__)

DEMO_PEOPLE = 5000
# The demo signs in as a responder on the rota (Tom in the week's day shift; whoever is on otherwise),
# so pressing a demo button brings the full alert.
DEMO_LOGIN = "twhitfield"


@dataclass
class DesktopApp:
    """Everything one running SafeDesk holds; ``shutdown`` releases it in reverse order."""

    services: Services
    staff_session: StaffSession
    sound: AlarmSound
    adapter: BusAdapter
    controller: AlarmController
    window: MainWindow
    tray: SafeDeskTray
    owned_buttons: OwnedButtons | None = None  # USB buttons on this PC, LED relay, supervision
    demo_buttons: DemoHeartbeats | None = None  # demo only: heartbeats of the fake buttons

    def shutdown(self) -> None:
        if self.demo_buttons is not None:
            self.demo_buttons.stop()
        if self.owned_buttons is not None:
            self.owned_buttons.stop()
        self.adapter.stop()
        try:  # nobody can be reached on a closed SafeDesk
            record_signed_out(self.services.db, self.window.place.workstation)
        except DatabaseUnavailable as exc:
            log.warning("could not record that this PC closed: %s", exc)
        if self.window.desk_hotkey is not None:
            self.window.desk_hotkey.stop()
        if self.window.panic_button is not None:
            self.window.panic_button.stop()
        for demo in self.window.findChildren(DemoButtons):  # the Alarms tab's simulated buttons
            demo.stop()
        close_press_outbox(self.services)  # after every press source has stopped
        self.controller.close_all()
        self.services.close()


def build_desktop(
    config: Config,
    db: Database,
    clock: Clock,
    *,
    demo: bool,
    mode: str | None = None,
    sign_in_as: str | None = None,
    panel_factories: Sequence[PanelFactory] | None = None,
) -> DesktopApp:
    """Wire one PC's SafeDesk on an open, migrated database (also used by tests and the bench).

    ``panel_factories``: the window's tabs, ``desktop.panels.PANELS`` unless given (tests pass
    the few they look at).
    """
    if demo and configured_name(config) is None:  # the demo's PC has a name, as a real one should
        config = replace(config, workstation=replace(config.workstation, name=DEMO_PC_NAME))
    warn_if_unnamed(config)
    services = Services.build(config, db, clock, config.workstation_name)
    open_press_outbox(services)  # every press this PC makes or owns is held here if need be
    place = resolve_place(db, config, mode=mode)
    staff_session = StaffSession(db, clock, workstation=place.workstation)
    login = sign_in_as or (_demo_login(services, place.office_id) if demo else None)
    if login:
        try:
            staff_session.sign_in(login, DEMO_PASSWORD)
        except SignInRefused as exc:
            log.error("could not sign in %s automatically: %s", login, exc)

    def actor() -> Actor:
        current = staff_session.current
        return current.actor if current else Actor.system(place.workstation)

    sound_path = Path(config.alarm.sound) if config.alarm.sound else None
    sound = AlarmSound(sound_path)
    adapter = BusAdapter(
        services,
        place.office_id,
        actor,
        disconnected_after_s=config.alarm.disconnected_banner_after_s,
    )
    controller = AlarmController(
        services.alarms,
        adapter,
        sound,
        clock,
        actor,
        recorder=DeliveryRecorder(db, clock),  # which screens showed each alarm, off the GUI
        pc=(place.workstation, place.label),
    )
    window = MainWindow(
        config=config,
        services=services,
        place=place,
        clock=clock,
        bus=adapter,
        staff_session=staff_session,
        demo=demo,
        alarm_controller=controller,
    )
    _arm_the_desk(window, controller, place, demo=demo)
    window.load_panels(PANELS if panel_factories is None else panel_factories)
    controller.sign_in = lambda parent: _sign_in_over(window, parent)
    window.header.clock_strip.watch(clock)
    tray = SafeDeskTray(window)

    def show_window() -> None:
        window.showNormal()
        window.raise_()

    tray.show_requested.connect(show_window)

    def on_sound(ok: bool, problem: str) -> None:
        window.header.set_sound(None if ok else problem)
        tray.set_state(_replace(tray.state, sound_problem=None if ok else problem))
        _register(services, place_db=db, clock=clock, window=window, sound_ok=ok)

    sound.availability_changed.connect(on_sound)
    window.header.set_sound(sound.problem)
    tray.set_state(_replace(tray.state, sound_problem=sound.problem))
    adapter.connection_changed.connect(
        lambda ok, detail, _since: tray.set_state(
            _replace(tray.state, connected=ok, connection_detail=detail)
        )
    )
    adapter.cover_changed.connect(
        lambda names: tray.set_state(_replace(tray.state, nobody_on_rota=not names))
    )
    controller.open_alarms_changed.connect(
        lambda n: tray.set_state(_replace(tray.state, open_alarms=n))
    )
    _register(services, place_db=db, clock=clock, window=window, sound_ok=sound.available)
    # "Last seen" for the weekly test's list of screens and for spotting a PC that went away.
    heartbeat = QTimer(window)
    heartbeat.setInterval(60_000)
    heartbeat.timeout.connect(
        lambda: _register(
            services, place_db=db, clock=clock, window=window, sound_ok=sound.available
        )
    )
    heartbeat.start()

    def on_user(_user: object) -> None:
        _register(services, place_db=db, clock=clock, window=window, sound_ok=sound.available)
        adapter.refresh()  # reach (who can be reached) changed with who is signed in here

    staff_session.on_change(on_user)
    adapter.start()
    owned = attach_owned_buttons(window, services, adapter)
    demo_buttons = start_demo_heartbeats(services) if demo else None
    return DesktopApp(
        services, staff_session, sound, adapter, controller, window, tray, owned, demo_buttons
    )


def _arm_the_desk(
    window: MainWindow, controller: AlarmController, place: WorkstationPlace, *, demo: bool
) -> None:
    """A reception PC's desk: its silent on-screen button (shown by the Alarms tab) and hotkey.

    From here on the desk's own alarm is silent on this PC (no alert, no sound: the person at
    the desk may be facing the aggressor) and the hotkey raises it, whatever the tabs do. The
    demo arms its first reception desk so a newcomer sees the silent press.
    """
    desk = next((r for r in place.rooms if r.room_id == place.desk_room_id), None)
    if desk is None and demo:
        desk = first_reception_desk(place)
    if desk is None or not (place.mode == "reception" or demo):
        return
    presses = window.services.presses or window.services.alarms  # the PC's durable outbox
    # No parent yet: the Alarms tab puts it on screen (a parented, hidden widget would stay hidden).
    panic = PanicButton(presses, desk, window.current_actor, window.clock)
    controller.silent_room_id = desk.room_id
    controller.silent_update.connect(panic.on_alarm_update)
    window.panic_button = panic
    window.desk_hotkey = DeskHotkey(
        window.config.alarm.hotkey, panic, window, clock=window.clock, parent=window
    )


def _demo_login(services: Services, office_id: int) -> str:
    """A responder on duty now, so a demo press brings the full alert at any hour of the week."""
    on_duty = services.rota.on_duty(office_id, services.clock.now())
    logins = [login_of(services.db, d.staff_id) for d in on_duty]
    if DEMO_LOGIN in logins or not on_duty:
        return DEMO_LOGIN
    return next((login for login in logins if login), DEMO_LOGIN)


def _replace(state: TrayState, **changes: object) -> TrayState:
    from dataclasses import replace

    return replace(state, **changes)  # type: ignore[arg-type]


def _register(
    services: Services, *, place_db: Database, clock: Clock, window: MainWindow, sound_ok: bool
) -> None:
    # Who is signed in here, so the alert can say whether a responder can be reached (0010).
    current = window.staff_session.current
    try:
        register_workstation(
            place_db,
            window.place,
            now=clock.now(),
            sound_ok=sound_ok,
            signed_in_staff_id=current.staff_id if current is not None else None,
            label=window.config.workstation.name,
        )
    except DatabaseUnavailable as exc:
        log.warning("could not record this PC in workstations: %s", exc)


def run_app(ctx: CliContext, args: argparse.Namespace) -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("SafeDesk")
    config = ctx.config
    log_file = _start_log(config)
    db = ctx.new_database()  # with the press path's deadline, [alarm] press_deadline_s
    # Every decision runs on the database server's clock; this PC's own is only reported.
    clock = server_clock_for(db, SystemClock())
    clock_timer = ServerClockTimer(clock, db)
    clock_timer.start()
    app.aboutToQuit.connect(clock_timer.stop)
    holder: list[object] = []

    def start() -> None:
        upgrade(db.engine)  # the embedded SQLite upgrades itself on first start
        if ctx.demo and not database_has_data(db):
            seed_demo(db, DEMO_PEOPLE, clock.now())
        try:
            desktop = build_desktop(config, db, clock, demo=ctx.demo, mode=args.mode)
        except PlaceError as exc:
            QMessageBox.critical(None, "SafeDesk: configuration problem", str(exc))
            app.exit(2)
            return
        holder.append(desktop)
        window = desktop.window
        window.header.internal_error_strip.listen(log_file)  # a bug is said on screen too
        app.setQuitOnLastWindowClosed(not desktop.tray.available)
        window.close_guard = lambda: _may_close(desktop)
        app.aboutToQuit.connect(desktop.shutdown)
        window.show()
        if not ctx.demo and desktop.staff_session.current is None:
            bridge = window.session_bridge
            if bridge is not None:
                from desktop.shell.sign_in import SessionBridge, SignInDialog

                assert isinstance(bridge, SessionBridge)
                SignInDialog(bridge, window).open()
        if args.screenshot:
            QTimer.singleShot(1500, lambda: (window.grab().save(args.screenshot), app.exit(0)))

    try:
        db.ping()
        start()
    except DatabaseUnavailable as exc:
        # Never fall back to another database: keep retrying and say so on screen.
        log.error("cannot reach %s: %s", db.display_url, exc)
        waiting = ConnectWindow(db, retry_s=config.database.connect_retry_s, on_connected=start)
        holder.append(waiting)
        waiting.show()
    code = app.exec()
    db.dispose()
    return code


def _start_log(config: Config) -> Path | None:
    """The [logging] file, and Qt's messages and escaped exceptions in it (see safedesk.log_file)."""
    install_excepthooks()
    install_qt_message_log()
    try:
        path = install_log_file(config.logging)
    except OSError as exc:
        # The PC still receives alarms without its log file; say so where someone may look.
        log.error("cannot write the log file %s: %s", config.logging.file or "(default)", exc)
        return None
    log.info("SafeDesk %s started on %s; log file %s", __version__, config.workstation_name, path)
    return path


def _sign_in_over(window: MainWindow, parent: QWidget) -> bool:
    """The sign-in dialog on top of a full-screen alert (nobody was signed in on this PC)."""
    bridge = window.session_bridge
    if bridge is None:
        return False
    from PySide6.QtCore import Qt

    from desktop.shell.sign_in import SessionBridge, SignInDialog

    assert isinstance(bridge, SessionBridge)
    dialog = SignInDialog(bridge, parent)
    dialog.setWindowFlag(Qt.WindowType.WindowStaysOnTopHint, True)
    dialog.exec()
    return window.staff_session.current is not None


def _may_close(desktop: DesktopApp) -> bool:
    """Closing the window must not silently stop alarms on this PC."""
    if desktop.tray.available:
        desktop.window.hide()  # keeps running in the tray, still receiving alarms
        return False
    answer = QMessageBox.warning(
        desktop.window,
        "Close SafeDesk?",
        "If you close SafeDesk, this PC will NOT receive panic alarms.\n\nClose it anyway?",
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.No,
    )
    return answer == QMessageBox.StandardButton.Yes
