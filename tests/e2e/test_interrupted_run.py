"""An interrupted `pulumi up` (process group killed) recovers with the documented steps:
`pulumi cancel` (drops the stale lock), `pulumi refresh --clear-pending-creates`, `pulumi up`;
that `up` names the links the killed run made but never recorded, and `adopt=True` once takes
them over, ending in exactly the declared state: no duplicate flag links, no orphans."""

from __future__ import annotations

import json
from pathlib import Path

from pulumi_launchdarkly_links.emulator import EmulatorAdmin, EmulatorServer

from .cli_project import CliProject
from .harness import flag_links, linked

FLAGS = [f"new-checkout-{n}" for n in range(30)]
PROGRAM = f"""
from pulumi_launchdarkly_links import FlagLink, ViewMembership

ADOPT = False
ViewMembership("checkout", project_key="default", view_key="checkout", flags={FLAGS!r})
for number in range(12):
    FlagLink(
        f"ticket-{{number}}",
        project_key="default",
        flag_key="new-checkout",
        deep_link=f"https://jira.example.com/browse/CHK-{{number}}",
        title=f"CHK-{{number}}",
        adopt=ADOPT,
    )
"""
FLAG_LINK_POST = "POST /api/v2/flag-links/projects/{projectKey}/flags/{featureFlagKey}"


def test_killed_up_then_refresh_and_up_end_in_declared_state(
    tmp_path: Path, emulator: EmulatorServer, admin: EmulatorAdmin
) -> None:
    admin.seed({"projects": [{"key": "default", "name": "Default", "flags": FLAGS}]})
    project = CliProject(tmp_path / "project", emulator, PROGRAM)
    admin.set_knobs(latency_ms=150)  # slow enough to land the kill mid-run
    admin.reset_stats()

    project.kill_during(
        ["up", "--yes", "--skip-preview"],
        when=lambda: admin.stats()["routes"].get(FLAG_LINK_POST, 0) >= 1,
    )
    # Nothing of the killed run is left: no CLI, language host, program or provider process.
    assert project.processes() == {}
    created_before_kill = len(flag_links(emulator, "default", "new-checkout"))
    assert 1 <= created_before_kill < 12

    admin.set_knobs(latency_ms=0)
    project.run("cancel", "--yes")  # the killed CLI left its lock in the file backend
    project.run("refresh", "--yes", "--clear-pending-creates")
    recorded = {
        resource["outputs"]["link_id"]
        for resource in json.loads(project.run("stack", "export").stdout)["deployment"]["resources"]
        if resource["type"].endswith("FlagLink")
    }
    made = {link["_id"] for link in flag_links(emulator, "default", "new-checkout")}
    assert made - recorded, "the kill must land between a create and its answer"
    # The rerun cannot tell a link the killed run made from someone else's: it names it.
    refused = project.run("up", "--yes", "--skip-preview", check=False)
    assert refused.returncode != 0
    assert "and this FlagLink did not create it" in refused.stdout
    assert "set adopt=True on this FlagLink" in refused.stdout

    # The one step the README names: adopt=True once.
    program = (project.work_dir / "__main__.py").read_text()
    (project.work_dir / "__main__.py").write_text(program.replace("ADOPT = False", "ADOPT = True"))
    project.run("up", "--yes", "--skip-preview")

    links = flag_links(emulator, "default", "new-checkout")
    assert sorted(link["_key"] for link in links) == sorted(f"ticket-{n}" for n in range(12))
    assert linked(emulator, "default", "checkout", "flags") == set(FLAGS)
    preview = project.run("preview", "--expect-no-changes")
    assert "14 unchanged" in preview.stdout
    assert project.processes() == {}
