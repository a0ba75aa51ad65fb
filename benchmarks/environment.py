"""What every benchmark shares: one emulator, fresh stacks, seed data, knobs and a stopwatch."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from tests.e2e.harness import Stack

from pulumi_launchdarkly_links._pickler_guard import unwrap_pulumi_pickler
from pulumi_launchdarkly_links.emulator import EmulatorAdmin, EmulatorServer, EmulatorSettings

QUICK = os.environ.get("BENCH_QUICK", "") not in ("", "0")
REPO_ROOT = Path(__file__).resolve().parents[1]
PROJECT = "default"
VIEW = "checkout"  # a view of the emulator's demo seed
ENVIRONMENT = "production"

# The emulator's default knobs, as the end-to-end tests reset them: no limits, latency or faults.
DEFAULT_KNOBS: dict[str, Any] = EmulatorSettings().knobs()

T = TypeVar("T")


def flag_keys(count: int, start: int = 0) -> list[str]:
    return [f"bench-flag-{i:04d}" for i in range(start, start + count)]


def segment_keys(count: int) -> list[str]:
    return [f"bench-segment-{i:02d}" for i in range(count)]


def timed(action: Callable[[], T]) -> tuple[T, float]:
    """The action's result and its wall time in seconds."""
    started = time.perf_counter()
    result = action()
    return result, time.perf_counter() - started


@dataclass
class Bench:
    """The emulator all benchmarks share, and a directory for their stacks' state."""

    emulator: EmulatorServer
    root: Path
    pulumi_home: Path = field(init=False)
    _stacks: int = 0

    def __post_init__(self) -> None:
        self.pulumi_home = self.root / "pulumi-home"
        self.pulumi_home.mkdir(parents=True, exist_ok=True)

    @property
    def admin(self) -> EmulatorAdmin:
        return EmulatorAdmin(self.emulator.url, timeout=60)

    def reset(self, *, flags: int, segments: int = 0, **knobs: Any) -> None:
        """Demo seed plus `flags` flags and `segments` production segments; knobs as given."""
        # The floor's no-op resources do not peel Pulumi's pickler wrappers off as ours do.
        unwrap_pulumi_pickler()
        admin = self.admin
        admin.reset("demo")
        admin.set_knobs(**{**DEFAULT_KNOBS, **knobs})
        admin.seed(
            {
                "projects": [
                    {
                        "key": PROJECT,
                        "name": "Default",
                        "flags": flag_keys(flags),
                        "segments": {ENVIRONMENT: segment_keys(segments)},
                    }
                ]
            }
        )
        admin.reset_stats()

    def stack(self, extra_config: dict[str, str] | None = None) -> Stack:
        """A new stack with its own file:// backend (the same project name every time)."""
        self._stacks += 1
        work_dir = self.root / f"stack-{self._stacks:03d}"
        return Stack(
            work_dir, self.pulumi_home, self.emulator, name="bench", extra_config=extra_config
        )

    def stats(self) -> dict[str, Any]:
        return self.admin.stats()
