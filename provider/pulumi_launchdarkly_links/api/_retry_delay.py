"""How long to wait before a retry, from what LaunchDarkly's rate-limit headers say.

LaunchDarkly signals limits three ways (see docs/launchdarkly-api.md §0):
`X-Ratelimit-Global-Remaining` / `X-Ratelimit-Route-Remaining` with `X-Ratelimit-Reset` (epoch
milliseconds), the per-token `X-Ratelimit-Auth-Token-Remaining` / `-Reset`, and an IP-based
`Retry-After` (seconds, or an HTTP date). A "route" is one URL pattern plus verb, so every link
POST for every view shares one bucket; callers pass the route as e.g.
`"POST /api/v2/projects/{project_key}/views/{view_key}/link/{resource_type}"`.

The header parsing here is shared with `_rate_limit.RateLimitGate`, which holds sends back
before they go; this module only answers "how long until the retry".
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping
from email.utils import parsedate_to_datetime
from typing import Protocol

from ._constants import INITIAL_RETRY_DELAY, MAX_RETRY_DELAY, RATE_LIMIT_JITTER_SECONDS


class RandomSource(Protocol):
    """The part of `random.Random` used here; tests pass a deterministic stand-in."""

    def uniform(self, a: float, b: float) -> float: ...


def lowercase(headers: Mapping[str, str]) -> dict[str, str]:
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


def is_exhausted(value: str | None) -> bool:
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
    if is_exhausted(headers.get("x-ratelimit-auth-token-remaining")):
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
    headers = lowercase(response_headers)
    retry_after = parse_retry_after(headers.get("retry-after"), now)
    if retry_after is not None:
        return retry_after + rng.uniform(0.0, RATE_LIMIT_JITTER_SECONDS)
    reset = _latest_reset(headers)
    if reset is not None and reset > now:
        return min(reset - now, MAX_RETRY_DELAY) + rng.uniform(0.0, RATE_LIMIT_JITTER_SECONDS)
    return backoff_delay(attempt, rng)
