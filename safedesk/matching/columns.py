"""Compact per-row storage for a million people.

Names, aliases and postcodes repeat across rows (hundreds of "Smith"s in one postcode),
so rows hold small integer ids into a table of distinct values instead of references.
Besides saving memory this keeps millions of references out of the columns, so Python's
cyclic garbage collector has little to walk and as-you-type searches do not stall.
"""

from __future__ import annotations

from array import array
from collections.abc import Hashable
from typing import Generic, TypeVar

T = TypeVar("T", bound=Hashable)


class InternTable(Generic[T]):
    """Distinct values, each stored once, addressed by a stable integer id."""

    def __init__(self, nothing: T | None = None) -> None:
        # Id 0 is the "nothing" value: None, or an empty tuple for "no aliases".
        self.values: list[T | None] = [nothing]
        self._ids: dict[T, int] = {} if nothing is None else {nothing: 0}

    def intern(self, value: T) -> tuple[int, bool]:
        """The id of `value` and whether it was new."""
        found = self._ids.get(value)
        if found is not None:
            return found, False
        self._ids[value] = len(self.values)
        self.values.append(value)
        return len(self.values) - 1, True

    def __getitem__(self, value_id: int) -> T | None:
        return self.values[value_id]


class RowMap:
    """person_id -> row. Database ids are small and dense, so an array usually does."""

    _DENSE_LIMIT = 50_000_000

    def __init__(self) -> None:
        self._dense: array[int] = array("i")
        self._sparse: dict[int, int] = {}

    def get(self, person_id: int) -> int | None:
        if 0 <= person_id < len(self._dense):
            row = self._dense[person_id]
            return None if row < 0 else row
        return self._sparse.get(person_id)

    def __contains__(self, person_id: object) -> bool:
        return isinstance(person_id, int) and self.get(person_id) is not None

    def set(self, person_id: int, row: int) -> None:
        if 0 <= person_id < self._DENSE_LIMIT:
            if person_id >= len(self._dense):
                grow = max(person_id + 1 - len(self._dense), len(self._dense) // 2, 1024)
                self._dense.extend([-1] * grow)
            self._dense[person_id] = row
        else:
            self._sparse[person_id] = row

    def delete(self, person_id: int) -> None:
        if 0 <= person_id < len(self._dense):
            self._dense[person_id] = -1
        else:
            self._sparse.pop(person_id, None)


class StringColumn:
    """Optional strings by row, kept in fixed blocks of tuples.

    A tuple holding only strings is dropped from the garbage collector's tracking, so a
    million tenancy references cost the collector a few hundred blocks, not a million
    references to walk on every full collection (which showed as 100 ms search stalls).
    """

    _BLOCK = 4096

    def __init__(self) -> None:
        self._full: list[tuple[str | None, ...]] = []
        self._tail: list[str | None] = []

    def append(self, value: str | None) -> None:
        self._tail.append(value)
        if len(self._tail) == self._BLOCK:
            self._full.append(tuple(self._tail))
            self._tail = []

    def __getitem__(self, row: int) -> str | None:
        block, offset = divmod(row, self._BLOCK)
        if block < len(self._full):
            return self._full[block][offset]
        return self._tail[offset]

    def __len__(self) -> int:
        return len(self._full) * self._BLOCK + len(self._tail)
