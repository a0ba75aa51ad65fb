"""Flag-link creates and patches under injected faults, through the real CLI.

The emulator fails some requests before and some after carrying them out (the answer is lost).
A lost answer must never make the provider write twice: no create is posted again once one went
through (the emulator would answer 409, which LaunchDarkly does not promise), no patch is
applied twice (a replayed JSON Patch `remove` fails on LaunchDarkly). `pulumi up` still ends
with exactly the declared links. `parallel=1` keeps the order of requests, and with it the
emulator's seeded faults, the same on every run.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterator

import pytest

from pulumi_launchdarkly_links import FlagLink
from pulumi_launchdarkly_links.emulator.runtime import Exchange

from .harness import Stack, flag_links

PROJECT, FLAG = "default", "new-checkout"
LINK_COUNT = 12
FLAG_LINKS_ROUTE = "/api/v2/flag-links/"


def program(phase: int) -> Callable[[], None]:
    def run() -> None:
        for number in range(LINK_COUNT):
            FlagLink(
                f"ticket-{number:02d}",
                project_key=PROJECT,
                flag_key=FLAG,
                deep_link=f"https://jira.example.com/browse/CHK-{number}",
                title=f"CHK-{number} (phase {phase})",
                description="Rollout ticket" if phase == 1 else None,
            )

    return run


class FlagLinkWrites:
    """Every flag-link POST and PATCH the emulator saw: its target, answer and injected fault."""

    def __init__(self) -> None:
        self.exchanges: list[Exchange] = []

    def __call__(self, exchange: Exchange) -> None:
        if exchange.path.startswith(FLAG_LINKS_ROUTE) and exchange.method in ("POST", "PATCH"):
            self.exchanges.append(exchange)

    def of(self, method: str) -> list[Exchange]:
        return [exchange for exchange in self.exchanges if exchange.method == method]

    def applied(self, method: str) -> Counter[str]:
        """How often each target (a POST's key, a PATCH's link) was carried out: answered with
        success, or failed after the emulator had carried it out (a dropped connection starts
        with a 200, so the fault decides, not the status)."""
        counts: Counter[str] = Counter()
        for exchange in self.of(method):
            fault = exchange.fault or ""
            if fault.endswith("-after") or (not fault and exchange.status < 300):
                target = json.loads(exchange.body)["key"] if method == "POST" else exchange.path
                counts[target] += 1
        return counts

    def lost_answers(self, method: str) -> int:
        return sum(1 for e in self.of(method) if (e.fault or "").endswith("-after"))


@pytest.fixture
def writes(new_stack: Callable[..., Stack]) -> Iterator[FlagLinkWrites]:
    recorder = FlagLinkWrites()
    hooks = new_stack("hooks").emulator.runtime.exchange_hooks
    hooks.append(recorder)
    yield recorder
    hooks.remove(recorder)


def test_lost_answers_never_double_a_create_or_a_patch(
    new_stack: Callable[..., Stack], writes: FlagLinkWrites
) -> None:
    stack = new_stack().program(program(phase=1))
    stack.admin.set_knobs(fault_rate=0.5, fault_seed=20261123)

    created = stack.up(parallel=1)

    assert created.summary.resource_changes == {"create": LINK_COUNT + 1}
    assert writes.lost_answers("POST") >= 2, "the seed must lose some create answers"
    assert [e.status for e in writes.of("POST") if e.status == 409] == []
    assert set(writes.applied("POST").values()) == {1}
    links = flag_links(stack.emulator, PROJECT, FLAG)
    assert sorted(link["_key"] for link in links) == [f"ticket-{n:02d}" for n in range(LINK_COUNT)]

    stack.program(program(phase=2))
    updated = stack.up(parallel=1)

    assert updated.summary.resource_changes == {"same": 1, "update": LINK_COUNT}
    assert writes.lost_answers("PATCH") >= 2, "the seed must lose some patch answers"
    assert len(writes.applied("PATCH")) == LINK_COUNT
    assert set(writes.applied("PATCH").values()) == {1}
    links = flag_links(stack.emulator, PROJECT, FLAG)
    assert len(links) == LINK_COUNT
    assert all(link["title"].endswith("(phase 2)") and "description" not in link for link in links)

    stack.admin.set_knobs(fault_rate=0)
    stack.refresh()
    assert stack.preview().change_summary == {"same": LINK_COUNT + 1}
