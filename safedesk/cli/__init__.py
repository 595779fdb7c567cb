"""The `safedesk` administration commands (the desktop entry point adds `app` on top of these).

Each area registers its subcommands from its own module's ``register``, imported here and listed
in COMMANDS (in help order).
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence

from safedesk.cli import (
    db_commands,
    demo_command,
    device_commands,
    marker_commands,
    movement_commands,
    press_command,
    reception_commands,
    rota_command,
    weekly_test_commands,
)
from safedesk.cli.context import CliContext, CommandError
from safedesk.config import ConfigError
from safedesk.db import DatabaseUnavailable
from safedesk.db.sqlite_file import UnsafeDatabaseFile

# Each adds its area's subcommands to the parser's subcommands.
COMMANDS: tuple[Callable[[argparse._SubParsersAction], None], ...] = (
    db_commands.register,
    demo_command.register,
    device_commands.register,
    press_command.register,
    rota_command.register,
    marker_commands.register,
    reception_commands.register,
    weekly_test_commands.register,
    movement_commands.register,
)

EXIT_USAGE = 2  # bad input: config, arguments, unknown room
EXIT_UNAVAILABLE = 3  # the database could not be reached


def build_parser(
    prog: str = "safedesk",
) -> tuple[argparse.ArgumentParser, argparse._SubParsersAction]:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="SafeDesk: panic alarms and flagged-file warnings for housing offices.",
    )
    parser.add_argument("--config", metavar="FILE", help="configuration file (TOML)")
    parser.add_argument(
        "--demo",
        action="store_true",
        help="use the demo office database (created on first use), never the real one",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug detail")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for register in COMMANDS:
        register(sub)
    return parser, sub


def run(args: argparse.Namespace) -> int:
    """Run a parsed command, turning known failures into one clear line and an exit code."""
    logging.basicConfig(
        level=logging.DEBUG if getattr(args, "verbose", False) else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger("alembic").setLevel(logging.WARNING)
    try:
        ctx = CliContext.from_args(args)
        return int(args.func(ctx, args))
    except ConfigError as exc:
        print(f"safedesk: configuration error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except CommandError as exc:
        print(f"safedesk: {exc}", file=sys.stderr)
        return exc.exit_code
    except DatabaseUnavailable as exc:
        print(f"safedesk: {exc}", file=sys.stderr)
        return EXIT_UNAVAILABLE
    except UnsafeDatabaseFile as exc:  # not retried: someone must fix the file or folder
        print(f"safedesk: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130


def main(argv: Sequence[str] | None = None) -> int:
    parser, _ = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_USAGE
    return run(args)
