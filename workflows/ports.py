"""Protocols the service implements for the engine side: a clock, an operator handler."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Protocol

# The policy's local time (Weihai): dates people see and type, deadlines at the end of a local day.
CHINA = timezone(timedelta(hours=8), "Asia/Shanghai")


class Clock(Protocol):
    """The current time, injectable so tests drive timers and deadlines without sleeping."""

    def now(self) -> datetime: ...


class SystemClock:
    """Wall-clock time in UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock:
    """A clock that only moves when told to (tests, demos, replays)."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime.now(UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> datetime:
        self._now += delta
        return self._now
