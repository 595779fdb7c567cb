"""USB button firmware, the wire protocol shared with hardware/, and the headless bridge."""
