"""Time in tests: a clock the portal reads, moved instead of sleeping, and the run's start."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

# One "now" for the whole run, so pages dated relative to it stay on the same side of every line.
NOW = datetime.now(UTC).replace(microsecond=0)


class Clock:
    """Time the console sees; tests move it instead of sleeping."""

    def __init__(self, start: datetime):
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta) -> None:
        self.now += timedelta(**delta)
