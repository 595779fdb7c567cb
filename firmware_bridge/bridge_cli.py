"""``safedesk-bridge``: the headless daemon beside the buttons (a Pi, or a PC with USB buttons).

    safedesk-bridge --config /etc/safedesk/bridge.toml          # run (systemd: see the .service)
    safedesk-bridge --config bridge.toml --check                # validate the file and exit

Exit codes: 0 stopped cleanly (SIGTERM/SIGINT), 2 configuration error (file, key and problem on
stderr; systemd does not restart on it), including an outbox path that cannot be written (both
``--check`` and the daemon try it), 1 a GPIO pin could not be claimed or another start-up fault. Logs go to stdout: under systemd (``JOURNAL_STREAM`` set) without timestamps, because
the journal adds its own.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import tempfile
import threading
from collections.abc import Sequence
from pathlib import Path
from types import FrameType

from firmware_bridge.bridge_config import DEFAULT_CONFIG_PATH, BridgeConfig, load_bridge_config
from hardware.gpio_button import GpioConfigError
from safedesk.clock import SystemClock
from safedesk.config import ConfigError
from safedesk.db.urls import display_url
from safedesk.outbox import LocalOutbox, OutboxError

log = logging.getLogger("safedesk.bridge")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="safedesk-bridge",
        description="SafeDesk panic button bridge: USB and GPIO buttons to the alarm database, "
        "with a local outbox when the database cannot be reached.",
    )
    parser.add_argument(
        "--config",
        type=Path,
        default=Path(os.environ.get("SAFEDESK_BRIDGE_CONFIG", DEFAULT_CONFIG_PATH)),
        help=f"bridge TOML file (default: $SAFEDESK_BRIDGE_CONFIG or {DEFAULT_CONFIG_PATH})",
    )
    parser.add_argument("--check", action="store_true", help="validate the file and exit")
    parser.add_argument("--log-level", default=None, help="DEBUG, INFO, WARNING (default: file)")
    return parser


def _setup_logging(level: str) -> None:
    under_systemd = "JOURNAL_STREAM" in os.environ
    fmt = (
        "%(levelname)s %(name)s: %(message)s"
        if under_systemd
        else "%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.basicConfig(level=level.upper(), format=fmt, stream=sys.stdout, force=True)
    logging.getLogger("alembic").setLevel(logging.WARNING)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        config = load_bridge_config(args.config)
    except ConfigError as exc:
        print(f"safedesk-bridge: configuration error: {exc}", file=sys.stderr)
        return 2
    problem = outbox_problem(config.outbox_path)
    if problem is not None:
        # A daemon that cannot hold presses would crash and be restarted for ever: say it once.
        error = ConfigError(config.source, "bridge.outbox", problem)
        print(f"safedesk-bridge: configuration error: {error}", file=sys.stderr)
        return 2
    if args.check:
        print(_summary(config))
        return 0
    _setup_logging(args.log_level or config.safedesk.logging.level)
    return run(config)


def outbox_problem(path: Path) -> str | None:
    """Why presses could not be held at ``path`` now, or None.

    An existing outbox must take a durable write; a new one needs a directory we may write in
    (a probe file proves it, and that the disk has room). ``--check`` creates no outbox, so one
    checked as root is not left unwritable for the daemon's own user.
    """
    try:
        if path.exists():
            outbox = LocalOutbox(path)
            try:
                outbox.probe()
            finally:
                outbox.close()
            return None
        folder = path.parent
        while not folder.exists() and folder != folder.parent:
            folder = folder.parent
        if not folder.is_dir():
            return f"{folder} is not a directory"
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".safedesk-probe-") as probe:
            probe.write(b"x" * 4096)
            probe.flush()
            os.fsync(probe.fileno())
    except OutboxError as exc:
        return str(exc)
    except OSError as exc:
        return f"cannot write the press outbox {path}: {exc.strerror or exc}"
    return None


def _summary(config: BridgeConfig) -> str:
    lines = [
        f"{config.source}: OK",
        f"  bridge:   {config.name}",
        f"  database: {display_url(config.database_url)}",
        f"  outbox:   {config.outbox_path}",
        f"  sound:    {config.local_sound_path or '(none)'}",
        f"  serial:   ports {config.serial.ports or '(none)'}, USB ids "
        f"{config.serial.usb_ids if config.serial.discover else '(discovery off)'}",
    ]
    lines += [
        f"  GPIO{g.pin}: {g.device_id} ({g.room or 'room from the database'})" for g in config.gpio
    ]
    return "\n".join(lines)


def run(config: BridgeConfig) -> int:
    """Run until SIGTERM/SIGINT."""
    from firmware_bridge.bridge import Bridge  # after logging is set up

    stop = threading.Event()

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        log.info("signal %d: stopping", signum)
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    try:
        bridge = Bridge.build(config, SystemClock())
    except OutboxError as exc:
        log.error("cannot start: %s (bridge.outbox in %s)", exc, config.source)
        return 2
    try:
        bridge.start()
    except GpioConfigError as exc:
        log.error("cannot start: %s", exc)
        bridge.stop()
        return 1
    try:
        while not stop.wait(1.0):
            pass
    finally:
        bridge.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
