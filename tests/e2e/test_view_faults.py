"""View creates, updates and deletes under injected faults, through the real CLI.

The emulator fails some requests before and some after carrying them out (the answer is lost).
A lost create answer must never make the provider post twice (LaunchDarkly would answer 409):
it looks first. A view's PATCH sets fields to values, so the client repeats it like a GET. Each
`pulumi up` and the `pulumi destroy` still end in exactly the declared views. `parallel=1`
keeps the order of requests, and with it the emulator's seeded faults, the same on every run.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterator

import pytest

from pulumi_launchdarkly_links import View
from pulumi_launchdarkly_links.emulator.runtime import Exchange

from .harness import Stack, emulator_api

PROJECT = "default"
KEYS = [f"team-{n:02d}" for n in range(10)]
VIEWS_ROUTE = f"/api/v2/projects/{PROJECT}/views"


def program(phase: int) -> Callable[[], None]:
    def run() -> None:
        for key in KEYS:
            View(key, project_key=PROJECT, key=key, name=f"{key} (phase {phase})", tags=[key])

    return run


class ViewWrites:
    """Every view POST, PATCH and DELETE the emulator saw, with its answer and injected fault."""

    def __init__(self) -> None:
        self.exchanges: list[Exchange] = []

    def __call__(self, exchange: Exchange) -> None:
        if exchange.path.startswith(VIEWS_ROUTE) and exchange.method in ("POST", "PATCH"):
            self.exchanges.append(exchange)

    def of(self, method: str) -> list[Exchange]:
        return [exchange for exchange in self.exchanges if exchange.method == method]

    def applied(self, method: str) -> Counter[str]:
        """How often each view was written: answered with success, or failed after the emulator
        carried the request out (a dropped connection starts with a 200: the fault decides)."""
        counts: Counter[str] = Counter()
        for exchange in self.of(method):
            fault = exchange.fault or ""
            if fault.endswith("-after") or (not fault and exchange.status < 300):
                target = json.loads(exchange.body)["key"] if method == "POST" else exchange.path
                counts[target.rsplit("/", 1)[-1]] += 1
        return counts

    def lost_answers(self, method: str) -> int:
        return sum(1 for e in self.of(method) if (e.fault or "").endswith("-after"))


@pytest.fixture
def writes(new_stack: Callable[..., Stack]) -> Iterator[ViewWrites]:
    recorder = ViewWrites()
    hooks = new_stack("hooks").emulator.runtime.exchange_hooks
    hooks.append(recorder)
    yield recorder
    hooks.remove(recorder)


def names(stack: Stack) -> dict[str, str]:
    with emulator_api(stack.emulator) as api:
        views = api.get(VIEWS_ROUTE, params={"limit": 100}).raise_for_status().json()["items"]
    return {view["key"]: view["name"] for view in views if view["key"].startswith("team-")}


def test_lost_answers_never_double_a_create_and_every_run_converges(
    new_stack: Callable[..., Stack], writes: ViewWrites
) -> None:
    stack = new_stack().program(program(phase=1))
    faults_on = {"fault_rate": 0.5, "fault_seed": 20261129}
    stack.admin.set_knobs(**faults_on)

    created = stack.up(parallel=1)

    stack.admin.set_knobs(fault_rate=0)
    assert created.summary.resource_changes == {"create": len(KEYS) + 1}
    assert writes.lost_answers("POST") >= 2, "the seed must lose some create answers"
    assert [e.status for e in writes.of("POST") if e.status == 409] == []
    assert writes.applied("POST") == Counter(dict.fromkeys(KEYS, 1))
    assert names(stack) == {key: f"{key} (phase 1)" for key in KEYS}

    stack.program(program(phase=2))
    stack.admin.set_knobs(**faults_on)
    updated = stack.up(parallel=1)

    stack.admin.set_knobs(fault_rate=0)
    assert updated.summary.resource_changes == {"same": 1, "update": len(KEYS)}
    assert writes.lost_answers("PATCH") >= 2, "the seed must lose some patch answers"
    assert set(writes.applied("PATCH")) == set(KEYS)  # a repeat sets the same values again
    assert names(stack) == {key: f"{key} (phase 2)" for key in KEYS}
    stack.refresh()
    assert stack.preview().change_summary == {"same": len(KEYS) + 1}

    stack.admin.set_knobs(**faults_on)
    stack.admin.reset_stats()
    stack.destroy(parallel=1)
    stack.admin.set_knobs(fault_rate=0)
    assert stack.admin.stats()["faults"] > 0, "the destroy must meet faults too"
    assert names(stack) == {} and stack.resources() == []
