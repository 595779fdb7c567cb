"""The bridge's TOML file: the shipped example is valid; mistakes name the file, key and problem."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from firmware_bridge.bridge_config import load_bridge_config
from safedesk.config import ConfigError
from tests.bridge.conftest import fill_disk

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "resources" / "safedesk-bridge.example.toml"
ALARM_WAV = REPO / "resources" / "sounds" / "alarm.wav"
UNIT = REPO / "firmware_bridge" / "safedesk-bridge.service"

MINIMAL = """
[database]
url = "postgresql://bridge@db.example/safedesk"

[bridge]
outbox = "{outbox}"

[serial]
ports = ["/dev/ttyACM0"]
discover = false
"""


def example_here(tmp_path: Path) -> Path:
    """The example with its sound file pointing into this checkout (it names /opt/safedesk)."""
    text = (
        EXAMPLE.read_text(encoding="utf-8")
        .replace("/opt/safedesk/resources/sounds/alarm.wav", ALARM_WAV.as_posix())
        .replace("/var/lib/safedesk-bridge/outbox.sqlite3", (tmp_path / "o.sqlite3").as_posix())
    )
    path = tmp_path / "bridge.toml"
    path.write_text(text, encoding="utf-8")
    return path


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "bridge.toml"
    path.write_text(text.replace("{outbox}", (tmp_path / "o.sqlite3").as_posix()), "utf-8")
    return path


def test_the_shipped_example_is_valid_and_lists_its_buttons(tmp_path: Path) -> None:
    config = load_bridge_config(example_here(tmp_path), environ={})
    assert config.database_url.startswith("postgresql://")
    assert [g.device_id for g in config.gpio] == ["gpio:pi-derby:17", "gpio:pi-derby:23"]
    [room_3, room_4] = config.gpio_buttons()
    assert (room_3.pin, room_3.led_pin, room_3.buzzer_pin, room_3.pull_up) == (17, 27, 22, True)
    assert room_3.debounce_s == pytest.approx(0.03)
    assert (room_4.hold_s, room_4.buzzer_pin) == (pytest.approx(0.15), None)
    assert config.serial_button_config().usb_ids == ((0x2E8A, 0x0005),)
    assert config.outbox_path == tmp_path / "o.sqlite3"
    assert "/var/lib/safedesk-bridge/outbox.sqlite3" in EXAMPLE.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("edit", "key", "problem"),
    [
        (("discover = false", "discover = false\nbaud = 9600"), "serial.baud", "unknown key"),
        (("[serial]", "[serial]\nusb_ids = ['2E8A-0005']"), "serial.usb_ids[0]", "vendor:product"),
        (("[bridge]", "[bridge]\nsound_backend = 'vlc'"), "bridge.sound_backend", "must be one of"),
        (("[bridge]", "[bridge]\nlocal_sound = '/nope.wav'"), "bridge.local_sound", "no such"),
        (("[bridge]", "[bridge]\nforward_retry_s = 0"), "bridge.forward_retry_s", "greater than 0"),
        (("[bridge]", "[bridge]\nsupervise = 'yes'"), "bridge.supervise", "true or false"),
        (
            ("[database]", "[devices]\noffline_after_s = 0\n[database]"),
            "devices.offline_after_s",
            "greater than 0",
        ),
        (("url = ", "url = 'mysql://x/y' #"), "database.url", "unsupported database"),
        (("[serial]", "[sirial]"), "sirial", "unknown section"),
    ],
)
def test_a_mistake_names_the_file_the_key_and_the_problem(
    tmp_path: Path, edit: tuple[str, str], key: str, problem: str
) -> None:
    path = write(tmp_path, MINIMAL.replace(*edit, 1))
    with pytest.raises(ConfigError) as caught:
        load_bridge_config(path, environ={})
    assert caught.value.source == str(path)
    assert caught.value.key == key
    assert problem in caught.value.problem


@pytest.mark.parametrize(
    ("gpio", "key", "problem"),
    [
        ("pin = 17", "gpio[0].device_id", "is required"),
        ("device_id = 'a'", "gpio[0].pin", "is required"),
        ("device_id = 'a'\npin = 17\nled_pin = 17", "gpio[0].led_pin", "already gpio[0].pin"),
        ("device_id = 'a'\npin = 60", "gpio[0].pin", "does not exist"),
        ("device_id = 'a'\npin = 17\nbounce_ms = -1", "gpio[0].bounce_ms", "between 0 and 1000"),
        ("device_id = 'a'\npin = 17\nhold_ms = 9000", "gpio[0].hold_ms", "between 0 and 5000"),
        ("device_id = 'a'\npin = 'seventeen'", "gpio[0].pin", "whole number"),
        (
            "device_id = 'a'\npin = 17\n[[gpio]]\ndevice_id = 'a'\npin = 18",
            "gpio[1].device_id",
            "already used",
        ),
    ],
)
def test_gpio_button_mistakes_are_named(tmp_path: Path, gpio: str, key: str, problem: str) -> None:
    path = write(tmp_path, MINIMAL + "\n[[gpio]]\n" + gpio + "\n")
    with pytest.raises(ConfigError) as caught:
        load_bridge_config(path, environ={})
    assert (caught.value.key, problem in caught.value.problem) == (key, True), caught.value


def test_a_bridge_without_a_database_or_without_buttons_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "[serial]\nports = ['COM5']\n")
    with pytest.raises(ConfigError, match=r"database\.url: is required"):
        load_bridge_config(path, environ={})
    assert load_bridge_config(path, environ={"SAFEDESK_DATABASE_URL": "sqlite:///x.db"})
    path = write(tmp_path, "[database]\nurl='sqlite:///x.db'\n[serial]\nusb_ids = []\n")
    with pytest.raises(ConfigError, match="no buttons"):
        load_bridge_config(path, environ={})


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "firmware_bridge.bridge_cli", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
        check=False,
    )


def test_the_command_checks_a_file_and_exits_2_on_a_mistake(tmp_path: Path) -> None:
    good = run_cli("--config", str(example_here(tmp_path)), "--check")
    assert good.returncode == 0, good.stderr
    assert "OK" in good.stdout and "gpio:pi-derby:17" in good.stdout
    bad = write(tmp_path, MINIMAL.replace("discover = false", "discover = 'no'"))
    result = run_cli("--config", str(bad), "--check")
    assert result.returncode == 2
    assert f"{bad}: serial.discover: expected true or false" in result.stderr
    missing = run_cli("--config", str(tmp_path / "nope.toml"))
    assert missing.returncode == 2 and "config file not found" in missing.stderr


def test_the_systemd_unit_runs_the_console_script_and_does_not_loop_on_bad_config() -> None:
    unit = UNIT.read_text(encoding="utf-8")
    assert (
        "ExecStart=/opt/safedesk/.venv/bin/safedesk-bridge --config /etc/safedesk/bridge.toml"
        in unit
    )
    assert "RestartPreventExitStatus=2" in unit and "Restart=always" in unit
    assert "StandardOutput=journal" in unit
    assert "StateDirectory=safedesk-bridge" in unit  # /var/lib/safedesk-bridge: the outbox
    assert "[Install]" in unit and "WantedBy=multi-user.target" in unit


def _outbox_at(tmp_path: Path, outbox: Path) -> Path:
    path = tmp_path / "bridge.toml"
    path.write_text(MINIMAL.replace("{outbox}", outbox.as_posix()), "utf-8")
    return path


def test_check_and_the_daemon_refuse_an_outbox_path_that_cannot_hold_presses(
    tmp_path: Path, tiny_disk: Path
) -> None:
    """Was: --check said OK, then the daemon crashed at start and systemd restarted it for ever."""
    a_file = tmp_path / "a-file"
    a_file.write_text("not a folder", encoding="utf-8")
    not_sqlite = tmp_path / "garbage.sqlite3"
    not_sqlite.write_bytes(b"this is not an SQLite database at all" * 100)
    fill_disk(tiny_disk)
    for outbox, why in (
        (a_file / "outbox.sqlite3", "is not a directory"),
        (not_sqlite, "not a database"),
        (tiny_disk / "outbox.sqlite3", "No space left on device"),
    ):
        config = _outbox_at(tmp_path, outbox)
        checked = run_cli("--config", str(config), "--check")
        assert checked.returncode == 2, (outbox, checked.stdout)
        assert f"{config}: bridge.outbox:" in checked.stderr and why in checked.stderr
        assert "Traceback" not in checked.stderr
        started = time.monotonic()
        daemon = run_cli("--config", str(config))
        assert daemon.returncode == 2, daemon.stdout + daemon.stderr  # 2: systemd does not loop
        assert "bridge.outbox" in daemon.stderr and time.monotonic() - started < 30
    good = run_cli("--config", str(_outbox_at(tmp_path, tmp_path / "new" / "o.sqlite3")), "--check")
    assert good.returncode == 0, good.stderr
    assert not (tmp_path / "new").exists(), "--check leaves no outbox behind (it may run as root)"
