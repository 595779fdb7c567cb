"""The USB button's MicroPython firmware (with its copy of hardware.wire_protocol) and the headless bridge."""
