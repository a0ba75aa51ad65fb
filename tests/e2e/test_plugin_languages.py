"""The provider plugin from TypeScript, Go and Python programs (examples/plugin-*), through the
real CLI and the emulator: `pulumi package add` of this repository, create, a member-wise
preview, update, refresh of drift, destroy; then `pulumi import` of a View, a ViewMembership
and a FlagLink from one JSON file, the generated program as the new program, and a preview
that must show no change.

npm installs and Go builds are kept under build/plugin-e2e/<language> and reused by later runs
(node_modules, Go's build cache), so only the first run pays for them."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
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

WORK_ROOT = REPO_ROOT / "build" / "plugin-e2e"


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        reason = f"`{name}` is not on PATH"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return path


def _npm_install(project: PluginProject) -> None:
    npm = _tool("npm")
    stamp = project.work_dir / "node_modules" / ".installed"
    digest = hashlib.sha256((project.work_dir / "package.json").read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text() == digest:
        return
    subprocess.run(
        [npm, "install", "--no-audit", "--no-fund"],
        cwd=project.work_dir,
        env=project.env,
        check=True,
        capture_output=True,
        timeout=600,
    )
    stamp.write_text(digest)


def _go_mod_tidy(project: PluginProject) -> None:
    subprocess.run(
        [_tool("go"), "mod", "tidy"],
        cwd=project.work_dir,
        env={**project.env, "GOFLAGS": "-mod=mod"},
        check=True,
        capture_output=True,
        timeout=600,
    )


def _pulumi_install(project: PluginProject) -> None:
    # The modern Python host fills ./venv (runtime.options.virtualenv). Once the SDK is in it,
    # `pulumi install` would look for the plugin before `package add` names where it is.
    if not (project.work_dir / "venv" / "bin" / "python").exists():
        project.run("install")


@dataclass(frozen=True)
class Language:
    host: str
    example: str
    program: str  # the file `pulumi import --out` replaces
    before_add: Callable[[PluginProject], None] | None = None
    after_add: Callable[[PluginProject], None] | None = None


LANGUAGES = {
    "typescript": Language("nodejs", "plugin-typescript", "index.ts", before_add=_npm_install),
    "go": Language("go", "plugin-go", "main.go", after_add=_go_mod_tidy),
    "python": Language("python", "plugin-python", "__main__.py", before_add=_pulumi_install),
}


def _project(
    name: str, tmp_path: Path, emulator: EmulatorServer, pulumi_home: Path
) -> PluginProject:
    language = LANGUAGES[name]
    bin_dir = require_language_host(language.host)
    work_dir = WORK_ROOT / name
    work_dir.mkdir(parents=True, exist_ok=True)
    for stack_config in work_dir.glob("Pulumi.*.yaml"):  # a previous run's stack settings
        stack_config.unlink()
    example = REPO_ROOT / "examples" / language.example
    for source in example.iterdir():
        if source.is_file():
            shutil.copy(source, work_dir / source.name)
    project = PluginProject(work_dir, emulator, bin_dir, pulumi_home)
    # Each test run has its own state; the work directory (and its installs) is reused.
    project.env["PULUMI_BACKEND_URL"] = f"file://{tmp_path}"
    if language.before_add:
        language.before_add(project)
    project.add_package_and_stack()
    if language.after_add:
        language.after_add(project)
    project.run("config", "set", "viewKey", f"plugin-{name}")
    return project


@pytest.mark.parametrize("name", sorted(LANGUAGES))
def test_program_lifecycle_then_import(
    name: str,
    tmp_path: Path,
    emulator: EmulatorServer,
    admin: EmulatorAdmin,
    pulumi_home: Path,
) -> None:
    project = _project(name, tmp_path, emulator, pulumi_home)
    view = f"plugin-{name}"
    project.run("up", "--yes")
    assert linked(emulator, "default", view, "flags") == {"new-checkout", "pay-later"}
    [ticket] = flag_links(emulator, "default", "new-checkout")
    outputs = json.loads(project.run("stack", "output", "--json").stdout)
    assert outputs["flagCount"] == 2 and outputs["linkId"] == ticket["_id"]

    swap_flags_and_retitle_member_wise(project, emulator, view)

    with emulator_api(emulator) as api:
        api.request(
            "DELETE",
            f"/api/v2/projects/default/views/{view}/link/flags",
            json={"keys": ["pay-later"]},
        ).raise_for_status()
    refresh = project.run("refresh", "--yes", "--diff").stdout
    assert "- pay-later" in refresh, refresh
    project.run("up", "--yes")
    assert linked(emulator, "default", view, "flags") == {"pay-later", "dark-mode"}
    project.run("preview", "--expect-no-changes")
    project.run("destroy", "--yes")
    assert flag_links(emulator, "default", "new-checkout") == []

    # Import what someone made by hand, from one JSON file, into a new stack.
    with emulator_api(emulator) as api:
        api.post(
            "/api/v2/projects/default/views/checkout/link/flags",
            json={"keys": ["new-checkout", "dark-mode"]},
        ).raise_for_status()
        api.post(
            "/api/v2/flag-links/projects/default/flags/pay-later",
            json={"key": "runbook", "deepLink": "https://wiki.example.com/pay-later"},
        ).raise_for_status()
    resources = [
        {"type": "ldlinks:index:View", "name": "checkout", "id": "default/checkout"},
        {"type": "ldlinks:index:ViewMembership", "name": "members", "id": "default/checkout"},
        {"type": "ldlinks:index:FlagLink", "name": "runbook", "id": "default/pay-later/runbook"},
    ]
    import_file = tmp_path / "import.json"
    import_file.write_text(json.dumps({"resources": resources}))
    project.run("stack", "init", "imported")
    project.run("config", "set", "ldlinks:apiHost", emulator.url)
    project.run("config", "set", "--secret", "ldlinks:accessToken", emulator.token)
    program = project.work_dir / LANGUAGES[name].program
    project.run(
        "import", "--file", str(import_file), "--yes", "--protect=false", "--out", str(program)
    )
    code = program.read_text()
    assert "dark-mode" in code and "new-checkout" in code and "runbook" in code, code
    project.run("preview", "--expect-no-changes")
    project.run("stack", "rm", "--force", "--yes")  # forget, leave LaunchDarkly as it is
