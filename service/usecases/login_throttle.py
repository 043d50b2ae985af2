"""Login slowdown: exponential backoff by source, by username and by the two together, never a lock.

A hard lock after N failures lets anyone lock anyone out: five wrong passwords for ``bureau`` from
anywhere and the real ``bureau`` cannot work for fifteen minutes. Here each failure is remembered with
its source address (the ``login_failures`` table, so every service process sees the same counts), and
past a number of free failures the next try must wait ``2 ** (extra failures)`` seconds from the last
failure, up to a cap. Three keys are counted:

- one username from one source: the guesser at the keyboard, slowed after a few failures;
- one source for any username: password spraying from one address (four times the allowance, an
  office behind one NAT address has many people mistyping);
- one username from any source: guessing spread over many addresses (four times the allowance).

A try refused while backing off is not checked and not counted, so one source can add failures only as
fast as its own backoff lets it; it cannot push a username into the shared slowdown quickly, and the
victim signing in from their own machine is not held up by someone else's failures.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, delete, func, select
from sqlalchemy.orm import Session

from service.config import Settings
from service.persistence.models import LoginFailureModel
from service.usecases.errors import ServiceError

# The source and the username keys tolerate this many times the username-and-source allowance.
SHARED_KEY_FACTOR = 4


class LoginThrottledError(ServiceError):
    """Too many failed logins lately: try again after ``retry_after`` seconds (the Retry-After header)."""

    status = 429
    code = "too_many_attempts"

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            "登录失败次数过多，请 {seconds} 秒后再试",
            english="Too many failed logins; try again in {seconds} seconds",
            seconds=retry_after,
        )
        self.retry_after = retry_after


@dataclass(frozen=True)
class Throttle:
    """Which key holds a login back, and for how many more seconds."""

    key: str  # "username_and_source", "source" or "username"
    retry_after: int


def backoff_seconds(failures: int, free: int, cap: int) -> float:
    """How long after the last failure the next try must wait: nothing up to ``free``, then doubling."""
    if failures < free:
        return 0.0
    return float(min(2 ** min(failures - free, 30), cap))


def throttle(
    session: Session, settings: Settings, now: datetime, username: str, source: str
) -> Throttle | None:
    """The longest wait any key imposes on this login now, or None when it may be checked."""
    since = now - timedelta(minutes=settings.login_failure_window_minutes)
    free = settings.login_free_failures
    keys: list[tuple[str, ColumnElement[bool], int]] = [
        (
            "username_and_source",
            (LoginFailureModel.username == username) & (LoginFailureModel.remote_addr == source),
            free,
        ),
        ("source", LoginFailureModel.remote_addr == source, free * SHARED_KEY_FACTOR),
        ("username", LoginFailureModel.username == username, free * SHARED_KEY_FACTOR),
    ]
    worst: Throttle | None = None
    for key, condition, allowance in keys:
        count, last = session.execute(
            select(func.count(), func.max(LoginFailureModel.at)).where(
                condition, LoginFailureModel.at > since
            )
        ).one()
        wait = backoff_seconds(count or 0, allowance, settings.login_backoff_max_seconds)
        if not wait or last is None:
            continue
        remaining = (last + timedelta(seconds=wait) - now).total_seconds()
        if remaining > 0 and (worst is None or remaining > worst.retry_after):
            worst = Throttle(key, max(math.ceil(remaining), 1))
    return worst


def record_failure(session: Session, now: datetime, username: str, source: str) -> None:
    session.add(LoginFailureModel(username=username, remote_addr=source, at=now))


def forget_failures(session: Session, now: datetime, settings: Settings, username: str, source: str) -> None:
    """After a successful login: this username's failures from this source are forgiven, and failures
    older than the window are dropped (nothing counts them any more)."""
    session.execute(
        delete(LoginFailureModel).where(
            LoginFailureModel.username == username, LoginFailureModel.remote_addr == source
        )
    )
    session.execute(
        delete(LoginFailureModel).where(
            LoginFailureModel.at <= now - timedelta(minutes=settings.login_failure_window_minutes)
        )
    )
