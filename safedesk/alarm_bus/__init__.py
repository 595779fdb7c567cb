"""The alarm bus: events every screen must see, exactly once, within a fraction of a second."""

from safedesk.alarm_bus.events import (
    AlarmEscalated,
    AlarmPressedAgain,
    AlarmRaised,
    AlarmResolved,
    AlarmResponding,
    BusEventBase,
    BusMessage,
    DeviceOffline,
    DeviceOnline,
    NoRespondersOnDuty,
    RespondersOnDuty,
    TestPressReceived,
)
from safedesk.alarm_bus.factory import make_bus
from safedesk.alarm_bus.interface import AlarmBus, BusHealth, Subscription

__all__ = [
    "AlarmBus",
    "AlarmEscalated",
    "AlarmPressedAgain",
    "AlarmRaised",
    "AlarmResolved",
    "AlarmResponding",
    "BusEventBase",
    "BusHealth",
    "BusMessage",
    "DeviceOffline",
    "DeviceOnline",
    "NoRespondersOnDuty",
    "RespondersOnDuty",
    "Subscription",
    "TestPressReceived",
    "make_bus",
]
