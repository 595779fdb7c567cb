"""The weekly panic alarm test on screen: checklist, result entry, year view, header status, flags.

Widgets call ``safedesk.services.weekly_test.desk.WeeklyTestDesk`` only; the rules live in the
core.
"""
