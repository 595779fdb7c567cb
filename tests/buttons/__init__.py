"""Panic buttons as the core sees them: where each is registered (binding, `safedesk devices`),
whether it is online (supervision) (safedesk/services/buttons). The drivers are in tests/hardware."""
