"""Many PCs guessing one login at the same instant; counts the passwords actually checked.

A password is checked when its argon2 output (the sign-in proof) is computed: that is the work
the lockout exists to limit. Used in threads and, through ``guess_in_process``, in processes.
"""

from __future__ import annotations

import contextlib
import threading
import time
from unittest import mock

from safedesk.clock import FakeClock
from safedesk.db import Database
from safedesk.services.staff import sign_in as auth


def guess_together(url: str, login: str, threads: int, start_at: float | None = None) -> int:
    """``threads`` guesses of ``login`` released together; how many passwords were checked."""
    real = auth.sign_in_proof
    checked = 0
    lock = threading.Lock()

    def counting(settings: str, hash_chars: int, password: str) -> str:
        nonlocal checked
        with lock:
            checked += 1
        return real(settings, hash_chars, password)

    db = Database(url, pool_size=threads, max_overflow=threads)
    barrier = threading.Barrier(threads)
    clock = FakeClock()

    def one(i: int) -> None:
        barrier.wait()
        with contextlib.suppress(auth.SignInRefused):
            auth.sign_in(db, login, f"guess {i}", workstation=f"PC-{i}", now=clock.now())

    try:
        with mock.patch.object(auth, "sign_in_proof", counting):
            if start_at is not None:
                time.sleep(max(0.0, start_at - time.time()))
            workers = [threading.Thread(target=one, args=(i,)) for i in range(threads)]
            for w in workers:
                w.start()
            for w in workers:
                w.join(60)
    finally:
        db.dispose()
    return checked


def guess_in_process(args: tuple[str, str, int, float]) -> int:
    url, login, threads, start_at = args
    return guess_together(url, login, threads, start_at)
