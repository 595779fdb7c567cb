"""Reception's people index loaded from the database: load time, refresh time, shortlist latency.

bench/search.py measures the matcher alone; this measures what a reception PC does at start
and every few seconds: stream every person (and aliases and flags) from SQLite or PostgreSQL
into the index, catch up with a delta refresh, and answer shortlists joined with marker
warnings read from the database.

    safedesk demo --people 1000000                  # into the configured database first
    python bench/search_load.py postgresql://postgres@127.0.0.1:5432/DBNAME
    python bench/search_load.py sqlite:///path/to/file.sqlite3 --json
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from safedesk.clock import SystemClock
from safedesk.db import Database
from safedesk.services.reception.person_search import PersonSearch

QUERIES = (
    "jon smyth 06/03/1985",
    "smith DE1 2AB",
    "margaret jones",
    "peggy o'brien 1960",
    "bill",
    "T0001234",
    "mohammed",
    "sasha 1990",
    "davies DE23",
    "o brien siobhan",
)


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("url", help="database URL holding the people")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--rounds", type=int, default=5, help="times to run the query set")
    args = parser.parse_args()
    db = Database(args.url, pool_size=2, max_overflow=2)
    try:
        search = PersonSearch.load(db, SystemClock())
        report = search.load_report
        assert report is not None
        refresh = [search.refresh().seconds for _ in range(3)]
        shortlist_ms: list[float] = []
        for _ in range(args.rounds):
            for query in QUERIES:
                started = time.perf_counter()
                search.shortlist(query, 20)
                shortlist_ms.append((time.perf_counter() - started) * 1000)
    finally:
        db.dispose()
    result = {
        "backend": "postgresql" if args.url.startswith("postgresql") else "sqlite",
        "people": report.people,
        "aliases": report.aliases,
        "flagged": report.flagged,
        "load_s": round(report.seconds, 2),
        "refresh_s": round(statistics.median(refresh), 3),
        "shortlist_p50_ms": round(statistics.median(shortlist_ms), 1),
        "shortlist_p95_ms": round(_percentile(shortlist_ms, 0.95), 1),
    }
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key:>18}: {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
