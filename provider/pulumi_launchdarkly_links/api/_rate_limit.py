"""A gate that holds every thread of one client to the rate-limit budgets LaunchDarkly reports.

Each send waits at the gate until its route (and the account) has room, by the remaining counts
and reset times in the answers' headers (`_retry_delay` parses them), and leaves room for other
processes spending the same token's budgets (see `RateLimitGate`).
"""

from __future__ import annotations

import math
import random
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from ._constants import MAX_RETRY_DELAY, RATE_LIMIT_JITTER_SECONDS
from ._retry_delay import (
    RandomSource,
    is_exhausted,
    lowercase,
    parse_epoch_millis,
    parse_retry_after,
)

Clock = Callable[[], float]
Sleep = Callable[[float], None]


# A new window of a budget this small or smaller starts with one probe; a larger one cannot be
# overrun by a few processes' bursts (MAX_CONNECTIONS each), and is sent into at once.
PROBE_BELOW = 1000
# How long other sends wait for a probe's answer before they go anyway.
PROBE_PATIENCE_SECONDS = 2.0
# Other senders assumed on a budget before any window measured them, and the most believed.
DEFAULT_CROWD = 3.0
MAX_CROWD = 8.0
# A shared budget (a crowd of at least STALE_CROWD) last heard of longer ago than this, with
# nothing in flight, is probed again before more sends go: the others may have spent it.
STALE_SECONDS = 1.0
STALE_CROWD = 0.5
# How much of the last window's estimate of the others stands as a floor in the next: others
# held back by their own share in one window still want their turn in the next, and a limit
# learnt late in a window (others had spent part of it) hides some of them. It only narrows
# the sends in flight (the last few of a window are kept for others seen in that window).
CROWD_MEMORY = 0.8


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

    Other processes (other stacks on the same token) spend the same budgets, and this gate
    learns what they spent only from its own answers. So it leaves them room:

    - A window whose budget it does not know yet (the first contact with a route, or a new
      window after one whose budget was small) gets one send, a probe; the others wait for its
      answer (at most PROBE_PATIENCE_SECONDS) instead of all going out blind at the reset. So
      does a budget shared with others that it last heard of over STALE_SECONDS ago.
    - It estimates how many others share a budget ("the crowd"): of what the server counted
      in the window (the limit, i.e. the highest count ever reported plus one, less the lowest
      count of the window), the part that was not its own answers, per own answer. Most of the
      last window's estimate stays as a floor (CROWD_MEMORY); in the first window the floor is
      `assumed_crowd` (DEFAULT_CROWD), as others may not have started yet.
    - With a crowd of c, at most remaining / (1 + c) sends are in flight at once, and the
      last round(c') of a window's budget (at most a quarter of the limit) are left to the
      others, with c' the others seen spending in this window: when several processes each
      still see a little room at a window's end, they would each send one into the same last
      slot and all but one get 429.
    """

    def __init__(
        self,
        *,
        clock: Clock = time.time,
        sleep: Sleep = time.sleep,
        rng: RandomSource | None = None,
        jitter_seconds: float = RATE_LIMIT_JITTER_SECONDS,
        max_block_seconds: float = MAX_RETRY_DELAY,
        assumed_crowd: float = DEFAULT_CROWD,
    ) -> None:
        self._clock = clock
        self._sleep = sleep
        self._rng: RandomSource = rng if rng is not None else random.Random()
        self._jitter_seconds = jitter_seconds
        self._max_block_seconds = max_block_seconds
        self._assumed_crowd = assumed_crowd
        self._lock = threading.Lock()
        self._global_open_at = 0.0
        self._route_open_at: dict[str, float] = {}
        self._budgets: dict[str, _Budget] = {}
        # Sends per route (and under _GLOBAL, all) whose answer has not come back yet.
        self._in_flight: dict[str, int] = {}
        # Keys that have had an answer, and the highest count the last window of each key that
        # reports a small budget showed (a new window of those starts with a probe).
        self._answered: set[str] = set()
        self._small_budget: dict[str, int] = {}
        # When the probe of a key's unknown window went out.
        self._probe_sent: dict[str, float] = {}
        # How many other senders share each key's budget (see the class docstring), what the
        # last window ended with, and the largest budget (limit) each key has shown.
        self._crowd: dict[str, float] = {}
        self._carried_crowd: dict[str, float] = {}
        self._limits: dict[str, int] = {}

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
        lowered = lowercase(headers)
        now = self._clock()
        reset = parse_epoch_millis(lowered.get("x-ratelimit-reset"))
        global_exhausted = is_exhausted(lowered.get("x-ratelimit-global-remaining"))
        route_exhausted = is_exhausted(lowered.get("x-ratelimit-route-remaining"))
        counted = status_code != 429  # a refused request spent nothing
        for key, header in ((_GLOBAL, "global"), (route, "route")):
            remaining = lowered.get(f"x-ratelimit-{header}-remaining")
            self._record_budget(key, remaining, reset, counted, now)
        if reset is not None and reset > now:
            if global_exhausted:
                self._block(None, reset, now)
            if route_exhausted:
                self._block(route, reset, now)
        if is_exhausted(lowered.get("x-ratelimit-auth-token-remaining")):
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
            for key in ticket.probes:
                # Its answer (recorded first) told the window's budget, or there was none:
                # either way the next send may find out.
                if self._probe_sent.get(key) == ticket.sent_at:
                    del self._probe_sent[key]

    def acquire(self, route: str) -> SendTicket:
        """Sleep until `route` is open, then count one send on it; pass the ticket to observe."""
        slept = 0.0
        waited_for = -math.inf
        while True:
            now = self._clock()
            with self._lock:
                blocked_until = max(self._global_open_at, self._route_open_at.get(route, 0.0))
                rooms = [self._room(_GLOBAL, now), self._room(route, now)]
                spent_until = max(until for until, _ in rooms)
                open_at = max(blocked_until, spent_until)
                # A block that was extended while we slept means another wait; one we already
                # slept for does not (the injected clock may not have moved in tests).
                if open_at <= now or open_at <= waited_for:
                    return self._send(route, slept, now)
                answers_pending = spent_until > blocked_until and any(
                    pending for until, pending in rooms if until > now
                )
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

    def _send(self, route: str, slept: float, now: float) -> SendTicket:
        """Put one send on `route` in flight (lock held)."""
        probes = []
        for key in (_GLOBAL, route):
            if self._probing(key, now) and key not in self._probe_sent:
                self._probe_sent[key] = now
                probes.append(key)
            self._in_flight[key] = self._in_flight.get(key, 0) + 1
        return SendTicket(route, slept, tuple(probes), now)

    def _record_budget(
        self,
        key: str,
        remaining_header: str | None,
        reset: float | None,
        counted: bool,
        now: float,
    ) -> None:
        """Note an answer on `key`; with a remaining count, that count in the window of `reset`."""
        reported = _parse_remaining(remaining_header)
        with self._lock:
            self._answered.add(key)
            if reported is None or reset is None:
                self._small_budget.pop(key, None)  # this key does not report a budget (now)
                return
            if reset <= now:
                return  # a window already over says nothing about this one
            known = self._budgets.get(key)
            if known is not None and abs(known.reset - reset) < _SAME_WINDOW_SECONDS:
                known.seen = now
                known.reported = min(known.reported, reported)
                known.highest = max(known.highest, reported)
                known.counted += int(counted)
            elif known is None or reset > known.reset:
                if key in self._crowd:  # the last window's estimate, fading, is a floor
                    self._carried_crowd[key] = self._crowd[key]
                known = self._budgets[key] = _Budget(
                    reported, reset, reported, int(counted), key in self._limits, now
                )
            else:
                return  # an answer from a window already over
            if known.highest < PROBE_BELOW:
                self._small_budget[key] = known.highest
            else:
                self._small_budget.pop(key, None)
            # The first answer of a window reports the limit less one.
            limit = self._limits[key] = max(self._limits.get(key, 0), known.highest + 1)
            if known.counted >= 2 or (known.limit_known and known.counted >= 1):
                # What the server counted in this window that was not this gate's.
                others = max(0, limit - known.reported - known.counted)
                known.measured = min(MAX_CROWD, others / known.counted)
                carried = self._carried_crowd.get(key)
                # Before a whole window was measured, a few answers prove nothing: the others
                # may not have started yet.
                floor = self._assumed_crowd if carried is None else CROWD_MEMORY * carried
                self._crowd[key] = max(known.measured, floor)

    def _probing(self, key: str, now: float) -> bool:
        """Whether what `key` has left now is unknown and worth a probe (lock held): a new
        window of a small budget, a first contact, or a shared budget last heard of so long
        ago that the others may have spent it since."""
        budget = self._budgets.get(key)
        if budget is not None and budget.reset > now:
            return (
                now - budget.seen > STALE_SECONDS
                and self._in_flight.get(key, 0) == 0
                and self._crowd.get(key, self._assumed_crowd) >= STALE_CROWD
            )
        return key not in self._answered or key in self._small_budget

    def _room(self, key: str, now: float) -> tuple[float, bool]:
        """(0, _) when `key` has room for another send now; else (until when it may not, whether
        answers still out may open it sooner). Lock held.

        Past windows are forgotten: they say nothing about the next one.
        """
        budget = self._budgets.get(key)
        if budget is not None and budget.reset <= now:
            del self._budgets[key]
            budget = None
        in_flight = self._in_flight.get(key, 0)
        sent = self._probe_sent.get(key)
        if sent is not None and (budget is None or budget.seen < sent):
            # A probe is out and nothing was heard since: its answer tells what is left.
            until = sent + PROBE_PATIENCE_SECONDS
            if until > now:
                return until, True
        if budget is None:
            return 0.0, False  # nothing to find out, or this send is the probe
        crowd = self._crowd.get(key, self._assumed_crowd)
        share = max(1, int(budget.reported / (1.0 + crowd)))
        # The last few are kept for others seen spending in this window, not for assumed ones.
        seen = budget.measured if budget.measured is not None else crowd
        reserve = min(round(seen), self._limits.get(key, budget.highest) // 4)
        if in_flight < share and budget.reported - in_flight > reserve:
            return 0.0, False
        return min(budget.reset, now + self._max_block_seconds), in_flight > 0


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
    # The keys (the route, or "*" for the global budget) whose unknown window this send probes.
    probes: tuple[str, ...] = ()
    sent_at: float = 0.0


@dataclass
class _Budget:
    """The lowest remaining count answers reported in the window that ends at `reset`, the
    highest, and how many of those answers were to requests the server counted (not 429s)."""

    reported: int
    reset: float
    highest: int
    counted: int
    limit_known: bool = False  # from an earlier window, so the first answer measures others
    seen: float = 0.0  # when the last answer of the window came
    measured: float | None = None  # the others seen spending in this window, per own send


def _parse_remaining(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        remaining = float(value.strip())
    except ValueError:
        return None
    return max(0, int(remaining)) if math.isfinite(remaining) else None
