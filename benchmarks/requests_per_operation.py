"""Benchmark 1: API requests per `pulumi` operation on one ViewMembership, beside Terraform's.

For N flags plus 20 segments: create, no-op up, preview, add 10 flags, remove 10 flags,
refresh, destroy. Counts are the emulator's; Terraform's come from `terraform_model`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pulumi_launchdarkly_links import SegmentRef, ViewMembership

from .environment import ENVIRONMENT, PROJECT, QUICK, VIEW, Bench, flag_keys, segment_keys
from .report import Section
from .terraform_model import Operation, terraform_requests

SEGMENTS = 20
CHANGE = 10
BATCH = 10  # launchdarkly:linkBatchSize default
SIZES = (10, 100) if QUICK else (10, 100, 1000)


@dataclass
class Count:
    flags: int
    operation: str
    ours: int
    routes: dict[str, int]
    terraform: int


def membership(flags: list[str]) -> Callable[[], None]:
    def program() -> None:
        ViewMembership(
            "bench",
            project_key=PROJECT,
            view_key=VIEW,
            flags=flags,
            segments=[
                SegmentRef(environment_key=ENVIRONMENT, segment_key=key)
                for key in segment_keys(SEGMENTS)
            ],
        )

    return program


def create_goal(flags: int, segments: int = SEGMENTS, batch: int = BATCH) -> int:
    """The goal for create: one view check plus ceil(members / batch) per member type."""
    return 1 + math.ceil(flags / batch) + math.ceil(segments / batch)


def measure(bench: Bench, n: int) -> list[Count]:
    bench.reset(flags=n + CHANGE, segments=SEGMENTS)
    stack = bench.stack()
    keys = flag_keys(n + CHANGE)
    steps: list[tuple[str, Operation, dict[str, int], Callable[[], Any]]] = [
        ("create", "create", {}, lambda: stack.program(membership(keys[:n])).up()),
        ("no-op up", "noop_up", {}, stack.up),
        ("preview", "preview", {}, stack.preview),
        (
            f"add {CHANGE} flags",
            "update",
            {"flags_added": CHANGE},
            lambda: stack.program(membership(keys)).up(),
        ),
        (
            f"remove {CHANGE} flags",
            "update",
            {"flags_removed": CHANGE},
            lambda: stack.program(membership(keys[CHANGE:])).up(),
        ),
        ("refresh", "refresh", {}, stack.refresh),
        ("destroy", "destroy", {}, stack.destroy),
    ]
    counts = []
    flags_in_state = n
    for label, operation, change, run in steps:
        bench.admin.reset_stats()
        run()
        stats = bench.stats()
        tf_flags = n if operation == "create" else flags_in_state
        counts.append(
            Count(
                n,
                label,
                int(stats["total"]),
                dict(stats["routes"]),
                terraform_requests(operation, tf_flags, SEGMENTS, **change),
            )
        )
        flags_in_state += change.get("flags_added", 0) - change.get("flags_removed", 0)
    return counts


def short_route(route: str) -> str:
    """ "GET /api/v2/projects/{projectKey}/views/{viewKey}/linked/{resourceType}" -> "GET
    /view/linked/{resourceType}": the project and view prefixes are the same everywhere."""
    return route.replace("/api/v2/projects/{projectKey}", "").replace("/views/{viewKey}", "/view")


def _short_routes(routes: dict[str, int]) -> str:
    return "; ".join(f"{short_route(r)} ×{c}" for r, c in sorted(routes.items())) or "–"


def run(bench: Bench) -> Section:
    counts: list[Count] = []
    for n in SIZES:
        print(f"  requests per operation: N={n}", flush=True)
        counts += measure(bench, n)
    rows = [
        [
            str(c.flags),
            c.operation,
            str(c.ours),
            str(c.terraform),
            f"{c.terraform / c.ours:.1f}×" if c.ours else "∞" if c.terraform else "–",
            _short_routes(c.routes),
        ]
        for c in counts
    ]
    return Section(
        title="1. Requests per operation (ViewMembership of N flags + 20 segments)",
        method=(
            "One stack per N; segments given by `environment_key`. `ours` is what the emulator "
            "counted for the operation; `Terraform` is `benchmarks.terraform_model."
            "terraform_requests` for the same change (GET view + `/linked` pages at limit 100 "
            "before every plan, 10-key batches, read-back after create/update)."
        ),
        headers=["N", "operation", "ours", "Terraform", "Terraform/ours", "our routes"],
        rows=rows,
        goals=_goals(counts),
    )


def _goals(counts: list[Count]) -> list[str]:
    goals = []
    quiet = [c for c in counts if c.operation in ("no-op up", "preview")]
    noisy = [c for c in quiet if c.ours]
    if not noisy:
        goals.append("No-op up and preview make 0 requests at every N: **met**.")
    else:
        worst = ", ".join(f"{c.operation} N={c.flags}: {c.ours}" for c in noisy)
        goals.append(f"No-op up and preview make 0 requests: **missed** ({worst}).")
    for c in (c for c in counts if c.operation == "create"):
        goal = create_goal(c.flags)
        extra = c.ours - goal
        if extra <= 0:
            goals.append(f"Create N={c.flags}: {c.ours} requests, goal {goal}: **met**.")
        else:
            surplus = [
                f"{short_route(route)} ×{n}"
                for route, n in sorted(c.routes.items())
                if short_route(route) != "POST /view/link/{resourceType}"
            ]
            reasons = []
            if any("/linked/" in route for route in c.routes):
                reasons.append(
                    "create reads what each listed type already has linked (one `/linked` page "
                    "per type per 100 members, in place of the view check): the cost of knowing "
                    "what was there before, so a failed create leaves those members linked "
                    "(issue 9)"
                )
            if any("/environments/" in route for route in c.routes):
                reasons.append(
                    "`check` resolves the segments' `environment_key` to the environment's "
                    "`_id` once (membership_inputs.normalise_membership_inputs), the one "
                    "request the issue allows a preview; segments given by `environment_id` "
                    "need none, and later operations reuse the `_id` kept in the state"
                )
            goals.append(
                f"Create N={c.flags}: {c.ours} requests, goal {goal}: **missed by {extra}** "
                f"(requests beside the link batches: {', '.join(surplus) or 'none'})"
                + (": " + "; ".join(reasons) + "." if reasons else ".")
            )
    return goals
