"""What a PC is called on screen: the name it was given (workstation.name), never its host name.

A host name ("vm", "DESKTOP-7F3K2Q") means nothing to the person at the screen and sends nobody
anywhere on an alert. A PC without a configured name is still recorded under its host name (the
key of its workstations row), but is shown as not named, with how to name it; the log says so
once, at start.
"""

from __future__ import annotations

import logging

from safedesk.config import Config

log = logging.getLogger(__name__)

NOT_NAMED = "not named (set workstation.name)"  # this PC, on its own screen
UNNAMED_OTHER_PC = "a PC with no name set"  # another PC, in a list
DEMO_PC_NAME = "Demo PC"


def configured_name(config: Config) -> str | None:
    """The PC's name as configured, or None when only its host name is known."""
    return config.workstation.name.strip() or None


def shown_name(label: str | None) -> str:
    """The PC's name for a screen: its configured name, else that it has none."""
    return label or NOT_NAMED


def other_pc_name(label: str | None) -> str:
    """Another PC's name in a list ("Shown on: ...", "not heard from since ...")."""
    return label or UNNAMED_OTHER_PC


def warn_if_unnamed(config: Config) -> None:
    """Log that workstation.name is not set and how to set it (called once, at start)."""
    if configured_name(config) is not None:
        return
    log.warning(
        "workstation.name is not set (%s): screens show this PC as 'not named', never by its "
        'host name; give it the name people know it by, e.g. name = "RECEPTION-1" under '
        "[workstation]",
        config.source,
    )
