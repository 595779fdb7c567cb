"""A focus frame strong enough to see across a reception desk: the whole booking is done by keyboard.

Qt's own focus hint is a thin dotted line that many styles draw faintly or not at all; a
receptionist tabbing from the search box to the host, the purpose and the room must see where
they are. The colour is dark blue on white (contrast above 7:1), distinct from the red of a flag.
"""

from __future__ import annotations

FOCUS_COLOUR = "#0b4aa2"

FOCUS_STYLE = f"""
QLineEdit:focus, QComboBox:focus, QPlainTextEdit:focus, QDateEdit:focus, QTimeEdit:focus,
QTableWidget:focus, QScrollArea:focus {{ border: 3px solid {FOCUS_COLOUR}; }}
QPushButton:focus {{ border: 3px solid {FOCUS_COLOUR}; border-radius: 4px; padding: 4px 10px; }}
QCheckBox:focus {{ border: 3px solid {FOCUS_COLOUR}; padding: 2px; }}
"""
