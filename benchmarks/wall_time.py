"""Benchmark 2: wall time of `pulumi up` creating 1 ViewMembership (1000 flags) + 100 FlagLinks.

The emulator adds 50 ms to every request. The engine's floor is measured in the same run: as
many no-op dynamic resources (`noop_provider`). Link batches are also timed sequentially
(`launchdarkly:linkParallelism` = 1) against the default parallelism.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable
from dataclasses import dataclass

from pulumi_launchdarkly_links.api._constants import DEFAULT_MAX_PARALLEL_BATCHES

from .environment import QUICK, Bench, timed
from .programs import membership_and_links, noops
from .report import Section

FLAGS = 1000
LINKS = 100
LATENCY_MS = 50
REPEATS = 1 if QUICK else 3
RATIO_GOAL = 1.25
PROVIDER_WORKERS = 4


@dataclass
class Timing:
    label: str
    seconds: list[float]
    requests: int

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)


def _time_up(
    bench: Bench, program: Callable[[], None], extra_config: dict[str, str] | None = None
) -> tuple[float, int]:
    bench.reset(flags=FLAGS, latency_ms=LATENCY_MS)
    stack = bench.stack(extra_config).program(program)
    _, seconds = timed(stack.up)
    return seconds, int(bench.stats()["total"])


def _measure(
    bench: Bench, label: str, program: Callable[[], None], config: dict[str, str] | None = None
) -> Timing:
    seconds, requests = [], 0
    for attempt in range(REPEATS):
        elapsed, requests = _time_up(bench, program, config)
        print(f"  wall time: {label} #{attempt + 1}: {elapsed:.2f} s", flush=True)
        seconds.append(elapsed)
    return Timing(label, seconds, requests)


def run(bench: Bench) -> Section:
    _time_up(bench, noops(5))  # warm-up: plugin discovery, disk caches; not reported
    resources = 1 + LINKS
    floor = _measure(bench, f"floor: {resources} no-op dynamic resources", noops(resources))
    real = _measure(
        bench,
        f"1 ViewMembership ({FLAGS} flags) + {LINKS} FlagLinks, linkParallelism "
        f"{DEFAULT_MAX_PARALLEL_BATCHES} (default)",
        membership_and_links(FLAGS, LINKS),
    )
    sequential = _measure(
        bench,
        "same, linkParallelism 1 (sequential link batches)",
        membership_and_links(FLAGS, LINKS),
        {"launchdarkly:linkParallelism": "1"},
    )
    ratio = real.median / floor.median
    rows = [
        [
            t.label,
            f"{t.median:.2f}",
            ", ".join(f"{s:.2f}" for s in t.seconds),
            str(t.requests),
            f"{t.median / floor.median:.2f}",
        ]
        for t in (floor, real, sequential)
    ]
    verdict = (
        "**met**"
        if ratio <= RATIO_GOAL
        else f"**missed by {ratio - RATIO_GOAL:.2f}** ({(ratio / RATIO_GOAL - 1) * 100:.0f}% over)"
    )
    goals = [
        f"`pulumi up` of the real resources takes {real.median:.2f} s against a floor of "
        f"{floor.median:.2f} s for {resources} no-op dynamic resources: ratio {ratio:.2f}, "
        f"goal ≤ {RATIO_GOAL}: {verdict}."
    ]
    # The dynamic provider process serves 4 RPCs at once (pulumi/dynamic/__main__.py
    # ThreadPoolExecutor(max_workers=4)) for every dynamic resource of the stack.
    membership_busy = (1 + math.ceil(FLAGS / 10 / DEFAULT_MAX_PARALLEL_BATCHES)) * LATENCY_MS / 1000
    network_floor = (LINKS * LATENCY_MS / 1000 + membership_busy) / PROVIDER_WORKERS
    best_ratio = (floor.median + network_floor) / floor.median
    goals.append(
        f"Lower bound from latency alone: the provider process serves {PROVIDER_WORKERS} "
        f"calls at once, so {LINKS} FlagLink POSTs × {LATENCY_MS} ms plus the ViewMembership's "
        f"{membership_busy:.2f} s (GET view + {FLAGS // 10} batches, "
        f"{DEFAULT_MAX_PARALLEL_BATCHES} in flight) need ≥ "
        f"{network_floor:.2f} s of the up beyond the floor: ratio ≥ {best_ratio:.2f} on this "
        f"machine before any CPU work; the rest ({real.median - floor.median - network_floor:.2f}"
        " s) is CPU in the provider, program and engine (2 cores shared)."
    )
    saved = sequential.median - real.median
    notes = [
        f"Parallel link batches ({DEFAULT_MAX_PARALLEL_BATCHES} in flight) save {saved:.2f} s "
        "over sequential ones "
        f"({sequential.median:.2f} s → {real.median:.2f} s); {FLAGS // 10} link batches at "
        f"{LATENCY_MS} ms are ≥ {FLAGS // 10 * LATENCY_MS / 1000:.1f} s in sequence, "
        f"≥ {FLAGS // 10 * LATENCY_MS / 1000 / DEFAULT_MAX_PARALLEL_BATCHES:.2f} s "
        f"{DEFAULT_MAX_PARALLEL_BATCHES} at a time.",
    ]
    return Section(
        title=f"2. Wall time of `pulumi up` (emulator latency {LATENCY_MS} ms)",
        method=(
            f"Each row is a fresh stack and a fresh emulator state; median of {REPEATS} run(s) "
            "(all runs listed). The no-op floor is the same number of dynamic resources whose "
            "provider returns at once, in the same process tree, in the same run."
        ),
        headers=["scenario", "median s", "runs s", "requests", "× floor"],
        rows=rows,
        goals=goals,
        notes=notes,
    )
