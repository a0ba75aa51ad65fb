"""Benchmark 7: four stacks on one token at once (issue 12, part 3).

Four `pulumi up`s start together, each in its own Python process (an inline Automation API
program keeps global state per process) with its own work dir, backend and Pulumi home. Each
creates one ViewMembership of FLAGS flags on a view of its own and one FlagLinks of LINKS links
on its flags, all with the same token against one emulator with `route_limit=20` and
`global_limit=GLOBAL_LIMIT` per 10 s window. Every view's link POST shares one route bucket
(`POST .../views/{viewKey}/link/{resourceType}`), every flag-link POST another, and everything
the global bucket, so the four provider processes compete for the same budgets.

The ideal comes from an unthrottled calibration run of the same four programs:
`windows = max(max over routes r of ceil(R_r / 20), ceil(R / GLOBAL_LIMIT))` with R_r the
requests on route r and R all requests; ideal = windows × 10 s. As in benchmark 3 the windows
are aligned to the epoch, so the first one is partly spent when the stacks start: `earliest`
is when the last needed window opens, counted from the start.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import shutil
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .environment import PROJECT, QUICK, Bench, flag_keys
from .report import Section

STACKS = 4
FLAGS = 120 if QUICK else 250  # per stack
LINKS = 12 if QUICK else 25  # per stack, in one FlagLinks
ROUTE_LIMIT = 20
# Below what the two busy routes could take together (2 × 20), so the stacks also compete for
# the account-wide budget, and it, not a route, sets the ideal.
GLOBAL_LIMIT = 30
WINDOW_SECONDS = 10.0
TIME_GOAL = 1.3
# 429s: at most 5% of all requests. Each provider process learns what the others spent only
# from its own answers, so a few 429s at a window's end are the price of not running a server.
THROTTLED_SHARE_GOAL = 0.05
REPEATS = 1 if QUICK else 2
START_TIMEOUT = 120.0
RUN_TIMEOUT = 600.0


def view_key(index: int) -> str:
    return f"bench-view-{index}"


def stack_flags(index: int) -> list[str]:
    return flag_keys(FLAGS, start=index * FLAGS)


@dataclass
class StackResult:
    index: int
    started: float  # epoch seconds
    finished: float
    error: str | None

    @property
    def seconds(self) -> float:
        return self.finished - self.started


@dataclass
class Round:
    started: float  # epoch seconds: when the four were let go
    results: list[StackResult]
    stats: dict[str, Any]

    @property
    def wall(self) -> float:
        return max(r.finished for r in self.results) - self.started

    @property
    def phase(self) -> float:
        return self.started % WINDOW_SECONDS


class _Emulator:
    """What `Stack` reads of an emulator: its url and token (picklable for the workers)."""

    def __init__(self, url: str, token: str) -> None:
        self.url = url
        self.token = token


def _program(index: int) -> Any:
    from pulumi_launchdarkly_links import FlagLinks, FlagLinkSpec, ViewMembership

    keys = stack_flags(index)

    def program() -> None:
        ViewMembership("members", project_key=PROJECT, view_key=view_key(index), flags=keys)
        FlagLinks(
            "links",
            project_key=PROJECT,
            links=[
                FlagLinkSpec(
                    flag_key=keys[i % len(keys)],
                    key=f"bench-{i}",
                    deep_link=f"https://tickets.example.com/{index}/{i}",
                )
                for i in range(LINKS)
            ],
        )

    return program


def _worker(
    index: int,
    work_dir: str,
    url: str,
    token: str,
    barrier: Any,
    results: Any,
) -> None:
    """One stack in a process of its own: set up, wait for the others, `pulumi up`."""
    from tests.e2e.harness import Stack

    from pulumi_launchdarkly_links._pickler_guard import unwrap_pulumi_pickler

    unwrap_pulumi_pickler()
    root = Path(work_dir)
    emulator: Any = _Emulator(url, token)
    error: str | None = None
    started = finished = 0.0
    try:
        stack = Stack(root, root / "pulumi-home", emulator, name="bench")
        stack.program(_program(index))
    except Exception:  # report and still meet the others at the barrier
        error = "setup: " + traceback.format_exc().strip().splitlines()[-1]
    barrier.wait(START_TIMEOUT)
    started = time.time()
    if error is None:
        try:
            stack.up()
        except Exception as exc:  # a failure is a result to report
            error = str(exc).strip().splitlines()[-1] if str(exc).strip() else repr(exc)
    finished = time.time()
    results.put(StackResult(index, started, finished, error))


def _reset(bench: Bench, **knobs: Any) -> None:
    bench.reset(flags=STACKS * FLAGS, **knobs)
    views = [{"key": view_key(i), "name": f"Bench {i}"} for i in range(STACKS)]
    bench.admin.seed({"projects": [{"key": PROJECT, "views": views}]})
    bench.admin.reset_stats()


def _round(bench: Bench, label: str, **knobs: Any) -> Round:
    """Four fresh stacks, one process each, `pulumi up` at the same moment."""
    _reset(bench, **knobs)
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(STACKS + 1)
    results = ctx.Queue()
    base = Path(tempfile.mkdtemp(prefix=f"many-{label}-", dir=bench.root))
    processes = [
        ctx.Process(
            target=_worker,
            args=(
                i,
                str(base / f"stack-{i}"),
                bench.emulator.url,
                bench.emulator.token,
                barrier,
                results,
            ),
            daemon=True,
        )
        for i in range(STACKS)
    ]
    for process in processes:
        process.start()
    barrier.wait(START_TIMEOUT)
    started = time.time()
    collected = [results.get(timeout=RUN_TIMEOUT) for _ in processes]
    for process in processes:
        process.join(30)
    stats = bench.stats()
    shutil.rmtree(base, ignore_errors=True)
    return Round(started, sorted(collected, key=lambda r: r.index), stats)


def ideal_windows(routes: dict[str, int], total: int) -> int:
    per_route = max((math.ceil(n / ROUTE_LIMIT) for n in routes.values()), default=0)
    return max(per_route, math.ceil(total / GLOBAL_LIMIT))


def _linked_counts(bench: Bench) -> list[int]:
    """How many flags each stack's view holds, read with the limits off."""
    from tests.e2e.harness import linked

    bench.admin.set_knobs(route_limit=0, global_limit=0)
    return [len(linked(bench.emulator, PROJECT, view_key(i), "flags")) for i in range(STACKS)]


def _rows(
    number: int, limited: Round, counts: list[int], ideal: float, earliest: float
) -> list[list[str]]:
    rows = [
        [
            str(number),
            f"stack {r.index + 1}",
            f"{r.seconds:.1f}",
            "",
            "",
            "",
            f"ok ({counts[r.index]} flags in its view)"
            if r.error is None
            else f"failed: {r.error}",
        ]
        for r in limited.results
    ]
    rows.append(
        [
            str(number),
            "all four",
            f"{limited.wall:.1f}",
            f"{limited.wall / ideal:.2f}",
            str(limited.stats["rate_limited"]),
            str(limited.stats["total"]),
            f"phase {limited.phase:.1f} s, earliest {earliest:.1f} s",
        ]
    )
    return rows


def run(bench: Bench) -> Section:
    free = _round(bench, "calibration")
    print(f"  many stacks: calibration (no limit) {free.wall:.2f} s", flush=True)
    routes = {str(k): int(v) for k, v in dict(free.stats["routes"]).items()}
    total = int(free.stats["total"])
    windows = ideal_windows(routes, total)
    ideal = windows * WINDOW_SECONDS
    rows: list[list[str]] = []
    failures: list[str] = []
    shares: list[float] = []
    ratios: list[float] = []
    for number in range(1, REPEATS + 1):
        limited = _round(bench, "limited", route_limit=ROUTE_LIMIT, global_limit=GLOBAL_LIMIT)
        counts = _linked_counts(bench)
        print(
            f"  many stacks #{number}: 4 stacks under the limits {limited.wall:.2f} s", flush=True
        )
        earliest = max(0.0, (windows - 1) * WINDOW_SECONDS - limited.phase)
        rows += _rows(number, limited, counts, ideal, earliest)
        failures += [
            f"run {number} stack {r.index + 1}: {r.error or 'view incomplete'}"
            for r in limited.results
            if r.error is not None or counts[r.index] != FLAGS
        ]
        requests = int(limited.stats["total"])
        shares.append(int(limited.stats["rate_limited"]) / requests if requests else 0.0)
        ratios.append(limited.wall / ideal)
    goals = [
        "All four succeed in every run: "
        + ("**met**." if not failures else "**missed**: " + "; ".join(failures)),
        f"429s per request: {', '.join(f'{x:.1%}' for x in shares)} (goal ≤ "
        f"{THROTTLED_SHARE_GOAL:.0%} in every run): "
        + ("**met**." if max(shares) <= THROTTLED_SHARE_GOAL else "**missed**."),
        f"Total time against the ideal {ideal:.0f} s: {', '.join(f'{x:.2f}×' for x in ratios)} "
        f"(goal ≤ {TIME_GOAL}×): " + ("**met**." if max(ratios) <= TIME_GOAL else "**missed**."),
    ]
    route_text = "; ".join(
        f"`{route}` {n} ({math.ceil(n / ROUTE_LIMIT)} windows)"
        for route, n in sorted(routes.items())
    )
    notes = [
        f"Calibration (no limits, {free.wall:.1f} s for all four): {total} requests "
        f"({math.ceil(total / GLOBAL_LIMIT)} windows of the global {GLOBAL_LIMIT}); per route: "
        f"{route_text}. Ideal: {windows} windows × {WINDOW_SECONDS:.0f} s.",
        "`phase` is how far into a 10 s window the four were let go; `earliest` is when the "
        "last needed window opens, counted from then ((windows − 1) × 10 s − phase). A stack's "
        "seconds include the engine's start before its first request.",
        "The 429 bound, 5% of requests: each provider process learns what the others spent "
        "only from its own answers, so where several processes start a window (or first reach "
        "a route) at the same moment, a few requests can still meet a budget the others have "
        "just spent; 5% is about one such request per window per budget. Request logs of these "
        "runs put the 429s there: at a window's first half second and at each stack's first "
        "requests.",
        "How the processes keep out of each other's way without a server: see \"Many stacks on "
        'one token" in README.md (a probe per new window, an estimate of the others from how '
        "far the reported count falls beyond one's own requests, a share of what is left in "
        "flight, the window's last few left to them).",
    ]
    return Section(
        title="7. Many stacks on one token",
        method=(
            f"{STACKS} stacks, each in its own process with its own backend, run `pulumi up` at "
            f"the same moment on one token against one emulator with `route_limit={ROUTE_LIMIT}` "
            f"and `global_limit={GLOBAL_LIMIT}` per {WINDOW_SECONDS:.0f} s (the global limit is "
            "below the two busy routes' 2 × 20, so it binds). Each creates a ViewMembership of "
            f"{FLAGS} flags on a view of its own and a FlagLinks of {LINKS} links on its flags; "
            f"fresh state, {REPEATS} run(s). Ideal = max(max over routes of ceil(requests / "
            f"20), ceil(requests / {GLOBAL_LIMIT})) windows × 10 s, counted in an unthrottled "
            "run of the same four."
        ),
        headers=["run", "stack", "seconds", "× ideal", "429s", "requests", "result"],
        rows=rows,
        goals=goals,
        notes=notes,
    )


def main() -> int:
    """`python -m benchmarks.many_stacks`: this benchmark alone, on an emulator of its own."""
    from .emulator_process import EmulatorProcess
    from .environment import REPO_ROOT
    from .report import print_section

    paths = [str(REPO_ROOT), *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    os.environ["PYTHONPATH"] = os.pathsep.join(paths)
    with tempfile.TemporaryDirectory(prefix="ldlinks-bench-") as root, EmulatorProcess() as emu:
        print_section(run(Bench(emu.as_server(), Path(root))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
