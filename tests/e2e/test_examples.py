"""The examples run as written, through the `pulumi` CLI and its Python language host."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from pulumi_launchdarkly_links.emulator import EmulatorAdmin, EmulatorServer
from pulumi_launchdarkly_links.emulator.seed import DEMO_PRODUCTION_ENV_ID

from .cli_project import CliProject
from .harness import REPO_ROOT, emulator_api, flag_links, linked


def test_bootstrap_environment_from_yaml(
    tmp_path: Path, emulator: EmulatorServer, admin: EmulatorAdmin
) -> None:
    example = REPO_ROOT / "examples" / "bootstrap-environment"
    work_dir = tmp_path / "bootstrap"
    work_dir.mkdir()
    shutil.copy(example / "flags.yaml", work_dir / "flags.yaml")
    project = CliProject(work_dir, emulator, (example / "__main__.py").read_text())

    catalogue = yaml.safe_load((example / "flags.yaml").read_text())
    view_key = catalogue["view"]["key"]
    with emulator_api(emulator) as api:  # the example makes its view: none exists before
        assert api.get(f"/api/v2/projects/default/views/{view_key}").status_code == 404
    project.run("up", "--yes", "--skip-preview")
    with emulator_api(emulator) as api:
        view = api.get(f"/api/v2/projects/default/views/{view_key}").raise_for_status().json()
    assert (view["name"], view["tags"]) == (catalogue["view"]["name"], catalogue["view"]["tags"])
    keys = {flag["key"] for flag in catalogue["flags"]}
    assert linked(emulator, "default", view_key, "flags") == keys
    # The filter-based membership: the demo seed tags beta-users "beta" in production.
    assert linked(emulator, "default", view_key, "segments") == {
        (DEMO_PRODUCTION_ENV_ID, "beta-users")
    }
    for flag in catalogue["flags"]:
        (link,) = flag_links(emulator, "default", flag["key"])
        assert (link["_key"], link["_deepLink"]) == (f"{flag['key']}-ticket", flag["ticket"])

    catalogue["flags"].append(
        {"key": "dark-mode", "ticket": "https://jira.example.com/browse/UI-3", "title": "UI-3"}
    )
    (work_dir / "flags.yaml").write_text(yaml.safe_dump(catalogue))
    admin.reset_stats()
    project.run("up", "--yes", "--skip-preview")
    routes = admin.stats()["routes"]
    assert routes == {
        # An update reads what the view has first, so the declared flags are all linked after.
        "GET /api/v2/projects/{projectKey}/views/{viewKey}/linked/{resourceType}": 2,
        "GET /api/v2/segments/{projectKey}/{environmentKey}": 1,  # the filter, asked again
        "POST /api/v2/projects/{projectKey}/views/{viewKey}/link/{resourceType}": 1,
        "POST /api/v2/flag-links/projects/{projectKey}/flags/{featureFlagKey}": 1,
    }
    assert linked(emulator, "default", view_key, "flags") == keys | {"dark-mode"}
