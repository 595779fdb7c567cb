"""A tick clock that moves only when told, with MicroPython's wrap-around arithmetic."""

TICKS_PERIOD = 1 << 30
_HALF = TICKS_PERIOD // 2


class FakeTicks:
    def __init__(self, start=0):
        self.now = start % TICKS_PERIOD

    def ticks_ms(self):
        return self.now

    def ticks_add(self, ticks, delta):
        return (ticks + delta) % TICKS_PERIOD

    def ticks_diff(self, end, start):
        return ((end - start + _HALF) % TICKS_PERIOD) - _HALF

    def advance(self, ms):
        self.now = (self.now + ms) % TICKS_PERIOD
