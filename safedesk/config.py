"""One typed configuration object, validated once, with errors that name the file, key and problem.

Sources, later ones winning: built-in defaults; the TOML file (``--config FILE``, else
``SAFEDESK_CONFIG``, else ``safedesk.toml`` in the user config directory if it exists);
``SAFEDESK_DATABASE_URL``. ``resources/safedesk.example.toml`` documents every key.
"""

from __future__ import annotations

import dataclasses
import os
import socket
import tomllib
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from safedesk import paths
from safedesk.db.urls import failover_problem, normalise_url


class ConfigError(Exception):
    """A configuration problem, phrased for the person who has to fix the file."""

    def __init__(self, source: str, key: str, problem: str) -> None:
        self.source = source
        self.key = key
        self.problem = problem
        super().__init__(f"{source}: {key}: {problem}" if key else f"{source}: {problem}")


WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@dataclass(frozen=True)
class DatabaseConfig:
    # Empty means the embedded SQLite file in the user data directory.
    url: str = ""
    # Seconds between attempts when PostgreSQL cannot be reached at start (never falls back).
    connect_retry_s: float = 5.0
    # Per-PC pool: a 100-PC office uses 100 x (pool_size + max_overflow + 1 listener) connections.
    pool_size: int = 1
    max_overflow: int = 1


@dataclass(frozen=True)
class WorkstationConfig:
    name: str = ""  # empty: the PC's host name
    office: str = ""  # office name; empty: the only office, or the first one
    mode: str = "reception"  # reception | responder | manager
    desk: str = ""  # the reception desk (room) this PC's on-screen panic button raises for


@dataclass(frozen=True)
class AlarmConfig:
    escalate_after_s: int = 30
    hotkey: str = "<ctrl>+<shift>+<f12>"  # Ctrl+Alt+F-keys switch consoles on Linux
    sound: str = ""  # empty: resources/sounds/alarm.wav
    disconnected_banner_after_s: float = 5.0
    poll_interval_ms: int = 10  # SQLite bus: a PRAGMA data_version check, read the log on change
    # Every database call of this PC's press path (desk button, hotkey, USB buttons) finishes
    # within this or the press is held in the PC's outbox (the bridge has bridge.press_deadline_s).
    press_deadline_s: float = 3.0


@dataclass(frozen=True)
class DevicesConfig:
    offline_after_s: int = 10
    # Serial buttons: explicit port URLs (COM3, /dev/ttyACM0, spy:///dev/ttyACM0) and/or USB ids.
    serial_ports: list[str] = field(default_factory=list)
    usb_ids: list[str] = field(default_factory=lambda: ["2E8A:0005"])


@dataclass(frozen=True)
class WeeklyTestConfig:
    weekday: str = "monday"
    deadline: str = "23:59"  # local time on the test day after which untested buttons are overdue
    window_s: int = 120


@dataclass(frozen=True)
class MarkersConfig:
    review_months: int = 6
    # Folder of the office's own letter templates (copies of resources/templates/*.md, edited);
    # empty: the templates shipped with SafeDesk.
    letter_templates_dir: str = ""
    # Seed 002 5.1: the restricted register is viewable only by these roles.
    restricted_roles: list[str] = field(
        default_factory=lambda: [
            "area_housing_manager",
            "asb_manager",
            "housing_services_manager",
            "head_of_housing_management",
        ]
    )
    # Days a removed marker is kept before `safedesk markers purge` deletes it, per category.
    retention_days: dict[str, int] = field(
        default_factory=lambda: {
            "offender": 2190,
            "partner_information": 1095,
            "mental_health_behaviour": 1095,
            "complaints_against_staff": 730,
            "near_miss": 365,
            "violence_aggression": 2190,
        }
    )


@dataclass(frozen=True)
class MovementsConfig:
    """The movements diary: when an officer out on a visit counts as overdue."""

    grace_minutes: int = 15  # after the expected return, before the OVERDUE alert
    amber_minutes: int = 20  # "I'm going in" without "I'm out" for this long: OVERDUE
    office_opens: str = "08:30"  # local time; office hours decide the end-of-day check
    office_closes: str = "17:00"  # an officer still out at closing raises the OVERDUE alert
    office_days: list[str] = field(
        default_factory=lambda: ["monday", "tuesday", "wednesday", "thursday", "friday"]
    )


@dataclass(frozen=True)
class LoggingConfig:
    level: str = "INFO"
    file: str = ""  # empty: safedesk.log in the user data directory


@dataclass(frozen=True)
class Config:
    database: DatabaseConfig = field(default_factory=DatabaseConfig)
    workstation: WorkstationConfig = field(default_factory=WorkstationConfig)
    alarm: AlarmConfig = field(default_factory=AlarmConfig)
    devices: DevicesConfig = field(default_factory=DevicesConfig)
    weekly_test: WeeklyTestConfig = field(default_factory=WeeklyTestConfig)
    markers: MarkersConfig = field(default_factory=MarkersConfig)
    movements: MovementsConfig = field(default_factory=MovementsConfig)
    logging: LoggingConfig = field(default_factory=LoggingConfig)
    source: str = "(defaults)"

    @property
    def database_url(self) -> str:
        return self.database.url or sqlite_url(paths.default_database_path())

    @property
    def workstation_name(self) -> str:
        return self.workstation.name or socket.gethostname()

    def with_database_url(self, url: str) -> Config:
        return dataclasses.replace(self, database=dataclasses.replace(self.database, url=url))


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path.as_posix()}"


def validate_database_url(url: str, source: str, key: str = "database.url") -> URL:
    """Accept only SQLite and PostgreSQL URLs; anything else would leave a PC off the alarm bus."""
    try:
        parsed = make_url(normalise_url(url))  # multi-host spellings: safedesk.db.urls
    except (ArgumentError, ValueError) as exc:
        raise ConfigError(source, key, f"not a database URL ({url!r}): {exc}") from None
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        if not parsed.database or parsed.database == ":memory:":
            raise ConfigError(source, key, "SQLite needs a file path (sqlite:///C:/path/file.db)")
        return parsed
    if backend == "postgresql":
        driver = parsed.drivername.partition("+")[2]
        if driver and driver not in ("psycopg", "psycopg2"):
            raise ConfigError(source, key, f"unsupported PostgreSQL driver {driver!r}; use psycopg")
        if not parsed.database:
            raise ConfigError(source, key, "PostgreSQL URL has no database name")
        try:
            problem = failover_problem(parsed.render_as_string(hide_password=False))
        except ValueError as exc:
            raise ConfigError(source, key, f"cannot read the server list: {exc}") from None
        if problem is not None:
            raise ConfigError(source, key, problem)
        return parsed.set(drivername="postgresql+psycopg")
    raise ConfigError(
        source, key, f"unsupported database {backend!r}: use sqlite:///FILE or postgresql://..."
    )


def _check_value(value: Any, annotation: Any, source: str, key: str) -> Any:
    origin = typing.get_origin(annotation)
    if annotation is bool:
        if not isinstance(value, bool):
            raise ConfigError(source, key, f"expected true or false, got {value!r}")
        return value
    if annotation is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(source, key, f"expected a whole number, got {value!r}")
        return value
    if annotation is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(source, key, f"expected a number, got {value!r}")
        return float(value)
    if annotation is str:
        if not isinstance(value, str):
            raise ConfigError(source, key, f"expected text, got {value!r}")
        return value
    if origin is list:
        (item_type,) = typing.get_args(annotation)
        if not isinstance(value, list):
            raise ConfigError(source, key, f"expected a list, got {value!r}")
        return [_check_value(v, item_type, source, f"{key}[{i}]") for i, v in enumerate(value)]
    if origin is dict:
        _, value_type = typing.get_args(annotation)
        if not isinstance(value, dict):
            raise ConfigError(source, key, f"expected a table, got {value!r}")
        return {k: _check_value(v, value_type, source, f"{key}.{k}") for k, v in value.items()}
    if isinstance(annotation, types.UnionType):
        raise TypeError(f"config field {key} uses an unsupported union type")
    raise TypeError(f"config field {key} has unsupported type {annotation!r}")


def _build_section(section_cls: type[Any], data: Any, source: str, name: str) -> Any:
    if not isinstance(data, dict):
        raise ConfigError(source, name, "expected a [section] table")
    hints = typing.get_type_hints(section_cls)
    known = {f.name for f in dataclasses.fields(section_cls)}
    values: dict[str, Any] = {}
    for key, value in data.items():
        if key not in known:
            raise ConfigError(
                source, f"{name}.{key}", f"unknown key (known: {', '.join(sorted(known))})"
            )
        values[key] = _check_value(value, hints[key], source, f"{name}.{key}")
    return section_cls(**values)


def _validate(config: Config) -> None:
    src = config.source
    _validate_names(config, src)
    if config.workstation.mode not in ("reception", "responder", "manager"):
        raise ConfigError(src, "workstation.mode", "must be reception, responder or manager")
    if config.weekly_test.weekday.lower() not in WEEKDAYS:
        raise ConfigError(src, "weekly_test.weekday", f"must be one of {', '.join(WEEKDAYS)}")
    hh, _, mm = config.weekly_test.deadline.partition(":")
    if not (hh.isdigit() and mm.isdigit() and int(hh) < 24 and int(mm) < 60):
        raise ConfigError(src, "weekly_test.deadline", "must be a time HH:MM, e.g. 17:00")
    for key, value in (
        ("alarm.escalate_after_s", config.alarm.escalate_after_s),
        ("devices.offline_after_s", config.devices.offline_after_s),
        ("weekly_test.window_s", config.weekly_test.window_s),
        ("markers.review_months", config.markers.review_months),
    ):
        if value <= 0:
            raise ConfigError(src, key, "must be greater than 0")
    if not 0.5 <= config.alarm.press_deadline_s <= 30:
        # Shorter: a busy but healthy server would hold presses; longer: the desk waits to hear.
        raise ConfigError(src, "alarm.press_deadline_s", "must be between 0.5 and 30 seconds")
    for i, usb_id in enumerate(config.devices.usb_ids):
        vendor, sep, product = usb_id.partition(":")
        if not (sep and _is_hex4(vendor) and _is_hex4(product)):
            raise ConfigError(
                src, f"devices.usb_ids[{i}]", f"{usb_id!r} is not vendor:product in hex (2E8A:0005)"
            )
    if config.database.pool_size < 1:
        raise ConfigError(src, "database.pool_size", "must be at least 1")
    if config.database.url:
        validate_database_url(config.database.url, src)
    _validate_markers(config.markers, src)
    _validate_movements(config.movements, src)


# What the database stores for the names a PC is configured with (workstations.name and the audit
# log's workstation column; offices.name; rooms.name): a longer one would make every press and
# heartbeat from this PC fail to be written.
_NAME_LIMITS = {"workstation.name": 120, "workstation.office": 120, "workstation.desk": 120}


def _validate_names(config: Config, src: str) -> None:
    """Ids are checked where they are configured, not found out by the press path."""
    for key, limit in _NAME_LIMITS.items():
        value = getattr(config.workstation, key.partition(".")[2])
        if len(value) > limit:
            raise ConfigError(src, key, f"is {len(value)} characters long; at most {limit}")
        if value != value.strip() or not value.isprintable():
            raise ConfigError(src, key, "must be printable text without leading or trailing spaces")


def _is_hex4(text: str) -> bool:
    return 1 <= len(text) <= 4 and all(c in "0123456789abcdefABCDEF" for c in text)


def _validate_movements(movements: MovementsConfig, src: str) -> None:
    """Office hours and timers the overdue rules trust: nonsense would hide an overdue officer."""
    times: dict[str, tuple[int, int]] = {}
    for key in ("office_opens", "office_closes"):
        hh, _, mm = getattr(movements, key).partition(":")
        if not (hh.isdigit() and mm.isdigit() and int(hh) < 24 and int(mm) < 60):
            raise ConfigError(src, f"movements.{key}", "must be a time HH:MM, e.g. 17:00")
        times[key] = (int(hh), int(mm))
    if times["office_closes"] <= times["office_opens"]:
        raise ConfigError(src, "movements.office_closes", "must be after movements.office_opens")
    for i, day in enumerate(movements.office_days):
        if day.lower() not in WEEKDAYS:
            raise ConfigError(
                src, f"movements.office_days[{i}]", f"must be one of {', '.join(WEEKDAYS)}"
            )
    if movements.grace_minutes < 0:
        raise ConfigError(src, "movements.grace_minutes", "must be 0 or more")
    if movements.amber_minutes <= 0:
        raise ConfigError(src, "movements.amber_minutes", "must be greater than 0")


def _validate_markers(markers: MarkersConfig, src: str) -> None:
    """A misspelt role or category would silently hide reasons or keep records too long."""
    from safedesk.models.markers import MarkerCategory
    from safedesk.models.staff import Role

    roles = {r.value for r in Role}
    for i, name in enumerate(markers.restricted_roles):
        if name not in roles:
            raise ConfigError(
                src,
                f"markers.restricted_roles[{i}]",
                f"unknown role {name!r} (known: {', '.join(sorted(roles))})",
            )
    if markers.letter_templates_dir and not Path(markers.letter_templates_dir).is_dir():
        raise ConfigError(src, "markers.letter_templates_dir", "not a folder")
    categories = {c.value for c in MarkerCategory}
    for name, days in markers.retention_days.items():
        if name not in categories:
            raise ConfigError(
                src,
                f"markers.retention_days.{name}",
                f"unknown category (known: {', '.join(sorted(categories))})",
            )
        if days < 1:
            raise ConfigError(src, f"markers.retention_days.{name}", "must be at least 1 day")


def parse_config(data: dict[str, Any], source: str) -> Config:
    sections = {f.name: f for f in dataclasses.fields(Config) if f.name != "source"}
    hints = typing.get_type_hints(Config)
    built: dict[str, Any] = {}
    for name, value in data.items():
        if name not in sections:
            raise ConfigError(
                source, name, f"unknown section (known: {', '.join(sorted(sections))})"
            )
        built[name] = _build_section(hints[name], value, source, name)
    config = Config(**built, source=source)
    _validate(config)
    return config


def load_config(
    path: Path | None = None, environ: typing.Mapping[str, str] | None = None
) -> Config:
    """Find, read and validate the configuration; raise ConfigError naming file, key and problem."""
    env = os.environ if environ is None else environ
    explicit = path is not None or bool(env.get("SAFEDESK_CONFIG"))
    if path is None and env.get("SAFEDESK_CONFIG"):
        path = Path(env["SAFEDESK_CONFIG"])
    if path is None:
        path = paths.default_config_path()
    config = Config()
    if path.exists():
        source = str(path)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(source, "", f"not valid TOML: {exc}") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(source, "", f"cannot read: {exc}") from None
        config = parse_config(data, source)
    elif explicit:
        raise ConfigError(str(path), "", "config file not found")
    env_url = env.get("SAFEDESK_DATABASE_URL")
    if env_url:
        validate_database_url(env_url, "SAFEDESK_DATABASE_URL", key="")
        config = config.with_database_url(env_url)
    return config
