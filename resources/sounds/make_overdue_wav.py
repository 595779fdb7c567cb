"""Generate the OVERDUE sound with the alarm sounds' own tone and file code: `python make_overdue_wav.py`.

overdue.wav: not a siren. Three rising notes (587, 740, 880 Hz: D, F#, A) and a pause,
repeated; looped by the player until someone takes the alert. It must never be mistaken for the
panic alarm's hi-lo (someone is in danger *here*) nor for the test chime (nothing is wrong).
"""

from __future__ import annotations

import sys
from pathlib import Path

from make_alarm_wav import silence, tone, write


def main(directory: Path) -> None:
    overdue: list[float] = []
    for _ in range(2):
        for freq in (587.33, 739.99, 880.0):
            overdue += tone(freq, 0.22) + silence(0.06)
        overdue += silence(0.7)
    write(directory / "overdue.wav", overdue)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent)
