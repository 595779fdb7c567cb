"""The main window: the status header every screen shows, and the tabs other areas add panels to.

Areas plug in without editing this file: a panel factory (``PanelFactory``) receives the window
and calls ``window.add_panel(widget, title)`` (or nothing, e.g. when the panel is not for this PC's
mode). The composition root imports the factories and hands them to ``load_panels``
(``desktop.panels.PANELS`` is the app's list, in tab order). A factory that fails shows an error
panel and is logged; it never stops the window, because the window is what receives alarms.

What a panel may use: ``services`` (the core), ``office_id``/``place``, ``clock``, ``config``,
``current_actor()`` and ``user_changed``, ``bus`` (alarm-bus Qt signals), ``header``
(``set_weekly_test``), ``staff_session``/``session_bridge`` (sign-in), ``demo``.
"""

from __future__ import annotations

import html
import logging
import traceback
from collections.abc import Callable, Iterable

from PySide6.QtCore import QSize, Signal
from PySide6.QtGui import QCloseEvent, QShowEvent
from PySide6.QtWidgets import QLabel, QMainWindow, QTabWidget, QVBoxLayout, QWidget

from desktop.alarm.bus_adapter import BusAdapter
from desktop.alarm.controller import AlarmController
from desktop.alarm.panic_button import DeskHotkey, PanicButton
from desktop.shell.connection_banner import ConnectionBanner
from desktop.shell.database_words import database_in_words
from desktop.shell.screen_fit import available_area, fitted_size, keep_on_screen_once_shown
from desktop.shell.status_header import StatusHeader
from safedesk.clock import Clock
from safedesk.config import Config
from safedesk.models import Role
from safedesk.plural import plural
from safedesk.services.hub import Services
from safedesk.services.markers.roles import ROLE_TITLES, SENIORITY
from safedesk.services.shared.actor import Actor
from safedesk.services.shared.workstation_place import WorkstationPlace, office_summary
from safedesk.services.staff.sign_in import SignedIn, StaffSession

log = logging.getLogger(__name__)

# What an area gives the window: called once with it, adds its tabs (or none on this PC).
PanelFactory = Callable[["MainWindow"], None]

# The size the window opens at, made smaller to fit a smaller screen (a 1366x768 laptop).
PREFERRED_SIZE = QSize(1200, 780)
# Role names shown in the header before "+N more" (every role is in the tooltip).
ROLES_SHOWN = 1


def roles_in_words(roles: frozenset[Role] | set[Role]) -> tuple[str, str]:
    """Role titles as people say them, most senior first: ("ASB Manager, Responder", all).

    Returns the short text for the header and the full list for its tooltip, so someone with
    every role does not push the window wider than the screen.
    """
    titles = [ROLE_TITLES[r] for r in sorted(roles, key=lambda r: (-SENIORITY[r], ROLE_TITLES[r]))]
    full = ", ".join(titles)
    if len(titles) <= ROLES_SHOWN + 1:
        return full, full
    more = len(titles) - ROLES_SHOWN
    return f"{', '.join(titles[:ROLES_SHOWN])} +{plural(more, 'more role')}", full


def panel_name(factory: PanelFactory) -> str:
    """A factory's panel as words for its error tab: add_weekly_test_panel -> "weekly test"."""
    name = getattr(factory, "__name__", "") or type(factory).__name__
    name = name.removeprefix("add_").removesuffix("_panel")
    return name.replace("_", " ").strip() or "panel"


def mode_in_words(mode: str) -> str:
    """What this PC is for, as a word on screen ("Reception"), not the configuration code."""
    return {"reception": "Reception", "responder": "Responder", "manager": "Manager"}.get(
        mode, mode.replace("_", " ").capitalize()
    )


class MainWindow(QMainWindow):
    """Signals:
    user_changed(object): the signed-in person changed (SignedIn, or None when signed out).
    """

    user_changed = Signal(object)

    def __init__(
        self,
        *,
        config: Config,
        services: Services,
        place: WorkstationPlace,
        clock: Clock,
        bus: BusAdapter,
        staff_session: StaffSession,
        demo: bool,
        alarm_controller: AlarmController | None = None,
    ) -> None:
        super().__init__()
        self.config = config
        self.services = services
        self.db = services.db
        self.place = place
        self.office_id = place.office_id
        self.clock = clock
        self.bus = bus
        self.staff_session = staff_session
        self.demo = demo
        self.alarm_controller = alarm_controller
        # A reception desk's silent button and hotkey, set where the app is put together
        # (desktop.app) before any panel loads: they hold even if the Alarms tab fails.
        self.panic_button: PanicButton | None = None
        self.desk_hotkey: DeskHotkey | None = None
        # Closing the window on a responder PC would stop alarms: app.py decides what closing means.
        self.close_guard: Callable[[], bool] | None = None
        self.setWindowTitle("SafeDesk" + (" — DEMO OFFICE" if demo else ""))
        self._opening_size = fitted_size(PREFERRED_SIZE, available_area())
        self.resize(self._opening_size)
        self._shown_once = False

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self.header = StatusHeader()
        self.header.set_place(place.office_name, place.shown_name, mode_in_words(place.mode), demo)
        # Who is signed in never sets the window's width: a long name or role list is cut,
        # with the whole of it in the tooltip, rather than pushing the window off the screen.
        self.header.who.setMinimumWidth(40)
        layout.addWidget(self.header)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.setStyleSheet("QTabBar::tab { font-size: 12pt; padding: 8px 18px; }")
        layout.addWidget(self.tabs, 1)
        self.setCentralWidget(central)
        # Over the panels, under the header: the header keeps saying NOT CONNECTED and who is on.
        self.banner = ConnectionBanner(self.tabs)

        self.session_bridge: object | None = None
        self._install_user_badge()
        staff_session.on_change(self.user_changed.emit)
        self.user_changed.connect(self._on_user_changed)
        self._on_user_changed(staff_session.current)

        bus.connection_changed.connect(self._on_connection_changed)
        bus.lag_changed.connect(self.header.set_behind)
        bus.cover_changed.connect(self.header.set_rota)
        bus.reach_changed.connect(self.header.set_reach)
        self.database_label = QLabel(database_in_words(services.db.engine.url))
        self.database_label.setObjectName("databaseWhere")
        # Permanent, left of the sign-in badge: transient messages never hide it.
        self.statusBar().insertPermanentWidget(0, self.database_label)

    # --- the panel hook -----------------------------------------------------------------------

    def load_panels(self, factories: Iterable[PanelFactory]) -> None:
        """Call each factory in turn (tab order); one that fails becomes an error tab."""
        for factory in factories:
            self._load_panel(factory)

    def add_panel(self, widget: QWidget, title: str) -> int:
        """Add a tab; returns its index."""
        return self.tabs.addTab(widget, title)

    def panel(self, title: str) -> QWidget | None:
        for index in range(self.tabs.count()):
            if self.tabs.tabText(index) == title:
                return self.tabs.widget(index)
        return None

    def _load_panel(self, factory: PanelFactory) -> None:
        module = getattr(factory, "__module__", "?")
        where = f"{module}.{getattr(factory, '__qualname__', factory)}"
        try:
            factory(self)
        except Exception as exc:  # one broken panel must not take the alarm screen down
            log.exception("panel %s failed to load", where)
            error = QLabel(
                f"<h3>This panel could not be loaded</h3><p>{html.escape(where, quote=False)}: "
                f"{html.escape(repr(exc), quote=False)}</p>"
                f"<pre>{html.escape(traceback.format_exc(limit=3), quote=False)}</pre>"
                "<p>Alarms still work on this PC. Tell IT.</p>"
            )
            error.setWordWrap(True)
            self.add_panel(error, f"⚠ {panel_name(factory)}")

    # --- who is signed in ---------------------------------------------------------------------

    def current_actor(self) -> Actor:
        """The signed-in member of staff, or SafeDesk itself at this PC when nobody is."""
        current = self.staff_session.current
        return current.actor if current else Actor.system(self.place.workstation)

    def _install_user_badge(self) -> None:
        """The sign-in engineer's badge (switch user, sign out) when present."""
        try:
            from desktop.shell.sign_in import SessionBridge, UserBadge
        except ImportError as exc:
            log.warning("sign-in widgets unavailable: %s", exc)
            return
        bridge = SessionBridge(self.staff_session, self)
        self.session_bridge = bridge
        self.statusBar().addPermanentWidget(UserBadge(bridge, self))

    def _on_user_changed(self, user: SignedIn | None) -> None:
        if user is None:
            self.header.set_user(None)
        else:
            short, full = roles_in_words(user.roles)
            self.header.set_user(user.name, short)
            self.header.who.setToolTip(f"{user.name}: {full}")
        self.bus.refresh()  # the alert level (full screen or notice) depends on who it is

    # --- connection ---------------------------------------------------------------------------

    def _on_connection_changed(self, connected: bool, detail: str, since: object) -> None:
        self.header.set_connected(connected, detail)
        if connected:
            self.banner.show_connected()
        else:
            from datetime import datetime

            assert isinstance(since, datetime)
            self.banner.show_disconnected(since, detail)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._shown_once:
            self._shown_once = True
            # Keep the frame on screen unless whoever opened the window chose its size.
            if self.size() == self._opening_size and not self.isMaximized():
                keep_on_screen_once_shown(self)

    def closeEvent(self, event: QCloseEvent) -> None:
        guard = self.close_guard
        if guard is not None and not guard():
            event.ignore()
            return
        super().closeEvent(event)


def add_office_panel(window: MainWindow) -> None:
    """A plain overview of what this database holds (through the core, never a query here)."""
    summary = office_summary(window.db)
    names = ", ".join(summary.offices) or "(no offices yet)"
    page = QLabel(
        f"<h2>{window.place.office_name}</h2>"
        f"<p>Offices on this system: {names}</p>"
        f"<p>{summary.rooms} rooms, {summary.people:,} people on record.</p>"
        f"<p>This PC: <b>{window.place.shown_name}</b> ({mode_in_words(window.place.mode)})"
        + (f", reception desk <b>{window.place.desk_name}</b>" if window.place.desk_name else "")
        + "</p>"
    )
    page.setWordWrap(True)
    page.setContentsMargins(16, 16, 16, 16)
    from PySide6.QtCore import Qt

    page.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
    window.add_panel(page, "Office")
