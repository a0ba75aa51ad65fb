"""Reliability under injected faults and rate limits: one `pulumi up` succeeds, nothing is lost,
nothing is duplicated."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from pulumi_launchdarkly_links import FlagLink, SegmentRef, ViewMembership
from pulumi_launchdarkly_links.emulator import DEMO_PRODUCTION_ENV_ID

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
    assert result.summary.resource_changes == {"create": 32}
    assert stats["faults"] >= 5, stats
    assert stats["faults_after"] >= 1, stats  # some mutations happened but their answer was lost
    assert_declared_state(stack, flags, segments, 30)
    assert stack.preview().change_summary == {"same": 32}


ROUTE_LIMIT = 10


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

    result = stack.up()

    stats = stack.admin.stats()
    stack.admin.set_knobs(route_limit=0, retry_after=0)
    assert result.summary.result == "succeeded"
    assert result.summary.resource_changes == {"create": 32}
    assert max(stats["routes"].values()) > 2 * ROUTE_LIMIT, stats["routes"]
    assert stats["statuses"].get("429", 0) == stats["rate_limited"]
    assert_declared_state(stack, flags, segments, 30)
