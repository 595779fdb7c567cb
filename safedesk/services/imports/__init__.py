"""Bringing people and markers in from CSV without ever changing who a flagged record is."""
