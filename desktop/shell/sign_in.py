"""Sign-in and quick switch of user on a shared PC.

The core's StaffSession holds who is signed in; SessionBridge turns its changes into a Qt signal
(``user_changed``) that the main window and every panel listen to. "Switch user" opens the same
dialog over the current session: the previous person stays signed in until the next one's
password is accepted, so a reception PC is never left with nobody in charge by a typo.

Signals (SessionBridge):
    user_changed(object): the new SignedIn, or None after sign-out.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from safedesk.db import DatabaseUnavailable
from safedesk.models import Role
from safedesk.services.markers.roles import ROLE_TITLES, SENIORITY
from safedesk.services.shared.actor import Actor
from safedesk.services.staff.sign_in import SignedIn, SignInRefused, StaffSession

GENERIC_ROLES = frozenset({Role.MANAGER, Role.SENIOR_MANAGER})


class SessionBridge(QObject):
    user_changed = Signal(object)

    def __init__(self, staff_session: StaffSession, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.staff_session = staff_session
        staff_session.on_change(self.user_changed.emit)

    @property
    def current(self) -> SignedIn | None:
        return self.staff_session.current

    def current_actor(self) -> Actor:
        """The signed-in person, or SafeDesk itself at this workstation when nobody is."""
        current = self.staff_session.current
        return current.actor if current else Actor.system(self.staff_session.workstation)

    def sign_out(self) -> None:
        self.staff_session.sign_out()


def describe(user: SignedIn | None) -> str:
    if user is None:
        return "Nobody signed in"
    # The most senior role; of equals, the named post (Area Housing Manager) over the generic one.
    top = max(user.roles, key=lambda r: (SENIORITY[r], r not in GENERIC_ROLES), default=None)
    return f"{user.name} ({ROLE_TITLES[top]})" if top else user.name


class SignInDialog(QDialog):
    """Login and password; a refusal is shown in the dialog and the login is kept."""

    def __init__(self, bridge: SessionBridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bridge = bridge
        switching = bridge.current is not None
        self.setWindowTitle("Switch user" if switching else "Sign in to SafeDesk")
        self.setModal(True)
        layout = QVBoxLayout(self)
        intro = QLabel(
            f"<b>{describe(bridge.current)}</b> is signed in on this PC. "
            "Sign in as yourself to take over."
            if switching
            else "Sign in with your SafeDesk login."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.login = QLineEdit()
        self.login.setObjectName("login")
        self.password = QLineEdit()
        self.password.setObjectName("password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow("Login", self.login)
        form.addRow("Password", self.password)
        layout.addLayout(form)
        self.error = QLabel("")
        self.error.setObjectName("error")
        self.error.setStyleSheet("color: #a00000; font-weight: bold")
        self.error.setWordWrap(True)
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("Sign in")
        ok.setDefault(True)
        buttons.accepted.connect(self._on_sign_in)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(380, 0)

    def _on_sign_in(self) -> None:
        login = self.login.text().strip()
        if not login or not self.password.text():
            self.error.setText("Enter your login and password.")
            return
        try:
            self.bridge.staff_session.sign_in(login, self.password.text())
        except SignInRefused as exc:
            self.error.setText(str(exc))
            self.password.clear()
            self.password.setFocus()
            return
        except DatabaseUnavailable as exc:
            self.error.setText(f"Cannot reach the database: {exc}")
            return
        self.password.clear()
        self.accept()


class UserBadge(QWidget):
    """Who is signed in, with Switch user and Sign out: for the status bar or a toolbar."""

    def __init__(self, bridge: SessionBridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bridge = bridge
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 0, 4, 0)
        self.label = QLabel()
        self.label.setObjectName("signedInAs")
        self.switch_button = QPushButton("Switch user…")
        self.sign_out_button = QPushButton("Sign out")
        layout.addWidget(self.label)
        layout.addWidget(self.switch_button)
        layout.addWidget(self.sign_out_button)
        self.switch_button.clicked.connect(self._on_switch)
        self.sign_out_button.clicked.connect(bridge.sign_out)
        bridge.user_changed.connect(self._on_user_changed)
        self._on_user_changed(bridge.current)

    def _on_user_changed(self, user: SignedIn | None) -> None:
        self.label.setText(f"Signed in: <b>{describe(user)}</b>" if user else describe(user))
        self.switch_button.setText("Switch user…" if user else "Sign in…")
        self.sign_out_button.setEnabled(user is not None)

    def _on_switch(self) -> None:
        SignInDialog(self.bridge, self.window()).exec()
