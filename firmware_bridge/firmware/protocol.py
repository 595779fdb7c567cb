"""The SafeDesk button wire protocol: one framed ASCII line per message, with a CRC-16.

The host drivers and the bridge import it here (CPython); the USB button runs a byte-for-byte
copy, firmware_bridge/firmware/protocol.py (MicroPython), and tests/firmware/test_protocol_copy.py
fails when the two differ, so both ends share one codec. It therefore uses only what MicroPython has:
no dataclasses, enum, typing or ``__future__`` at runtime (annotations are ignored there).

A frame (see docs/protocol.md)::

    $1,PRESS,pico-e6614c311b7e5d2f,9F3A0C21,7,1520*2F04\\r\\n
    | |     |                     |        | |    |
    | |     device id             boot id  | arg  CRC-16/CCITT-FALSE of the bytes between $ and *
    | kind                                 sequence number
    protocol version

``$`` only ever starts a frame, so a receiver resynchronises on it; ``\\n`` ends a frame.
"""

PROTOCOL_VERSION = "1"

HELLO = "HELLO"  # device -> host, arg: firmware version
PRESS = "PRESS"  # device -> host, arg: milliseconds since the press (grows on each resend)
HEARTBEAT = "HEARTBEAT"  # device -> host, arg: the LED state the device is showing
ACK = "ACK"  # host -> device, boot id and sequence echo the acknowledged press, arg empty
LED = "LED"  # host -> device, arg: the LED state to show; boot/sequence are the host's own

DEVICE_KINDS = (HELLO, PRESS, HEARTBEAT)
HOST_KINDS = (ACK, LED)
KINDS = DEVICE_KINDS + HOST_KINDS

# What the host may ask the LED to show; the same words as safedesk.button_events.LedState.
LED_STATES = ("idle", "waiting", "delivered", "responding", "not_delivered", "test")
# The device may also report that it hears no host at all.
OFFLINE = "offline"
SHOWN_STATES = LED_STATES + (OFFLINE,)  # noqa: RUF005  # MicroPython has no starred displays

MAX_FRAME_BYTES = 128  # from "$" to "\n" inclusive; longer lines are dropped as oversized
MAX_DEVICE_ID = 32
MAX_ARG = 24
MAX_SEQUENCE = 0xFFFFFFFF

# Error reasons the decoder counts (ProtocolError.reason).
GARBAGE = "garbage"  # bytes outside any frame
TRUNCATED = "truncated"  # a frame cut short: a new "$" or the end of the stream came first
OVERSIZED = "oversized"  # no "\n" within MAX_FRAME_BYTES
BAD_CRC = "bad_crc"
BAD_FORMAT = "bad_format"  # framing, field count, a field's syntax or range
BAD_VERSION = "bad_version"
UNKNOWN_KIND = "unknown_kind"
REASONS = (GARBAGE, TRUNCATED, OVERSIZED, BAD_CRC, BAD_FORMAT, BAD_VERSION, UNKNOWN_KIND)

_START = 0x24  # $
_STAR = 0x2A  # *
_COMMA = 0x2C  # ,
_CR = 0x0D
_LF = 0x0A
_HEX = b"0123456789ABCDEF"
_ID_EXTRA = b"._-"
_ARG_EXTRA = b"._-+"


class ProtocolError(ValueError):
    """The only exception this codec raises; ``reason`` is one of REASONS."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(reason + (": " + detail if detail else ""))
        self.reason = reason
        self.detail = detail


def _make_table() -> list[int]:
    table = []
    for byte in range(256):
        crc = byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else (crc << 1)
        table.append(crc & 0xFFFF)
    return table


_CRC_TABLE = _make_table()


def crc16(data: bytes | bytearray | memoryview, crc: int = 0xFFFF) -> int:
    """CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF, no reflection); b"123456789" -> 0x29B1."""
    table = _CRC_TABLE
    for byte in data:
        crc = ((crc << 8) & 0xFFFF) ^ table[((crc >> 8) ^ byte) & 0xFF]
    return crc


def _is_word(data: bytes | bytearray, extra: bytes, min_len: int, max_len: int) -> bool:
    if not min_len <= len(data) <= max_len:
        return False
    for byte in data:
        if not (
            0x30 <= byte <= 0x39 or 0x41 <= byte <= 0x5A or 0x61 <= byte <= 0x7A or byte in extra
        ):
            return False
    return True


def _is_hex(data: bytes | bytearray, length: int) -> bool:
    if len(data) != length:
        return False
    return all(byte in _HEX for byte in data)


def _is_decimal(data: bytes | bytearray, max_len: int) -> bool:
    if not 1 <= len(data) <= max_len:
        return False
    return all(48 <= byte <= 57 for byte in data)


class Frame:
    """One message. ``boot_id`` changes at every device start; (device, boot, seq) names a press."""

    def __init__(self, kind: str, device_id: str, boot_id: int, seq: int, arg: str = "") -> None:
        self.kind = kind
        self.device_id = device_id
        self.boot_id = boot_id
        self.seq = seq
        self.arg = arg

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Frame):
            return False
        return (
            self.kind == other.kind
            and self.device_id == other.device_id
            and self.boot_id == other.boot_id
            and self.seq == other.seq
            and self.arg == other.arg
        )

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    def __hash__(self) -> int:
        return hash((self.kind, self.device_id, self.boot_id, self.seq, self.arg))

    def __repr__(self) -> str:
        return f"Frame({self.kind!r}, {self.device_id!r}, 0x{self.boot_id:08X}, {self.seq}, {self.arg!r})"

    def press_key(self) -> tuple[str, int, int]:
        """What makes a resend recognisable: the same device, boot and sequence number."""
        return (self.device_id, self.boot_id, self.seq)


def hello(device_id: str, boot_id: int, seq: int, firmware_version: str) -> Frame:
    return Frame(HELLO, device_id, boot_id, seq, firmware_version)


def press(device_id: str, boot_id: int, seq: int, age_ms: int) -> Frame:
    return Frame(PRESS, device_id, boot_id, seq, str(age_ms))


def heartbeat(device_id: str, boot_id: int, seq: int, shown: str) -> Frame:
    return Frame(HEARTBEAT, device_id, boot_id, seq, shown)


def ack(press_frame: Frame) -> Frame:
    """The acknowledgement of a press: it echoes the press's device, boot id and sequence."""
    return Frame(ACK, press_frame.device_id, press_frame.boot_id, press_frame.seq, "")


def led(device_id: str, host_boot_id: int, host_seq: int, state: str) -> Frame:
    return Frame(LED, device_id, host_boot_id, host_seq, state)


def _check_arg(kind: str, arg: bytes | bytearray) -> None:
    if kind == HELLO:
        ok = _is_word(arg, _ARG_EXTRA, 1, MAX_ARG)
    elif kind == PRESS:
        ok = _is_decimal(arg, 10) and int(bytes(arg).decode()) <= MAX_SEQUENCE
    elif kind == HEARTBEAT:
        ok = bytes(arg).decode() in SHOWN_STATES if _is_word(arg, _ARG_EXTRA, 1, MAX_ARG) else False
    elif kind == LED:
        ok = bytes(arg).decode() in LED_STATES if _is_word(arg, _ARG_EXTRA, 1, MAX_ARG) else False
    else:  # ACK
        ok = len(arg) == 0
    if not ok:
        raise ProtocolError(BAD_FORMAT, f"bad {kind} argument {bytes(arg)!r}")


def encode(frame: Frame) -> bytes:
    """The bytes on the wire for ``frame``; refuses (ProtocolError) what a receiver would drop."""
    if frame.kind not in KINDS:
        raise ProtocolError(UNKNOWN_KIND, str(frame.kind))
    # Exact types (not int("5") or True): what is encoded must decode to the same frame.
    if type(frame.device_id) is not str or type(frame.arg) is not str:
        raise ProtocolError(BAD_FORMAT, "device id and argument must be text")
    if type(frame.boot_id) is not int or type(frame.seq) is not int:
        raise ProtocolError(BAD_FORMAT, "boot id and sequence must be integers")
    device = frame.device_id.encode()
    arg = frame.arg.encode()
    boot = frame.boot_id
    seq = frame.seq
    if not _is_word(device, _ID_EXTRA, 1, MAX_DEVICE_ID):
        raise ProtocolError(BAD_FORMAT, f"bad device id {frame.device_id!r}")
    if not 0 <= boot <= 0xFFFFFFFF:
        raise ProtocolError(BAD_FORMAT, "boot id out of range")
    if not 0 <= seq <= MAX_SEQUENCE:
        raise ProtocolError(BAD_FORMAT, "sequence out of range")
    _check_arg(frame.kind, arg)
    body = f"{PROTOCOL_VERSION},{frame.kind},{frame.device_id},{boot:08X},{seq},{frame.arg}"
    raw = body.encode()
    return b"$" + raw + b"*" + (f"{crc16(raw):04X}").encode() + b"\r\n"


def decode(line: bytes | bytearray) -> Frame:
    """Parse one frame ("$" to CRC, line end optional); raises ProtocolError, nothing else."""
    end = len(line)
    while end > 0 and (line[end - 1] == _CR or line[end - 1] == _LF):
        end -= 1
    if end < 7 or line[0] != _START:
        raise ProtocolError(BAD_FORMAT, "not a frame")
    star = end - 5
    if line[star] != _STAR:
        raise ProtocolError(BAD_FORMAT, "no CRC field")
    crc_text = line[star + 1 : end]
    if not _is_hex(crc_text, 4):
        raise ProtocolError(BAD_FORMAT, "CRC is not 4 hex digits")
    body = bytes(line[1:star])
    for byte in body:
        if byte < 33 or byte > 126 or byte in (_START, _STAR):
            raise ProtocolError(BAD_FORMAT, f"byte 0x{byte:02X} inside a frame")
    if crc16(body) != int(bytes(crc_text).decode(), 16):
        raise ProtocolError(BAD_CRC, "CRC mismatch")
    fields = body.split(b",")
    if len(fields) != 6:
        raise ProtocolError(BAD_FORMAT, f"{len(fields)} fields, expected 6")
    version, kind_b, device, boot, seq, arg = fields
    if version != PROTOCOL_VERSION.encode():
        raise ProtocolError(BAD_VERSION, f"protocol version {version.decode()!r}")
    kind = kind_b.decode()
    if kind not in KINDS:
        raise ProtocolError(UNKNOWN_KIND, kind)
    if not _is_word(device, _ID_EXTRA, 1, MAX_DEVICE_ID):
        raise ProtocolError(BAD_FORMAT, "bad device id")
    if not _is_hex(boot, 8):
        raise ProtocolError(BAD_FORMAT, "bad boot id")
    if not _is_decimal(seq, 10) or int(seq.decode()) > MAX_SEQUENCE:
        raise ProtocolError(BAD_FORMAT, "bad sequence number")
    _check_arg(kind, arg)
    return Frame(kind, device.decode(), int(boot.decode(), 16), int(seq.decode()), arg.decode())


class FrameDecoder:
    """Turns a byte stream cut into arbitrary chunks into frames, resynchronising on "$".

    Bad input never raises: it is counted per reason in ``counts`` and the latest errors are kept
    for the caller to log (``take_errors``). A valid frame is never lost because of its
    neighbours: "$" always starts a fresh frame, whatever came before it.
    """

    def __init__(self, max_frame: int = MAX_FRAME_BYTES, keep_errors: int = 32) -> None:
        self.max_frame = max_frame
        self.keep_errors = keep_errors
        self.counts: dict[str, int] = {}
        self.frames_decoded = 0
        self.errors_dropped = 0  # errors counted but not kept because nobody took them
        self._errors: list[ProtocolError] = []
        self._buf = bytearray()
        self._in_frame = False
        self._in_junk = False  # inside a run of bad bytes already reported once

    @property
    def errors_total(self) -> int:
        return sum(self.counts.values())

    def take_errors(self) -> list[ProtocolError]:
        """The errors since the last call (oldest first), for the caller to log."""
        errors = self._errors
        self._errors = []
        return errors

    def _error(self, error: ProtocolError) -> None:
        self.counts[error.reason] = self.counts.get(error.reason, 0) + 1
        if len(self._errors) < self.keep_errors:
            self._errors.append(error)
        else:
            self.errors_dropped += 1

    def _finish(self, out: list[Frame]) -> None:
        try:
            out.append(decode(self._buf))
            self.frames_decoded += 1
        except ProtocolError as error:
            self._error(error)

    def _interrupted(self, out: list[Frame]) -> None:
        # A frame whose "\n" went missing is still whole if it parses; otherwise it was cut short.
        try:
            out.append(decode(self._buf))
            self.frames_decoded += 1
        except ProtocolError as error:
            self._error(ProtocolError(TRUNCATED, f"{len(self._buf)} bytes then {error}"))

    def feed(self, data: bytes | bytearray | memoryview) -> list[Frame]:
        """Consume a chunk; return the frames it completed (list of Frame), in order."""
        out: list[Frame] = []
        buf = self._buf
        for byte in data:
            if byte == _START:
                if self._in_frame:
                    self._interrupted(out)
                buf = self._buf = bytearray(b"$")
                self._in_frame = True
                self._in_junk = False
            elif not self._in_frame:
                if byte in (_LF, _CR):
                    self._in_junk = False
                elif not self._in_junk:
                    self._in_junk = True
                    self._error(ProtocolError(GARBAGE, f"byte 0x{byte:02X} outside a frame"))
            elif byte == _LF:
                self._finish(out)
                buf = self._buf = bytearray()
                self._in_frame = False
            elif len(buf) >= self.max_frame - 1:
                self._error(ProtocolError(OVERSIZED, f"no end of frame in {len(buf)} bytes"))
                buf = self._buf = bytearray()
                self._in_frame = False
                self._in_junk = True  # drop the rest of the line without a second report
            else:
                buf.append(byte)
        return out

    def end_of_stream(self) -> list[Frame]:
        """The port closed (e.g. unplugged): settle a partial frame and start afresh."""
        out: list[Frame] = []
        if self._in_frame:
            self._interrupted(out)
        self._buf = bytearray()
        self._in_frame = False
        self._in_junk = False
        return out
