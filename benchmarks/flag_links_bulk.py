"""Benchmark: flag links in bulk (issue 12, section 1). N flags with one link each, at 150 ms of
emulator latency, as N `FlagLink` resources and as one `FlagLinks`, beside the engine's floor.

Each workload runs its whole life on one fresh stack and a fresh emulator state: create, no-op
`up`, an `up` that changes 10 links' titles, destroy. The floors are the same steps for as many
no-op dynamic resources (`noop_provider`), whose provider returns at once: what the Pulumi
engine, the program and the provider host cost before any request. The no-op `up` goal is then
measured again with runs interleaved (noise on 2 shared cores hits every stack alike), beside
what explains the difference: one FlagLink (this package's import cost) and one no-op resource
holding the same N links as input (the engine's cost for that much data).

N is the issue's 1000 (`BENCH_FLAG_LINKS` sets another). The N-resource workloads dominate the
section's time (about 10 minutes on 2 cores): with the file backend, Pulumi rewrites the whole
checkpoint after every step, so N resources cost O(N^2) bytes written (400 no-op resources took
24.7 s to create, 3.8 s with PULUMI_SKIP_CHECKPOINTS=true). To save two of those minutes, the
floor of N no-op resources is created and `up`ped but not destroyed. The collection's advantage
grows with N for the same reason: it created 500 links 4.8x faster than 500 FlagLinks, 1000
links 8.4x faster than 1000.
"""

from __future__ import annotations

import json
import os
import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pulumi import dynamic
from tests.e2e.harness import Stack

from pulumi_launchdarkly_links import FlagLink, FlagLinks, FlagLinkSpec

from .environment import PROJECT, QUICK, Bench, flag_keys, timed
from .noop_provider import NoopProvider
from .programs import noops
from .report import Section

LINKS = int(os.environ.get("BENCH_FLAG_LINKS") or (100 if QUICK else 1000))
LATENCY_MS = 150
CHANGED = 10
# The small workloads (one resource) are cheap: take the median of several runs. The N
# per-link resources take minutes a run; they run once.
SMALL_REPEATS = 1 if QUICK else 3
NOOP_ROUNDS = 2 if QUICK else 5
CREATE_SPEEDUP_GOAL = 5.0
PROVIDER_WORKERS = 4  # pulumi.dynamic's gRPC server: ThreadPoolExecutor(max_workers=4)
COLLECTION_PARALLELISM = 16  # FlagLinks' default, the client's connection pool size
STEPS = ("create", "no-op up", f"{CHANGED} changed", "destroy")
TICKET = "https://tickets.example.com/0"

Program = Callable[[], None]


def _title(index: int, phase: int) -> str:
    return f"BENCH-{index}" + (" (changed)" if phase and index < CHANGED else "")


def per_link(count: int, phase: int) -> Program:
    keys = flag_keys(count)

    def program() -> None:
        for index, flag in enumerate(keys):
            FlagLink(
                f"ticket-{index:04d}",
                project_key=PROJECT,
                flag_key=flag,
                key="ticket",
                deep_link=f"https://tickets.example.com/{index}",
                title=_title(index, phase),
            )

    return program


def collection(count: int, phase: int) -> Program:
    keys = flag_keys(count)

    def program() -> None:
        FlagLinks(
            "tickets",
            project_key=PROJECT,
            links=[
                FlagLinkSpec(
                    flag_key=flag,
                    key="ticket",
                    deep_link=f"https://tickets.example.com/{index}",
                    title=_title(index, phase),
                )
                for index, flag in enumerate(keys)
            ],
        )

    return program


@dataclass
class Lifecycle:
    """One workload's steps: seconds of every run, requests of the last, state bytes."""

    label: str
    seconds: dict[str, list[float]] = field(default_factory=dict)
    requests: dict[str, int] = field(default_factory=dict)
    state_bytes: int = 0

    def median(self, step: str) -> float | None:
        runs = self.seconds.get(step)
        return statistics.median(runs) if runs else None


def _state_bytes(resources: list[dict[str, Any]]) -> int:
    return sum(len(json.dumps(r, separators=(",", ":")).encode()) for r in resources)


def _steps(
    stack: Stack, changed: Program | None, destroy: bool
) -> list[tuple[str, Callable[[], Any]]]:
    steps: list[tuple[str, Callable[[], Any]]] = [("create", stack.up), ("no-op up", stack.up)]
    if changed is not None:
        steps.append((f"{CHANGED} changed", lambda: stack.program(changed).up()))
    if destroy:
        steps.append(("destroy", stack.destroy))
    return steps


def _live(
    bench: Bench,
    label: str,
    program: Callable[[int], Program],
    repeats: int,
    *,
    changes: bool = True,
    destroy: bool = True,
) -> Lifecycle:
    """Run the workload's steps `repeats` times, without the changed step or the destroy if
    told so."""
    result = Lifecycle(label)
    for attempt in range(repeats):
        bench.reset(flags=LINKS, latency_ms=LATENCY_MS)
        stack = bench.stack().program(program(0))
        phases = _steps(stack, program(1) if changes else None, destroy)
        for step, action in phases:
            bench.admin.reset_stats()
            _, seconds = timed(action)
            result.seconds.setdefault(step, []).append(seconds)
            result.requests[step] = int(bench.stats()["total"])
            print(
                f"  flag links in bulk: {label}, {step} #{attempt + 1}: {seconds:.2f} s", flush=True
            )
            if step == "create":
                result.state_bytes = _state_bytes(stack.resources())
    return result


def _cell(lifecycle: Lifecycle, step: str) -> str:
    runs = lifecycle.seconds.get(step)
    if not runs:
        return "–"
    median = statistics.median(runs)
    shown = f"{median:.2f}"
    if len(runs) > 1:
        shown += f" ({', '.join(f'{s:.2f}' for s in runs)})"
    return f"{shown} / {lifecycle.requests.get(step, 0)}"


def _verdict(met: bool, detail: str) -> str:
    return "**met**" if met else f"**missed** ({detail})"


class _LinksHolder(dynamic.Resource, module="bench", name="LinksHolder"):
    """A no-op dynamic resource whose input holds N links as FlagLinks' checked inputs do."""

    def __init__(self, resource_name: str, count: int) -> None:
        links = {
            f"{flag}/ticket": {
                "deep_link": f"https://tickets.example.com/{index}",
                "title": _title(index, 0),
            }
            for index, flag in enumerate(flag_keys(count))
        }
        super().__init__(NoopProvider(), resource_name, {"name": resource_name, "links": links})


def _links_holder() -> None:
    _LinksHolder("links", LINKS)


def _one_flag_link() -> None:
    # Its own key: the FlagLinks of the same run declares "ticket" on every flag.
    FlagLink("single", project_key=PROJECT, flag_key=flag_keys(1)[0], deep_link=TICKET)


@dataclass
class NoopRuns:
    label: str
    stack: Stack
    seconds: list[float] = field(default_factory=list)
    requests: int = 0

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)


def _noop_ups(bench: Bench) -> list[NoopRuns]:
    """No-op `up`s of four stacks, interleaved round by round."""
    bench.reset(flags=LINKS, latency_ms=LATENCY_MS)
    stacks = [
        NoopRuns("1 no-op dynamic resource (the floor)", bench.stack().program(noops(1))),
        NoopRuns("1 FlagLink", bench.stack().program(_one_flag_link)),
        NoopRuns(
            f"1 no-op resource holding {LINKS} links as input",
            bench.stack().program(_links_holder),
        ),
        NoopRuns(f"1 FlagLinks of {LINKS} links", bench.stack().program(collection(LINKS, 0))),
    ]
    for item in stacks:
        item.stack.up()
    for attempt in range(NOOP_ROUNDS):
        for item in stacks:
            bench.admin.reset_stats()
            _, seconds = timed(item.stack.up)
            item.seconds.append(seconds)
            item.requests += int(bench.stats()["total"])
            print(f"  no-op up: {item.label} #{attempt + 1}: {seconds:.2f} s", flush=True)
    for item in stacks:
        item.stack.destroy()
    return stacks


def run(bench: Bench) -> Section:
    bench.reset(flags=LINKS)
    bench.stack().program(noops(3)).up()  # warm-up: plugin discovery, disk caches; not reported
    # A no-op resource has nothing to change: its floors have no "changed" step.
    floor_one = _live(
        bench, "floor: 1 no-op dynamic resource", lambda _: noops(1), 1, changes=False
    )
    floor_many = _live(
        bench,
        f"floor: {LINKS} no-op dynamic resources",
        lambda _: noops(LINKS),
        1,
        changes=False,
        destroy=False,
    )
    bulk = _live(
        bench,
        f"1 FlagLinks of {LINKS} links",
        lambda phase: collection(LINKS, phase),
        SMALL_REPEATS,
    )
    single = _live(bench, f"{LINKS} FlagLinks", lambda phase: per_link(LINKS, phase), 1)

    rows = [
        [item.label, *(_cell(item, step) for step in STEPS), f"{item.state_bytes / 1024:.0f}"]
        for item in (floor_one, floor_many, single, bulk)
    ]

    single_create, bulk_create = single.median("create"), bulk.median("create")
    assert single_create is not None and bulk_create is not None
    speedup = single_create / bulk_create
    noop_floor, noop_single, noop_holder, noop_bulk = _noop_ups(bench)
    noop_ratio = noop_bulk.median / noop_floor.median
    goals = [
        f"Create: {LINKS} FlagLinks {single_create:.2f} s, 1 FlagLinks {bulk_create:.2f} s: "
        f"{speedup:.1f}× faster (goal ≥ {CREATE_SPEEDUP_GOAL:.0f}×): "
        + _verdict(speedup >= CREATE_SPEEDUP_GOAL, f"{speedup:.1f}×")
        + ".",
        f"No-op `up` of the FlagLinks: {noop_bulk.median:.2f} s and {noop_bulk.requests} "
        f"requests in {NOOP_ROUNDS} runs, against {noop_floor.median:.2f} s for one no-op "
        f"dynamic resource (medians, runs interleaved): ratio {noop_ratio:.2f} (goal ≤ 1): "
        + _verdict(
            noop_ratio <= 1 and noop_bulk.requests == 0, f"{(noop_ratio - 1) * 100:.0f}% over"
        )
        + ".",
    ]
    noop_rows = [
        [item.label, f"{item.median:.2f}", ", ".join(f"{s:.2f}" for s in item.seconds)]
        + [str(item.requests)]
        for item in (noop_floor, noop_single, noop_holder, noop_bulk)
    ]
    noop_note = (
        "No-op `up`s, interleaved: "
        + "; ".join(
            f"{label}: {median} s ({runs}), {requests} requests"
            for label, median, runs, requests in noop_rows
        )
        + f". Above the floor, one FlagLink costs {noop_single.median - noop_floor.median:+.2f} s "
        "(importing this package, pydantic and httpx, in the program and in the provider "
        f"process), holding {LINKS} links as input {noop_holder.median - noop_floor.median:+.2f} s "
        "(the engine and the SDK handling that much data); the FlagLinks pays both, and its own "
        "check and diff on top."
    )
    per_link_bound = LINKS * LATENCY_MS / 1000 / PROVIDER_WORKERS
    bulk_bound = LINKS * LATENCY_MS / 1000 / COLLECTION_PARALLELISM
    changed_single, changed_bulk = (
        single.median(f"{CHANGED} changed"),
        bulk.median(f"{CHANGED} changed"),
    )
    notes = [
        noop_note,
        f"Cells: median seconds (all runs) / requests of the step. {LINKS} flags, one link "
        f"each; every request waits {LATENCY_MS} ms in the emulator.",
        f"Lower bounds from latency alone: {LINKS} POSTs at {LATENCY_MS} ms through the "
        f"provider host's {PROVIDER_WORKERS} concurrent calls are ≥ {per_link_bound:.1f} s for "
        f"the FlagLink resources; the FlagLinks sends {COLLECTION_PARALLELISM} at once (its "
        f"`parallelism`, the client's connection pool) inside one call: ≥ {bulk_bound:.1f} s.",
        f"{CHANGED} changed titles: {LINKS} FlagLinks {changed_single:.2f} s, FlagLinks "
        f"{changed_bulk:.2f} s; both send {CHANGED} PATCHes, the difference is the engine's "
        f"work per resource.",
        f"State: {single.state_bytes / LINKS:.0f} B per FlagLink resource, "
        f"{bulk.state_bytes / LINKS:.0f} B per link in the FlagLinks ({bulk.state_bytes} B "
        "for all; its inputs and outputs each hold every link's declared attributes, the "
        "outputs also its `_id`).",
    ]
    return Section(
        title=f"5. Flag links in bulk ({LINKS} flags, one link each, latency {LATENCY_MS} ms)",
        method=(
            "Each workload lives on one fresh stack and a fresh emulator state: create, no-op "
            f"`up`, an `up` that changes {CHANGED} links' titles, destroy. Floors: the same steps "
            f"for as many no-op dynamic resources. The FlagLinks: median of {SMALL_REPEATS} "
            f"run(s); the others run once, and the floor of {LINKS} is not destroyed (it would "
            "take minutes; see the module docstring)."
        ),
        headers=["workload", *(f"{step} s / req" for step in STEPS), "state KiB"],
        rows=rows,
        goals=goals,
        notes=notes,
    )
