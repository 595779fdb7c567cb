"""The frame every screen lives in: the main window, header, tray, banners, sign-in and connection screens, shared looks and the Qt log bridge."""
