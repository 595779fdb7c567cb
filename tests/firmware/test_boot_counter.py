"""A restarted button always has a new boot id: a counter in flash (issue 12, hole 6).

A button that rebooted and drew the same random boot id had its next presses taken as resends of
the old ones: acknowledged, LED "delivered", no alarm. The id now comes from a counter kept in a
small file on the board, one more at every start, so even a random source that gives the same
number every time cannot repeat the last boot's id.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import textwrap
from pathlib import Path

from tests.firmware.conftest import RunScript
from tests.firmware.firmware_paths import (
    FAKE_MACHINE,
    FIRMWARE,
    interpreter_command,
)


def test_every_start_gets_the_next_id_even_when_the_random_source_repeats_itself(
    run_script: RunScript, tmp_path: Path
) -> None:
    flash = tmp_path / "flash"
    flash.mkdir()
    result = run_script(
        textwrap.dedent(
            f"""
            import json
            import boot_counter
            path = {str(flash / "boot_count")!r}
            stuck = lambda: 0x9F3A0C21  # the same "random" draw at every power-up
            ids = [boot_counter.next_boot_id(path, stuck) for _ in range(3)]
            with open(path) as f:
                kept = f.read()
            print(json.dumps({{"ids": ids, "kept": kept}}))
            """
        )
    )
    assert result["ids"] == [0x9F3A0C21, 0x9F3A0C22, 0x9F3A0C23]
    assert result["kept"] == "9F3A0C23"


def test_a_torn_or_half_renamed_counter_file_never_repeats_an_id(
    run_script: RunScript, tmp_path: Path
) -> None:
    flash = tmp_path / "flash"
    flash.mkdir()
    (flash / "boot_count").write_text("9F3A")  # power lost mid-write of an older firmware
    (flash / "other").mkdir()
    (flash / "other" / "boot_count.new").write_text("0000FFFF")  # lost between write and rename
    result = run_script(
        textwrap.dedent(
            f"""
            import json
            import boot_counter
            torn = boot_counter.next_boot_id({str(flash / "boot_count")!r}, lambda: 7)
            renamed = boot_counter.next_boot_id({str(flash / "other" / "boot_count")!r}, lambda: 7)
            wrapped = boot_counter.next_boot_id({str(flash / "wrap")!r}, lambda: 0xFFFFFFFF)
            wrapped2 = boot_counter.next_boot_id({str(flash / "wrap")!r}, lambda: 7)
            print(json.dumps({{"torn": torn, "renamed": renamed, "wrap": [wrapped, wrapped2]}}))
            """
        )
    )
    assert result["torn"] == 7  # unreadable: a fresh random start
    assert result["renamed"] == 0x00010000  # the value written just before the power cut, plus one
    assert result["wrap"] == [0xFFFFFFFF, 0]


def test_a_read_only_flash_still_gives_this_boot_an_id_and_says_so(
    run_script: RunScript, tmp_path: Path
) -> None:
    missing = tmp_path / "no-such-folder" / "boot_count"
    result = run_script(
        textwrap.dedent(
            f"""
            import json
            import boot_counter
            boot = boot_counter.next_boot_id({str(missing)!r}, lambda: 0x1234)
            print(json.dumps({{"boot": boot}}))
            """
        )
    )
    assert result["boot"] == 0x1234


def _start_board(board: Path) -> str:
    """Run main.py on ``board`` under MicroPython until it has said hello; return its output."""
    command, env = interpreter_command("micropython")
    env["MICROPYPATH"] = str(FAKE_MACHINE)
    pins = board.parent / "pins"
    pins.mkdir(exist_ok=True)
    (pins / "15").write_text("1")  # not held at power-up: in service
    env["FAKE_MACHINE_PINS"] = str(pins)
    try:
        done = subprocess.run(
            [*command, str(board / "main.py")],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            env=env,
            timeout=2,
            check=False,
        )
        output = done.stdout + done.stderr
    except subprocess.TimeoutExpired as expired:  # still running: in service, as it should be
        output = (expired.stdout or b"") + (expired.stderr or b"")
    return output.decode(errors="replace")


def test_the_firmware_restarted_three_times_says_hello_with_three_consecutive_boot_ids(
    tmp_path: Path,
) -> None:
    board = tmp_path / "board"
    board.mkdir()
    for source in FIRMWARE.glob("*.py"):
        shutil.copyfile(source, board / source.name)
    boots = []
    for _ in range(3):
        output = _start_board(board)
        hello = re.search(r"\$1,HELLO,pico-e6614c311b7e5d2f,([0-9A-F]{8}),0,", output)
        assert hello is not None, output
        boots.append(int(hello.group(1), 16))
    assert boots[1] == (boots[0] + 1) & 0xFFFFFFFF
    assert boots[2] == (boots[1] + 1) & 0xFFFFFFFF
    assert (board / "boot_count").read_text() == f"{boots[2]:08X}"
