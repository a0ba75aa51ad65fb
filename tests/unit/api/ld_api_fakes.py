"""Test doubles for the API client tests: a fake clock, a sleep that records instead of
sleeping, a deterministic RNG and scripted `httpx.MockTransport` handlers."""

from __future__ import annotations

import threading
from collections.abc import Callable

import httpx

from pulumi_launchdarkly_links.api import LaunchDarklyClient
from pulumi_launchdarkly_links.api._constants import RATE_LIMIT_JITTER_SECONDS

TOKEN = "api-0123456789abcdef-secret-token"
BASE_URL = "https://ld.test"
START = 1_700_000_000.0
# What FixedRandom() adds as jitter to a rate-limit wait: the midpoint of the jitter range.
JITTER = RATE_LIMIT_JITTER_SECONDS / 2


def epoch_ms(seconds_from_now: float) -> str:
    """An `X-Ratelimit-Reset` value (epoch milliseconds) this far from START."""
    return str(int((START + seconds_from_now) * 1000))


class FakeClock:
    """Epoch seconds that only move when a test (or the recorded sleep) moves them."""

    def __init__(self, start: float = START) -> None:
        self._now = start
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._now += seconds


class RecordingSleep:
    """Records `(thread name, seconds)` and advances the fake clock instead of sleeping."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.calls: list[tuple[str, float]] = []
        self.before_sleep: Callable[[float], None] | None = None

    def __call__(self, seconds: float) -> None:
        self.calls.append((threading.current_thread().name, seconds))
        if self.before_sleep is not None:
            self.before_sleep(seconds)
        self.clock.advance(seconds)

    @property
    def seconds(self) -> list[float]:
        return [seconds for _, seconds in self.calls]


class FixedRandom:
    """`uniform(a, b)` always returns the point `fraction` of the way from a to b."""

    def __init__(self, fraction: float = 0.5) -> None:
        self.fraction = fraction

    def uniform(self, a: float, b: float) -> float:
        return a + (b - a) * self.fraction


Handler = Callable[[httpx.Request], httpx.Response]
ClientFactory = Callable[..., LaunchDarklyClient]


def scripted(*responses: httpx.Response) -> tuple[Handler, list[httpx.Request]]:
    """A handler that answers with `responses` in order (the last one repeats)."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return responses[min(len(seen) - 1, len(responses) - 1)]

    return handler, seen


def error_body(code: str, message: str) -> dict[str, str]:
    return {"code": code, "message": message}


PROJECT_JSON = {"key": "default", "name": "Default", "_id": "p1"}
