"""SafeDesk core: domain models, storage, services and the alarm bus (Qt-free)."""

__version__ = "0.1.0"
