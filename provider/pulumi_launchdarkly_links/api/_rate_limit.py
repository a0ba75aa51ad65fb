"""How long to wait before a retry, and a gate that makes every thread respect rate-limit resets.

LaunchDarkly signals limits three ways (see docs/launchdarkly-api.md §0):
`X-Ratelimit-Global-Remaining` / `X-Ratelimit-Route-Remaining` with `X-Ratelimit-Reset` (epoch
milliseconds), the per-token `X-Ratelimit-Auth-Token-Remaining` / `-Reset`, and an IP-based
`Retry-After` (seconds, or an HTTP date). A "route" is one URL pattern plus verb, so every link
POST for every view shares one bucket; callers pass the route as e.g.
`"POST /api/v2/projects/{project_key}/views/{view_key}/link/{resource_type}"`.
"""

from __future__ import annotations

import math
import random
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Protocol

from ._constants import INITIAL_RETRY_DELAY, MAX_RETRY_DELAY, RATE_LIMIT_JITTER_SECONDS

Clock = Callable[[], float]
Sleep = Callable[[float], None]


class RandomSource(Protocol):
    """The part of `random.Random` used here; tests pass a deterministic stand-in."""

    def uniform(self, a: float, b: float) -> float: ...


def _lowercase(headers: Mapping[str, str]) -> dict[str, str]:
    return {name.lower(): value for name, value in headers.items()}


def parse_retry_after(value: str | None, now: float) -> float | None:
    """Seconds to wait from a `Retry-After` value (seconds or HTTP date); None if unusable."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = parsedate_to_datetime(value).timestamp() - now
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
    if not math.isfinite(seconds) or seconds < 0:
        return None
    return seconds


def parse_epoch_millis(value: str | None) -> float | None:
    """Epoch seconds from a header holding epoch milliseconds; None if absent or garbled."""
    if value is None:
        return None
    try:
        millis = float(value.strip())
    except ValueError:
        return None
    return millis / 1000.0 if math.isfinite(millis) else None


def _is_exhausted(value: str | None) -> bool:
    if value is None:
        return False
    try:
        return float(value.strip()) <= 0
    except ValueError:
        return False


def _latest_reset(headers: dict[str, str]) -> float | None:
    """The latest reset time (epoch seconds) among the headers that apply to this answer."""
    resets = []
    reset = parse_epoch_millis(headers.get("x-ratelimit-reset"))
    if reset is not None:
        resets.append(reset)
    if _is_exhausted(headers.get("x-ratelimit-auth-token-remaining")):
        token_reset = parse_epoch_millis(headers.get("x-ratelimit-auth-token-reset"))
        if token_reset is not None:
            resets.append(token_reset)
    return max(resets) if resets else None


def backoff_delay(attempt: int, rng: RandomSource) -> float:
    """Exponential backoff with full jitter: uniform(0, min(cap, initial * 2**attempt))."""
    ceiling = min(MAX_RETRY_DELAY, INITIAL_RETRY_DELAY * 2 ** min(attempt, 32))
    return rng.uniform(0.0, ceiling)


def compute_retry_delay(
    response_headers: Mapping[str, str],
    attempt: int,
    now: float,
    rng: RandomSource | None = None,
) -> float:
    """Seconds to wait before retry number `attempt + 1` (attempt counts from 0).

    1. `Retry-After` (seconds or HTTP date), honoured in full, plus a little jitter.
    2. Else a future `X-Ratelimit-Reset` (epoch ms; or the per-token reset when that budget is
       0), capped at MAX_RETRY_DELAY because the server's clock may run ahead of ours, plus a
       little jitter. A reset in the past means the header is stale: fall through.
    3. Else exponential backoff with full jitter.
    """
    rng = rng if rng is not None else random.Random()
    headers = _lowercase(response_headers)
    retry_after = parse_retry_after(headers.get("retry-after"), now)
    if retry_after is not None:
        return retry_after + rng.uniform(0.0, RATE_LIMIT_JITTER_SECONDS)
    reset = _latest_reset(headers)
    if reset is not None and reset > now:
        return min(reset - now, MAX_RETRY_DELAY) + rng.uniform(0.0, RATE_LIMIT_JITTER_SECONDS)
    return backoff_delay(attempt, rng)


class RateLimitGate:
    """Holds back every thread of one client while a route (or the whole account) is limited.

    `acquire()` is called before each send and `observe()` is fed each response with the ticket
    `acquire` gave (`release()` instead when no response came). When a response says
    a budget is exhausted, or a 429 names a time to come back, later sends on that route (or on
    any route, for global / per-token / IP limits) sleep until then plus their own jitter, so
    they do not all retry at the same instant. Blocks never exceed `max_block_seconds`.

    Between answers the gate also keeps to the budget itself. The lowest remaining count any
    answer of the window reported (the server's count only grows) already includes every
    request answered so far, so what is left for new sends is that count minus the requests
    still in flight (`acquire` puts one in flight; `observe` or `release` ends it). When that
    reaches 0 while requests are out, their answers may show that the server had counted them
    already: threads look again every ANSWER_POLL_SECONDS rather than sleep to the reset.
    """

    def __init__(
        self,
        *,
        clock: Clock = time.time,
        sleep: Sleep = time.sleep,
        rng: RandomSource | None = None,
        jitter_seconds: float = RATE_LIMIT_JITTER_SECONDS,
        max_block_seconds: float = MAX_RETRY_DELAY,
    ) -> None:
        self._clock = clock
        self._sleep = sleep
        self._rng: RandomSource = rng if rng is not None else random.Random()
        self._jitter_seconds = jitter_seconds
        self._max_block_seconds = max_block_seconds
        self._lock = threading.Lock()
        self._global_open_at = 0.0
        self._route_open_at: dict[str, float] = {}
        self._budgets: dict[str, _Budget] = {}
        # Sends per route (and under _GLOBAL, all) whose answer has not come back yet.
        self._in_flight: dict[str, int] = {}

    def observe(
        self,
        route: str,
        status_code: int,
        headers: Mapping[str, str],
        ticket: SendTicket | None = None,
    ) -> None:
        """Record what a response on `route` says about the remaining budgets.

        `ticket` is what `acquire` returned for the request: its request is over.
        """
        try:
            self._observe(route, status_code, headers)
        finally:
            # Only now: with the count recorded first, no thread sees room that is not there.
            if ticket is not None:
                self.release(ticket)

    def _observe(self, route: str, status_code: int, headers: Mapping[str, str]) -> None:
        lowered = _lowercase(headers)
        now = self._clock()
        reset = parse_epoch_millis(lowered.get("x-ratelimit-reset"))
        global_exhausted = _is_exhausted(lowered.get("x-ratelimit-global-remaining"))
        route_exhausted = _is_exhausted(lowered.get("x-ratelimit-route-remaining"))
        if reset is not None and reset > now:
            self._record_budget(_GLOBAL, lowered.get("x-ratelimit-global-remaining"), reset)
            self._record_budget(route, lowered.get("x-ratelimit-route-remaining"), reset)
            if global_exhausted:
                self._block(None, reset, now)
            if route_exhausted:
                self._block(route, reset, now)
        if _is_exhausted(lowered.get("x-ratelimit-auth-token-remaining")):
            token_reset = parse_epoch_millis(lowered.get("x-ratelimit-auth-token-reset"))
            if token_reset is not None and token_reset > now:
                self._block(None, token_reset, now)
        if status_code == 429:
            retry_after = parse_retry_after(lowered.get("retry-after"), now)
            if retry_after is not None:
                # Retry-After comes with the IP-based limit, which covers every route.
                self._block(None, now + retry_after, now)
            elif reset is not None and reset > now and not global_exhausted:
                self._block(route, reset, now)

    def wait(self, route: str) -> float:
        """Sleep until `route` is open; returns the seconds slept (0 when it is open).

        For callers that do not report the answer: the send is not kept in flight.
        """
        ticket = self.acquire(route)
        self.release(ticket)
        return ticket.slept

    def release(self, ticket: SendTicket) -> None:
        """The request of `ticket` is over (answered or failed): it is no longer in flight."""
        with self._lock:
            for key in (_GLOBAL, ticket.route):
                if self._in_flight.get(key, 0) > 0:
                    self._in_flight[key] -= 1

    def acquire(self, route: str) -> SendTicket:
        """Sleep until `route` is open, then count one send on it; pass the ticket to observe."""
        slept = 0.0
        waited_for = -math.inf
        while True:
            now = self._clock()
            with self._lock:
                blocked_until = max(self._global_open_at, self._route_open_at.get(route, 0.0))
                spent_until = max(self._spent_until(_GLOBAL, now), self._spent_until(route, now))
                open_at = max(blocked_until, spent_until)
                # A block that was extended while we slept means another wait; one we already
                # slept for does not (the injected clock may not have moved in tests).
                if open_at <= now or open_at <= waited_for:
                    return self._send(route, slept)
                answers_pending = spent_until > blocked_until and self._answers_pending(route, now)
            if answers_pending and open_at - now > ANSWER_POLL_SECONDS:
                # The budget only looks spent; an answer still on its way may say otherwise.
                delay = ANSWER_POLL_SECONDS
            else:
                delay = open_at - now + self._rng.uniform(0.0, self._jitter_seconds)
                waited_for = open_at
            self._sleep(delay)
            slept += delay

    def _block(self, route: str | None, until: float, now: float) -> None:
        until = min(until, now + self._max_block_seconds)
        with self._lock:
            if route is None:
                self._global_open_at = max(self._global_open_at, until)
                return
            # Forget expired routes so the table stays as small as the set of busy routes.
            for stale in [r for r, t in self._route_open_at.items() if t <= now]:
                del self._route_open_at[stale]
            self._route_open_at[route] = max(self._route_open_at.get(route, 0.0), until)

    def _send(self, route: str, slept: float) -> SendTicket:
        """Put one send on `route` in flight (lock held)."""
        for key in (_GLOBAL, route):
            self._in_flight[key] = self._in_flight.get(key, 0) + 1
        return SendTicket(route, slept)

    def _answers_pending(self, route: str, now: float) -> bool:
        """Whether a budget that looks spent (route or global) still has sends out (lock held)."""
        return any(
            self._in_flight.get(key, 0) > 0 and self._spent_until(key, now) > 0
            for key in (_GLOBAL, route)
        )

    def _record_budget(self, key: str, remaining_header: str | None, reset: float) -> None:
        reported = _parse_remaining(remaining_header)
        if reported is None:
            return
        with self._lock:
            known = self._budgets.get(key)
            if known is not None and abs(known.reset - reset) < _SAME_WINDOW_SECONDS:
                known.reported = min(known.reported, reported)
            elif known is None or reset > known.reset:
                self._budgets[key] = _Budget(reported, reset)

    def _spent_until(self, key: str, now: float) -> float:
        """When `key`'s budget has no room for another send now: its reset; else 0 (lock held).

        Past windows are forgotten: they say nothing about the next one.
        """
        budget = self._budgets.get(key)
        if budget is not None and budget.reset <= now:
            del self._budgets[key]
            return 0.0
        if budget is None or budget.reported > self._in_flight.get(key, 0):
            return 0.0
        return min(budget.reset, now + self._max_block_seconds)


# The key under which the account-wide budget is kept, beside the per-route ones.
_GLOBAL = "*"
# Resets reported within this of each other belong to one window (servers round differently).
_SAME_WINDOW_SECONDS = 0.5
# How often threads held by a budget that only looks spent look again (answers are on the way).
ANSWER_POLL_SECONDS = 0.05


@dataclass(frozen=True)
class SendTicket:
    """One send through the gate, in flight until `observe` or `release` is given it."""

    route: str
    slept: float


@dataclass
class _Budget:
    """The lowest remaining count answers reported in the window that ends at `reset`."""

    reported: int
    reset: float


def _parse_remaining(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        remaining = float(value.strip())
    except ValueError:
        return None
    return max(0, int(remaining)) if math.isfinite(remaining) else None
