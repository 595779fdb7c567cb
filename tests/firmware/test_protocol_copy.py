"""The button's MicroPython codec is the host's codec, byte for byte.

The host drivers and the bridge import hardware/wire_protocol.py; the board cannot import from a
package, so firmware_bridge/firmware/protocol.py is a copy. Copy it again after changing the codec:

    cp hardware/wire_protocol.py firmware_bridge/firmware/protocol.py
"""

from __future__ import annotations

from tests.firmware.firmware_paths import FIRMWARE, ROOT


def test_the_firmware_copy_of_the_wire_protocol_matches_the_host_codec_byte_for_byte() -> None:
    host = (ROOT / "hardware" / "wire_protocol.py").read_bytes()
    board = (FIRMWARE / "protocol.py").read_bytes()
    assert board == host, (
        "firmware_bridge/firmware/protocol.py differs from hardware/wire_protocol.py: "
        "cp hardware/wire_protocol.py firmware_bridge/firmware/protocol.py"
    )
