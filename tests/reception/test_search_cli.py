"""`safedesk search - --json` for scripts: each line read from stdin is answered before the next
is sent, on the people the housing system's export brought in."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from safedesk.db import Database
from tests.imports.test_import_cli import PEOPLE_CSV, ROOT, _run


def test_search_stdin_answers_each_line_before_the_next_is_sent(
    db: Database, db_url: str, tmp_path: Path
) -> None:
    people = tmp_path / "people.csv"
    people.write_text(PEOPLE_CSV, encoding="utf-8")
    assert _run(db_url, "import", "people", str(people)).returncode == 1
    env = {**os.environ, "SAFEDESK_DATABASE_URL": db_url}
    with subprocess.Popen(
        [sys.executable, "-m", "safedesk", "search", "-", "--json"],
        cwd=ROOT,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    ) as proc:
        assert proc.stdin is not None and proc.stdout is not None
        for query, ref in (("john smith", "T900001"), ("zzzzqqq", None), ("T900005", "T900005")):
            proc.stdin.write(query + "\n")
            proc.stdin.flush()
            answer = json.loads(proc.stdout.readline())
            assert (answer[0]["tenancy_ref"] if answer else None) == ref
        proc.stdin.close()
        assert proc.wait(timeout=30) == 0
