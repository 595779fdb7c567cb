"""The SafeDesk desktop application (PySide6): windows, widgets and tray. UI only."""
