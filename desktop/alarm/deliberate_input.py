"""Only deliberate input acts on an alert: nothing typed by someone busy elsewhere does.

An alert appears over whatever the person was doing. So its buttons never take keyboard focus
(no Space, Enter or Escape reaches them) and are never default, and for a moment after the alert
appears they ignore the mouse too (a click already on its way, meant for another window, lands on
nothing). Keyboard-only users have a deliberate two-step path: a Ctrl+Shift chord picks the
action, then Y confirms it; any other key cancels. The panic alert and the OVERDUE alert both use
this one mechanism.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QKeyEvent, QMouseEvent
from PySide6.QtWidgets import QLabel, QPushButton, QWidget

log = logging.getLogger(__name__)

# After an alert appears its buttons ignore the mouse this long: a click the person had already
# started (on whatever was under the pointer) must not become an action on the alert.
ARM_AFTER_MS = 600
# A keyboard action waits this long for its confirming Y, then is cancelled.
CONFIRM_TIMEOUT_MS = 10_000
CHORD = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
CHORD_TEXT = "Ctrl+Shift"
_MODIFIER_KEYS = {Qt.Key.Key_Shift, Qt.Key.Key_Control, Qt.Key.Key_Alt, Qt.Key.Key_Meta}


@dataclass(frozen=True)
class KeyAction:
    """One action reachable from the keyboard: Ctrl+Shift+<key>, then Y."""

    key: Qt.Key
    letter: str
    name: str  # in the keyboard hint
    words: str  # what the confirm bar says it will do
    button: str  # the attribute of the alert window holding its button


def mouse_only(button: QPushButton) -> QPushButton:
    """Never focused, never default: no key typed while it has been clicked (or Tabbed to)
    presses it. For panic buttons and notices, whose keyboard way is elsewhere (the desk
    hotkey, the Alarms tab)."""
    button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    button.setAutoDefault(False)
    button.setDefault(False)
    return button


class GuardedButton(QPushButton):
    """A button of an alert: never focused, never default, and deaf to the mouse until armed."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.accepts_mouse = False
        mouse_only(self)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if not self.accepts_mouse:
            event.ignore()
            return
        super().mousePressEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if not self.accepts_mouse and not self.isDown():
            event.ignore()
            return
        super().mouseReleaseEvent(event)


class DeliberateInput(QObject):
    """The keyboard and mouse rules of one alert window.

    The window keeps the keyboard itself (StrongFocus) and hands every key press to
    ``key_pressed``; it calls ``appeared`` from its showEvent. ``available`` says whether an
    action can be taken now (its button enabled and on screen).
    """

    def __init__(
        self,
        window: QWidget,
        actions: Sequence[KeyAction],
        confirm_label: QLabel,
        *,
        available: Callable[[KeyAction], bool] | None = None,
        describe: Callable[[], str] = lambda: "alert",
    ) -> None:
        super().__init__(window)
        self._window = window
        self.actions = tuple(actions)
        self._confirm_label = confirm_label
        self._available = available or self._enabled_and_shown
        self._describe = describe
        self._pending: KeyAction | None = None  # chosen from the keyboard, waiting for Y
        self.armed = False  # the buttons take mouse clicks (a moment after the alert appears)
        self._arm_timer = QTimer(self)
        self._arm_timer.setSingleShot(True)
        self._arm_timer.timeout.connect(lambda: self.set_armed(True))
        self._confirm_timer = QTimer(self)
        self._confirm_timer.setSingleShot(True)
        self._confirm_timer.timeout.connect(self.cancel)
        confirm_label.hide()

    # --- the mouse: buttons count only once the alert has been on screen a moment --------------

    def appeared(self, arm_after_ms: int = ARM_AFTER_MS) -> None:
        """The window was shown (or shown again): deaf to the mouse for ``arm_after_ms``."""
        self.set_armed(False)
        self._arm_timer.start(arm_after_ms)
        self._window.setFocus(Qt.FocusReason.ActiveWindowFocusReason)

    def set_armed(self, armed: bool) -> None:
        self.armed = armed
        for button in self._window.findChildren(GuardedButton):
            button.accepts_mouse = armed

    # --- the keyboard: a deliberate chord, then a confirmation ---------------------------------

    def button_for(self, action: KeyAction) -> QPushButton:
        button = getattr(self._window, action.button)
        assert isinstance(button, QPushButton)
        return button

    def is_available(self, action: KeyAction) -> bool:
        return self._available(action)

    def _enabled_and_shown(self, action: KeyAction) -> bool:
        button = self.button_for(action)
        return button.isEnabled() and not button.isHidden()

    def hint(self) -> str:
        """ "Keyboard: hold Ctrl+Shift and press R (I'm responding), ...; then Y to confirm."."""
        keys = [f"{a.letter} ({a.name})" for a in self.actions if self.is_available(a)]
        if not keys:
            return ""
        return f"Keyboard: hold {CHORD_TEXT} and press " + ", ".join(keys) + "; then Y to confirm."

    def key_pressed(self, event: QKeyEvent) -> None:
        """Every key stops here: nothing typed reaches a button or puts the alert away."""
        key = event.key()
        event.accept()
        if key in _MODIFIER_KEYS or event.isAutoRepeat():
            return
        pending = self._pending
        if pending is not None:
            self.cancel()
            mods = event.modifiers() & ~Qt.KeyboardModifier.ShiftModifier
            confirmed = key == Qt.Key.Key_Y and mods == Qt.KeyboardModifier.NoModifier
            if confirmed and self.is_available(pending):
                log.info("%s: %s confirmed from the keyboard", self._describe(), pending.name)
                self.button_for(pending).click()
            return
        mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if mods != CHORD:
            return
        action = next((a for a in self.actions if a.key == key), None)
        if action is None or not self.is_available(action):
            return
        self._pending = action
        self._confirm_label.setText(f"Press Y to {action.words}. Any other key cancels.")
        self._confirm_label.show()
        self._confirm_timer.start(CONFIRM_TIMEOUT_MS)

    @property
    def pending(self) -> KeyAction | None:
        return self._pending

    def cancel(self) -> None:
        """Forget a chosen keyboard action (any other key, the timeout, the alert going away)."""
        self._pending = None
        self._confirm_timer.stop()
        self._confirm_label.hide()
