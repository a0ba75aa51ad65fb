"""The shared rate-limit gate, driven by a fake clock."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from pulumi_launchdarkly_links.api import (
    MAX_RETRY_DELAY,
    RateLimitGate,
)
from pulumi_launchdarkly_links.api._rate_limit import (
    ANSWER_POLL_SECONDS,
    PROBE_BELOW,
    PROBE_PATIENCE_SECONDS,
    STALE_SECONDS,
    SendTicket,
)

from .ld_api_fakes import JITTER, FakeClock, FixedRandom, RecordingSleep, epoch_ms

ROUTE = "POST /api/v2/projects/{project_key}/views/{view_key}/link/{resource_type}"
OTHER_ROUTE = "GET /api/v2/projects/{project_key}"


@pytest.fixture
def gate(clock: FakeClock, sleep: RecordingSleep) -> RateLimitGate:
    """A gate that assumes it has the budgets to itself (see the crowd tests below)."""
    return RateLimitGate(clock=clock, sleep=sleep, rng=FixedRandom(), assumed_crowd=0.0)


def test_open_gate_does_not_sleep(gate: RateLimitGate, sleep: RecordingSleep) -> None:
    assert gate.wait(ROUTE) == 0.0
    assert sleep.calls == []


def test_exhausted_route_budget_holds_that_route_only(
    gate: RateLimitGate, sleep: RecordingSleep
) -> None:
    gate.observe(ROUTE, 200, {"X-Ratelimit-Route-Remaining": "0", "X-Ratelimit-Reset": epoch_ms(5)})
    assert gate.wait(OTHER_ROUTE) == 0.0
    assert gate.wait(ROUTE) == pytest.approx(5 + JITTER)
    assert sleep.seconds == [pytest.approx(5 + JITTER)]


def test_exhausted_global_budget_holds_every_route(gate: RateLimitGate) -> None:
    gate.observe(
        ROUTE, 200, {"X-Ratelimit-Global-Remaining": "0", "X-Ratelimit-Reset": epoch_ms(3)}
    )
    assert gate.wait(OTHER_ROUTE) == pytest.approx(3 + JITTER)


def test_remaining_budget_does_not_block(gate: RateLimitGate) -> None:
    gate.observe(ROUTE, 200, {"X-Ratelimit-Route-Remaining": "4", "X-Ratelimit-Reset": epoch_ms(5)})
    assert gate.wait(ROUTE) == 0.0


def test_reset_in_the_past_does_not_block(gate: RateLimitGate) -> None:
    gate.observe(
        ROUTE, 429, {"X-Ratelimit-Route-Remaining": "0", "X-Ratelimit-Reset": epoch_ms(-1)}
    )
    assert gate.wait(ROUTE) == 0.0


def test_429_with_retry_after_holds_every_route(gate: RateLimitGate) -> None:
    gate.observe(ROUTE, 429, {"Retry-After": "4"})
    assert gate.wait(OTHER_ROUTE) == pytest.approx(4 + JITTER)


def test_429_with_only_a_reset_holds_its_route(gate: RateLimitGate) -> None:
    gate.observe(ROUTE, 429, {"X-Ratelimit-Reset": epoch_ms(2)})
    assert gate.wait(OTHER_ROUTE) == 0.0
    assert gate.wait(ROUTE) == pytest.approx(2 + JITTER)


def test_exhausted_token_budget_holds_every_route(gate: RateLimitGate) -> None:
    gate.observe(
        ROUTE,
        200,
        {"X-Ratelimit-Auth-Token-Remaining": "0", "X-Ratelimit-Auth-Token-Reset": epoch_ms(6)},
    )
    assert gate.wait(OTHER_ROUTE) == pytest.approx(6 + JITTER)


def test_block_is_capped(gate: RateLimitGate) -> None:
    gate.observe(ROUTE, 429, {"Retry-After": "3600"})
    assert gate.wait(ROUTE) == pytest.approx(MAX_RETRY_DELAY + JITTER)


def test_wait_returns_even_when_the_clock_does_not_move(clock: FakeClock) -> None:
    slept: list[float] = []
    gate = RateLimitGate(clock=clock, sleep=slept.append, rng=FixedRandom())
    gate.observe(ROUTE, 429, {"Retry-After": "5"})
    assert gate.wait(ROUTE) == pytest.approx(5 + JITTER)
    assert slept == [pytest.approx(5 + JITTER)]


def test_block_extended_during_the_wait_means_waiting_again(
    clock: FakeClock, sleep: RecordingSleep
) -> None:
    gate = RateLimitGate(clock=clock, sleep=sleep, rng=FixedRandom(0.0))
    gate.observe(ROUTE, 429, {"Retry-After": "2"})
    extended: list[bool] = []

    def another_thread_sees_a_longer_limit(_: float) -> None:
        if not extended:
            extended.append(True)
            gate.observe(ROUTE, 429, {"Retry-After": "10"})

    sleep.before_sleep = another_thread_sees_a_longer_limit
    gate.wait(ROUTE)
    assert sleep.seconds == [pytest.approx(2), pytest.approx(8)]


# -- between answers the gate keeps to the reported budget -----------------------------------


def reset_in(seconds: float, remaining: int, header: str = "Route") -> dict[str, str]:
    return {
        f"X-Ratelimit-{header}-Remaining": str(remaining),
        "X-Ratelimit-Reset": epoch_ms(seconds),
    }


def test_requests_in_flight_use_up_the_reported_budget(
    gate: RateLimitGate, clock: FakeClock
) -> None:
    gate.observe(ROUTE, 200, reset_in(5, remaining=2))
    tickets = [gate.acquire(ROUTE) for _ in range(2)]
    assert [t.slept for t in tickets] == [0.0, 0.0]
    assert gate.wait(OTHER_ROUTE) == 0.0
    # No room while both are out and no answer comes: looked at until the reset, then sent.
    assert gate.wait(ROUTE) == pytest.approx(5 + JITTER)


def test_requests_that_end_without_an_answer_give_their_room_back(gate: RateLimitGate) -> None:
    gate.observe(ROUTE, 200, reset_in(5, remaining=1))
    gate.release(gate.acquire(ROUTE))  # e.g. the connection dropped before the server saw it
    assert gate.acquire(ROUTE).slept == 0.0


def test_a_spent_budget_with_nothing_in_flight_waits_for_the_reset(gate: RateLimitGate) -> None:
    gate.observe(ROUTE, 200, reset_in(5, remaining=2))
    first, second = gate.acquire(ROUTE), gate.acquire(ROUTE)
    gate.observe(ROUTE, 200, reset_in(5, remaining=1), first)
    gate.observe(ROUTE, 200, reset_in(5, remaining=0), second)
    assert gate.wait(ROUTE) == pytest.approx(5 + JITTER)


def test_global_budget_counts_requests_on_every_route(gate: RateLimitGate) -> None:
    gate.observe(ROUTE, 200, reset_in(4, remaining=1, header="Global"))
    in_flight = gate.acquire(OTHER_ROUTE)
    assert in_flight.slept == 0.0
    gate.observe(OTHER_ROUTE, 200, reset_in(4, remaining=0, header="Global"), in_flight)
    assert gate.wait(ROUTE) == pytest.approx(4 + JITTER)


def test_the_lowest_count_of_a_window_stands(gate: RateLimitGate) -> None:
    gate.observe(ROUTE, 200, reset_in(5, remaining=1))
    # An answer to a request the server counted earlier reports more left: it is older news.
    gate.observe(ROUTE, 200, reset_in(5, remaining=9))
    gate.acquire(ROUTE)
    assert gate.wait(ROUTE) > 0


def test_a_new_window_starts_from_what_the_server_reports(gate: RateLimitGate) -> None:
    gate.observe(ROUTE, 200, reset_in(5, remaining=0))
    assert gate.wait(ROUTE) == pytest.approx(5 + JITTER)
    gate.observe(ROUTE, 200, reset_in(15, remaining=3))
    assert [gate.acquire(ROUTE).slept for _ in range(3)] == [0.0, 0.0, 0.0]
    assert gate.wait(ROUTE) > 0


def test_an_expired_large_window_does_not_hold_sends(gate: RateLimitGate, clock: FakeClock) -> None:
    gate.observe(ROUTE, 200, reset_in(2, remaining=PROBE_BELOW))
    clock.advance(3)
    assert [gate.acquire(ROUTE).slept for _ in range(5)] == [0.0] * 5


def test_a_budget_that_looks_spent_waits_for_answers_still_out(
    gate: RateLimitGate, sleep: RecordingSleep
) -> None:
    gate.observe(ROUTE, 200, {})  # known, and no budget reported: nothing to probe
    # Three sends before any answer; the first answer already counted all three.
    first, second, third = (gate.acquire(ROUTE) for _ in range(3))
    gate.observe(ROUTE, 200, reset_in(5, remaining=2), first)  # 2 left, 2 still out: 0 to spare

    def the_other_answers_arrive(_: float) -> None:
        gate.observe(ROUTE, 200, reset_in(5, remaining=2), second)
        gate.observe(ROUTE, 200, reset_in(5, remaining=2), third)

    sleep.before_sleep = the_other_answers_arrive
    assert gate.wait(ROUTE) == pytest.approx(ANSWER_POLL_SECONDS)


# -- other processes (stacks) spend the same budgets -----------------------------------------


def answer_once(
    gate: RateLimitGate, route: str, headers: dict[str, str], ticket: SendTicket
) -> Callable[[float], None]:
    """A `before_sleep` that answers `ticket` the first time a thread sleeps."""
    answered: list[bool] = []

    def answer(_: float) -> None:
        if not answered:
            answered.append(True)
            gate.observe(route, 200, headers, ticket)

    return answer


def test_a_new_window_of_a_small_budget_starts_with_one_probe(
    gate: RateLimitGate, clock: FakeClock, sleep: RecordingSleep
) -> None:
    gate.observe(ROUTE, 200, reset_in(2, remaining=1))
    clock.advance(3)  # a new window: its budget is unknown until an answer tells it
    probe = gate.acquire(ROUTE)
    assert probe.slept == 0.0
    sleep.before_sleep = answer_once(gate, ROUTE, reset_in(9, remaining=5), probe)
    # The next send waits for the probe's answer, not for the reset and not at all.
    assert gate.acquire(ROUTE).slept == pytest.approx(ANSWER_POLL_SECONDS)
    assert [gate.acquire(ROUTE).slept for _ in range(3)] == [0.0] * 3


def test_the_first_send_on_a_route_probes_it(gate: RateLimitGate, sleep: RecordingSleep) -> None:
    probe = gate.acquire(ROUTE)
    sleep.before_sleep = answer_once(gate, ROUTE, reset_in(5, remaining=10), probe)
    assert gate.acquire(ROUTE).slept == pytest.approx(ANSWER_POLL_SECONDS)


def test_sends_wait_for_a_probe_only_so_long(gate: RateLimitGate) -> None:
    gate.acquire(ROUTE)  # its answer never comes
    assert gate.acquire(ROUTE).slept == pytest.approx(PROBE_PATIENCE_SECONDS + JITTER)


def test_a_probe_that_ends_without_an_answer_lets_the_next_send_probe(
    gate: RateLimitGate,
) -> None:
    gate.release(gate.acquire(ROUTE))  # e.g. the connection was refused
    assert gate.acquire(ROUTE).slept == 0.0


def test_a_route_that_reports_no_budget_is_not_probed(gate: RateLimitGate) -> None:
    gate.observe(ROUTE, 200, {}, gate.acquire(ROUTE))
    assert [gate.acquire(ROUTE).slept for _ in range(5)] == [0.0] * 5


@pytest.fixture
def shared_gate(clock: FakeClock, sleep: RecordingSleep) -> RateLimitGate:
    """A gate as the client makes it: it assumes others share the budgets until it measures."""
    return RateLimitGate(clock=clock, sleep=sleep, rng=FixedRandom())


def test_until_measured_others_are_assumed_to_share_a_budget(shared_gate: RateLimitGate) -> None:
    shared_gate.observe(ROUTE, 200, reset_in(5, remaining=20))
    # 20 / (1 + DEFAULT_CROWD) in flight at once, then the answers are awaited.
    assert [shared_gate.acquire(ROUTE).slept for _ in range(5)] == [0.0] * 5
    assert shared_gate.wait(ROUTE) > 0


def test_a_budget_only_this_gate_spends_is_not_shared(gate: RateLimitGate) -> None:
    gate.observe(ROUTE, 200, reset_in(5, remaining=20))
    for remaining in (19, 18):  # each answer lower by exactly the one send: nobody else
        gate.observe(ROUTE, 200, reset_in(5, remaining), gate.acquire(ROUTE))
    assert [gate.acquire(ROUTE).slept for _ in range(18)] == [0.0] * 18
    assert gate.wait(ROUTE) > 0


def test_in_the_first_window_a_few_own_answers_do_not_prove_it_alone(
    shared_gate: RateLimitGate,
) -> None:
    shared_gate.observe(ROUTE, 200, reset_in(5, remaining=20))
    for remaining in (19, 18):  # nobody else yet: maybe they have not started
        shared_gate.observe(ROUTE, 200, reset_in(5, remaining), shared_gate.acquire(ROUTE))
    assert [shared_gate.acquire(ROUTE).slept for _ in range(4)] == [0.0] * 4  # 18 / (1 + 3)
    assert shared_gate.wait(ROUTE) > 0


def test_alone_in_a_window_it_spends_the_budget_to_the_last(shared_gate: RateLimitGate) -> None:
    shared_gate.observe(ROUTE, 200, reset_in(5, remaining=20))
    for remaining in range(19, -1, -1):  # one at a time, and nobody else spends
        ticket = shared_gate.acquire(ROUTE)
        assert ticket.slept == 0.0, remaining
        shared_gate.observe(ROUTE, 200, reset_in(5, remaining), ticket)


def spend_beside_three_others(gate: RateLimitGate, reset: float) -> None:
    """Answers in which, of a limit of 21, others spent three times what this gate did."""
    gate.observe(ROUTE, 200, reset_in(reset, remaining=20))
    for remaining in (15, 9):  # 12 spent, 3 of them this gate's
        gate.observe(ROUTE, 200, reset_in(reset, remaining), gate.acquire(ROUTE))


def test_others_spending_a_budget_shrink_this_gates_share(gate: RateLimitGate) -> None:
    spend_beside_three_others(gate, reset=5)
    # 9 left, three others: 9 / 4 in flight at once.
    assert [gate.acquire(ROUTE).slept for _ in range(2)] == [0.0] * 2
    assert gate.wait(ROUTE) > 0


def test_others_spending_before_this_gates_first_answer_count(
    gate: RateLimitGate, clock: FakeClock
) -> None:
    gate.observe(ROUTE, 200, reset_in(2, remaining=19))  # a window this gate opened: limit 20
    clock.advance(3)
    # The next window's probe finds 16 of 20 spent by others before it.
    gate.observe(ROUTE, 200, reset_in(9, remaining=3), gate.acquire(ROUTE))
    assert gate.wait(ROUTE) == pytest.approx(9 - 3 + JITTER)  # the last 3 are theirs too


def test_the_last_few_of_a_shared_budget_are_left_to_the_others(gate: RateLimitGate) -> None:
    spend_beside_three_others(gate, reset=5)
    gate.observe(ROUTE, 200, reset_in(5, remaining=3), gate.acquire(ROUTE))
    # 3 left with nothing in flight: sending would race the others for the last slots.
    assert gate.wait(ROUTE) == pytest.approx(5 + JITTER)


def test_the_crowd_measured_in_one_window_paces_the_next(
    gate: RateLimitGate, clock: FakeClock
) -> None:
    spend_beside_three_others(gate, reset=2)
    clock.advance(3)
    gate.observe(ROUTE, 200, reset_in(9, remaining=20), gate.acquire(ROUTE))
    # Nobody else spent yet, but most of the last window's three stand: 20 / (1 + 2.4).
    assert [gate.acquire(ROUTE).slept for _ in range(5)] == [0.0] * 5
    assert gate.wait(ROUTE) > 0


def test_a_refused_request_is_not_taken_for_this_gates_spending(
    shared_gate: RateLimitGate,
) -> None:
    shared_gate.observe(OTHER_ROUTE, 200, reset_in(5, remaining=10, header="Global"))
    refused = {**reset_in(5, remaining=9, header="Global"), "X-Ratelimit-Route-Remaining": "0"}
    shared_gate.observe(ROUTE, 429, refused, shared_gate.acquire(ROUTE))
    # The global count fell by one that was not this gate's: others are still assumed, so
    # 9 / 4 of the global budget in flight at once, not all 9.
    assert [shared_gate.acquire(OTHER_ROUTE).slept for _ in range(2)] == [0.0] * 2
    assert shared_gate.wait(OTHER_ROUTE) > 0


def test_a_shared_budget_not_heard_of_for_a_while_is_probed_again(
    gate: RateLimitGate, clock: FakeClock, sleep: RecordingSleep
) -> None:
    spend_beside_three_others(gate, reset=5)
    clock.advance(STALE_SECONDS + 0.5)  # e.g. the engine was busy between two resources
    probe = gate.acquire(ROUTE)
    assert probe.slept == 0.0
    sleep.before_sleep = answer_once(gate, ROUTE, reset_in(5, remaining=2), probe)
    # The others went on meanwhile: 2 left, and they are theirs (crowd 3): wait for the reset.
    assert gate.wait(ROUTE) == pytest.approx(5 - STALE_SECONDS - 0.5 + JITTER)


def test_a_budget_this_gate_has_to_itself_does_not_go_stale(
    gate: RateLimitGate, clock: FakeClock
) -> None:
    gate.observe(ROUTE, 200, reset_in(5, remaining=10))
    clock.advance(STALE_SECONDS + 0.5)
    assert [gate.acquire(ROUTE).slept for _ in range(10)] == [0.0] * 10
