"""Row lists per key (name word, date of birth, postcode), stored compactly.

At a million people there are ~150,000 such lists. As separate arrays they would be
~150,000 objects that Python's garbage collector walks on every full collection (tens of
milliseconds, felt as a stall while typing). So after the bulk build they are packed
into one array with offsets; rows added later (walk-ins, imports) go to small arrays
on the side until the next `compact()`.
"""

from __future__ import annotations

from array import array
from collections.abc import Hashable, Iterator, Sequence
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)


class Postings(Generic[K]):
    """key -> rows, in the order the rows were added."""

    def __init__(self) -> None:
        self._ids: dict[K, int] = {}  # only ints and strings: untracked by the collector
        self._data: array[int] = array("I")  # packed rows of every key, key by key
        self._start: array[int] = array("Q", [0])  # key id i owns _data[_start[i]:_start[i+1]]
        self._recent: dict[int, array[int]] = {}  # rows added since the last compact()

    def __contains__(self, key: object) -> bool:
        return key in self._ids

    def add(self, key: K, row: int) -> None:
        key_id = self._ids.get(key)
        if key_id is None:
            key_id = self._ids[key] = len(self._ids)
        recent = self._recent.get(key_id)
        if recent is None:
            recent = self._recent[key_id] = array("I")
        recent.append(row)

    def rows(self, key: K) -> list[Sequence[int]]:
        """The key's rows as one or two pieces (packed, then recent); [] when unknown."""
        key_id = self._ids.get(key)
        if key_id is None:
            return []
        pieces: list[Sequence[int]] = []
        if key_id + 1 < len(self._start):
            start, end = self._start[key_id], self._start[key_id + 1]
            if end > start:
                pieces.append(memoryview(self._data)[start:end])
        recent = self._recent.get(key_id)
        if recent:
            pieces.append(recent)
        return pieces

    def iter_rows(self, key: K) -> Iterator[int]:
        for piece in self.rows(key):
            yield from piece

    def count(self, key: K) -> int:
        return sum(len(piece) for piece in self.rows(key))

    def compact(self) -> None:
        """Pack recent rows into the single array (seconds at a million rows: do it rarely)."""
        if not self._recent:
            return
        data: array[int] = array("I")
        start: array[int] = array("Q", [0])
        packed = len(self._start) - 1
        old, old_start = self._data, self._start
        for key_id in range(len(self._ids)):
            if key_id < packed:
                data.extend(old[old_start[key_id] : old_start[key_id + 1]])
            recent = self._recent.get(key_id)
            if recent is not None:
                data.extend(recent)
            start.append(len(data))
        self._data, self._start, self._recent = data, start, {}
