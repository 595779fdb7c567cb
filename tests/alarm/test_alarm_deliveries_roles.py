"""Through its own narrow PostgreSQL login (0014), every desktop PC records that it showed an
alarm and reads who else did; none can change or delete that record (0015)."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import ProgrammingError

from safedesk.button_events import ButtonPress, DeviceKind
from safedesk.clock import FakeClock
from safedesk.db import Database
from safedesk.models import DeliveryKind
from safedesk.services.alarms.alarm_deliveries import Shown, deliveries_for, record_shown
from safedesk.services.hub import Services
from tests.helpers.office import SeededOffice
from tests.security.conftest import logins  # noqa: F401  (fixture: one login per kind of PC)
from tests.security.pc_logins import PcLogins


@pytest.mark.parametrize(
    "db_url", [pytest.param("postgresql", marks=pytest.mark.postgresql)], indirect=True
)
def test_each_desktop_pc_records_what_it_showed_and_nobody_can_change_it(
    db: Database,
    services: Services,
    office: SeededOffice,
    logins: PcLogins,  # noqa: F811
    clock: FakeClock,
) -> None:
    press = ButtonPress(
        office.device_ids["Interview Room 1"], 1, clock.now(), DeviceKind.SERIAL, boot_id=1
    )
    alarm_id = services.alarms.press(press).alarm_id

    for kind, pc, login, how in (
        ("responder", "RESPONDER-1", "twhitfield", DeliveryKind.FULL_ALERT),
        ("reception", "DESK-2", "psharma", DeliveryKind.NOTICE),
    ):
        pc_db = Database(logins.url(kind))
        try:
            shown = Shown(alarm_id, pc, pc, office.staff_ids[login], how, sound_played=False)
            assert record_shown(pc_db, shown, clock.now())
            assert not record_shown(pc_db, shown, clock.now())  # once per PC and way of showing
            seen = deliveries_for(pc_db, [alarm_id])[alarm_id]
            assert pc in {d.pc for d in seen}
            for statement in (
                "UPDATE alarm_deliveries SET sound_played = true",
                "DELETE FROM alarm_deliveries",
            ):
                with (
                    pytest.raises(ProgrammingError, match="permission denied"),
                    pc_db.session() as s,
                ):
                    s.execute(text(statement))
        finally:
            pc_db.dispose()
    assert len(deliveries_for(db, [alarm_id])[alarm_id]) == 2
