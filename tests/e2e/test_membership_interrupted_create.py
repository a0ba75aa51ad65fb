"""A ViewMembership create with a filter, killed after it linked the matches (issue 16, item 4):
the rerun cannot tell those links from someone else's, and `adopt=True` once takes them over,
so that `destroy` leaves the view as it found it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pulumi_launchdarkly_links.emulator import EmulatorAdmin, EmulatorServer

from .cli_project import CliProject
from .harness import linked

FLAGS = [f"bulk-{n:02d}" for n in range(30)]
PROGRAM = """
from pulumi_launchdarkly_links import ViewMembership

ADOPT = False
ViewMembership(
    "checkout", project_key="default", view_key="checkout", flag_filter="tags:bulk", adopt=ADOPT
)
"""


def membership_outputs(project: CliProject) -> dict[str, Any]:
    deployment = json.loads(project.run("stack", "export").stdout)["deployment"]
    (resource,) = [r for r in deployment["resources"] if r["type"].endswith("ViewMembership")]
    return dict(resource["outputs"])


def test_an_interrupted_create_then_adopt_owns_the_matches(
    tmp_path: Path, emulator: EmulatorServer, admin: EmulatorAdmin
) -> None:
    flags = [{"key": key, "tags": ["bulk"]} for key in FLAGS]
    admin.seed({"projects": [{"key": "default", "name": "Default", "flags": flags}]})
    project = CliProject(tmp_path / "project", emulator, PROGRAM)
    # Batches of 5, one at a time and slow: the kill lands once a batch is linked.
    project.run("config", "set", "launchdarkly:linkBatchSize", "5")
    project.run("config", "set", "launchdarkly:linkParallelism", "1")
    admin.set_knobs(latency_ms=200)
    project.kill_during(
        ["up", "--yes", "--skip-preview"],
        when=lambda: bool(linked(emulator, "default", "checkout", "flags")),
    )
    admin.set_knobs(latency_ms=0)
    made = linked(emulator, "default", "checkout", "flags")
    assert made and made < set(FLAGS), made

    project.run("cancel", "--yes")
    project.run("refresh", "--yes", "--clear-pending-creates")
    project.run("up", "--yes", "--skip-preview")
    outputs = membership_outputs(project)  # what the killed run linked looks like others' links
    assert set(outputs["flag_filter_linked"]) == set(FLAGS) - made

    # The step the README names: adopt=True for one up.
    program = (project.work_dir / "__main__.py").read_text()
    (project.work_dir / "__main__.py").write_text(program.replace("ADOPT = False", "ADOPT = True"))
    project.run("up", "--yes", "--skip-preview")
    assert membership_outputs(project)["flag_filter_linked"] == FLAGS
    project.run("destroy", "--yes")
    assert linked(emulator, "default", "checkout", "flags") == set()
