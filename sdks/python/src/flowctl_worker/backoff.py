"""Exponential backoff with jitter, for reconnecting to a scheduler that is down or restarting."""

from __future__ import annotations

import random
from typing import Callable


class Backoff:
    """Delays that double from ``initial`` up to ``maximum`` seconds.

    Each delay is drawn from the upper half of its ceiling ("equal jitter"), so a fleet of
    workers that lost the scheduler together does not reconnect in lockstep, yet none
    hammers it with near-zero waits.
    """

    def __init__(
        self,
        initial: float = 0.2,
        maximum: float = 10.0,
        multiplier: float = 2.0,
        rand: Callable[[], float] = random.random,
    ) -> None:
        if initial <= 0 or maximum < initial or multiplier < 1:
            raise ValueError("backoff needs 0 < initial <= maximum and multiplier >= 1")
        self._initial = initial
        self._maximum = maximum
        self._multiplier = multiplier
        self._rand = rand
        self._failures = 0

    @property
    def failures(self) -> int:
        """How many delays were handed out since the last reset (consecutive failures)."""
        return self._failures

    def next_delay(self) -> float:
        ceiling = min(self._maximum, self._initial * self._multiplier ** min(self._failures, 64))
        self._failures += 1
        return ceiling / 2 + self._rand() * ceiling / 2

    def reset(self) -> None:
        self._failures = 0
