"""Fixed-window rate limiting with per-route and global buckets (LaunchDarkly's 10 s windows).

A route is "METHOD template", so every link POST for every view shares one bucket, as the real
API documents. In IP-style mode (`retry_after > 0`) a limited bucket stays closed for
`retry_after` seconds, so the `Retry-After` header the client gets is truthful.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass

# What the remaining headers say when a limit is 0 (unlimited): large, but still a number.
UNLIMITED_REMAINING = 1_000_000


@dataclass
class _Bucket:
    count: int = 0
    window_end: float = 0.0


@dataclass
class Decision:
    allowed: bool
    route_remaining: int
    global_remaining: int
    reset_ms: int
    retry_after_s: int | None


class RateLimiter:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._routes: dict[str, _Bucket] = {}
        self._global = _Bucket()

    def reset(self) -> None:
        with self._lock:
            self._routes.clear()
            self._global = _Bucket()

    def check(
        self,
        route: str,
        route_limit: int,
        global_limit: int,
        window: float,
        retry_after: float,
        now: float | None = None,
    ) -> Decision:
        """Count one request against both buckets unless either is exhausted."""
        now = time.time() if now is None else now
        with self._lock:
            rb = self._routes.setdefault(route, _Bucket())
            for bucket in (rb, self._global):
                if now >= bucket.window_end:
                    # Windows are aligned to multiples of `window` since the epoch.
                    bucket.count = 0
                    bucket.window_end = (math.floor(now / window) + 1) * window
            route_over = route_limit > 0 and rb.count >= route_limit
            global_over = global_limit > 0 and self._global.count >= global_limit
            allowed = not (route_over or global_over)
            retry_s: int | None = None
            if allowed:
                rb.count += 1
                self._global.count += 1
            elif retry_after > 0:
                retry_s = max(1, math.ceil(retry_after))
                for bucket, over in ((rb, route_over), (self._global, global_over)):
                    if over:
                        bucket.window_end = now + retry_s  # reopen exactly when promised
            route_rem = max(0, route_limit - rb.count) if route_limit > 0 else UNLIMITED_REMAINING
            global_rem = (
                max(0, global_limit - self._global.count)
                if global_limit > 0
                else UNLIMITED_REMAINING
            )
            # Reset = when the bucket that limits us reopens; otherwise the route window end.
            if global_over and not route_over:
                reset = self._global.window_end
            elif route_over and global_over:
                reset = max(rb.window_end, self._global.window_end)
            else:
                reset = rb.window_end
            return Decision(allowed, route_rem, global_rem, int(reset * 1000), retry_s)
