"""The SafeDesk desktop application (PySide6): windows, widgets and tray. UI only."""

from desktop import bool_refcount_guard

bool_refcount_guard.apply()  # before any signal is emitted: see the module's docstring
