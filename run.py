#!/usr/bin/env python3
"""SafeDesk's two commands for a fresh machine with only Python and git.

    python run.py          start the desktop app on the demo office (simulated panic buttons)
    python run.py test     run the whole test suite (lint, types, architecture, unit, GUI, PostgreSQL)
    python run.py safedesk COMMAND ...   the `safedesk` admin command line, from the project's .venv

On first use it creates .venv and installs SafeDesk with its dependencies; afterwards it
reinstalls only when pyproject.toml changes. On Debian/Ubuntu as root, `test` also installs the
system packages the tests drive for real (system-packages.txt) and starts the local PostgreSQL.
Extra arguments go to the app (`python run.py --mode responder`), to pytest
(`python run.py test -k alarm`) or to the command line (`python run.py safedesk --demo tests status`).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
WINDOWS = os.name == "nt"
BIN = VENV / ("Scripts" if WINDOWS else "bin")
PYTHON = BIN / ("python.exe" if WINDOWS else "python")
STAMP = VENV / ".safedesk-installed"


def say(message: str) -> None:
    print(f"[run.py] {message}", flush=True)


def ensure_venv() -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 -- run.py must explain itself on an old Python
        sys.exit(f"SafeDesk needs Python 3.11 or newer (this is {sys.version.split()[0]})")
    if not PYTHON.exists():
        say(f"creating virtual environment in {VENV}")
        venv.EnvBuilder(with_pip=True).create(VENV)
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text().strip() == wanted:
        return
    say("installing SafeDesk and its dependencies (first run: a few minutes)")
    subprocess.run([str(PYTHON), "-m", "pip", "install", "--quiet", "--upgrade", "pip"], check=True)
    subprocess.run(
        [str(PYTHON), "-m", "pip", "install", "--quiet", "-e", f"{ROOT}[dev]"], check=True
    )
    STAMP.write_text(wanted)


def _debian_missing(packages: list[str]) -> list[str]:
    missing = []
    for name in packages:
        done = subprocess.run(
            ["dpkg-query", "-W", "-f=${Status}", name], capture_output=True, text=True, check=False
        )
        if "install ok installed" not in done.stdout:
            missing.append(name)
    return missing


def ensure_system_packages() -> None:
    """The tests use real parts (a PulseAudio null sink, pdftoppm, Xvfb libraries, socat)."""
    listing = ROOT / "system-packages.txt"
    if WINDOWS or not listing.exists() or not shutil.which("dpkg-query"):
        return
    packages = [line.split("#")[0].strip() for line in listing.read_text().splitlines()]
    missing = _debian_missing([p for p in packages if p])
    if not missing:
        return
    if not hasattr(os, "geteuid") or os.geteuid() != 0 or not shutil.which("apt-get"):
        say(f"missing system packages (install them with apt-get): {' '.join(missing)}")
        return
    say(f"installing system packages: {' '.join(missing)}")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(
        ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing],
        check=True,
        env=env,
    )


def ensure_postgresql() -> None:
    """Start the local PostgreSQL cluster if it is installed but stopped (the tests need it)."""
    conf = Path("/etc/postgresql")
    if WINDOWS or not conf.is_dir() or not shutil.which("pg_ctlcluster"):
        return
    for version in sorted(os.listdir(conf)):
        status = subprocess.run(
            ["pg_ctlcluster", version, "main", "status"], capture_output=True, check=False
        )
        if status.returncode != 0:
            say(f"starting PostgreSQL {version}")
            subprocess.run(
                ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start"],
                check=False,
            )


# Options of the `safedesk` command itself (before the command name); the rest go to the app.
_GLOBAL_FLAGS = frozenset({"--demo", "-v", "--verbose"})
_GLOBAL_WITH_VALUE = frozenset({"--config"})


def command_for(argv: list[str]) -> list[str]:
    """What `python run.py ARGS` runs, after the environment is ready.

    - ``safedesk ...``: the admin command line, exactly as `.venv/bin/safedesk ...` would run it.
    - anything else: the desktop app on the demo office, ARGS going to the app
      (`python run.py --mode responder`); `--config FILE` and `-v` go to SafeDesk itself.
    """
    if argv[:1] == ["safedesk"]:
        return [str(PYTHON), "-m", "desktop", *argv[1:]]
    general: list[str] = ["--demo"]
    app: list[str] = []
    rest = iter(argv)
    for arg in rest:
        name = arg.split("=", 1)[0]
        if name in _GLOBAL_FLAGS:
            if name != "--demo":
                general.append(arg)
        elif name in _GLOBAL_WITH_VALUE:
            general.append(arg)
            if "=" not in arg:
                general.append(next(rest, ""))
        else:
            app.append(arg)
    if app[:1] == ["app"]:
        app = app[1:]
    return [str(PYTHON), "-m", "desktop", *general, "app", *app]


def run_tests(pytest_args: list[str]) -> int:
    """pytest, and its verdict as pytest itself recorded it (tests/conftest.py writes it).

    A full run once exited 0 after "1 failed": something at interpreter shutdown can replace the
    exit status. So the verdict pytest wrote at the end of its session decides, and a run that
    wrote none (killed, crashed before the end) fails too.
    """
    with tempfile.TemporaryDirectory(prefix="safedesk-run-") as folder:
        verdict = Path(folder) / "pytest-exit-status"
        env = {
            **os.environ,
            "SAFEDESK_REQUIRE_POSTGRESQL": "1",
            "SAFEDESK_PYTEST_VERDICT": str(verdict),
        }
        code = subprocess.run(
            [str(PYTHON), "-m", "pytest", *pytest_args], cwd=ROOT, env=env, check=False
        ).returncode
        recorded = verdict.read_text().strip() if verdict.exists() else ""
    if not recorded.lstrip("-").isdigit():
        say(f"pytest ended (exit status {code}) without recording its verdict: counted as failed")
        return code or 1
    if code == 0 and int(recorded) != 0:
        say(f"pytest recorded exit status {recorded} but the process exited 0: counted as failed")
        return int(recorded)
    return code


def main(argv: list[str]) -> int:
    ensure_venv()
    if argv[:1] == ["test"]:
        ensure_system_packages()
        ensure_postgresql()
        return run_tests(argv[1:])
    return subprocess.run(command_for(argv), cwd=ROOT, check=False).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
