"""Two stacks, two `pulumi up` processes at the same time, disjoint flags on one view
(non-exclusive): both sets end linked; neither stack's refresh or destroy touches the other's.

"At the same time" is made true, not hoped for: each program waits at a barrier until both
programs are running, and the emulator answers slowly enough that both stacks read the view's
links before either writes, which is the race a read-modify-write provider would lose."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from pulumi_launchdarkly_links.emulator import EmulatorAdmin, EmulatorServer

from .bad_input_support import recorded_exchanges
from .cli_project import CliProject
from .harness import linked

FIRST = [f"team-a-flag-{n:02d}" for n in range(25)]
SECOND = [f"team-b-flag-{n:02d}" for n in range(25)]
LATENCY_MS = 1000  # longer than the two providers' start-up times differ


def program(flags: list[str]) -> str:
    return f"""
import pathlib, time
from pulumi_launchdarkly_links import ViewMembership

# Barrier: say this program runs, then wait for the test's go (already there after the ups).
project = pathlib.Path.cwd()
(project / "ready").touch()
deadline = time.monotonic() + 300
while not (project.parent / "go").exists() and time.monotonic() < deadline:
    time.sleep(0.02)
ViewMembership("checkout", project_key="default", view_key="checkout", flags={flags!r})
"""


def test_two_stacks_at_once_keep_each_others_links(
    tmp_path: Path, emulator: EmulatorServer, admin: EmulatorAdmin
) -> None:
    admin.seed({"projects": [{"key": "default", "name": "Default", "flags": FIRST + SECOND}]})
    admin.set_knobs(latency_ms=LATENCY_MS, link_batch_max=10)
    first = CliProject(tmp_path / "first", emulator, program(FIRST))
    second = CliProject(tmp_path / "second", emulator, program(SECOND))

    with recorded_exchanges(emulator) as exchanges, ThreadPoolExecutor(max_workers=2) as pool:
        runs = [pool.submit(p.run, "up", "--yes", "--skip-preview") for p in (first, second)]
        deadline = time.monotonic() + 300
        while not all((p.work_dir / "ready").exists() for p in (first, second)):
            assert not any(run.done() for run in runs), "an up ended before both programs ran"
            assert time.monotonic() < deadline, "the two programs never ran at the same time"
            time.sleep(0.05)
        (tmp_path / "go").touch()
        for run in runs:
            run.result()
    admin.set_knobs(latency_ms=0)

    # Both stacks read the view's links before either linked a flag: the writes raced.
    writes = [n for n, ex in enumerate(exchanges) if ex.method == "POST"]
    reads = [n for n, ex in enumerate(exchanges) if ex.path.endswith("/linked/flags")]
    assert len(writes) == 6 and len(reads) == 2, [(ex.method, ex.path) for ex in exchanges]
    assert max(reads) < min(writes), [(ex.method, ex.path) for ex in exchanges]
    assert linked(emulator, "default", "checkout", "flags") == set(FIRST + SECOND)

    for project in (first, second):
        project.run("refresh", "--yes")
        assert "2 unchanged" in project.run("preview", "--expect-no-changes").stdout

    first.run("destroy", "--yes")
    assert linked(emulator, "default", "checkout", "flags") == set(SECOND)
