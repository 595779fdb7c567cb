"""A PC more than 30 s off the database server's clock says so on its header (issue 12, hole 4):
the real main window at 1366x768, shown; the line goes when the PC's clock is put right."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from desktop.alarm.alarms_panel import add_alarms_panel
from desktop.app import DesktopApp, build_desktop
from safedesk.clock import FakeClock, SkewedClock
from safedesk.config import Config, WorkstationConfig
from safedesk.db import Database
from safedesk.db.server_time import ServerClockTimer, server_clock_for
from tests.clock.conftest import TEN_MINUTES, SeededOffice

pytestmark = pytest.mark.gui

PANELS = [add_alarms_panel]


def open_pc(
    qtbot: QtBot, url: str, local: SkewedClock, server: FakeClock, desktops: list[DesktopApp]
) -> DesktopApp:
    """The PC as ``run_app`` wires it: on the server's clock, read once as it starts."""
    config = Config(workstation=WorkstationConfig(name="PC-RECEPTION-2"))
    db = Database(url, pool_size=2, max_overflow=2)
    clock = server_clock_for(db, local, server=server)
    assert ServerClockTimer(clock, db).measure_once() is not None
    desktop = build_desktop(
        config, db, clock, demo=False, sign_in_as="twhitfield", panel_factories=PANELS
    )
    desktops.append(desktop)
    window = desktop.window
    window.resize(1366, 768)
    window.show()
    qtbot.waitExposed(window)
    return desktop


@pytest.mark.parametrize(
    ("ahead_s", "words"), [(TEN_MINUTES, "10 min fast"), (-2 * 3600 - 300, "2 h 5 min slow")]
)
def test_a_pc_whose_clock_is_off_says_so_on_its_header_until_it_is_put_right(
    qtbot: QtBot,
    db_url: str,
    office: SeededOffice,
    clock: FakeClock,
    desktops: list[DesktopApp],
    ahead_s: float,
    words: str,
) -> None:
    local = SkewedClock(clock, ahead_s)
    window = open_pc(qtbot, db_url, local, clock, desktops).window
    strip = window.header.clock_strip
    assert strip.isVisible()
    assert strip.text() == (
        f"⚠  This PC's clock is {words}: alarms use the server's time. "
        "Ask IT to correct this PC's clock."
    )
    # Readable at 1366x768: inside the window, one or two lines, nothing cut off.
    top_left = strip.mapTo(window, strip.rect().topLeft())
    assert top_left.x() >= 0 and top_left.x() + strip.width() <= window.width()
    assert strip.height() >= strip.heightForWidth(strip.width())
    assert strip.height() < 80

    local.step(-ahead_s)  # IT sets the clock: the PC's server time does not move, the line goes
    qtbot.waitUntil(lambda: not strip.isVisible(), timeout=8000)


def test_a_pc_in_step_with_the_server_shows_no_clock_line(
    qtbot: QtBot,
    db_url: str,
    office: SeededOffice,
    clock: FakeClock,
    desktops: list[DesktopApp],
) -> None:
    local = SkewedClock(clock, 12.0)  # 12 s out is within the 30 s the header tolerates
    window = open_pc(qtbot, db_url, local, clock, desktops).window
    assert not window.header.clock_strip.isVisible()
    assert window.header.connection.text() == "Connected"
