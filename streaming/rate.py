"""Events per second over the last few seconds, for the health record.

A rate over one health interval (1 s) reads 0.0 whenever no consume() batch happened to finish in
that second (a 5,000-event batch can take longer than that), which is how the stream page showed
``events/s 0`` while the processor drained thousands a second. The meter keeps (time, count)
samples and divides over the whole window instead.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable


class RateMeter:
    """Rate of a monotonically growing counter over the last ``window_s`` seconds."""

    def __init__(self, window_s: float = 10.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.window_s = window_s
        self.clock = clock
        self.samples: deque[tuple[float, int]] = deque()

    def observe(self, total: int) -> float:
        """Record the counter's current value; return events/s since the oldest sample in the window."""
        now = self.clock()
        self.samples.append((now, total))
        while len(self.samples) > 2 and now - self.samples[1][0] >= self.window_s:
            self.samples.popleft()
        t0, n0 = self.samples[0]
        return (total - n0) / (now - t0) if now > t0 else 0.0
