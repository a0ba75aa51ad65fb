"""Benchmark 6: how a ViewMembership's cost grows with N, up to 10,000 flags.

One stack per N (10, 1000, 10,000 flags; the emulator adds 50 ms to every request) walks the
whole life of one ViewMembership: create, no-op `up`, no-op `preview`, the `preview` of adding
10 flags, add 10, remove 10, refresh, destroy. Each step is timed (wall time of the real CLI)
and its requests counted; the walk runs 3 times at the small sizes and once at 10,000. Each walk
is paired with the same walk of a no-op dynamic resource holding the same keys (`KeysHolder`):
the floor, what the Pulumi engine, SDK and CLI cost for that much data before our provider does
anything (at 10,000 keys a no-op preview alone takes about a second more than at 10).
At 10,000 the benchmark also records the provider process's peak memory, the resource's state
size and how many lines the preview of a 10-flag change prints. The goals are the issue's:
every step at N = 1000 within 1.25× of N = 10 beyond that floor, nothing worse than linear from
1000 to 10,000 in the time above the floor or in requests,
and no-op `up` / `preview` at 0 requests.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pulumi_launchdarkly_links import ViewMembership

from .environment import PROJECT, QUICK, VIEW, Bench, flag_keys, timed
from .noop_provider import KeysHolder
from .proc_memory import PeakMemory
from .report import Section
from .terraform_model import Operation, terraform_requests

SIZES = (10, 1000) if QUICK else (10, 1000, 10_000)
LARGEST = SIZES[-1]
CHANGE = 10
LATENCY_MS = 50
RATIO_GOAL = 1.25
QUIET_STEPS = ("no-op up", "preview")
# Run-to-run spread of one step's wall time on this machine (seen: ±0.3 s at N = 10).
NOISE_SECONDS = 0.25


def _repeats(n: int) -> int:
    return 1 if QUICK or n == LARGEST else 3


@dataclass
class Step:
    label: str
    operation: Operation
    change: dict[str, int]
    seconds: list[float] = field(default_factory=list)
    requests: int = 0

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)


@dataclass
class Walk:
    """What the life of one ViewMembership of `n` flags cost, step by step."""

    n: int
    steps: dict[str, Step]
    peak_kib: int = 0
    state_bytes: int = 0
    preview_lines: int = 0


Program = Callable[[list[str]], Callable[[], None]]


def _membership(flags: list[str]) -> Callable[[], None]:
    def program() -> None:
        ViewMembership("scale", project_key=PROJECT, view_key=VIEW, flags=flags)

    return program


def _floor(flags: list[str]) -> Callable[[], None]:
    """The same keys held by a no-op resource: what the engine, SDK and CLI cost for the data."""

    def program() -> None:
        KeysHolder("scale", flags)

    return program


def _membership_state_bytes(resources: list[dict[str, Any]]) -> int:
    entries = [r for r in resources if r["type"].endswith("ViewMembership")]
    return sum(len(json.dumps(r, separators=(",", ":")).encode()) for r in entries)


def _change_lines(output: list[str]) -> int:
    """Lines of a `preview --diff` that show a change (`+`, `-`, `~`), headers excluded."""
    return sum(1 for line in output if line.lstrip()[:1] in ("+", "-", "~"))


def _walk_once(bench: Bench, n: int, walk: Walk, make: Program) -> None:
    bench.reset(flags=n + CHANGE, latency_ms=LATENCY_MS)
    stack = bench.stack()
    keys = flag_keys(n + CHANGE)
    initial, grown, shrunk = keys[:n], keys, keys[CHANGE:]

    def preview_growth() -> None:
        stack.output.clear()
        stack.program(make(grown)).preview(diff=True)
        walk.preview_lines = _change_lines(stack.output)

    actions: dict[str, Callable[[], Any]] = {
        "create": lambda: stack.program(make(initial)).up(),
        "no-op up": stack.up,
        "preview": stack.preview,
        f"preview of add {CHANGE}": preview_growth,
        f"add {CHANGE}": lambda: stack.program(make(grown)).up(),
        f"remove {CHANGE}": lambda: stack.program(make(shrunk)).up(),
        "refresh": stack.refresh,
        "destroy": stack.destroy,
    }
    with PeakMemory("pulumi.dynamic") as probe:
        for label, action in actions.items():
            bench.admin.reset_stats()
            _, seconds = timed(action)
            step = walk.steps[label]
            step.seconds.append(seconds)
            step.requests = int(bench.stats()["total"])
            if label == "create" and make is _membership:  # the floor's size is not reported
                walk.state_bytes = _membership_state_bytes(stack.resources())
            kind = "floor" if make is _floor else "ours"
            print(f"  scaling: {kind} N={n} {label}: {seconds:.2f} s, {step.requests} requests")
    walk.peak_kib = max(walk.peak_kib, max(probe.peaks.values(), default=0))


def _new_walk(n: int) -> Walk:
    steps = [
        Step("create", "create", {}),
        Step("no-op up", "noop_up", {}),
        Step("preview", "preview", {}),
        Step(f"preview of add {CHANGE}", "preview", {}),
        Step(f"add {CHANGE}", "update", {"flags_added": CHANGE}),
        Step(f"remove {CHANGE}", "update", {"flags_removed": CHANGE}),
        Step("refresh", "refresh", {}),
        Step("destroy", "destroy", {}),
    ]
    return Walk(n, {step.label: step for step in steps})


def _terraform(step: Step, n: int) -> int:
    """Terraform's requests for the step, with the members in state before it (as ours)."""
    before = {f"remove {CHANGE}": n + CHANGE, "refresh": n, "destroy": n}.get(step.label, n)
    return terraform_requests(step.operation, before, 0, **step.change)


def measure(bench: Bench) -> tuple[list[Walk], list[Walk]]:
    """Our walks and the floor's, per N; each repeat walks ours, then the floor's."""
    walks, floors = [], []
    for n in SIZES:
        walk, floor = _new_walk(n), _new_walk(n)
        for _ in range(_repeats(n)):
            _walk_once(bench, n, walk, _membership)
            _walk_once(bench, n, floor, _floor)
        walks.append(walk)
        floors.append(floor)
    return walks, floors


def _beyond_floor(walk: Walk, floor: Walk, smallest_floor: Walk, label: str) -> float:
    """The step's time less what the engine's extra work for this much data costs (floor)."""
    return walk.steps[label].median - (
        floor.steps[label].median - smallest_floor.steps[label].median
    )


def run(bench: Bench) -> Section:
    walks, floors = measure(bench)
    smallest, smallest_floor = walks[0], floors[0]
    middle = next((i for i, walk in enumerate(walks) if walk.n == 1000), None)
    rows = []
    for label in smallest.steps:
        row = [label]
        for walk, floor in zip(walks, floors, strict=True):
            step = walk.steps[label]
            row.append(
                f"{step.median:.2f} / {step.requests} (floor {floor.steps[label].median:.2f})"
            )
        if middle is not None:
            base = smallest.steps[label].median
            raw = walks[middle].steps[label].median / base
            beyond = _beyond_floor(walks[middle], floors[middle], smallest_floor, label) / base
            row.append(f"{raw:.2f}× / {beyond:.2f}×")
        row.append(str(_terraform(walks[-1].steps[label], LARGEST)))
        rows.append(row)
    return Section(
        title=f"6. Scaling: a ViewMembership of up to {LARGEST:,} flags ({LATENCY_MS} ms latency)",
        method=(
            f"One stack per N walks create, no-op up, no-op preview, the preview of adding "
            f"{CHANGE} flags (`--diff`), add {CHANGE}, remove {CHANGE}, refresh and destroy on a "
            f"fresh emulator whose every request waits {LATENCY_MS} ms; then the same walk with "
            "a no-op dynamic resource holding the same keys (the floor: what the engine, SDK and "
            "CLI cost for that much data before any provider work). Cells: median seconds of the "
            f"real CLI / requests (floor seconds); medians of 3 walks below N = {LARGEST:,}, one "
            f"walk at {LARGEST:,}. `1000 vs 10`: the step at N = 1000 over the same step at "
            "N = 10, as measured / beyond the floor (the floor's own growth from N = 10 "
            f"subtracted). `Terraform` is `terraform_model` at N = {LARGEST:,}."
        ),
        headers=[
            "step",
            *(f"N = {walk.n:,}: s / req (floor s)" for walk in walks),
            *(["1000 vs 10: × / × beyond floor"] if middle is not None else []),
            f"Terraform req, N = {LARGEST:,}",
        ],
        rows=rows,
        goals=_goals(walks, floors),
        notes=_notes(walks[-1]),
    )


def _goals(walks: list[Walk], floors: list[Walk]) -> list[str]:
    goals = []
    by_n = {walk.n: (walk, floor) for walk, floor in zip(walks, floors, strict=True)}
    smallest, smallest_floor = walks[0], floors[0]
    if 1000 in by_n:
        walk, floor = by_n[1000]
        beyond = {
            label: _beyond_floor(walk, floor, smallest_floor, label) / base.median
            for label, base in smallest.steps.items()
        }
        raw = {
            label: walk.steps[label].median / base.median for label, base in smallest.steps.items()
        }
        over = [f"{label} {ratio:.2f}×" for label, ratio in beyond.items() if ratio > RATIO_GOAL]
        goals.append(
            f"Every step at N = 1000 within {RATIO_GOAL}× of N = {smallest.n} beyond the "
            "engine's floor for the data: "
            + (
                f"**met** (worst {max(beyond.values()):.2f}×)."
                if not over
                else f"**missed** ({', '.join(over)})."
            )
            + f" As measured, with the floor's growth included: worst {max(raw.values()):.2f}× "
            f"({max(raw, key=lambda label: raw[label])})."
        )
    quiet = [
        f"{step.label} N={walk.n}: {step.requests}"
        for walk in walks
        for step in walk.steps.values()
        if step.label in QUIET_STEPS and step.requests
    ]
    goals.append(
        "No-op up and preview make 0 requests at every N: "
        + ("**met**." if not quiet else f"**missed** ({', '.join(quiet)}).")
    )
    if walks[-1].n > 1000 and 1000 in by_n:
        goals.append(_linear_goal(by_n[1000], (walks[-1], floors[-1])))
    return goals


def _linear_goal(middle: tuple[Walk, Walk], largest: tuple[Walk, Walk]) -> str:
    """The provider's share (time above the floor) and requests grow at most as N does.

    A share at the middle size within run-to-run noise (NOISE_SECONDS) is measured against that
    noise instead, so a 0.02 s share cannot make 0.3 s look 15×.
    """
    (middle_walk, middle_floor), (largest_walk, largest_floor) = middle, largest
    factor = largest_walk.n / middle_walk.n
    growth = {}
    for label, step in largest_walk.steps.items():
        share = step.median - largest_floor.steps[label].median
        middle_share = middle_walk.steps[label].median - middle_floor.steps[label].median
        growth[label] = share / max(middle_share, NOISE_SECONDS)
    superlinear = [f"{label} time {g:.1f}×" for label, g in growth.items() if g > factor]
    superlinear += [
        f"{label} requests {largest_walk.steps[label].requests} vs {step.requests}"
        for label, step in middle_walk.steps.items()
        if largest_walk.steps[label].requests > factor * max(step.requests, 1)
    ]
    verdict = (
        f"**met** (largest time growth {max(growth.values()):.1f}×)"
        if not superlinear
        else f"**missed** ({', '.join(superlinear)})"
    )
    return (
        f"Nothing grows worse than linearly from N = {middle_walk.n:,} to {largest_walk.n:,}: "
        f"time above the floor (at least {NOISE_SECONDS} s, the run-to-run noise) and requests "
        f"grow ≤ {factor:.0f}×: {verdict}."
    )


def _notes(largest: Walk) -> list[str]:
    tf_total = sum(_terraform(step, largest.n) for step in largest.steps.values())
    ours_total = sum(step.requests for step in largest.steps.values())
    return [
        f"At N = {largest.n:,}: provider peak memory (VmHWM of the `pulumi.dynamic` process) "
        f"{largest.peak_kib / 1024:.1f} MiB; the ViewMembership's state entry "
        f"{largest.state_bytes / 1024:.0f} KiB ({largest.state_bytes / largest.n:.0f} B per "
        f"flag: each key in inputs and outputs); the `preview --diff` of adding {CHANGE} flags "
        f"prints {largest.preview_lines} changed lines.",
        f"All steps at N = {largest.n:,}: {ours_total} requests against Terraform's "
        f"{tf_total} for the same steps (its no-op plan alone pages `/linked` at 100 a page).",
    ]


if __name__ == "__main__":
    import tempfile
    from pathlib import Path

    from .emulator_process import EmulatorProcess
    from .report import print_section

    with tempfile.TemporaryDirectory(prefix="ldlinks-scale-") as root, EmulatorProcess() as emu:
        print_section(run(Bench(emu.as_server(), Path(root))))
