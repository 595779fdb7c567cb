"""The core's services, one package per area of the office's work.

shared (actor, refusals, audit, office time, PC names, CSV export), alarms, buttons, weekly_test,
reception, markers, movements, staff and imports; ``hub`` puts them together for one database.
"""
