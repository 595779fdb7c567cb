"""Panic buttons as devices: their status, supervision (heartbeats, silence), readiness and binding a device to a room."""
