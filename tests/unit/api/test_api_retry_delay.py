"""How long a retry waits: Retry-After, then X-Ratelimit-Reset, then full-jitter backoff."""

from __future__ import annotations

import random
from email.utils import formatdate

import pytest

from pulumi_launchdarkly_links.api import INITIAL_RETRY_DELAY, MAX_RETRY_DELAY, compute_retry_delay

from .ld_api_fakes import JITTER, START, FixedRandom, epoch_ms


@pytest.mark.parametrize(
    ("headers", "attempt", "expected"),
    [
        pytest.param({"Retry-After": "7"}, 0, 7 + JITTER, id="retry-after-seconds"),
        pytest.param({"retry-after": "2.5"}, 0, 2.5 + JITTER, id="retry-after-lowercase-float"),
        pytest.param(
            {"Retry-After": formatdate(START + 20, usegmt=True)},
            0,
            20 + JITTER,
            id="retry-after-http-date",
        ),
        pytest.param(
            {"Retry-After": formatdate(START - 20, usegmt=True)},
            0,
            INITIAL_RETRY_DELAY / 2,
            id="retry-after-date-in-past-backs-off",
        ),
        pytest.param({"Retry-After": "soon"}, 1, 0.5, id="retry-after-garbage-backs-off"),
        pytest.param({"X-Ratelimit-Reset": epoch_ms(4)}, 0, 4 + JITTER, id="reset-in-future"),
        pytest.param({"X-Ratelimit-Reset": epoch_ms(-5)}, 2, 1.0, id="reset-in-past-backs-off"),
        pytest.param(
            {"X-Ratelimit-Reset": epoch_ms(600)},
            0,
            MAX_RETRY_DELAY + JITTER,
            id="reset-far-ahead-capped",
        ),
        pytest.param(
            {"Retry-After": "3", "X-Ratelimit-Reset": epoch_ms(8)},
            0,
            3 + JITTER,
            id="retry-after-beats-reset",
        ),
        pytest.param(
            {
                "X-Ratelimit-Reset": epoch_ms(2),
                "X-Ratelimit-Auth-Token-Remaining": "0",
                "X-Ratelimit-Auth-Token-Reset": epoch_ms(6),
            },
            0,
            6 + JITTER,
            id="exhausted-token-reset-is-later",
        ),
        pytest.param(
            {"X-Ratelimit-Auth-Token-Remaining": "5", "X-Ratelimit-Auth-Token-Reset": epoch_ms(6)},
            0,
            INITIAL_RETRY_DELAY / 2,
            id="token-reset-ignored-while-budget-left",
        ),
        pytest.param({}, 0, 0.25, id="no-headers-attempt-0"),
        pytest.param({}, 3, 2.0, id="no-headers-attempt-3"),
        pytest.param({}, 10, MAX_RETRY_DELAY / 2, id="no-headers-capped"),
    ],
)
def test_compute_retry_delay(headers: dict[str, str], attempt: int, expected: float) -> None:
    assert compute_retry_delay(headers, attempt, START, FixedRandom()) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("attempt", "ceiling"),
    [(0, 0.5), (1, 1.0), (2, 2.0), (5, 16.0), (6, MAX_RETRY_DELAY), (60, MAX_RETRY_DELAY)],
)
def test_backoff_is_full_jitter_between_zero_and_capped_ceiling(
    attempt: int, ceiling: float
) -> None:
    assert compute_retry_delay({}, attempt, START, FixedRandom(0.0)) == 0.0
    assert compute_retry_delay({}, attempt, START, FixedRandom(1.0)) == pytest.approx(ceiling)
    rng = random.Random(1234)
    draws = [compute_retry_delay({}, attempt, START, rng) for _ in range(200)]
    assert all(0.0 <= draw <= ceiling for draw in draws)
    assert max(draws) > ceiling / 2  # really spread over the range, not a constant
