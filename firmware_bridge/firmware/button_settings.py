"""Per-installation settings for the USB panic button; edit before copying to the Pico.

Pins are GPIO numbers (or "LED" for the Pico's own LED). The button switches the pin to
ground (internal pull-up), so a broken wire reads as "not pressed" and is found by the weekly
test; the heartbeat shows the board itself is alive.
"""

DEVICE_ID = None  # type: str | None  # None: "pico-" + the board's unique id, printed on the label at install
BUTTON_PIN = 15
LED_PIN = "LED"  # the on-board LED; a panel LED on a GPIO (via a resistor) is brighter
BUZZER_PIN = None  # type: int | None  # e.g. 16 for a small active buzzer; None: silent button
DEBOUNCE_MS = 30
HOLD_MS = 0  # > 0 needs the button held this long: against brushes on exposed buttons
WATCHDOG_MS = 8000  # the board resets itself if the main loop stalls this long; 0: off
