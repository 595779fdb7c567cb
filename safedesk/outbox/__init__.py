"""The one durable press outbox, used by the bridge and by the desktop app for every press they
make or own: kept on local disk until the database has it, with its original press time."""

from safedesk.outbox.forwarding import StoreAndForwardSink
from safedesk.outbox.heartbeats import HeartbeatWriter
from safedesk.outbox.location import default_outbox_path
from safedesk.outbox.store import HeldPress, LocalOutbox, OutboxError

__all__ = [
    "HeartbeatWriter",
    "HeldPress",
    "LocalOutbox",
    "OutboxError",
    "StoreAndForwardSink",
    "default_outbox_path",
]
