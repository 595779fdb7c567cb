"""Reading an import's CSV file into rows by line number, and the dates its columns hold.

A file that cannot be read as a whole (missing, not UTF-8, required columns absent or unknown
ones present) raises ``ImportFileError``; a bad row raises ``BadRow``, which the importer reports
by line while it keeps the good rows. Header names are not case-sensitive.

Quotes must pair up: a row with a quote left open is rejected by line and reading resumes on the
next line, so it can never become a person named "Unclosed,Quote,1960-01-01,...".
"""

from __future__ import annotations

import csv
import io
import itertools
import re
from collections.abc import Iterator, Sequence
from datetime import date
from pathlib import Path

from safedesk.plural import noun

_DMY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


class ImportFileError(Exception):
    """The file as a whole cannot be read (missing, not CSV, required columns absent)."""


class BadRow(ValueError):
    """A row that is rejected, with the reason reported on its line."""


def parse_date(text: str, column: str) -> date:
    """ISO (1985-03-06) or UK (06/03/1985); nothing else, so 03/06 is never read US-style."""
    value = text.strip()
    found = _ISO.match(value)
    if found is not None:
        year, month, day = (int(g) for g in found.groups())
    else:
        found = _DMY.match(value)
        if found is None:
            raise BadRow(f"{column} {value!r} is not a date (use 1985-03-06 or 06/03/1985)")
        day, month, year = (int(g) for g in found.groups())
    try:
        return date(year, month, day)
    except ValueError:
        raise BadRow(f"{column} {value!r} is not a real date") from None


UNPAIRED_QUOTES = (
    'its quotes do not pair up (a " opened and not closed?): the row is not read; '
    "reading goes on from the next line"
)


def _read_lines(path: Path) -> list[str]:
    """The file's physical lines, endings kept (csv needs them inside quoted fields)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ImportFileError(f"{path}: file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ImportFileError(f"{path}: cannot read as UTF-8 text: {exc}") from None
    return io.StringIO(text, newline="").readlines()


def _records(
    lines: list[str], first: int, multiline: frozenset[int]
) -> Iterator[tuple[int, list[str] | None]]:
    """(first line number, fields) for each record from index ``first``; None for a record
    whose quotes do not pair up.

    A quote left open swallows every following line into one field, so such a record is rejected
    and reading starts again on the line after the one where it began: one bad row costs one
    row. Only the columns in ``multiline`` (an address) may legitimately span lines.
    """
    pos = first
    while pos < len(lines):
        reader = csv.reader(itertools.islice(lines, pos, None), strict=True)
        used = 0
        try:
            for values in reader:
                start = pos + used + 1
                spans = reader.line_num - used > 1
                used = reader.line_num
                if spans and any(
                    "\n" in v or "\r" in v for i, v in enumerate(values) if i not in multiline
                ):
                    yield start, None
                    pos = start
                    break
                yield start, values
            else:
                return
        except csv.Error:
            yield pos + used + 1, None
            pos = pos + used + 1


def read_rows(
    path: Path, columns: Sequence[str], required: Sequence[str], multiline: Sequence[str] = ()
) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, row by lower-case column) for each data row; header names any case.

    A row that cannot be read comes as ``{"__error__": reason}``, for the importer to reject.
    """
    lines = _read_lines(path)
    reader = csv.reader(iter(lines), strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise ImportFileError(f"{path}: the file is empty") from None
    except csv.Error as exc:
        raise ImportFileError(f"{path}: line 1: {exc}") from None
    names = [h.strip().lower() for h in header]
    missing = [c for c in required if c not in names]
    if missing:
        raise ImportFileError(
            f"{path}: line 1: missing {noun(len(missing), 'column')} {', '.join(missing)} "
            f"(expected {','.join(columns)}; header names are not case-sensitive)"
        )
    unknown = [n for n in names if n and n not in columns]
    if unknown:
        raise ImportFileError(
            f"{path}: line 1: unknown {noun(len(unknown), 'column')} {', '.join(unknown)}"
            f" (expected {','.join(columns)})"
        )
    spanning = frozenset(i for i, n in enumerate(names) if n in multiline)
    for start, values in _records(lines, reader.line_num, spanning):
        if values is None:
            yield start, {"__error__": UNPAIRED_QUOTES}
            continue
        if not any(v.strip() for v in values):
            continue
        if len(values) > len(names):
            yield start, {"__error__": f"{len(values)} fields but the header has {len(names)}"}
            continue
        yield (
            start,
            {n: (values[i].strip() if i < len(values) else "") for i, n in enumerate(names)},
        )
