"""Generate the alarm sounds reproducibly (standard library only): `python make_alarm_wav.py`.

alarm.wav: a loud two-tone "hi-lo" (960 Hz / 770 Hz, 0.4 s each, the pattern of UK emergency
sirens) built from a band-limited square wave, so it cuts through office noise on small PC
speakers. It loops seamlessly: each tone starts and ends on a zero crossing with a 4 ms ramp.
test_chime.wav: three short high beeps, played once for a weekly test press, so nobody mistakes
a test for a real alarm.
"""

from __future__ import annotations

import math
import struct
import sys
import wave
from pathlib import Path

RATE = 44_100
PEAK = 0.85  # of full scale: loud, without clipping after the harmonics are summed
RAMP_S = 0.004


def _square_ish(freq: float, t: float) -> float:
    # First four odd harmonics of a square wave: harsh and attention-getting, still band-limited.
    return sum(math.sin(2 * math.pi * freq * k * t) / k for k in (1, 3, 5, 7)) * (4 / math.pi)


def tone(freq: float, seconds: float) -> list[float]:
    # Round to whole cycles so the loop point has no click.
    cycles = max(1, round(freq * seconds))
    n = round(cycles * RATE / freq)
    ramp = int(RAMP_S * RATE)
    out = []
    for i in range(n):
        gain = min(1.0, i / ramp, (n - 1 - i) / ramp)
        out.append(_square_ish(freq, i / RATE) * gain)
    return out


def silence(seconds: float) -> list[float]:
    return [0.0] * int(seconds * RATE)


def write(path: Path, samples: list[float]) -> None:
    peak = max(abs(s) for s in samples) or 1.0
    scale = PEAK * 32767 / peak
    frames = b"".join(struct.pack("<h", round(s * scale)) for s in samples)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(frames)


def main(directory: Path) -> None:
    alarm: list[float] = []
    for _ in range(2):  # two hi-lo cycles per file: 1.6 s, looped by the player
        alarm += tone(960, 0.4) + tone(770, 0.4)
    write(directory / "alarm.wav", alarm)
    chime: list[float] = []
    for _ in range(3):
        chime += tone(1320, 0.12) + silence(0.08)
    write(directory / "test_chime.wav", chime)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent)
