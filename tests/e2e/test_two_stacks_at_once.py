"""Two stacks, two `pulumi up` processes at the same time, disjoint flags on one view
(non-exclusive): both sets end linked; neither stack's refresh or destroy touches the other's."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from pulumi_launchdarkly_links.emulator import EmulatorAdmin, EmulatorServer

from .cli_project import CliProject
from .harness import linked

FIRST = [f"team-a-flag-{n:02d}" for n in range(25)]
SECOND = [f"team-b-flag-{n:02d}" for n in range(25)]


def program(flags: list[str]) -> str:
    return f"""
from pulumi_launchdarkly_links import ViewMembership

ViewMembership("checkout", project_key="default", view_key="checkout", flags={flags!r})
"""


def test_two_stacks_at_once_keep_each_others_links(
    tmp_path: Path, emulator: EmulatorServer, admin: EmulatorAdmin
) -> None:
    admin.seed({"projects": [{"key": "default", "name": "Default", "flags": FIRST + SECOND}]})
    admin.set_knobs(latency_ms=20, latency_jitter_ms=20, link_batch_max=10)
    first = CliProject(tmp_path / "first", emulator, program(FIRST))
    second = CliProject(tmp_path / "second", emulator, program(SECOND))

    with ThreadPoolExecutor(max_workers=2) as pool:
        runs = [pool.submit(p.run, "up", "--yes", "--skip-preview") for p in (first, second)]
        for run in runs:
            run.result()
    assert linked(emulator, "default", "checkout", "flags") == set(FIRST + SECOND)

    for project in (first, second):
        project.run("refresh", "--yes")
        assert "2 unchanged" in project.run("preview", "--expect-no-changes").stdout

    first.run("destroy", "--yes")
    assert linked(emulator, "default", "checkout", "flags") == set(SECOND)
