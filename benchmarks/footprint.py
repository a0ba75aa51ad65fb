"""Benchmark 4: footprint. `__provider` bytes and state bytes per resource, provider peak memory.

Deploys 1 ViewMembership (1000 flags) + 100 FlagLinks, plus a no-op dynamic resource for
comparison, while a thread records the peak RSS (VmHWM) of the `python -m pulumi.dynamic`
provider process(es) that `pulumi up` starts.
"""

from __future__ import annotations

import json
import statistics
from typing import Any

from .environment import Bench
from .noop_provider import Noop
from .proc_memory import PeakMemory
from .programs import membership_and_links
from .report import Section

FLAGS = 1000
LINKS = 100
PROVIDER_GOAL_BYTES = 300


def _program() -> None:
    membership_and_links(FLAGS, LINKS)()
    Noop("noop-reference")


def _by_type(resources: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    grouped: dict[str, list[dict[str, Any]]] = {}
    for resource in resources:
        grouped.setdefault(resource["type"].rsplit(":", 1)[-1], []).append(resource)
    return grouped


def _size(value: Any) -> int:
    return len(json.dumps(value, separators=(",", ":")).encode())


def run(bench: Bench) -> Section:
    bench.reset(flags=FLAGS)
    stack = bench.stack().program(_program)
    with PeakMemory("pulumi.dynamic") as probe:
        stack.up()
    rows = []
    provider_sizes: dict[str, int] = {}
    for kind, resources in sorted(_by_type(stack.resources()).items()):
        providers = [len(str(r["inputs"].get("__provider", "")).encode()) for r in resources]
        states = [_size(r) for r in resources]
        provider_sizes[kind] = max(providers)
        rows.append(
            [
                kind,
                str(len(resources)),
                f"{statistics.mean(providers):.0f}",
                f"{statistics.mean(states):.0f}",
                str(max(states)),
            ]
        )
    print(f"  footprint: provider processes seen: {probe.peaks}", flush=True)
    peak_mib = max(probe.peaks.values(), default=0) / 1024
    over = {k: v for k, v in provider_sizes.items() if v >= PROVIDER_GOAL_BYTES and k != "Noop"}
    goals = [
        (
            f"`__provider` < {PROVIDER_GOAL_BYTES} bytes per resource: **met** "
            f"(ViewMembership {provider_sizes.get('ViewMembership')} B, FlagLink "
            f"{provider_sizes.get('FlagLink')} B)."
        )
        if not over
        else f"`__provider` < {PROVIDER_GOAL_BYTES} bytes per resource: **missed** ({over})."
    ]
    notes = [
        f"Peak RSS (VmHWM) of the dynamic provider process during the `up`: {peak_mib:.1f} MiB "
        f"({len(probe.peaks)} `pulumi.dynamic` process(es) seen: "
        + ", ".join(f"{kib / 1024:.1f} MiB" for kib in sorted(probe.peaks.values()))
        + ").",
        "State bytes are the compact JSON of each resource's entry in the exported deployment "
        "(inputs, outputs, `__provider`, metadata); the ViewMembership holds its 1000 flag keys "
        "in both inputs and outputs.",
    ]
    return Section(
        title=f"4. Footprint (1 ViewMembership of {FLAGS} flags + {LINKS} FlagLinks)",
        method=(
            'From `stack.export_stack().deployment`: the size of `inputs["__provider"]` '
            "(the pickled provider reference) and of each resource's JSON entry; peak memory "
            "from /proc/<pid>/status VmHWM of our descendant processes whose command line "
            "contains `pulumi.dynamic`, polled every 50 ms."
        ),
        headers=["resource", "count", "__provider B (mean)", "state B (mean)", "state B (max)"],
        rows=rows,
        goals=goals,
        notes=notes,
    )
