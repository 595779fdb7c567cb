"""Press-to-screen latency of the alarm path: N buttons, M screens, separate processes.

    .venv/bin/python bench/alarm_latency.py [--scenario burst|incident|steady] [--buttons 200]
        [--screens 100] [--presses 400] [--backend sqlite|postgresql|both] [--json]

Scenarios: ``burst`` (default: one press per button within 2 s), ``incident`` (20 presses within
1 s among 200 buttons, 100 screens: a real incident where several rooms press at once) and
``steady`` (one press per button spread over 60 s: an ordinary day's rate, each press alone).
On PostgreSQL the same run also measures the bare fan-out: the same presses as a plain
``INSERT ... ; NOTIFY`` to the same number of LISTEN connections (one per screen process, each
handing the event to its screens' threads, the layout SafeDesk uses), so ``ratio_to_bare_p99``
says how much SafeDesk adds on this machine today. Targets (bench, not tests): incident p99
press-to-screen <= 100 ms and painted <= 150 ms; steady p99 within 5x the bare fan-out.

Buttons press through the real AlarmService (one transaction per press, as a driver does);
screens are real bus subscriptions, several per process the way one PC runs several windows,
so 100 screens stay within PostgreSQL's connection limit (each process: one LISTEN connection
plus a pool of one). Every screen must receive every press exactly once: ``lost`` and
``duplicates`` count the exceptions. Latency is from the press time stamped by the button to
the moment the screen's reader thread has the event. With --paint (default on when the desktop
alert window exists) one extra process shows each alarm in a real offscreen AlertWindow and
measures press-to-painted. Prints figures; asserts nothing (targets are read, not tested).

--json keys per database: backend, buttons, screens, presses, p50_ms, p99_ms, max_ms, lost,
duplicates; commit_p50_ms/commit_p99_ms (the press's own transaction) and bus_p50_ms/bus_p99_ms
(from that commit returning to the screen having the event: the bus's own share); painted_presses/painted_p50_ms/painted_max_ms, or painted: "missing ..." without the
desktop alert window; bare_p50_ms/bare_p99_ms/ratio_to_bare_p99 (PostgreSQL); statements_per_press
and db_ms_per_press_p50 (where the press transaction's time goes: SQL round trips and the commit,
measured with SQLAlchemy cursor events in the button processes). The figures include everything else running on the machine: 100 screens and
200 buttons on one small box measure the box as much as the bus.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import multiprocessing as mp
import os
import random
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select

from safedesk.alarm_bus import AlarmPressedAgain, AlarmRaised, make_bus
from safedesk.button_events import ButtonPress, DeviceKind
from safedesk.clock import SystemClock
from safedesk.config import AlarmConfig
from safedesk.db import Database
from safedesk.db.migrate import upgrade
from safedesk.models import Office, PanicDevice, Room, RoomKind
from safedesk.services.alarms.alarm_service import AlarmService

PG_ADMIN_URL = os.environ.get(
    "SAFEDESK_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
ALERT_WINDOW = Path(__file__).resolve().parent.parent / "desktop" / "alert_window.py"

# Hundreds of "ALARM raised" warnings are the point of the run, not news: errors only.
logging.getLogger("safedesk").setLevel(logging.ERROR)

# Many threads per process, each mostly waiting on the database: with CPython's default 5 ms
# GIL switch interval a thread back from the server can wait 5 ms per round trip behind a busy one.
SWITCH_INTERVAL_S = 0.0005

Key = tuple[str, str]  # (device id, press time ISO): one press


# --- setup ---------------------------------------------------------------------------------------


def seed(db: Database, buttons: int) -> list[str]:
    now = datetime.now(UTC)
    devices = [f"bench-{i:04d}" for i in range(buttons)]
    with db.session() as s:
        office = Office(
            name="Bench Office", address="1 Bench Road, Derby", time_zone="Europe/London"
        )
        s.add(office)
        s.flush()
        for i, device_id in enumerate(devices):
            room = Room(office_id=office.id, name=f"Room {i:04d}", kind=RoomKind.INTERVIEW_ROOM)
            s.add(room)
            s.flush()
            s.add(
                PanicDevice(
                    device_id=device_id,
                    kind=DeviceKind.SERIAL,
                    room_id=room.id,
                    registered_at=now,
                    last_seen_at=now,
                )
            )
    return devices


def create_pg_database() -> tuple[str, str]:
    import psycopg

    name = f"sd_bench_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name, name


def drop_pg_database(name: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --- processes -----------------------------------------------------------------------------------


def _key_of(event: Any) -> Key | None:
    """The press an event announces; warm-up presses are not part of the measurement."""
    if isinstance(event, AlarmRaised | AlarmPressedAgain) and event.device_id.startswith("bench-"):
        return (event.device_id, event.pressed_at.isoformat())
    return None


def screen_process(
    url: str, screens: int, expected: int, ready: Any, results: Any, timeout_s: float
) -> None:
    """One PC with ``screens`` windows: one bus, one subscription and reader thread per window."""
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    db = Database(url, pool_size=1, max_overflow=0)
    bus = make_bus(db, SystemClock())
    subs = [bus.subscribe() for _ in range(screens)]
    received: list[list[tuple[Key, float]]] = [[] for _ in range(screens)]

    def read(index: int) -> None:
        sub = subs[index]
        got = received[index]
        deadline = time.monotonic() + timeout_s
        while len(got) < expected and time.monotonic() < deadline:
            batch = sub.get(timeout=0.5)
            arrived = time.time()
            for message in batch:
                key = _key_of(message.event)
                if key is not None:
                    got.append((key, arrived))
        # Linger briefly: a duplicate arriving late must still be counted.
        for message in sub.get(timeout=0.3):
            key = _key_of(message.event)
            if key is not None:
                got.append((key, time.time()))

    threads = [threading.Thread(target=read, args=(i,)) for i in range(screens)]
    for t in threads:
        t.start()
    ready.release()
    for t in threads:
        t.join()
    results.put(received)
    bus.close()
    db.dispose()


def button_process(
    url: str,
    plan: list[tuple[str, int, float]],
    warm_devices: list[str],
    warmed: Any,
    go: Any,
    start_at: Any,
    results: Any,
    pool: int,
) -> None:
    """Buttons in one process: each press at its planned offset, each through AlarmService.

    First a warm-up press per pooled connection, so the figures are for a running driver, not
    for a process opening its connections and compiling its queries.
    """
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    db = Database(url, pool_size=pool, max_overflow=0)
    clock = SystemClock()
    bus = make_bus(db, clock)
    service = AlarmService(db, bus, clock, AlarmConfig(escalate_after_s=3600), "BENCH-BUTTONS")
    sql_time = _StatementTimer(db)
    warmers = [
        threading.Thread(
            target=service.press,
            args=(ButtonPress(d, 1, datetime.now(UTC), DeviceKind.SERIAL, boot_id=1),),
        )
        for d in warm_devices
    ]
    for t in warmers:
        t.start()
    for t in warmers:
        t.join()
    warmed.release()
    go.wait()
    sql_time.reset()
    start = start_at.value
    done: list[Key] = []
    commit_ms: list[float] = []
    committed_at: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    by_device: dict[str, list[tuple[int, float]]] = {}
    for device_id, seq, offset in plan:
        by_device.setdefault(device_id, []).append((seq, offset))

    def button(device_id: str, presses: list[tuple[int, float]]) -> None:
        for seq, offset in sorted(presses, key=lambda p: p[1]):
            delay = start + offset - time.time()
            if delay > 0:
                time.sleep(delay)
            pressed_at = datetime.now(UTC)
            try:
                service.press(ButtonPress(device_id, seq, pressed_at, DeviceKind.SERIAL, boot_id=1))
            except Exception as exc:  # noqa: BLE001 - counted and reported as lost presses
                with lock:
                    errors.append(f"{device_id}/{seq}: {exc!r}")
                continue
            committed = datetime.now(UTC)
            with lock:
                done.append((device_id, pressed_at.isoformat()))
                commit_ms.append((committed - pressed_at).total_seconds() * 1000)
                committed_at.append(committed.timestamp())

    threads = [threading.Thread(target=button, args=item) for item in by_device.items()]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    results.put(
        (
            done,
            errors,
            commit_ms,
            committed_at,
            sql_time.statements,
            sql_time.seconds,
            sql_time.by_statement,
        )
    )
    bus.close()
    db.dispose()


class _StatementTimer:
    """Counts SQL statements and the time spent in them (execute and commit) in this process."""

    def __init__(self, db: Database) -> None:
        from sqlalchemy import event

        self._lock = threading.Lock()
        self._local = threading.local()
        self.statements = 0
        self.seconds = 0.0
        self.by_statement: dict[str, list[float]] = {}  # statement shape -> [count, seconds]
        event.listen(db.engine, "before_cursor_execute", self._before)
        event.listen(db.engine, "after_cursor_execute", self._after)
        event.listen(db.engine, "commit", self._before_commit)

    def reset(self) -> None:
        with self._lock:
            self.statements = 0
            self.seconds = 0.0
            self.by_statement = {}

    def _before(self, *_args: Any) -> None:
        self._local.started = time.perf_counter()

    def _after(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        elapsed = time.perf_counter() - getattr(self._local, "started", time.perf_counter())
        shape = " ".join(statement.split())[:70]
        with self._lock:
            self.statements += 1
            self.seconds += elapsed
            entry = self.by_statement.setdefault(shape, [0, 0.0])
            entry[0] += 1
            entry[1] += elapsed

    def _before_commit(self, _conn: Any) -> None:
        with self._lock:
            self.statements += 1  # the COMMIT round trip (its time is in the press's commit_ms)


class _NoActions:
    def respond(self, alarm_id: int) -> None:
        del alarm_id

    def resolve(self, alarm_id: int, outcome: Any, notes: str) -> None:
        del alarm_id, outcome, notes

    def silence(self, alarm_id: int) -> None:
        del alarm_id


def paint_process(url: str, devices: list[str], ready: Any, results: Any, timeout_s: float) -> None:
    """A responder PC: each new alarm from ``devices`` opens a real AlertWindow offscreen.

    Measured from the press time to the end of the window's first paint pass.
    """
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QTimer
    from PySide6.QtGui import QPaintEvent
    from PySide6.QtWidgets import QApplication

    from desktop.alarm.alert_window import AlertWindow

    app = QApplication.instance() or QApplication([])
    db = Database(url, pool_size=1, max_overflow=0)
    clock = SystemClock()
    bus = make_bus(db, clock)
    service = AlarmService(db, bus, clock, AlarmConfig(escalate_after_s=3600), "BENCH-PAINT")
    sub = bus.subscribe()
    latencies: list[float] = []
    windows: list[Any] = []
    wanted = set(devices)
    deadline = time.monotonic() + timeout_s

    class TimedAlertWindow(AlertWindow):
        pressed = 0.0
        painted = False

        def paintEvent(self, event: QPaintEvent) -> None:
            super().paintEvent(event)
            if not self.painted:
                self.painted = True
                # After this paint pass (the window and its children) has been flushed.
                QTimer.singleShot(0, self.mark)

        def mark(self) -> None:
            latencies.append((time.time() - self.pressed) * 1000)

    def poll() -> None:
        for message in sub.get(timeout=0.0):
            event = message.event
            if isinstance(event, AlarmRaised) and event.device_id in wanted:
                window = TimedAlertWindow(service.alert(event.alarm_id), _NoActions(), clock)
                window.pressed = event.pressed_at.timestamp()
                windows.append(window)
                window.showFullScreen()
        if len(latencies) >= len(wanted) or time.monotonic() > deadline:
            app.exit(0)  # quit() would ask the alert windows to close, and they refuse

    ticker = QTimer()
    ticker.setInterval(1)
    ticker.timeout.connect(poll)
    ticker.start()
    ready.release()
    app.exec()
    ticker.stop()
    results.put(latencies)
    results.close()
    results.join_thread()
    sub.close()
    bus.close()
    db.dispose()
    # Skip Qt's teardown of many top-level windows at exit: the figures are already sent.
    os._exit(0)


# --- the bare fan-out (PostgreSQL): INSERT + NOTIFY to the same listeners ----------------------


def bare_listener_process(
    url: str, screens: int, expected: int, ready: Any, results: Any, timeout_s: float
) -> None:
    """One LISTEN connection handing each notification to ``screens`` reader threads."""
    import queue

    import psycopg

    sys.setswitchinterval(SWITCH_INTERVAL_S)
    conn = psycopg.connect(_libpq_url(url), autocommit=True)
    conn.execute("LISTEN bench_bare")
    queues: list[queue.Queue[tuple[str, float]]] = [queue.Queue() for _ in range(screens)]
    received: list[list[tuple[str, float]]] = [[] for _ in range(screens)]

    def read(index: int) -> None:
        got = received[index]
        while len(got) < expected:
            try:
                key, _ = queues[index].get(timeout=timeout_s)
            except queue.Empty:
                return
            got.append((key, time.time()))

    threads = [threading.Thread(target=read, args=(i,)) for i in range(screens)]
    for t in threads:
        t.start()
    ready.release()
    deadline = time.monotonic() + timeout_s
    seen = 0
    while seen < expected and time.monotonic() < deadline:
        for note in conn.notifies(timeout=0.5, stop_after=1):
            seen += 1
            for q in queues:
                q.put((note.payload, 0.0))
    for t in threads:
        t.join(timeout=5)
    results.put(received)
    conn.close()


def bare_publish(url: str, plan: list[tuple[str, int, float]], publishers: int) -> dict[str, float]:
    """The presses of ``plan`` as plain INSERT + NOTIFY transactions; returns press key -> time."""
    import psycopg

    pressed: dict[str, float] = {}
    lock = threading.Lock()
    by_device: dict[str, list[tuple[int, float]]] = {}
    for device_id, seq, offset in plan:
        by_device.setdefault(device_id, []).append((seq, offset))
    items = list(by_device.items())
    conns = [psycopg.connect(_libpq_url(url)) for _ in range(publishers)]
    conn_locks = [threading.Lock() for _ in conns]
    start = time.time() + 0.3

    def button(index: int, device_id: str, presses: list[tuple[int, float]]) -> None:
        for seq, offset in sorted(presses, key=lambda p: p[1]):
            delay = start + offset - time.time()
            if delay > 0:
                time.sleep(delay)
            at = time.time()
            key = f"{device_id}/{seq}"
            slot = index % len(conns)
            with conn_locks[slot]:
                conn = conns[slot]
                conn.execute(
                    "INSERT INTO bench_bare (device_id, pressed_at) VALUES (%s, %s)", (key, at)
                )
                conn.execute("SELECT pg_notify('bench_bare', %s)", (key,))
                conn.commit()
            with lock:
                pressed[key] = at

    threads = [threading.Thread(target=button, args=(i, d, p)) for i, (d, p) in enumerate(items)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for conn in conns:
        conn.close()
    return pressed


def run_bare(
    ctx: Any, url: str, plan: list[tuple[str, int, float]], args: argparse.Namespace
) -> dict[str, Any]:
    import psycopg

    with psycopg.connect(_libpq_url(url), autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE IF NOT EXISTS bench_bare"
            " (id bigserial PRIMARY KEY, device_id text, pressed_at double precision)"
        )
    expected = len(plan)
    timeout_s = args.spread + 60
    ready = ctx.Semaphore(0)
    results = ctx.Queue()
    procs = []
    remaining = args.screens
    while remaining > 0:
        n = min(args.screens_per_process, remaining)
        remaining -= n
        p = ctx.Process(
            target=bare_listener_process, args=(url, n, expected, ready, results, timeout_s)
        )
        p.start()
        procs.append(p)
    for _ in procs:
        if not ready.acquire(timeout=120):
            raise RuntimeError("bare listeners did not start within 120 s")
    time.sleep(0.5)
    pressed = bare_publish(url, plan, args.button_processes * args.pool_per_button_process)
    latencies: list[float] = []
    lost = 0
    for _ in procs:
        for screen in results.get(timeout=timeout_s + 60):
            seen = set()
            for key, arrived in screen:
                seen.add(key)
                if key in pressed:
                    latencies.append((arrived - pressed[key]) * 1000)
            lost += len(set(pressed) - seen)
    for p in procs:
        p.join(timeout=30)
    return {
        "bare_p50_ms": round(percentile(latencies, 50), 1),
        "bare_p99_ms": round(percentile(latencies, 99), 1),
        "bare_lost": lost,
    }


def _libpq_url(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


SCENARIOS: dict[str, dict[str, float | int | None]] = {
    "burst": {},
    "incident": {"buttons": 200, "screens": 100, "presses": 20, "spread": 1.0},
    "steady": {"spread": 60.0},
}


# --- one run -------------------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, math.ceil(p / 100 * len(ordered)) - 1))
    return ordered[index]


def run(backend: str, args: argparse.Namespace) -> dict[str, Any]:
    ctx = mp.get_context("spawn")
    tmp: tempfile.TemporaryDirectory[str] | None = None
    pg_name = None
    if backend == "sqlite":
        tmp = tempfile.TemporaryDirectory(prefix="safedesk-bench-")
        url = f"sqlite:///{(Path(tmp.name) / 'bench.sqlite3').as_posix()}"
    else:
        url, pg_name = create_pg_database()
    try:
        db = Database(url)
        upgrade(db.engine)
        warm_count = args.button_processes * args.pool_per_button_process
        all_devices = seed(db, args.buttons + args.paint_presses + warm_count)
        devices = all_devices[: args.buttons]
        paint_devices = all_devices[args.buttons : args.buttons + args.paint_presses]
        warm_devices = ["warm-" + d for d in all_devices[args.buttons + args.paint_presses :]]
        with db.session() as s:
            for warm in s.scalars(
                select(PanicDevice).where(
                    PanicDevice.device_id.in_(all_devices[args.buttons + args.paint_presses :])
                )
            ):
                warm.device_id = "warm-" + warm.device_id
        db.dispose()

        rng = random.Random(args.seed)
        plan: list[tuple[str, int, float]] = []
        for i in range(args.presses):
            device = devices[i % len(devices)]
            plan.append((device, i // len(devices) + 1, rng.uniform(0, args.spread)))
        expected = len(plan)

        screen_procs = math.ceil(args.screens / args.screens_per_process)
        paint = args.paint and ALERT_WINDOW.exists()
        ready = ctx.Semaphore(0)
        screen_results = ctx.Queue()
        timeout_s = args.spread + 60
        procs = []
        remaining = args.screens
        for _ in range(screen_procs):
            n = min(args.screens_per_process, remaining)
            remaining -= n
            p = ctx.Process(
                target=screen_process, args=(url, n, expected, ready, screen_results, timeout_s)
            )
            p.start()
            procs.append(p)
        paint_results = ctx.Queue()
        paint_proc = None
        if paint:
            paint_proc = ctx.Process(
                target=paint_process, args=(url, paint_devices, ready, paint_results, timeout_s)
            )
            paint_proc.start()
        for _ in range(screen_procs + (1 if paint else 0)):
            if not ready.acquire(timeout=120):
                raise RuntimeError("screens did not start within 120 s")
        time.sleep(0.5)  # let every reader reach its first wait

        button_results = ctx.Queue()
        warmed = ctx.Semaphore(0)
        go = ctx.Event()
        start_at = ctx.Value("d", 0.0)
        # Split by device so one device's presses stay in order in one process.
        by_proc: list[list[tuple[str, int, float]]] = [[] for _ in range(args.button_processes)]
        index = {d: i for i, d in enumerate(devices)}
        for item in plan:
            by_proc[index[item[0]] % args.button_processes].append(item)
        buttons = []
        for n, items in enumerate(by_proc):
            if not items:
                continue
            warm_ids = warm_devices[
                n * args.pool_per_button_process : (n + 1) * args.pool_per_button_process
            ]
            p = ctx.Process(
                target=button_process,
                args=(
                    url,
                    items,
                    warm_ids,
                    warmed,
                    go,
                    start_at,
                    button_results,
                    args.pool_per_button_process,
                ),
            )
            p.start()
            buttons.append(p)
        for _ in buttons:
            if not warmed.acquire(timeout=120):
                raise RuntimeError("button processes did not warm up within 120 s")
        time.sleep(1.0)  # screens settle after the warm-up alarms
        start_at.value = time.time() + 0.2
        go.set()
        pressed: list[Key] = []
        commit_ms: list[float] = []
        commit_end: dict[Key, float] = {}
        errors: list[str] = []
        statements = 0
        sql_seconds = 0.0
        by_statement: dict[str, list[float]] = {}
        for _ in buttons:
            done, errs, commits, commit_ends, n_sql, t_sql, shapes = button_results.get(
                timeout=timeout_s + 60
            )
            for shape, (count, seconds) in shapes.items():
                entry = by_statement.setdefault(shape, [0, 0.0])
                entry[0] += count
                entry[1] += seconds
            statements += n_sql
            sql_seconds += t_sql
            pressed += done
            commit_ms += commits
            commit_end.update(zip(done, commit_ends, strict=True))
            errors += errs
        press_time = {key: datetime.fromisoformat(key[1]).timestamp() for key in pressed}

        latencies: list[float] = []
        bus_ms: list[float] = []
        lost = duplicates = 0
        for _ in procs:
            for screen in screen_results.get(timeout=timeout_s + 60):
                seen: set[Key] = set()
                for key, arrived in screen:
                    if key in seen:
                        duplicates += 1
                        continue
                    seen.add(key)
                    if key in press_time:
                        latencies.append((arrived - press_time[key]) * 1000)
                        # The bus's own share: from the press's commit returning to the screen.
                        bus_ms.append(max(0.0, arrived - commit_end[key]) * 1000)
                lost += len(set(press_time) - seen)
        for p in [*procs, *buttons]:
            p.join(timeout=30)

        # The paint phase runs after the burst: one press per room, spaced like real life.
        painted: list[float] = []
        if paint_proc is not None:
            db = Database(url)
            clock = SystemClock()
            bus = make_bus(db, clock)
            service = AlarmService(db, bus, clock, AlarmConfig(), "BENCH-PAINT-BUTTON")
            for i, device_id in enumerate(paint_devices):
                service.press(
                    ButtonPress(device_id, i + 1, datetime.now(UTC), DeviceKind.SERIAL, boot_id=1)
                )
                time.sleep(0.3)
            painted = paint_results.get(timeout=120)
            paint_proc.join(timeout=30)
            bus.close()
            db.dispose()

        result: dict[str, Any] = {
            "scenario": args.scenario,
            "backend": backend,
            "buttons": args.buttons,
            "screens": args.screens,
            "presses": expected,
            "p50_ms": round(percentile(latencies, 50), 1),
            "p99_ms": round(percentile(latencies, 99), 1),
            "max_ms": round(max(latencies), 1) if latencies else float("nan"),
            "lost": lost + len(errors) * args.screens,
            "duplicates": duplicates,
            # How much of the latency is the press's own transaction (the rest is the bus).
            "commit_p50_ms": round(percentile(commit_ms, 50), 1),
            "commit_p99_ms": round(percentile(commit_ms, 99), 1),
            "bus_p50_ms": round(percentile(bus_ms, 50), 1),
            "bus_p99_ms": round(percentile(bus_ms, 99), 1),
            "statements_per_press": round(statements / max(1, len(pressed)), 1),
            "db_ms_per_press": round(sql_seconds * 1000 / max(1, len(pressed)), 2),
            # Where it goes: the statements of the press path, slowest first (per press).
            "press_statements": [
                {
                    "sql": shape,
                    "per_press": round(count / max(1, len(pressed)), 2),
                    "ms_per_press": round(seconds * 1000 / max(1, len(pressed)), 3),
                }
                for shape, (count, seconds) in sorted(
                    by_statement.items(), key=lambda kv: -kv[1][1]
                )[:12]
            ],
        }
        if backend == "postgresql":
            result.update(run_bare(ctx, url, plan, args))
            bare = result["bare_p99_ms"]
            result["ratio_to_bare_p99"] = round(result["p99_ms"] / bare, 2) if bare else None
        if errors:
            result["press_errors"] = errors[:5]
        if paint:
            result["painted_presses"] = len(painted)
            result["painted_p50_ms"] = round(percentile(painted, 50), 1)
            result["painted_max_ms"] = round(max(painted), 1) if painted else float("nan")
        else:
            result["painted"] = f"missing: {ALERT_WINDOW} not found" if args.paint else "skipped"
        return result
    finally:
        if pg_name is not None:
            drop_pg_database(pg_name)
        if tmp is not None:
            tmp.cleanup()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", choices=sorted(SCENARIOS), default="burst")
    parser.add_argument("--buttons", type=int, default=None, help="default 200")
    parser.add_argument("--screens", type=int, default=None, help="default 100")
    parser.add_argument("--presses", type=int, default=None, help="default: one per button")
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument(
        "--spread", type=float, default=None, help="seconds the presses spread over (default 2)"
    )
    parser.add_argument("--screens-per-process", type=int, default=10)
    parser.add_argument("--button-processes", type=int, default=4)
    parser.add_argument("--pool-per-button-process", type=int, default=5)
    parser.add_argument("--paint", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--paint-presses", type=int, default=20, help="alarms shown in the window")
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument(
        "--json", action="store_true", help="print a JSON array, one object per database"
    )
    args = parser.parse_args(argv)
    defaults: dict[str, float | int | None] = {"buttons": 200, "screens": 100, "spread": 2.0}
    defaults.update(SCENARIOS[args.scenario])
    for name, value in defaults.items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    if args.presses is None:
        args.presses = args.buttons
    if min(args.buttons, args.screens, args.presses, args.screens_per_process) < 1:
        parser.error("--buttons, --screens, --presses and --screens-per-process must be at least 1")
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    results = [run(b, args) for b in backends]
    if args.json:
        print(json.dumps(results))
    else:
        for r in results:
            print(
                f"{r['backend']:>10} ({r['scenario']}): {r['buttons']} buttons x {r['screens']} screens, "
                f"{r['presses']} presses: p50 {r['p50_ms']} ms, p99 {r['p99_ms']} ms, "
                f"max {r['max_ms']} ms, lost {r['lost']}, duplicates {r['duplicates']}"
            )
            print(
                f"{'':>10}  of which the press transaction: p50 {r['commit_p50_ms']} ms, "
                f"p99 {r['commit_p99_ms']} ms; the bus: p50 {r['bus_p50_ms']} ms, "
                f"p99 {r['bus_p99_ms']} ms"
            )
            print(
                f"{'':>10}  per press: {r['statements_per_press']} SQL statements,"
                f" {r['db_ms_per_press']} ms in them"
            )
            for row in r["press_statements"][:6]:
                print(f"{'':>12}{row['ms_per_press']:>7} ms  x{row['per_press']}  {row['sql']}")
            if "bare_p99_ms" in r:
                print(
                    f"{'':>10}  bare INSERT+NOTIFY to the same listeners: p50 {r['bare_p50_ms']} ms,"
                    f" p99 {r['bare_p99_ms']} ms; SafeDesk p99 / bare p99 = {r['ratio_to_bare_p99']}"
                )
            if "painted_p50_ms" in r:
                print(
                    f"{'':>10}  press-to-painted alert window ({r['painted_presses']} presses): "
                    f"p50 {r['painted_p50_ms']} ms, max {r['painted_max_ms']} ms"
                )
            elif "painted" in r:
                print(f"{'':>10}  press-to-painted: {r['painted']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
