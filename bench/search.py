"""Reception search benchmark: as-you-type latency and recall over the demo population.

Builds a PersonIndex from generate_people(N) (2% flagged, as in the demo office), then
types every query of bench/search_queries.csv one keystroke at a time, timing each
search (limit 20, as the reception shortlist asks), and checks whether the true person
is in the top five for the finished query.

    python bench/search.py                 # 1,000,000 people, readable report
    python bench/search.py --people 100000 --json

Targets (issue 3): p95 <= 50 ms per keystroke, recall@5 = 100%. Queries whose person is
beyond --people are skipped (the demo sequence is stable, so the rest still apply).
"""

from __future__ import annotations

import argparse
import csv
import gc
import json
import random
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from safedesk.demo.people import generate_people
from safedesk.matching import PersonIndex, PersonRecord

QUERIES = Path(__file__).with_name("search_queries.csv")
FLAGGED_SHARE = 0.02
SHORTLIST = 20


def build_index(people: int) -> tuple[PersonIndex, float]:
    rng = random.Random(7)
    started = time.perf_counter()
    index = PersonIndex(
        PersonRecord(
            person_id=number,
            forenames=p.forenames,
            surname=p.surname,
            aliases=p.aliases,
            date_of_birth=p.date_of_birth,
            postcode=p.postcode,
            tenancy_ref=p.tenancy_ref,
            flagged=rng.random() < FLAGGED_SHARE,
        )
        for number, p in enumerate(generate_people(people), start=1)
    )
    return index, time.perf_counter() - started


def memory_mb() -> tuple[float, float]:
    """(resident now, peak resident) in MB where the platform tells; zeros elsewhere."""
    now = peak = 0.0
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmRSS:"):
                now = int(line.split()[1]) / 1024
            elif line.startswith("VmHWM:"):
                peak = int(line.split()[1]) / 1024
    return now, peak


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Reception search latency and recall")
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--queries", type=Path, default=QUERIES)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--misses", action="store_true", help="list the queries missed")
    args = parser.parse_args(argv)

    with args.queries.open(encoding="utf-8", newline="") as handle:
        rows = [
            r for r in csv.DictReader(handle) if int(r["tenancy_ref"].lstrip("T")) <= args.people
        ]
    index, build_s = build_index(args.people)
    gc.collect()
    rss_mb, peak_mb = memory_mb()

    keystrokes: list[float] = []
    finished: list[float] = []
    found = 0
    by_kind: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    misses: list[str] = []
    for row in rows:
        query = row["query"]
        for end in range(1, len(query) + 1):
            started = time.perf_counter()
            index.search(query[:end], limit=SHORTLIST)
            keystrokes.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        matches = index.search(query, limit=SHORTLIST)
        finished.append((time.perf_counter() - started) * 1000)
        top = [m.record.tenancy_ref for m in matches[:5]]
        hit = row["tenancy_ref"] in top
        found += hit
        by_kind[row["kind"]][0] += hit
        by_kind[row["kind"]][1] += 1
        if not hit:
            misses.append(f"{row['kind']}: {query!r} -> {row['tenancy_ref']}; top5 {top}")

    result = {
        "people": len(index),
        "queries": len(rows),
        "p50_ms": round(statistics.median(keystrokes), 2),
        "p95_ms": round(percentile(keystrokes, 0.95), 2),
        "recall_at_5": round(found / len(rows), 4) if rows else 0.0,
    }
    if args.json:
        print(json.dumps(result))
        print(
            f"build {build_s:.1f} s, RSS {rss_mb:.0f} MB (peak {peak_mb:.0f} MB), "
            f"{len(keystrokes)} keystrokes",
            file=sys.stderr,
        )
    else:
        print(f"people            {result['people']:,}")
        print(f"index build       {build_s:.1f} s (includes generating the people)")
        print(f"RSS after build   {rss_mb:.0f} MB (peak while building {peak_mb:.0f} MB)")
        print(f"keystrokes timed  {len(keystrokes):,}")
        print(f"latency p50       {result['p50_ms']} ms per keystroke")
        print(f"latency p95       {result['p95_ms']} ms per keystroke (target <= 50)")
        print(f"latency max       {max(keystrokes):.1f} ms")
        print(f"finished p95      {percentile(finished, 0.95):.1f} ms per whole query")
        print(f"recall@5          {found}/{len(rows)} = {result['recall_at_5']:.2%}")
        for kind, (hits, total) in sorted(by_kind.items()):
            print(f"  {kind:<24} {hits}/{total}")
    if args.misses or not args.json:
        for miss in misses:
            print("MISS", miss, file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
