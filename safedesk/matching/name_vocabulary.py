"""The vocabulary of stored name words and, for each, the rows that carry it.

Looking a typed word up here is the blocking step: it turns "smyth" into every stored
word it may stand for (smith, smythe, smyth...) before any person is scored, so the
scorer sees a bounded candidate set instead of a million rows.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from typing import Protocol

from rapidfuzz import process
from rapidfuzz.distance import OSA, JaroWinkler, Levenshtein

from safedesk.matching.nicknames_index import NicknameIndex
from safedesk.matching.phonetic import phonetic_codes
from safedesk.matching.postings import Postings
from safedesk.matching.token_match import NameLevel, TokenMatch

_JW_HIGH = 0.92
_JW_MID = 0.87
_JW_FLOOR = 0.80
_SOUND_AND_SLIP = (
    {NameLevel.PHONETIC, NameLevel.TYPO},
    {NameLevel.PHONETIC, NameLevel.TRANSPOSITION},
)
_SOUND_AND_SLIP_SIMILARITY = 0.93


class _Put(Protocol):
    def __call__(
        self, word: str, level: NameLevel, note: str = "", similarity: float = 0.0
    ) -> None: ...


class NameVocabulary:
    """Distinct folded name words, their postings (row numbers) and look-up structures."""

    def __init__(self, nicknames: NicknameIndex) -> None:
        self._nicknames = nicknames
        self.words: list[str] = []
        self.word_id: dict[str, int] = {}
        self.postings: Postings[int] = Postings()  # word id -> rows
        self._phonetic: dict[str, list[int]] = {}
        self._sorted: list[str] = []
        self._sorted_dirty = False
        self._by_length: dict[int, list[str]] = {}

    def intern(self, word: str) -> int:
        """The id of a word, adding it to the vocabulary when new."""
        found = self.word_id.get(word)
        if found is not None:
            return found
        wid = len(self.words)
        self.words.append(word)
        self.word_id[word] = wid
        primary, alternative = phonetic_codes(word)
        for code in {primary, alternative}:
            if code:
                self._phonetic.setdefault(code, []).append(wid)
        self._sorted_dirty = True
        self._by_length.setdefault(len(word), []).append(word)
        return wid

    def post(self, word_ids: Iterable[int], row: int) -> None:
        add = self.postings.add
        for wid in word_ids:
            add(wid, row)

    def frequency(self, wid: int) -> int:
        return self.postings.count(wid)

    def _sorted_words(self) -> list[str]:
        if self._sorted_dirty:
            self._sorted = sorted(self.words)
            self._sorted_dirty = False
        return self._sorted

    def with_prefix(self, prefix: str, limit: int = 2000) -> list[str]:
        words = self._sorted_words()
        start = bisect.bisect_left(words, prefix)
        found: list[str] = []
        for word in words[start : start + limit]:
            if not word.startswith(prefix):
                break
            found.append(word)
        return found

    def similar(self, typed: str, typing: bool) -> dict[int, TokenMatch]:
        """Stored words that `typed` may stand for, each with its best comparison level.

        `typing` is true for the word still being typed (as-you-type search), which may be
        the start of a longer name.
        """
        found: dict[int, TokenMatch] = {}

        def put(word: str, level: NameLevel, note: str = "", similarity: float = 0.0) -> None:
            wid = self.word_id.get(word)
            if wid is None:
                return
            value = similarity or level.similarity
            old = found.get(wid)
            if old is not None and {old.level, level} in _SOUND_AND_SLIP:
                # Both one slip of the keyboard and the same sound: say it sounds alike,
                # and trust it a little more than either alone.
                found[wid] = TokenMatch(_SOUND_AND_SLIP_SIMILARITY, NameLevel.PHONETIC, word)
            elif old is None or old.similarity < value:
                found[wid] = TokenMatch(value, level, word, note)

        put(typed, NameLevel.EXACT)
        for other, link in self._nicknames.related(typed).items():
            put(other, NameLevel.NICKNAME, f"{typed}→{other}", link.score)
        if len(typed) >= 2:
            self._phonetic_matches(typed, put)
        if len(typed) >= 3:
            self._spelling_matches(typed, put)
        if len(typed) >= 2 and (typing or len(typed) >= 4):
            level = NameLevel.PREFIX if len(typed) >= 3 else NameLevel.SHORT_PREFIX
            for word in self.with_prefix(typed):
                put(word, level)
        return found

    def _phonetic_matches(self, typed: str, put: _Put) -> None:
        primary, alternative = phonetic_codes(typed)
        if not primary:
            return
        for wid in self._phonetic.get(primary, ()):
            word = self.words[wid]
            if phonetic_codes(word)[0] == primary:
                put(word, NameLevel.PHONETIC)
            elif JaroWinkler.normalized_similarity(typed, word) >= 0.7:
                put(word, NameLevel.PHONETIC_ALTERNATIVE)
        if alternative != primary:
            for wid in self._phonetic.get(alternative, ()):
                word = self.words[wid]
                if JaroWinkler.normalized_similarity(typed, word) >= 0.7:
                    put(word, NameLevel.PHONETIC_ALTERNATIVE)

    def _spelling_matches(self, typed: str, put: _Put) -> None:
        # A typo or a transposition changes the length by at most two letters; longer
        # and shorter words are reached through prefixes, short forms and sound.
        reach = 3 if len(typed) >= 8 else 2
        choices: list[str] = []
        for length in range(len(typed) - reach, len(typed) + reach + 1):
            choices.extend(self._by_length.get(length, ()))
        hits = process.extract(
            typed,
            choices,
            scorer=JaroWinkler.normalized_similarity,
            score_cutoff=_JW_FLOOR,
            limit=None,
        )
        for word, jw, _ in hits:
            edits = OSA.distance(typed, word, score_cutoff=2)
            if edits == 1 and len(typed) >= 4:
                swapped = Levenshtein.distance(typed, word) == 2
                put(word, NameLevel.TRANSPOSITION if swapped else NameLevel.TYPO)
            elif jw >= _JW_HIGH:
                put(word, NameLevel.JARO_WINKLER_HIGH)
            elif jw >= _JW_MID:
                put(word, NameLevel.JARO_WINKLER_MID)
            elif edits <= 2 and len(typed) >= 6:
                put(word, NameLevel.TWO_EDITS)
