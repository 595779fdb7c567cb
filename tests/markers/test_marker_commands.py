"""`safedesk markers due|purge|views-report` on a real database file."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from safedesk.cli import main
from safedesk.clock import FakeClock
from safedesk.db import Database
from safedesk.models import AuditEntry, Marker, MarkerCategory, ReviewDecision
from safedesk.services.markers.placing import EvidenceInput, create_marker
from safedesk.services.markers.restricted_register import view_restricted
from safedesk.services.markers.review import ReviewInput, record_review
from tests.markers.office_world import build_world


@pytest.fixture
def cli_env(sqlite_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    (tmp_path / "safedesk.toml").write_text("")
    monkeypatch.setenv("SAFEDESK_CONFIG", str(tmp_path / "safedesk.toml"))
    monkeypatch.setenv("SAFEDESK_DATABASE_URL", sqlite_url)
    return sqlite_url


def test_due_lists_overdue_markers_and_purge_removes_expired_ones(
    cli_env: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # Markers placed in the past (the commands use the real clock).
    long_ago = FakeClock(datetime.now(UTC) - timedelta(days=800))
    db = Database(cli_env)
    try:
        world = build_world(db, long_ago.now())
        evidence = (
            EvidenceInput(long_ago.now().date(), "Shouted at the counter", "Officer report"),
        )
        with db.session() as s:
            overdue = create_marker(
                s,
                world.actor("asb"),
                world.assessment(evidence=evidence),
                now=long_ago.now(),
                config=world.config,
            ).id
            removed = create_marker(
                s,
                world.actor("service"),
                world.assessment(
                    category=MarkerCategory.NEAR_MISS,
                    assessed_by_id=world.staff["service"],
                    evidence=evidence,
                ),
                now=long_ago.now(),
                config=world.config,
            ).id
            record_review(
                s,
                world.actor("service"),
                removed,
                ReviewInput(
                    decision=ReviewDecision.REMOVE,
                    reason="No concerns since",
                    information_considered="Officer notes",
                    tenant_informed=True,
                ),
                now=long_ago.now(),
                config=world.config,
            )
        view_restricted(db, world.actor("area"), overdue, now=long_ago.now(), config=world.config)
    finally:
        db.dispose()

    assert main(["markers", "due", "--json"]) == 0
    (item,) = json.loads(capsys.readouterr().out)
    assert item["marker_id"] == overdue and item["overdue"] is True
    assert item["reviewer"] == "ASB Manager"

    assert main(["markers", "due"]) == 0
    assert "1 marker due within 30 days, 1 OVERDUE" in capsys.readouterr().out

    assert main(["markers", "purge", "--dry-run"]) == 0
    assert "would purge 1 removed markers" in capsys.readouterr().out
    assert main(["markers", "purge"]) == 0
    assert f"M-{removed:06d}  near_miss" in capsys.readouterr().out

    assert main(["markers", "views-report", "--csv"]) == 0
    rows = capsys.readouterr().out.strip().splitlines()
    assert rows[0].startswith("at,staff,workstation,marker_id")
    assert f",area,PC-TEST,{overdue}," in rows[1]

    db = Database(cli_env)
    try:
        with db.session() as s:
            assert s.get(Marker, removed) is None and s.get(Marker, overdue) is not None
            purge = s.scalars(select(AuditEntry).where(AuditEntry.action == "marker.purged")).one()
            assert purge.actor.startswith("cli:")
    finally:
        db.dispose()


def test_a_bad_date_in_views_report_is_a_usage_error(cli_env: str) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["markers", "views-report", "--since", "yesterday"])
    assert exit_.value.code == 2
