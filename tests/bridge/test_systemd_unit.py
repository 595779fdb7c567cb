"""The shipped systemd unit, run as systemd would run it, stops on a bad configuration.

Before: the unit checked the file in ``ExecStartPre=... --check``. systemd.service(5): "this
setting [RestartPreventExitStatus=] has no effect on processes configured via ExecStartPre=
... but only on the main service process". So the check's exit 2 failed the start, and
``Restart=always`` started it again every two seconds, for ever, never reaching the daemon that
would have stopped the loop. Now the daemon checks the same things itself and exits 2.

The test reads the unit's own lines and runs its commands (the installed path mapped to this
checkout's console script) against broken configurations, applying systemd's documented rule:
a failing pre-start command (not prefixed "-") is restarted under Restart=always whatever its
exit code; the main process is not restarted when its exit code is in RestartPreventExitStatus.
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
UNIT = REPO / "firmware_bridge" / "safedesk-bridge.service"
INSTALLED = "/opt/safedesk/.venv/bin/safedesk-bridge"
HERE = Path(sys.executable).with_name("safedesk-bridge")
PRE_START = ("ExecCondition", "ExecStartPre", "ExecStartPost")

GOOD = """
[database]
url = "postgresql://bridge@db.invalid/safedesk"

[bridge]
outbox = "{outbox}"

[serial]
ports = ["/dev/ttyACM0"]
discover = false
"""


def unit_settings() -> dict[str, list[str]]:
    """``Key=value`` lines of the [Service] section, repeated keys kept in order."""
    settings: dict[str, list[str]] = {}
    section = ""
    for raw in UNIT.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            section = line
            continue
        key, _, value = line.partition("=")
        if section == "[Service]":
            settings.setdefault(key, []).append(value)
    return settings


def run_unit_command(command: str, config: Path) -> int:
    """One Exec line as systemd runs it: the installed script is this checkout's, the config
    file is the test's."""
    argv = shlex.split(command.lstrip("-@:+!"))
    assert argv[0] == INSTALLED, f"the unit runs {argv[0]}, not the console script"
    argv[0] = str(HERE)
    argv = [str(config) if arg == "/etc/safedesk/bridge.toml" else arg for arg in argv]
    result = subprocess.run(argv, capture_output=True, text=True, timeout=60, check=False)
    return result.returncode


def restarts_after_start(settings: dict[str, list[str]], config: Path) -> bool:
    """Would systemd start the unit again (systemd.service(5), Restart= and
    RestartPreventExitStatus=)?"""
    restart = settings.get("Restart", ["no"])[-1]
    prevent = {
        code for value in settings.get("RestartPreventExitStatus", []) for code in value.split()
    }
    for key in PRE_START:
        for command in settings.get(key, []):
            if command.startswith("-"):
                continue  # a failure of a "-" command is ignored
            code = run_unit_command(command, config)
            if code != 0:
                # The start fails; RestartPreventExitStatus= does not look at this process.
                return restart in ("always", "on-failure", "on-abnormal")
    [main] = settings["ExecStart"]
    code = run_unit_command(main, config)
    if str(code) in prevent:
        return False
    return restart == "always" or (restart == "on-failure" and code != 0)


@pytest.mark.parametrize(
    "broken",
    [
        pytest.param("discover = false", id="a key with the wrong type"),
        pytest.param("outbox-not-a-folder", id="an outbox path that cannot hold presses"),
        pytest.param("missing", id="no configuration file"),
    ],
)
def test_a_bad_configuration_stops_the_unit_instead_of_restarting_it_for_ever(
    tmp_path: Path, broken: str
) -> None:
    assert HERE.exists(), "the console script is installed in the test environment"
    config = tmp_path / "bridge.toml"
    text = GOOD.replace("{outbox}", (tmp_path / "o.sqlite3").as_posix())
    if broken == "discover = false":
        config.write_text(text.replace("discover = false", "discover = 'no'"), "utf-8")
    elif broken == "outbox-not-a-folder":
        (tmp_path / "a-file").write_text("not a folder", "utf-8")
        outbox = (tmp_path / "a-file" / "o.sqlite3").as_posix()
        config.write_text(GOOD.replace("{outbox}", outbox), "utf-8")
    settings = unit_settings()
    assert not restarts_after_start(settings, config)
    # ... and the daemon itself is what refused it, with the exit code the unit lists.
    [main] = settings["ExecStart"]
    assert run_unit_command(main, config) == 2
    assert "2" in " ".join(settings["RestartPreventExitStatus"]).split()


def test_the_unit_still_restarts_a_bridge_that_crashes_and_checks_nothing_before_it() -> None:
    settings = unit_settings()
    assert settings["Restart"] == ["always"]
    assert not any(key in settings for key in PRE_START), (
        "a pre-start check's exit code is not covered by RestartPreventExitStatus="
    )


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze here")
def test_systemd_accepts_the_unit(tmp_path: Path) -> None:
    unit = tmp_path / "safedesk-bridge.service"
    unit.write_text(UNIT.read_text(encoding="utf-8").replace(INSTALLED, str(HERE)), "utf-8")
    result = subprocess.run(
        ["systemd-analyze", "verify", str(unit)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "safedesk-bridge.service" not in result.stderr, result.stderr
