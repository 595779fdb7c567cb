"""The shell: the main window and its frame (header, banners, sign-in, tray, PC names, the
1366x768 screen) (desktop/shell). The alarm screens are tested in tests/alarm."""
