"""Reliability under injected faults and rate limits: one `pulumi up` succeeds, nothing is lost,
nothing is duplicated."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest

from pulumi_launchdarkly_links import FlagLink, SegmentRef, ViewMembership
from pulumi_launchdarkly_links.emulator import DEMO_PRODUCTION_ENV_ID

from .bad_input_support import SAFE_METHODS, recorded_exchanges
from .harness import Stack, flag_links, linked

PROJECT = "default"


def seed_catalog(stack: Stack, flag_count: int, segment_count: int) -> tuple[list[str], list[str]]:
    flags = [f"bulk-flag-{n:03d}" for n in range(flag_count)]
    segments = [f"bulk-segment-{n:02d}" for n in range(segment_count)]
    stack.admin.seed(
        {
            "projects": [
                {
                    "key": PROJECT,
                    "name": "Default",
                    "flags": flags,
                    "segments": {"production": segments},
                }
            ]
        }
    )
    return flags, segments


def program_for(flags: list[str], segments: list[str], link_count: int) -> Callable[[], None]:
    def program() -> None:
        ViewMembership(
            "checkout",
            project_key=PROJECT,
            view_key="checkout",
            flags=flags,
            segments=[SegmentRef(environment_key="production", segment_key=s) for s in segments],
        )
        for number in range(link_count):
            FlagLink(
                f"ticket-{number:02d}",
                project_key=PROJECT,
                flag_key=flags[number % len(flags)],
                deep_link=f"https://jira.example.com/browse/CHK-{number}",
                title=f"CHK-{number}",
            )

    return program


def assert_declared_state(
    stack: Stack, flags: list[str], segments: list[str], link_count: int
) -> None:
    assert linked(stack.emulator, PROJECT, "checkout", "flags") == set(flags)
    assert linked(stack.emulator, PROJECT, "checkout", "segments") == {
        (DEMO_PRODUCTION_ENV_ID, s) for s in segments
    }
    keys: list[Any] = []
    for flag in {flags[n % len(flags)] for n in range(link_count)}:
        keys.extend(link["_key"] for link in flag_links(stack.emulator, PROJECT, flag))
    assert sorted(keys) == sorted(f"ticket-{n:02d}" for n in range(link_count))  # no duplicates


def test_one_up_succeeds_under_injected_faults(new_stack: Callable[..., Stack]) -> None:
    stack = new_stack()
    flags, segments = seed_catalog(stack, 200, 20)
    stack.program(program_for(flags, segments, 30))
    stack.admin.set_knobs(fault_rate=0.2, fault_seed=7, latency_ms=5, latency_jitter_ms=20)
    stack.admin.reset_stats()

    result = stack.up()

    stats = stack.admin.stats()
    stack.admin.set_knobs(fault_rate=0, latency_ms=0, latency_jitter_ms=0)
    assert result.summary.result == "succeeded"
    assert result.summary.resource_changes == {"create": 32}
    assert stats["faults"] >= 5, stats
    assert stats["faults_after"] >= 1, stats  # some mutations happened but their answer was lost
    assert_declared_state(stack, flags, segments, 30)
    assert stack.preview().change_summary == {"same": 32}


ROUTE_LIMIT = 10
FLAG_LINK_POST = "POST /api/v2/flag-links/projects/{projectKey}/flags/{featureFlagKey}"
LINK_POST = "POST /api/v2/projects/{projectKey}/views/{viewKey}/link/{resourceType}"
# What the program needs at linkBatchSize 10: one POST per FlagLink, one per 10 members.
NEEDED_MUTATIONS = {FLAG_LINK_POST: 30, LINK_POST: 200 // 10 + 20 // 10}
# The gate keeps to the budget the answers report, so a 429 is the exception: at most one in
# twenty requests sent (the runs measured for issue 13 drew none in 55).
MAX_429_SHARE = 0.05


@pytest.mark.parametrize(
    "knobs",
    [
        pytest.param({"route_limit": ROUTE_LIMIT}, id="route-limit-reset-headers"),
        pytest.param({"route_limit": ROUTE_LIMIT, "retry_after": 2}, id="ip-style-retry-after"),
    ],
)
def test_rate_limited_up_succeeds_without_failures(
    new_stack: Callable[..., Stack], knobs: dict[str, Any]
) -> None:
    # The program of the fault test: 22 link batches and 30 flag-link creates, each route far
    # beyond one window's budget, so the up can only succeed by pacing or waiting.
    stack = new_stack()
    flags, segments = seed_catalog(stack, 200, 20)
    stack.program(program_for(flags, segments, 30))
    stack.admin.set_knobs(**knobs)
    stack.admin.reset_stats()

    with recorded_exchanges(stack.emulator) as exchanges:
        result = stack.up()
        stats = stack.admin.stats()
    stack.admin.set_knobs(route_limit=0, retry_after=0)
    assert result.summary.result == "succeeded"
    assert result.summary.resource_changes == {"create": 32}
    assert_declared_state(stack, flags, segments, 30)

    sent = len(exchanges)
    drew = sum(1 for exchange in exchanges if exchange.status == 429)
    assert sent == stats["total"]
    # The limit was in force: some answer on the busiest route said its budget was spent.
    remaining = [
        int(exchange.response_headers["x-ratelimit-route-remaining"])
        for exchange in exchanges
        if f"{exchange.method} {exchange.route}" == FLAG_LINK_POST
    ]
    assert len(remaining) >= 3 * ROUTE_LIMIT and min(remaining) == 0, remaining
    # Each mutation went through once; a 429 costs one more request, nothing else is resent.
    accepted = Counter(
        f"{exchange.method} {exchange.route}"
        for exchange in exchanges
        if exchange.method not in SAFE_METHODS and exchange.status != 429
    )
    assert accepted == NEEDED_MUTATIONS
    reads = sent - drew - sum(accepted.values())
    assert 0 < reads <= 4, stats["routes"]  # the view's links and the environment, read once
    assert drew <= MAX_429_SHARE * sent, f"{drew} 429s in {sent} requests: {stats['routes']}"
