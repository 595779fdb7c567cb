"""`safedesk devices list|bind`: an administrator registers where a panic button is heard."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from safedesk.button_events import ButtonPress, DeviceKind, HeardOn
from safedesk.cli import main
from safedesk.clock import FakeClock
from safedesk.db import Database
from safedesk.models import AlarmEvent, AuditEntry, PanicDevice
from safedesk.services.hub import Services
from tests.helpers.office import SeededOffice


@pytest.fixture
def cli_env(db_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    monkeypatch.setenv("SAFEDESK_DATABASE_URL", db_url)
    monkeypatch.setenv("SAFEDESK_CONFIG", str(tmp_path / "safedesk.toml"))
    (tmp_path / "safedesk.toml").write_text('[workstation]\nname = "IT-PC"\n', encoding="utf-8")
    return db_url


def test_binding_a_button_to_its_port_makes_a_press_from_another_port_unknown_location(
    cli_env: str,
    db: Database,
    services: Services,
    office: SeededOffice,
    clock: FakeClock,
    capsys: pytest.CaptureFixture[str],
) -> None:
    device = office.device_ids["Interview Room 2"]
    port = "/dev/serial/by-id/usb-MicroPython_Board_e661a4d41b32-if00"
    assert main(["devices", "bind", device, "--host", "TEST-PC", "--port", port]) == 0
    assert f"{device}: host TEST-PC, port {port}" in capsys.readouterr().out
    assert main(["devices", "list"]) == 0
    listed = capsys.readouterr().out
    assert f"{device}\tInterview Room 2\thost TEST-PC, port {port}" in listed
    assert "pico-e661a4d41b31\tInterview Room 1\tnot bound yet" in listed

    wrong = HeardOn(port="/dev/ttyACM0", usb_serial="E661A4D41B31")
    receipt = services.alarms.press(
        ButtonPress(device, 1, clock.now(), DeviceKind.SERIAL, boot_id=5, heard_on=wrong)
    )
    right = HeardOn(port=port, usb_serial="E661A4D41B32")
    clock.advance(timedelta(seconds=5).total_seconds())
    own = services.alarms.press(
        ButtonPress(device, 1, clock.now(), DeviceKind.SERIAL, boot_id=6, heard_on=right)
    )
    with db.session() as s:
        misplaced = s.get_one(AlarmEvent, receipt.alarm_id)
        assert misplaced.room_id is None and misplaced.office_id == office.office_id
        assert misplaced.heard_on == "port /dev/ttyACM0 (USB serial E661A4D41B31) on TEST-PC"
        assert s.get_one(AlarmEvent, own.alarm_id).room_id == office.room_ids["Interview Room 2"]
        audited = s.scalars(select(AuditEntry).where(AuditEntry.action == "device.bound")).all()
        assert len(audited) == 1
        bound = s.scalars(select(PanicDevice).where(PanicDevice.device_id == device)).one()
        assert (bound.bound_host, bound.bound_port) == ("TEST-PC", port)


def test_binding_an_unknown_device_or_nothing_is_a_clear_error(
    cli_env: str, db: Database, office: SeededOffice, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["devices", "bind", "pico-nope", "--host", "X"]) == 2
    assert "no panic device 'pico-nope'" in capsys.readouterr().err
    assert main(["devices", "bind", office.device_ids["Interview Room 1"]]) == 2
    assert "--host, --port or --usb-serial" in capsys.readouterr().err
