"""Panic button drivers (serial, GPIO, hotkey, simulated) behind one ButtonSource interface."""
