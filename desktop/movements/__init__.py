"""The movements diary on screen: the board of who is out, logging a visit, the OVERDUE alert.

``panel_hook.add_movements_panel`` (in ``desktop.panels.PANELS``) adds the Movements tab and
starts this PC's reader of the diary's bus events; the OVERDUE alert has its own amber-and-black
window and its own sound, so nobody mistakes it for a panic alarm.
"""
