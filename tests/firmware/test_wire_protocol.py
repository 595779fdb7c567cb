"""The wire codec: what the button and the host must agree on, byte for byte."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from hardware import wire_protocol as p
from safedesk.button_events import LedState
from tests.firmware.conftest import RunScript

DEVICE_ID_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-"
device_ids = st.text(DEVICE_ID_CHARS, min_size=1, max_size=p.MAX_DEVICE_ID)
u32 = st.integers(0, 0xFFFFFFFF)
versions = st.text(DEVICE_ID_CHARS + "+", min_size=1, max_size=p.MAX_ARG)


@st.composite
def frames(draw: st.DrawFn) -> p.Frame:
    kind = draw(st.sampled_from(p.KINDS))
    device, boot, seq = draw(device_ids), draw(u32), draw(u32)
    if kind == p.HELLO:
        return p.hello(device, boot, seq, draw(versions))
    if kind == p.PRESS:
        return p.press(device, boot, seq, draw(u32))
    if kind == p.HEARTBEAT:
        return p.heartbeat(device, boot, seq, draw(st.sampled_from(p.SHOWN_STATES)))
    if kind == p.LED:
        return p.led(device, boot, seq, draw(st.sampled_from(p.LED_STATES)))
    return p.ack(p.press(device, boot, seq, 0))


def feed_in_chunks(decoder: p.FrameDecoder, data: bytes, cuts: list[int]) -> list[p.Frame]:
    out: list[p.Frame] = []
    start = 0
    for cut in sorted({c % (len(data) + 1) for c in cuts}):
        out += decoder.feed(data[start:cut])
        start = cut
    out += decoder.feed(data[start:])
    return out


def test_crc_is_ccitt_false() -> None:
    assert p.crc16(b"123456789") == 0x29B1


def test_example_frame_from_the_spec_encodes_byte_for_byte() -> None:
    frame = p.press("pico-e6614c311b7e5d2f", 0x9F3A0C21, 7, 1520)
    assert p.encode(frame) == b"$1,PRESS,pico-e6614c311b7e5d2f,9F3A0C21,7,1520*2F04\r\n"
    assert p.encode(p.ack(frame)) == b"$1,ACK,pico-e6614c311b7e5d2f,9F3A0C21,7,*1E5E\r\n"


def test_led_words_on_the_wire_are_the_core_led_states() -> None:
    assert set(p.LED_STATES) == {state.value for state in LedState}


@given(frames(), st.lists(st.integers(0, 200), max_size=8))
def test_every_frame_survives_the_round_trip_however_the_bytes_are_split(
    frame: p.Frame, cuts: list[int]
) -> None:
    wire = p.encode(frame)
    assert len(wire) <= p.MAX_FRAME_BYTES
    assert p.decode(wire.rstrip(b"\n")) == frame
    decoder = p.FrameDecoder()
    assert feed_in_chunks(decoder, wire * 3, cuts) == [frame] * 3
    assert decoder.errors_total == 0


@settings(max_examples=300)
@given(frames(), frames(), st.data())
def test_any_single_corrupted_byte_is_detected_and_the_next_frame_still_arrives(
    frame: p.Frame, following: p.Frame, data: st.DataObject
) -> None:
    wire = bytearray(p.encode(frame))
    index = data.draw(st.integers(0, len(wire) - 1), label="index")
    value = data.draw(st.integers(0, 255).filter(lambda v: v != wire[index]), label="value")
    wire[index] = value
    decoder = p.FrameDecoder()
    got = decoder.feed(bytes(wire) + p.encode(following))
    assert got[-1:] == [following], "a valid frame after a corrupt one must never be lost"
    assert all(f == frame for f in got[:-1]), "corruption must never yield a different frame"
    significant = index < len(wire) - 2  # "$" up to the CRC; the "\r\n" carries no meaning
    if significant:
        assert frame not in got[:-1]
    if frame not in got[:-1]:
        assert decoder.errors_total >= 1, "a lost frame must be counted"


@given(st.binary(max_size=300))
def test_decoding_arbitrary_bytes_raises_only_the_codec_error(data: bytes) -> None:
    try:
        p.decode(data)
    except p.ProtocolError as error:
        assert error.reason in p.REASONS


@given(st.binary(max_size=600), st.lists(st.integers(0, 600), max_size=10))
def test_the_stream_decoder_never_raises_and_does_not_care_how_input_is_chunked(
    data: bytes, cuts: list[int]
) -> None:
    whole = p.FrameDecoder()
    frames_whole = whole.feed(data) + whole.end_of_stream()
    split = p.FrameDecoder()
    frames_split = feed_in_chunks(split, data, cuts) + split.end_of_stream()
    assert frames_whole == frames_split
    assert whole.counts == split.counts
    assert set(whole.counts) <= set(p.REASONS)


@given(frames(), st.binary(max_size=300), st.binary(max_size=300), st.lists(st.integers(0, 700)))
def test_a_valid_frame_is_found_whatever_noise_surrounds_it(
    frame: p.Frame, before: bytes, after: bytes, cuts: list[int]
) -> None:
    decoder = p.FrameDecoder()
    got = feed_in_chunks(decoder, before + p.encode(frame) + after, cuts)
    got += decoder.end_of_stream()
    assert frame in got


@given(st.binary(min_size=1, max_size=40))
def test_encoding_refuses_device_ids_a_receiver_would_drop(raw: bytes) -> None:
    text = raw.decode("latin-1")
    assume(not all(c in DEVICE_ID_CHARS for c in text) or len(text) > p.MAX_DEVICE_ID)
    with pytest.raises(p.ProtocolError):
        p.encode(p.press(text, 1, 1, 0))


def _reframe(body: bytes) -> bytes:
    return b"$" + body + b"*" + f"{p.crc16(body):04X}".encode() + b"\r\n"


GOOD = p.encode(p.press("room-1", 0xABCDEF01, 5, 0))


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        (b"\x00\xffnoise from a USB hub\r\n", p.GARBAGE),
        (GOOD[:20], p.TRUNCATED),
        (GOOD.replace(b"*", b"*0").replace(b"\r\n", b"")[:-1] + b"\r\n", p.BAD_CRC),
        (GOOD[:-6] + b"0000\r\n", p.BAD_CRC),
        (_reframe(b"1,REBOOT,room-1,ABCDEF01,5,"), p.UNKNOWN_KIND),
        (_reframe(b"2,PRESS,room-1,ABCDEF01,5,0"), p.BAD_VERSION),
        (_reframe(b"1,PRESS,room-1,ABCDEF01,5"), p.BAD_FORMAT),
        (_reframe(b"1,PRESS,room-1,abcdef01,5,0"), p.BAD_FORMAT),
        (_reframe(b"1,PRESS,room-1,ABCDEF01,4294967296,0"), p.BAD_FORMAT),
        (_reframe(b"1,LED,room-1,ABCDEF01,5,disco"), p.BAD_FORMAT),
        (b"$" + b"1" * 400 + b"\r\n", p.OVERSIZED),
    ],
    ids=[
        "garbage",
        "split-then-abandoned",
        "crc-digit-shifted",
        "wrong-crc",
        "unknown-kind",
        "newer-version",
        "missing-field",
        "lowercase-boot",
        "sequence-overflow",
        "unknown-led-state",
        "oversized-line",
    ],
)
def test_each_kind_of_bad_input_is_counted_under_its_reason_and_loses_no_neighbour(
    bad: bytes, reason: str
) -> None:
    decoder = p.FrameDecoder()
    got = decoder.feed(GOOD + bad + GOOD)
    assert got == [p.decode(GOOD)] * 2
    assert decoder.counts == {reason: 1}
    errors = decoder.take_errors()
    assert [e.reason for e in errors] == [reason]
    assert decoder.take_errors() == []


def test_a_frame_split_across_many_reads_arrives_once() -> None:
    decoder = p.FrameDecoder()
    got: list[p.Frame] = []
    for byte in GOOD:
        got += decoder.feed(bytes([byte]))
    assert got == [p.decode(GOOD)]


def test_a_frame_cut_off_by_unplugging_is_counted_when_the_stream_ends() -> None:
    decoder = p.FrameDecoder()
    assert decoder.feed(GOOD[:15]) == []
    assert decoder.end_of_stream() == []
    assert decoder.counts == {p.TRUNCATED: 1}
    assert decoder.feed(GOOD) == [p.decode(GOOD)]


def test_a_frame_whose_line_end_was_lost_is_still_accepted_when_the_next_one_starts() -> None:
    decoder = p.FrameDecoder()
    assert decoder.feed(GOOD[:-2] + GOOD) == [p.decode(GOOD)] * 2
    assert decoder.errors_total == 0


def test_kept_errors_are_bounded_but_all_are_counted() -> None:
    decoder = p.FrameDecoder(keep_errors=3)
    decoder.feed(b"x\n" * 10)
    assert decoder.counts == {p.GARBAGE: 10}
    assert len(decoder.take_errors()) == 3
    assert decoder.errors_dropped == 7


def test_a_resend_is_recognised_by_device_boot_and_sequence() -> None:
    first = p.press("room-1", 0x11111111, 3, 0)
    resend = p.press("room-1", 0x11111111, 3, 1500)
    after_reboot = p.press("room-1", 0x22222222, 3, 0)
    assert first.press_key() == resend.press_key()
    assert first.press_key() != after_reboot.press_key()


def test_every_example_frame_in_the_spec_is_valid() -> None:
    spec = Path(__file__).resolve().parents[2] / "docs" / "protocol.md"
    examples = [
        line.split()[0].replace("\\r\\n", "\r\n").encode()
        for line in spec.read_text().splitlines()
        if line.startswith("$1,")
    ]
    assert len(examples) == 7
    decoder = p.FrameDecoder()
    assert len(decoder.feed(b"".join(examples))) == 7
    assert decoder.errors_total == 0


def test_micropython_and_cpython_put_the_same_bytes_on_the_wire(run_script: RunScript) -> None:
    rng = random.Random(7)
    samples: list[tuple[str, str, int, int, str]] = []
    for _ in range(200):
        kind = rng.choice(p.KINDS)
        arg = {
            p.HELLO: "1.0." + str(rng.randrange(100)),
            p.PRESS: str(rng.randrange(1 << 32)),
            p.HEARTBEAT: rng.choice(p.SHOWN_STATES),
            p.LED: rng.choice(p.LED_STATES),
            p.ACK: "",
        }[kind]
        device = "".join(rng.choice(DEVICE_ID_CHARS) for _ in range(rng.randrange(1, 33)))
        samples.append((kind, device, rng.randrange(1 << 32), rng.randrange(1 << 32), arg))
    script = f"""
import json, protocol
samples = json.loads({json.dumps(json.dumps(samples))})
wire = b"".join(protocol.encode(protocol.Frame(*s)) for s in samples)
back = protocol.FrameDecoder().feed(wire)
same = [(f.kind, f.device_id, f.boot_id, f.seq, f.arg) == tuple(s) for f, s in zip(back, samples)]
print(json.dumps({{"hex": wire.hex(), "round_trip": len(back) == len(samples) and all(same)}}))
"""
    result = run_script(script)
    expected = b"".join(p.encode(p.Frame(*s)) for s in samples)
    assert bytes.fromhex(result["hex"]) == expected
    assert result["round_trip"]


anything = st.one_of(st.none(), st.integers(), st.text(max_size=40), st.binary(max_size=10))


@given(st.sampled_from(p.KINDS) | anything, anything, anything, anything, anything)
def test_encoding_arbitrary_field_values_raises_only_the_codec_error(
    kind: object, device: object, boot: object, seq: object, arg: object
) -> None:
    frame = p.Frame(kind, device, boot, seq, arg)  # type: ignore[arg-type]
    try:
        wire = p.encode(frame)
    except p.ProtocolError as error:
        assert error.reason in p.REASONS
    else:
        assert p.decode(wire) == frame
