"""The `safedesk` console script: no command starts the desktop app; otherwise the admin CLI.

It lives here, not in the core, because the core must never import the desktop package.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from safedesk.cli import build_parser, run
from safedesk.cli.context import CliContext


def _app(ctx: CliContext, args: argparse.Namespace) -> int:
    from desktop.app import run_app  # Qt is imported only when the window is wanted

    return run_app(ctx, args)


def main(argv: Sequence[str] | None = None) -> int:
    parser, sub = build_parser()
    app = sub.add_parser("app", help="start the desktop application (the default)")
    app.add_argument(
        "--mode", choices=("reception", "responder", "manager"), help="override workstation.mode"
    )
    app.add_argument(
        "--screenshot", metavar="PNG", help=argparse.SUPPRESS
    )  # for looking at the UI headless
    app.set_defaults(func=_app)
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        args = parser.parse_args([*(argv if argv is not None else sys.argv[1:]), "app"])
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
