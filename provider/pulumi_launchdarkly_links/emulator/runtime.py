"""The live emulator: settings, store, stats, limiter and fault RNG shared by all request handlers.

One `Runtime` hangs off `app.state.runtime`; the admin API and `EmulatorServer` reach the same
object, so knob changes take effect on the next request.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .ratelimit import RateLimiter
from .seed import apply_seed, build_state, load_seed
from .settings import EmulatorSettings
from .store import Store


@dataclass
class Exchange:
    """One /api/ request and the answer actually sent (for spec validation in tests)."""

    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes
    route: str | None
    status: int = 0
    response_headers: dict[str, str] = field(default_factory=dict)
    response_body: bytes = b""
    fault: str | None = None


ExchangeHook = Callable[[Exchange], None]


class Stats:
    """Request counters by category and by "METHOD template"; admin calls are not counted."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self._data: dict[str, Any] = {
                "total": 0,
                "mutating": 0,
                "rate_limited": 0,
                "faults": 0,
                "faults_before": 0,
                "faults_after": 0,
                "unauthorized": 0,
                "routes": {},
                "statuses": {},
            }

    def request(self, route_key: str, mutating: bool) -> None:
        with self._lock:
            self._data["total"] += 1
            self._data["mutating"] += int(mutating)
            routes = self._data["routes"]
            routes[route_key] = routes.get(route_key, 0) + 1

    def bump(self, name: str) -> None:
        with self._lock:
            self._data[name] += 1

    def status(self, code: int) -> None:
        with self._lock:
            statuses = self._data["statuses"]
            statuses[str(code)] = statuses.get(str(code), 0) + 1

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            data = dict(self._data)
            data["routes"] = dict(self._data["routes"])
            data["statuses"] = dict(self._data["statuses"])
            return data


class Runtime:
    def __init__(self, settings: EmulatorSettings, store: Store | None = None) -> None:
        self.settings = settings
        self.store = store or Store(settings.state_path)
        self.stats = Stats()
        self.limiter = RateLimiter()
        self.exchange_hooks: list[ExchangeHook] = []
        self._rng_lock = threading.Lock()
        self._rng = random.Random(settings.fault_seed)
        self._rng_seed = settings.fault_seed
        if not self.store.load_file():
            self.store.replace(build_state(settings.seed, self.store.now_ms))

    def rng_random(self) -> float:
        with self._rng_lock:
            self._sync_seed()
            return self._rng.random()

    def rng_choice(self, options: list[str]) -> str:
        with self._rng_lock:
            self._sync_seed()
            return self._rng.choice(options)

    def _sync_seed(self) -> None:
        # A changed fault_seed knob restarts the sequence so runs are reproducible.
        if self.settings.fault_seed != self._rng_seed:
            self._rng_seed = self.settings.fault_seed
            self._rng = random.Random(self._rng_seed)

    def reset(self, seed: str | dict[str, Any] | None) -> None:
        """Drop all state, reseed, and clear stats and rate-limit buckets."""
        self.store.replace(build_state(seed, self.store.now_ms))
        self.stats.reset()
        self.limiter.reset()

    def merge_seed(self, seed: dict[str, Any]) -> None:
        data = load_seed(seed)
        with self.store.write() as state:
            apply_seed(state, data, self.store.now_ms)
