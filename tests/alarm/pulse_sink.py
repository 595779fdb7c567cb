"""A private PulseAudio server with a null sink, and a recorder of what plays into it.

Gives Qt a real audio output on a headless machine, so a test can hear the alarm: ``parec``
records the sink's monitor, and the test reads the samples' loudness over time.
"""

from __future__ import annotations

import array
import os
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

RATE = 8000


class PulseUnavailable(RuntimeError):
    """pulseaudio/parec missing (see system-packages.txt) or the server did not start."""


@contextmanager
def pulse_server() -> Iterator[dict[str, str]]:
    """Start ``pulseaudio`` with a null sink in a private runtime dir; yield the client env."""
    for tool in ("pulseaudio", "parec", "pactl"):
        if shutil.which(tool) is None:
            raise PulseUnavailable(f"{tool} not installed (apt: pulseaudio pulseaudio-utils)")
    runtime = Path(tempfile.mkdtemp(prefix="sdpulse-"))
    runtime.chmod(0o700)
    socket = runtime / "pulse" / "native"
    env = {
        **os.environ,
        "XDG_RUNTIME_DIR": str(runtime),
        "HOME": str(runtime),
        "PULSE_SERVER": f"unix:{socket}",
    }
    server = subprocess.Popen(
        [
            "pulseaudio",
            "-n",
            "--daemonize=no",
            "--exit-idle-time=-1",
            "--load=module-null-sink sink_name=nullsink",
            "--load=module-native-protocol-unix",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            ready = subprocess.run(["pactl", "info"], env=env, capture_output=True, check=False)
            if ready.returncode == 0:
                break
            if server.poll() is not None or time.monotonic() > deadline:
                err = server.stderr.read().decode() if server.stderr else ""
                raise PulseUnavailable(f"pulseaudio did not start: {err[-500:]}")
            time.sleep(0.1)
        yield {k: env[k] for k in ("XDG_RUNTIME_DIR", "HOME", "PULSE_SERVER")}
    finally:
        server.terminate()
        try:
            server.wait(timeout=5)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        if server.stderr:
            server.stderr.close()
        shutil.rmtree(runtime, ignore_errors=True)


class SinkRecorder:
    """Records the null sink's monitor; ``peak_between`` says how loud it was in a time span."""

    def __init__(self) -> None:
        self._chunks: list[tuple[float, int]] = []  # (monotonic time received, peak of chunk)
        self._lock = threading.Lock()
        # A stream of zeros keeps the sink running, so the monitor delivers samples all the time
        # and "silent after stop" is measured on real samples, not on an absence of data.
        self._zeros = open(os.devnull if os.name == "nt" else "/dev/zero", "rb")  # noqa: SIM115
        self._keepalive = subprocess.Popen(
            ["pacat", "--playback", "--raw", "--format=s16le", "--channels=1", f"--rate={RATE}"],
            stdin=self._zeros,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self._proc = subprocess.Popen(
            [
                "parec",
                "-d",
                "nullsink.monitor",
                "--format=s16le",
                "--channels=1",
                f"--rate={RATE}",
                "--latency-msec=20",
                "--raw",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        assert self._proc.stdout is not None
        while True:
            data = self._proc.stdout.read1(RATE // 10)
            if not data:
                return
            samples = array.array("h")
            samples.frombytes(data[: len(data) // 2 * 2])
            peak = max((abs(s) for s in samples), default=0)
            with self._lock:
                self._chunks.append((time.monotonic(), peak))

    def peak_between(self, start: float, end: float) -> tuple[int, int]:
        """(loudest sample, number of chunks) received between two monotonic times."""
        with self._lock:
            chunks = [p for t, p in self._chunks if start <= t <= end]
        return max(chunks, default=0), len(chunks)

    def close(self) -> None:
        for proc in (self._proc, self._keepalive):
            proc.terminate()
            proc.wait(timeout=5)
        if self._proc.stdout is not None:
            self._proc.stdout.close()
        self._zeros.close()
