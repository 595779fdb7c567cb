"""The bridge's TOML file: which buttons it owns, where the database and its outbox are.

Same rules as ``safedesk.config``: one typed object, validated once, errors that name the file,
the key and the problem (``ConfigError``); unknown keys are errors. The ``[database]``,
``[devices]``, ``[alarm]`` and ``[logging]`` sections are SafeDesk's own (same keys, same
checks); ``[bridge]``, ``[serial]`` and ``[[gpio]]`` belong to the bridge.
``resources/safedesk-bridge.example.toml`` documents every key.
"""

from __future__ import annotations

import os
import socket
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hardware.gpio_button import GpioButtonConfig
from hardware.serial_button import SerialButtonConfig, parse_usb_id
from safedesk import paths
from safedesk.button_events import device_id_problem
from safedesk.config import (
    Config,
    ConfigError,
    _build_section,  # the same section checker as the desktop's config: one style of error
    parse_config,
    validate_database_url,
)

DEFAULT_CONFIG_PATH = Path("/etc/safedesk/bridge.toml")
SOUND_BACKENDS = ("", "alsa", "gstreamer", "ffplay", "wmplayer", "winmm", "afplay", "appkit")
_SAFEDESK_SECTIONS = ("database", "devices", "alarm", "logging")
_NAME_MAX = 120  # the audit log's workstation column


@dataclass(frozen=True)
class BridgeSection:
    name: str = ""  # how this bridge signs audit entries; empty: the host name
    outbox: str = ""  # SQLite file for held presses; empty: bridge-outbox.sqlite3 in user data
    local_sound: str = ""  # played in a loop while presses are held; empty: no local sound
    sound_backend: str = ""  # playsound3 backend; empty: its own choice (PLAYSOUND3_BACKEND)
    forward_retry_s: float = 1.0  # first wait between forwarding attempts (doubles up to 5 s)
    # A press the database has not taken within this many seconds (pool wait, statements and
    # commit; a hung server or a partition) goes to the outbox, LED "not delivered", sounder on.
    press_deadline_s: float = 3.0
    supervise: bool = True  # announce devices going offline/online (any number may; once each)
    test_led_s: float = 30.0  # a weekly test press shows TEST on the LED this long


@dataclass(frozen=True)
class SerialSection:
    ports: list[str] = field(default_factory=list)  # "/dev/serial/by-id/usb-...", "COM5"
    usb_ids: list[str] = field(default_factory=lambda: ["2E8A:0005"])
    discover: bool = True  # open every port with one of usb_ids, as well as the listed ports


@dataclass(frozen=True)
class GpioSection:
    device_id: str = ""
    room: str = ""  # for the log only: the database says which room a device is in
    pin: int = -1
    pull_up: bool = True
    bounce_ms: int = 30
    hold_ms: int = 0
    led_pin: int = -1  # -1: none
    buzzer_pin: int = -1


@dataclass(frozen=True)
class BridgeConfig:
    safedesk: Config
    bridge: BridgeSection
    serial: SerialSection
    gpio: tuple[GpioSection, ...]
    source: str

    @property
    def database_url(self) -> str:
        return self.safedesk.database_url

    @property
    def name(self) -> str:
        return self.bridge.name or f"bridge:{socket.gethostname()}"

    @property
    def outbox_path(self) -> Path:
        if self.bridge.outbox:
            return Path(self.bridge.outbox)
        return paths.user_data_dir() / "bridge-outbox.sqlite3"

    @property
    def local_sound_path(self) -> Path | None:
        return Path(self.bridge.local_sound) if self.bridge.local_sound else None

    def serial_button_config(self) -> SerialButtonConfig:
        return SerialButtonConfig(
            port_urls=tuple(self.serial.ports),
            discover=self.serial.discover,
            usb_ids=tuple(parse_usb_id(u) for u in self.serial.usb_ids),
        )

    def gpio_buttons(self) -> list[GpioButtonConfig]:
        return [
            GpioButtonConfig(
                device_id=g.device_id,
                pin=g.pin,
                led_pin=g.led_pin if g.led_pin >= 0 else None,
                buzzer_pin=g.buzzer_pin if g.buzzer_pin >= 0 else None,
                pull_up=g.pull_up,
                debounce_s=g.bounce_ms / 1000,
                hold_s=g.hold_ms / 1000,
            )
            for g in self.gpio
        ]

    @property
    def owns_serial(self) -> bool:
        return bool(self.serial.ports) or (self.serial.discover and bool(self.serial.usb_ids))


def parse_bridge_config(data: Mapping[str, Any], source: str) -> BridgeConfig:
    known = (*_SAFEDESK_SECTIONS, "bridge", "serial", "gpio")
    for name in data:
        if name not in known:
            raise ConfigError(source, name, f"unknown section (known: {', '.join(known)})")
    safedesk = parse_config({k: v for k, v in data.items() if k in _SAFEDESK_SECTIONS}, source)
    bridge: BridgeSection = _build_section(BridgeSection, data.get("bridge", {}), source, "bridge")
    serial: SerialSection = _build_section(SerialSection, data.get("serial", {}), source, "serial")
    raw_gpio = data.get("gpio", [])
    if not isinstance(raw_gpio, list):
        raise ConfigError(source, "gpio", "expected [[gpio]] tables (one per button)")
    gpio = tuple(
        _build_section(GpioSection, item, source, f"gpio[{i}]") for i, item in enumerate(raw_gpio)
    )
    config = BridgeConfig(safedesk, bridge, serial, gpio, source)
    _validate(config)
    return config


def _validate(config: BridgeConfig) -> None:
    src = config.source
    b = config.bridge
    if b.sound_backend not in SOUND_BACKENDS:
        raise ConfigError(
            src, "bridge.sound_backend", f"must be one of {', '.join(SOUND_BACKENDS[1:])} or empty"
        )
    if b.local_sound and not Path(b.local_sound).is_file():
        raise ConfigError(src, "bridge.local_sound", f"no such sound file {b.local_sound!r}")
    if b.local_sound and Path(b.local_sound).suffix.lower() not in (".wav", ".mp3"):
        raise ConfigError(src, "bridge.local_sound", "must be a .wav or .mp3 file")
    if b.outbox and Path(b.outbox).is_dir():
        raise ConfigError(src, "bridge.outbox", "is a directory; give a file path")
    if len(config.name) > _NAME_MAX:
        raise ConfigError(src, "bridge.name", f"is longer than {_NAME_MAX} characters")
    for key, value in (
        ("bridge.forward_retry_s", b.forward_retry_s),
        ("bridge.test_led_s", b.test_led_s),
    ):
        if value <= 0:
            raise ConfigError(src, key, "must be greater than 0")
    if not 0.5 <= b.press_deadline_s <= 30:
        raise ConfigError(src, "bridge.press_deadline_s", "must be between 0.5 and 30 seconds")
    for i, port in enumerate(config.serial.ports):
        if not port.strip():
            raise ConfigError(src, f"serial.ports[{i}]", "is empty")
    for i, text in enumerate(config.serial.usb_ids):
        try:
            parse_usb_id(text)
        except ValueError as exc:
            raise ConfigError(src, f"serial.usb_ids[{i}]", str(exc)) from None
    _validate_gpio(config.gpio, src)
    if not config.owns_serial and not config.gpio:
        raise ConfigError(
            src, "", "no buttons: list serial.ports, set serial.usb_ids, or add [[gpio]] buttons"
        )


def _validate_gpio(buttons: tuple[GpioSection, ...], src: str) -> None:
    ids: dict[str, int] = {}
    pins: dict[int, str] = {}
    for i, g in enumerate(buttons):
        key = f"gpio[{i}]"
        if not g.device_id.strip():
            raise ConfigError(
                src, f"{key}.device_id", "is required (the id registered for the room)"
            )
        problem = device_id_problem(g.device_id)
        if problem is not None:
            raise ConfigError(src, f"{key}.device_id", f"{g.device_id!r} {problem}")
        if g.device_id in ids:
            raise ConfigError(
                src,
                f"{key}.device_id",
                f"{g.device_id!r} is already used by gpio[{ids[g.device_id]}]",
            )
        ids[g.device_id] = i
        if g.pin < 0:
            raise ConfigError(src, f"{key}.pin", "is required (the BCM GPIO number of the button)")
        for name, pin in (("pin", g.pin), ("led_pin", g.led_pin), ("buzzer_pin", g.buzzer_pin)):
            if pin < 0 and name != "pin":
                continue
            if pin > 53:
                raise ConfigError(src, f"{key}.{name}", f"GPIO{pin} does not exist (0 to 53)")
            if pin in pins:
                raise ConfigError(src, f"{key}.{name}", f"GPIO{pin} is already {pins[pin]}")
            pins[pin] = f"{key}.{name}"
        if g.bounce_ms < 0 or g.bounce_ms > 1000:
            raise ConfigError(src, f"{key}.bounce_ms", "must be between 0 and 1000 ms")
        if g.hold_ms < 0 or g.hold_ms > 5000:
            raise ConfigError(
                src, f"{key}.hold_ms", "must be between 0 and 5000 ms (a panic press is short)"
            )


def load_bridge_config(path: Path, environ: Mapping[str, str] | None = None) -> BridgeConfig:
    """Read and validate the bridge's file; ``SAFEDESK_DATABASE_URL`` overrides database.url."""
    env = os.environ if environ is None else environ
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(source, "", "config file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(source, "", f"cannot read: {exc}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(source, "", f"not valid TOML: {exc}") from None
    config = parse_bridge_config(data, source)
    env_url = env.get("SAFEDESK_DATABASE_URL")
    if env_url:
        validate_database_url(env_url, "SAFEDESK_DATABASE_URL", key="")
        config = BridgeConfig(
            config.safedesk.with_database_url(env_url),
            config.bridge,
            config.serial,
            config.gpio,
            config.source,
        )
    if not config.safedesk.database.url:
        raise ConfigError(
            source, "database.url", "is required: the SafeDesk database the alarms go to"
        )
    return config
