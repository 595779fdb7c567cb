"""Postcode comparison levels: exact, one character out, same sector, district or area.

People move within an estate and mistype postcodes, so a near postcode is evidence too,
just weaker: a sector is a few thousand addresses, a district tens of thousands.
"""

from __future__ import annotations

from rapidfuzz.distance import OSA

from safedesk.matching.normalise import postcode_area, postcode_district, postcode_sector
from safedesk.matching.query_parse import PostcodeQuery

EXACT = (1.0, "postcode exact")
ONE_OUT = (0.8, "postcode one character out")
SECTOR = (0.7, "postcode sector")
DISTRICT = (0.45, "postcode district")
AREA = (0.1, "postcode area")
UNKNOWN = (0.3, "no postcode on record")
DIFFERENT = (0.0, "postcode different")


def compare_postcode(typed: PostcodeQuery, stored: str | None) -> tuple[float, str]:
    """Level of a stored canonical postcode against what was typed."""
    if stored is None:
        return UNKNOWN
    if typed.full is not None:
        if stored == typed.full:
            return EXACT
        if OSA.distance(stored, typed.full, score_cutoff=1) <= 1:
            return ONE_OUT
    if typed.sector is not None and postcode_sector(stored) == typed.sector:
        return EXACT if typed.full is None else SECTOR
    district = postcode_district(stored)
    if district == typed.district:
        return EXACT if typed.sector is None else DISTRICT
    if postcode_area(district) == postcode_area(typed.district):
        return AREA
    return DIFFERENT
