"""Two PCs on one SQLite file run the same read-then-decide step at the same moment: with the
write lock taken first, the second waits for the first to commit and then reads what it wrote."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from sqlalchemy import func, select

from safedesk.db import Database
from safedesk.db.write_lock import take_sqlite_write_lock
from safedesk.models import Office

HOLD_S = 0.5  # how long the first PC holds its decision open while the second one starts


def open_office_once(
    db: Database, saw: dict[str, bool], pc: str, before_deciding: Callable[[], None]
) -> None:
    """The step under test: look whether the office exists and, if not, open it."""
    with db.session() as s:
        take_sqlite_write_lock(s)
        exists = s.scalar(select(Office.id).where(Office.name == "Riverside")) is not None
        saw[pc] = exists
        before_deciding()
        if not exists:
            s.add(Office(name="Riverside", address="1 River Street"))


def test_a_second_pcs_step_waits_for_the_first_and_sees_its_write(sqlite_url: str) -> None:
    pc1, pc2 = Database(sqlite_url), Database(sqlite_url)
    saw: dict[str, bool] = {}
    errors: list[BaseException] = []
    pc1_has_looked = threading.Event()
    pc2_is_starting = threading.Event()

    def pc1_holds_its_decision() -> None:
        pc1_has_looked.set()
        pc2_is_starting.wait(timeout=5)
        time.sleep(HOLD_S)

    def run_pc1() -> None:
        try:
            open_office_once(pc1, saw, "PC1", pc1_holds_its_decision)
        except BaseException as exc:  # noqa: BLE001 - reported by the asserts below
            errors.append(exc)

    def run_pc2() -> None:
        try:
            pc1_has_looked.wait(timeout=5)
            pc2_is_starting.set()
            open_office_once(pc2, saw, "PC2", lambda: None)
        except BaseException as exc:  # noqa: BLE001 - reported by the asserts below
            errors.append(exc)

    threads = [threading.Thread(target=run_pc1), threading.Thread(target=run_pc2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    pc1.dispose()
    pc2.dispose()

    # PC1 found no office and opened it; PC2 waited for that and found it open.
    assert saw == {"PC1": False, "PC2": True}
    assert not errors, errors
    db = Database(sqlite_url)
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Office)) == 1
    db.dispose()
