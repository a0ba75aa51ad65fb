"""The provider plugin from a YAML program, through the real CLI and the emulator:
`pulumi package add` of this repository, create, a member-wise preview, update, refresh of
drift, `getView`, import of View / ViewMembership / FlagLink with a clean preview after,
destroy, and two resources claiming one link refused at preview."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from pulumi_launchdarkly_links.emulator import EmulatorAdmin, EmulatorServer

from .harness import REPO_ROOT, emulator_api, flag_links, linked
from .plugin_project import (
    PluginProject,
    require_language_host,
    swap_flags_and_retitle_member_wise,
)

pytestmark = pytest.mark.e2e

EXAMPLE = REPO_ROOT / "examples" / "plugin-yaml" / "Pulumi.yaml"
VIEW = "plugin-yaml"


@pytest.fixture
def yaml_project(
    tmp_path: Path, emulator: EmulatorServer, admin: EmulatorAdmin, pulumi_home: Path
) -> PluginProject:
    bin_dir = require_language_host("yaml")
    project = PluginProject(tmp_path / "yaml", emulator, bin_dir, pulumi_home)
    shutil.copy(EXAMPLE, project.work_dir / "Pulumi.yaml")
    project.add_package_and_stack()
    return project


def test_yaml_program_lifecycle(yaml_project: PluginProject, emulator: EmulatorServer) -> None:
    project = yaml_project
    project.run("up", "--yes")
    assert linked(emulator, "default", VIEW, "flags") == {"new-checkout", "pay-later"}
    assert len(linked(emulator, "default", VIEW, "segments")) == 1
    [ticket] = [link for link in flag_links(emulator, "default", "new-checkout")]
    assert ticket["_key"] == "ticket" and ticket["title"] == "CHK-1: new checkout"
    outputs = json.loads(project.run("stack", "output", "--json").stdout)
    assert outputs["flagCount"] == 2 and outputs["linkId"] == ticket["_id"]
    assert outputs["checkoutFlags"] == sorted(linked(emulator, "default", "checkout", "flags"))

    # A member-wise preview: the flags added and removed, by name, nothing positional.
    swap_flags_and_retitle_member_wise(project, emulator, VIEW)
    [ticket] = flag_links(emulator, "default", "new-checkout")
    assert ticket["title"] == "CHK-1: renamed"

    # Drift: someone unlinks a declared flag and renames the view; refresh shows both.
    with emulator_api(emulator) as api:
        api.request(
            "DELETE",
            f"/api/v2/projects/default/views/{VIEW}/link/flags",
            json={"keys": ["pay-later"]},
        ).raise_for_status()
        api.patch(f"/api/v2/projects/default/views/{VIEW}", json={"name": "Renamed"})
    refresh = project.run("refresh", "--yes", "--diff").stdout
    assert "- pay-later" in refresh and '"Plugin YAML" => "Renamed"' in refresh, refresh
    project.run("up", "--yes")
    assert linked(emulator, "default", VIEW, "flags") == {"pay-later", "dark-mode"}
    project.run("preview", "--expect-no-changes")

    # The token is a secret: never in the state in plain text.
    assert emulator.token not in project.run("stack", "export").stdout

    project.run("destroy", "--yes")
    with emulator_api(emulator) as api:
        assert api.get(f"/api/v2/projects/default/views/{VIEW}").status_code == 404
    assert flag_links(emulator, "default", "new-checkout") == []


def test_yaml_import_then_no_changes(
    tmp_path: Path, emulator: EmulatorServer, admin: EmulatorAdmin, pulumi_home: Path
) -> None:
    bin_dir = require_language_host("yaml")
    with emulator_api(emulator) as api:
        api.post(
            "/api/v2/projects/default/views/checkout/link/flags",
            json={"keys": ["new-checkout", "dark-mode"]},
        ).raise_for_status()
        api.post(
            "/api/v2/flag-links/projects/default/flags/new-checkout",
            json={
                "key": "ticket",
                "deepLink": "https://jira.example.com/browse/CHK-1",
                "title": "CHK-1",
            },
        ).raise_for_status()
    project = PluginProject(tmp_path / "import", emulator, bin_dir, pulumi_home)
    (project.work_dir / "Pulumi.yaml").write_text("name: ldlinks-import\nruntime: yaml\n")
    project.add_package_and_stack()
    imports = [
        ("ldlinks:index:View", "checkout", "default/checkout"),
        ("ldlinks:index:ViewMembership", "members", "default/checkout"),
        ("ldlinks:index:FlagLink", "ticket", "default/new-checkout/ticket"),
    ]
    code = []
    for type_token, name, import_id in imports:
        out = project.work_dir / f"{name}.yaml"
        project.run(
            "import", type_token, name, import_id, "--yes", "--protect=false", "--out", str(out)
        )
        code.append(out.read_text().split("resources:\n", 1)[1])
    membership = code[1]
    assert "- dark-mode" in membership and "- new-checkout" in membership, membership
    assert "exclusive: false" in membership
    program = (project.work_dir / "Pulumi.yaml").read_text()
    (project.work_dir / "Pulumi.yaml").write_text(program + "resources:\n" + "".join(code))
    project.run("preview", "--expect-no-changes")
    # Leave LaunchDarkly as it is: the imported resources are forgotten, not destroyed.
    project.run("stack", "rm", "--force", "--yes")


def test_yaml_two_resources_claiming_one_link_fail_at_preview(
    tmp_path: Path, emulator: EmulatorServer, admin: EmulatorAdmin, pulumi_home: Path
) -> None:
    bin_dir = require_language_host("yaml")
    project = PluginProject(tmp_path / "claims", emulator, bin_dir, pulumi_home)
    (project.work_dir / "Pulumi.yaml").write_text(
        """name: ldlinks-claims
runtime: yaml
resources:
  one:
    type: ldlinks:FlagLink
    properties:
      projectKey: default
      flagKey: pay-later
      key: ticket
      deepLink: https://jira.example.com/browse/CHK-7
  many:
    type: ldlinks:FlagLinks
    properties:
      projectKey: default
      links:
        - flagKey: pay-later
          key: ticket
          deepLink: https://jira.example.com/browse/CHK-7
"""
    )
    project.add_package_and_stack()
    result = project.run("preview", check=False)
    assert result.returncode != 0
    text = result.stdout + result.stderr
    assert "FlagLink 'one'" in text and "FlagLinks 'many'" in text, text
    assert flag_links(emulator, "default", "pay-later") == []
