"""Name/short-form pairs that the `nicknames` dataset (US-English) lacks.

The `nicknames` package is the source of truth for English short forms (Bill/William,
Peggy/Margaret). It has no entries for short forms common in UK communities that come
from other languages, such as the Slavonic Sasha for Alexandra/Alexander, or the Welsh
and Irish forms of English names. These few pairs are added in the package's own
(canonical, nickname) shape and merged into its lookup; keep this list short and sourced.
"""

from __future__ import annotations

# (canonical name, short form or equivalent), folded to ASCII lower case.
SUPPLEMENT_PAIRS: tuple[tuple[str, str], ...] = (
    # Slavonic diminutives (Russian, Ukrainian, Polish)
    ("alexandra", "sasha"), ("alexander", "sasha"), ("alexandra", "sacha"),
    ("alexander", "sacha"), ("aleksandra", "ola"), ("aleksandra", "sasha"),
    ("mikhail", "misha"), ("michael", "misha"), ("dmitri", "dima"), ("katarzyna", "kasia"),
    ("malgorzata", "gosia"), ("malgorzata", "malgosia"), ("barbara", "basia"),
    ("tomasz", "tomek"), ("jakub", "kuba"), ("wojciech", "wojtek"), ("zofia", "zosia"),
    ("stanislaw", "stas"), ("agnieszka", "aga"), ("lukasz", "lukas"),
    # Welsh, Irish and Scottish forms of English names
    ("john", "sean"), ("john", "shaun"), ("john", "shane"), ("john", "eoin"),
    ("john", "ieuan"), ("john", "iwan"), ("jane", "sian"), ("jane", "sinead"),
    ("joan", "siobhan"), ("david", "dafydd"), ("david", "dai"), ("patrick", "padraig"),
    ("james", "hamish"), ("james", "seamus"), ("mary", "maire"), ("evan", "ifan"),
    # Arabic names and their usual short forms
    ("mohammed", "mo"), ("muhammad", "mo"), ("mohammad", "mo"), ("abdullahi", "abdi"),
)  # fmt: skip
