"""When to try a failed message again: exponential backoff with jitter, capped (a pure function)."""

from __future__ import annotations

import random
from datetime import timedelta

JITTER = 0.2  # ±20 %, so messages that failed together do not all come back in the same second


def retry_delay(attempts: int, *, base_s: float, cap_s: float, rand: random.Random | None = None) -> timedelta:
    """Delay before the next attempt after `attempts` failed ones: base, 2×base, 4×base … up to cap, ±20 %."""
    exponent = max(attempts - 1, 0)
    delay = min(base_s * (2 ** min(exponent, 32)), cap_s)
    factor = 1 + (rand or random).uniform(-JITTER, JITTER)
    return timedelta(seconds=min(delay * factor, cap_s))
