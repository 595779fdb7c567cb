"""The one CSV writer every export uses: no cell a spreadsheet would run as a formula.

A cell that Excel or LibreOffice reads as a formula (``=HYPERLINK(...)``, ``-1+cmd|' /C
calc'!A0``, ``@SUM(...)``) is written with a leading apostrophe, so it shows as the text it is
(OWASP "CSV Injection"): text that starts with = + - @, a tab, a carriage return or a line feed,
also after leading spaces, and the full-width forms of those signs. Numbers are written as they
are; the rule is for text, which is where names, rooms and device ids typed by people come from.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TextIO

_FORMULA_STARTS = frozenset("=+-@\t\r\n\uff1d\uff0b\uff0d\uff20")


def formula_safe(value: str | None) -> str:
    """Text for a CSV cell that a spreadsheet shows and never runs ("" for None)."""
    if not value:
        return ""
    if value[0] in _FORMULA_STARTS or value.lstrip(" ")[:1] in _FORMULA_STARTS:
        return "'" + value
    return value


def _cell(value: Any) -> Any:
    return formula_safe(value) if isinstance(value, str) else value


class SafeCsvWriter:
    """``csv.writer`` whose every text cell goes through ``formula_safe``."""

    def __init__(self, stream: TextIO, **options: Any) -> None:
        self._writer = csv.writer(stream, **options)

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow([_cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


class SafeDictWriter:
    """``csv.DictWriter`` (header, rows by column name) with the same rule for every cell."""

    def __init__(self, stream: TextIO, fieldnames: Sequence[str], **options: Any) -> None:
        self.fieldnames = list(fieldnames)
        self._writer = SafeCsvWriter(stream, **options)

    def writeheader(self) -> None:
        self._writer.writerow(self.fieldnames)

    def writerow(self, row: Mapping[str, Any]) -> None:
        extra = set(row) - set(self.fieldnames)
        if extra:
            raise ValueError(f"fields not in the header: {', '.join(sorted(extra))}")
        self._writer.writerow([row.get(name, "") for name in self.fieldnames])
