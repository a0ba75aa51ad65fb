"""Benchmark 6: how a ViewMembership's cost grows with N, up to 10,000 flags.

One stack per N (10, 1000, 10,000 flags; the emulator adds 50 ms to every request) walks the
whole life of one ViewMembership: create, no-op `up`, no-op `preview`, the `preview` of adding
10 flags, add 10, remove 10, refresh, destroy. Each step is timed (wall time of the real CLI)
and its requests counted; the walk runs REPEATS times at the small sizes and once at 10,000.
At 10,000 the benchmark also records the provider process's peak memory, the resource's state
size and how many lines the preview of a 10-flag change prints. The goals are the issue's:
every step at N = 1000 within 1.25× of N = 10, nothing worse than linear from 1000 to 10,000,
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


def _program(flags: list[str]) -> Callable[[], None]:
    def program() -> None:
        ViewMembership("scale", project_key=PROJECT, view_key=VIEW, flags=flags)

    return program


def _membership_state_bytes(resources: list[dict[str, Any]]) -> int:
    entries = [r for r in resources if r["type"].endswith("ViewMembership")]
    return sum(len(json.dumps(r, separators=(",", ":")).encode()) for r in entries)


def _change_lines(output: list[str]) -> int:
    """Lines of a `preview --diff` that show a change (`+`, `-`, `~`), headers excluded."""
    return sum(1 for line in output if line.lstrip()[:1] in ("+", "-", "~"))


def _walk_once(bench: Bench, n: int, walk: Walk) -> None:
    bench.reset(flags=n + CHANGE, latency_ms=LATENCY_MS)
    stack = bench.stack()
    keys = flag_keys(n + CHANGE)
    initial, grown, shrunk = keys[:n], keys, keys[CHANGE:]

    def preview_growth() -> None:
        stack.output.clear()
        stack.program(_program(grown)).preview(diff=True)
        walk.preview_lines = _change_lines(stack.output)

    actions: dict[str, Callable[[], Any]] = {
        "create": lambda: stack.program(_program(initial)).up(),
        "no-op up": stack.up,
        "preview": stack.preview,
        f"preview of add {CHANGE}": preview_growth,
        f"add {CHANGE}": lambda: stack.program(_program(grown)).up(),
        f"remove {CHANGE}": lambda: stack.program(_program(shrunk)).up(),
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
            if label == "create":
                walk.state_bytes = _membership_state_bytes(stack.resources())
            print(
                f"  scaling: N={n} {label}: {seconds:.2f} s, {step.requests} requests", flush=True
            )
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


def measure(bench: Bench) -> list[Walk]:
    walks = []
    for n in SIZES:
        walk = _new_walk(n)
        for _ in range(_repeats(n)):
            _walk_once(bench, n, walk)
        walks.append(walk)
    return walks


def run(bench: Bench) -> Section:
    walks = measure(bench)
    by_n = {walk.n: walk for walk in walks}
    smallest = by_n[SIZES[0]]
    rows = []
    for label, base in smallest.steps.items():
        row = [label]
        for walk in walks:
            step = walk.steps[label]
            cell = f"{step.median:.2f} s / {step.requests}"
            if walk is not smallest:
                cell += f" ({step.median / base.median:.2f}×)"
            row.append(cell)
        row.append(str(_terraform(by_n[LARGEST].steps[label], LARGEST)))
        rows.append(row)
    return Section(
        title=f"6. Scaling: a ViewMembership of up to {LARGEST:,} flags ({LATENCY_MS} ms latency)",
        method=(
            f"One stack per N walks create, no-op up, no-op preview, the preview of adding "
            f"{CHANGE} flags (`--diff`), add {CHANGE}, remove {CHANGE}, refresh and destroy on a "
            f"fresh emulator whose every request waits {LATENCY_MS} ms. Cells: median seconds "
            f"of the real CLI / requests, and (×) the ratio to the same step at N = "
            f"{SIZES[0]}; medians of 3 walks below N = {LARGEST:,}, one walk at {LARGEST:,}. "
            f"`Terraform` is `terraform_model` at N = {LARGEST:,}."
        ),
        headers=[
            "step",
            *(f"N = {walk.n:,}" for walk in walks),
            f"Terraform requests, N = {LARGEST:,}",
        ],
        rows=rows,
        goals=_goals(walks),
        notes=_notes(by_n[LARGEST]),
    )


def _goals(walks: list[Walk]) -> list[str]:
    by_n = {walk.n: walk for walk in walks}
    smallest, goals = by_n[SIZES[0]], []
    if 1000 in by_n:
        over = {
            label: step.median / smallest.steps[label].median
            for label, step in by_n[1000].steps.items()
            if step.median / smallest.steps[label].median > RATIO_GOAL
        }
        worst = max(
            step.median / smallest.steps[label].median for label, step in by_n[1000].steps.items()
        )
        goals.append(
            f"Every step at N = 1000 within {RATIO_GOAL}× of N = {smallest.n}: "
            + (
                f"**met** (worst {worst:.2f}×)."
                if not over
                else "**missed** ("
                + ", ".join(f"{label} {ratio:.2f}×" for label, ratio in over.items())
                + ")."
            )
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
        goals.append(_linear_goal(smallest, by_n[1000], walks[-1]))
    return goals


def _linear_goal(smallest: Walk, middle: Walk, largest: Walk) -> str:
    """Time above the smallest walk, and requests, grow at most as N does from middle to largest.

    A step whose extra time at the middle size is within run-to-run noise (NOISE_SECONDS) is
    measured against that noise instead, so a 0.02 s difference cannot make 0.3 s look 15×.
    """
    factor = largest.n / middle.n
    growth = {}
    for label, step in largest.steps.items():
        base = smallest.steps[label].median
        middle_extra = max(middle.steps[label].median - base, NOISE_SECONDS)
        growth[label] = (step.median - base) / middle_extra
    superlinear = [f"{label} time {g:.1f}×" for label, g in growth.items() if g > factor]
    superlinear += [
        f"{label} requests {largest.steps[label].requests} vs {step.requests}"
        for label, step in middle.steps.items()
        if largest.steps[label].requests > factor * max(step.requests, 1)
    ]
    verdict = (
        f"**met** (largest time growth {max(growth.values()):.1f}×)"
        if not superlinear
        else f"**missed** ({', '.join(superlinear)})"
    )
    return (
        f"Nothing grows worse than linearly from N = {middle.n:,} to {largest.n:,}: time above "
        f"N = {smallest.n} (at least {NOISE_SECONDS} s, the run-to-run noise) and requests grow "
        f"≤ {factor:.0f}×: {verdict}."
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
