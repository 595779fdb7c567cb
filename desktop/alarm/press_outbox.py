"""This PC's press outbox: every press the desktop app makes or owns goes through it.

The desk's on-screen button and hotkey, and USB buttons plugged into the PC, hand their presses
to one ``StoreAndForwardSink`` (``safedesk.outbox``) around the alarm service, kept in a file
named for the database and this workstation (``default_outbox_path``). A press the database
cannot take at once is kept there with its press time and forwarded as soon as it answers, also
after a restart.
If the file cannot be opened (disk full, no permission), presses still go straight to the
database, with the delivery threads retrying in memory, and the log says so once.
"""

from __future__ import annotations

import logging

from safedesk.outbox import LocalOutbox, OutboxError, StoreAndForwardSink, default_outbox_path
from safedesk.services.hub import Services

log = logging.getLogger(__name__)


def open_press_outbox(services: Services) -> StoreAndForwardSink | None:
    """Open, start and attach (``services.presses``) the PC's outbox; None if it cannot open."""
    path = default_outbox_path(services.db.url, services.workstation)
    try:
        outbox = LocalOutbox(path)
    except OutboxError as exc:
        log.critical(
            "PRESS OUTBOX NOT AVAILABLE: %s. Panic presses from this PC go straight to the "
            "database; while it cannot be reached they are only retried in memory",
            exc,
        )
        return None
    sink = StoreAndForwardSink(services.alarms, outbox, services.clock)
    services.presses = sink
    sink.start()
    return sink


def close_press_outbox(services: Services) -> None:
    """Stop forwarding; an empty file is removed, one with held presses stays for next start."""
    sink, services.presses = services.presses, None
    if sink is None:
        return
    sink.stop()
    sink.outbox.close(remove_if_empty=True)
