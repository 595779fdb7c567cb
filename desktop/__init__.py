"""The SafeDesk desktop application (PySide6), UI only: one package per area.

alarm (alert, notice, sound, panic buttons), shell (main window, header, tray, sign-in), reception,
markers, weekly_test and movements; ``app`` puts them together and ``entry`` is the command.
"""
