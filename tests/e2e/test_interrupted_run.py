"""An interrupted `pulumi up` (process group killed) recovers with the documented steps:
`pulumi cancel` (drops the stale lock), `pulumi refresh --clear-pending-creates`, `pulumi up`,
ending in exactly the declared state: no duplicate flag links, no orphans."""

from __future__ import annotations

from pathlib import Path

from pulumi_launchdarkly_links.emulator import EmulatorAdmin, EmulatorServer

from .cli_project import CliProject
from .harness import flag_links, linked

FLAGS = [f"new-checkout-{n}" for n in range(30)]
PROGRAM = f"""
from pulumi_launchdarkly_links import FlagLink, ViewMembership

ViewMembership("checkout", project_key="default", view_key="checkout", flags={FLAGS!r})
for number in range(12):
    FlagLink(
        f"ticket-{{number}}",
        project_key="default",
        flag_key="new-checkout",
        deep_link=f"https://jira.example.com/browse/CHK-{{number}}",
        title=f"CHK-{{number}}",
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
    project.run("up", "--yes", "--skip-preview")

    links = flag_links(emulator, "default", "new-checkout")
    assert sorted(link["_key"] for link in links) == sorted(f"ticket-{n}" for n in range(12))
    assert linked(emulator, "default", "checkout", "flags") == set(FLAGS)
    preview = project.run("preview", "--expect-no-changes")
    assert "14 unchanged" in preview.stdout
    assert project.processes() == {}
