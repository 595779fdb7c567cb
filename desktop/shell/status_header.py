"""The header on every screen: where am I, who is signed in, and is this PC able to raise the alarm.

Every state is an icon plus words (never colour alone): connection, sound, rota cover, and the
weekly alarm test. The "nobody on the rota" warning is a full-width strip under it, because it
changes what happens when someone presses a button. A responder's PC that stopped heartbeating
during their shift gets a red chip, as an offline panic button does.
"""

from __future__ import annotations

from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from desktop.alarm.sound import NO_SOUND_TEXT
from desktop.shell.clock_skew_strip import ClockSkewStrip
from desktop.shell.internal_error_strip import InternalErrorStrip
from desktop.shell.status_icons import StatusKind, status_pixmap
from safedesk.db.failures import INTERNAL_ERROR, is_internal_error_text
from safedesk.plural import verb
from safedesk.services.alarms.responder_reach import Reach, not_heard_from

_CHIP_STYLE = {
    StatusKind.OK: "background:#e7f4ea; color:#0f4f24; border:1px solid #1b7f3b;",
    StatusKind.WARNING: "background:#fff1d6; color:#5c3700; border:2px solid #d98200;",
    StatusKind.NO_SOUND: "background:#fff1d6; color:#5c3700; border:2px solid #d98200;",
    StatusKind.ALARM: "background:#c00000; color:white; border:2px solid #700000;",
    StatusKind.TEST: "background:#e3ebf8; color:#1f4e9c; border:1px solid #1f4e9c;",
    StatusKind.INFO: "background:#eef1f4; color:#26313b; border:1px solid #4a5560;",
}


class StatusChip(QFrame):
    """An icon and a short text, e.g. [✓] Connected; the tooltip holds the detail."""

    def __init__(self, kind: StatusKind, text: str) -> None:
        super().__init__()
        self.setObjectName("statusChip")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 2, 8, 2)
        layout.setSpacing(6)
        self.icon = QLabel()
        self.label = QLabel()
        self.label.setStyleSheet("border:none; background:transparent; font-weight:bold;")
        self.icon.setStyleSheet("border:none; background:transparent;")
        layout.addWidget(self.icon)
        layout.addWidget(self.label)
        self.kind = kind
        self.set(kind, text)

    def set(self, kind: StatusKind, text: str, detail: str = "") -> None:
        self.kind = kind
        self.icon.setPixmap(status_pixmap(kind, 20))
        self.label.setText(text)
        self.setToolTip(detail or text)
        style = _CHIP_STYLE[kind]
        colour = style.split("color:")[1].split(";")[0]
        self.setStyleSheet(f"#statusChip {{ {style} border-radius:4px; }}")
        # Explicit, so a dark header bar's "QLabel { color: white }" cannot make it unreadable.
        self.label.setStyleSheet(
            f"border:none; background:transparent; font-weight:bold; color:{colour};"
        )

    def text(self) -> str:
        return self.label.text()


class StatusHeader(QWidget):
    """Office, workstation, user and the status chips; areas update their own chip."""

    def __init__(self) -> None:
        super().__init__()
        self.workstation_text = ""
        self.user_text = ""
        self._connected = True
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        bar = QFrame()
        bar.setObjectName("headerBar")
        bar.setStyleSheet("#headerBar { background:#1d2b3a; } #headerBar QLabel { color:white; }")
        rows = QVBoxLayout(bar)
        rows.setContentsMargins(12, 6, 12, 6)
        rows.setSpacing(4)
        row = QHBoxLayout()
        self.where = QLabel()
        self.where.setStyleSheet("font-size:13pt; font-weight:bold;")
        self.who = QLabel()
        self.who.setStyleSheet("font-size:11pt;")
        row.addWidget(self.where)
        row.addSpacing(24)
        row.addWidget(self.who)
        row.addStretch(1)
        rows.addLayout(row)
        chips = QHBoxLayout()
        chips.setSpacing(8)
        self.connection = StatusChip(StatusKind.OK, "Connected")
        self.sound = StatusChip(StatusKind.OK, "Sound on")
        self.rota = StatusChip(StatusKind.INFO, "Rota: not loaded")
        self.weekly_test = StatusChip(StatusKind.OK, "Weekly alarm test: not loaded")
        # A responder's PC gone quiet during their shift: red, like "Panic button OFFLINE".
        self.quiet_pcs = StatusChip(StatusKind.ALARM, "")
        self.quiet_pcs.setObjectName("quietPcs")
        self.quiet_pcs.hide()
        for chip in (self.connection, self.sound, self.rota, self.quiet_pcs, self.weekly_test):
            chips.addWidget(chip)
        chips.addStretch(1)
        rows.addLayout(chips)
        outer.addWidget(bar)
        self.rota_strip = QLabel()
        self.rota_strip.setObjectName("rotaStrip")
        self.rota_strip.setWordWrap(True)
        self.rota_strip.setStyleSheet(
            "#rotaStrip { background:#d98200; color:black; font-size:13pt; font-weight:bold;"
            " padding:8px 12px; }"
        )
        self.rota_strip.hide()
        outer.addWidget(self.rota_strip)
        # "This PC's clock is 10 min fast: alarms use the server's time" (hidden when in step).
        self.clock_strip = ClockSkewStrip()
        outer.addWidget(self.clock_strip)
        # A bug (an exception that escaped a slot or a thread): said on screen, in the log in full.
        self.internal_error_strip = InternalErrorStrip()
        outer.addWidget(self.internal_error_strip)

    def set_place(self, office: str, workstation: str, mode: str, demo: bool) -> None:
        demo_text = "  —  DEMO OFFICE (practice data)" if demo else ""
        self.where.setText(f"{office}{demo_text}")
        self.workstation_text = f"PC: {workstation} ({mode})"
        self._refresh_who()

    def set_user(self, name: str | None, roles: str = "") -> None:
        if name:
            self.user_text = f"Signed in: {name}" + (f" — {roles}" if roles else "")
        else:
            self.user_text = "Nobody signed in"
        self._refresh_who()

    def _refresh_who(self) -> None:
        parts = [self.workstation_text, self.user_text]
        self.who.setText("     ".join(p for p in parts if p))

    def set_connected(self, connected: bool, detail: str = "") -> None:
        self._connected = connected
        if connected:
            self.connection.set(StatusKind.OK, "Connected", "This PC will receive alarms")
        else:
            state = INTERNAL_ERROR if is_internal_error_text(detail) else "NOT CONNECTED"
            self.connection.set(StatusKind.WARNING, state, detail)

    def set_behind(self, behind: bool, detail: str = "") -> None:
        """A screen that fell behind the alarm bus says so until it has caught up."""
        if not self._connected:
            return  # NOT CONNECTED says more
        if behind:
            self.connection.set(StatusKind.WARNING, "BEHIND: catching up", detail)
        else:
            self.set_connected(True)

    def set_sound(self, problem: str | None) -> None:
        if problem is None:
            self.sound.set(StatusKind.OK, "Sound on", "The alarm sound will play on this PC")
        else:
            self.sound.set(StatusKind.NO_SOUND, NO_SOUND_TEXT, problem)

    def set_rota(self, on_duty: list[str]) -> None:
        """``on_duty``: names of the responders on duty now for this office (empty: nobody).

        The rota alone says who should respond, not who can: no green "reached" look here
        (``set_reach`` gives it once a responder is known to be signed in on a running PC).
        """
        if on_duty:
            shown = on_duty[0] + (f" +{len(on_duty) - 1}" if len(on_duty) > 1 else "")
            self.rota.set(
                StatusKind.INFO,
                f"On duty (rota): {shown}",
                "On the responder rota now: " + ", ".join(on_duty),
            )
            self.rota_strip.hide()
        else:
            self.rota.set(StatusKind.WARNING, "NOBODY ON THE ROTA", "No responder is on duty now")
            self.rota_strip.setText(
                "⚠  NOBODY IS ON THE RESPONDER ROTA RIGHT NOW. A panic alarm will go to every "
                "screen in this office. Tell your manager so that someone is put on duty."
            )
            self.rota_strip.show()

    def set_reach(self, reach: Reach) -> None:
        """Who on the rota is signed in on a running SafeDesk PC: "Responders reachable: 1 of 3"."""
        self._show_quiet_pcs(reach)
        if not reach.on_duty:
            return  # "NOBODY ON THE ROTA" (set_rota) says it all
        detail = "\n".join(f"{r.name}: {r.where}" for r in reach.on_duty)
        if reach.reachable:
            self.rota.set(StatusKind.OK, reach.summary, detail)
            self.rota_strip.hide()
            return
        self.rota.set(
            StatusKind.WARNING, f"NO RESPONDER REACHABLE (0 of {len(reach.on_duty)})", detail
        )
        names = ", ".join(r.name for r in reach.on_duty)
        self.rota_strip.setText(
            f"⚠  No responder on the rota ({names}) is signed in on a SafeDesk PC. A panic alarm "
            "will go to every screen in this office at once."
        )
        self.rota_strip.show()

    def _show_quiet_pcs(self, reach: Reach) -> None:
        quiet = [
            not_heard_from(responder.name, pc, pc.last_seen_at.astimezone().strftime("%H:%M"))
            for responder, pc in reach.gone_quiet
        ]
        if not quiet:
            self.quiet_pcs.hide()
            return
        shown = quiet[0] + (f" (+{len(quiet) - 1} more)" if len(quiet) > 1 else "")
        self.quiet_pcs.set(
            StatusKind.ALARM,
            shown,
            "A responder on the rota is signed in on a PC that has stopped answering: it may have "
            "crashed or lost its network, and may not show an alarm.\n" + "\n".join(quiet),
        )
        self.quiet_pcs.show()

    def set_weekly_test(
        self, done: int, total: int, *, problems: int = 0, detail: str = ""
    ) -> None:
        """The weekly test area owns this chip: x of y buttons tested this week."""
        text = f"Weekly alarm test: {done} of {total}"
        if problems:
            needs = verb(problems, "needs", "need")  # "1 needs", "2 need"
            self.weekly_test.set(
                StatusKind.WARNING, f"{text} ({problems} {needs} attention)", detail
            )
        elif done >= total:
            self.weekly_test.set(StatusKind.OK, text, detail)
        else:
            self.weekly_test.set(StatusKind.TEST, text, detail)
