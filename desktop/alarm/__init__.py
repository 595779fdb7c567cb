"""The alarm screens: the alert window, notice, sound, controller, bus adapter, resolve and Call 999 dialogs, panic buttons and the Alarms and Incidents tabs."""
