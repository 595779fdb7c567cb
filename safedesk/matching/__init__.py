"""Finding a visitor's record despite typos, nicknames and spelling variants.

Pure Python, no Qt and no database: the reception window and `safedesk search` build a
PersonIndex from the people table and keep it current. Entry points:

    index = PersonIndex(records)              # PersonRecord for every person
    matches = index.search("jon smyth 06/03/1985", limit=20)
    for m in matches: m.record, m.score, m.reasons, m.certain, m.record.flagged
    index.candidates(line, min_score)         # every candidate above a threshold
    index.add(record) / update(record) / remove(person_id) / set_flagged(person_id, True)
"""

from safedesk.matching.person_index import PersonIndex
from safedesk.matching.query_parse import DateQuery, ParsedQuery, PostcodeQuery, parse_query
from safedesk.matching.records import PersonRecord
from safedesk.matching.scoring import CLOSE_MATCH_SCORE, FieldComparison, Match

__all__ = [
    "CLOSE_MATCH_SCORE",
    "DateQuery",
    "FieldComparison",
    "Match",
    "ParsedQuery",
    "PersonIndex",
    "PersonRecord",
    "PostcodeQuery",
    "parse_query",
]
