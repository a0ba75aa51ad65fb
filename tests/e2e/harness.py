"""Drive the real `pulumi` CLI (Automation API, inline programs) against the emulator."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from pulumi import automation as auto

from pulumi_launchdarkly_links.emulator import EmulatorAdmin, EmulatorServer

REPO_ROOT = Path(__file__).resolve().parents[2]


def pulumi_bin_dir() -> Path:
    """The directory with `pulumi` and the Python plugins; built by scripts/install-pulumi."""
    configured = os.environ.get("PULUMI_LD_PULUMI_BIN")
    if configured:
        return Path(configured)
    output = subprocess.run(
        [str(REPO_ROOT / "scripts" / "install-pulumi")],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return Path(output.strip().splitlines()[-1])


class Stack:
    """One stack of an inline program, with its own file:// backend, config and output log."""

    def __init__(
        self,
        work_dir: Path,
        pulumi_home: Path,
        emulator: EmulatorServer,
        *,
        name: str = "e2e",
        token: str | None = None,
        api_host: str | None = None,
        extra_config: dict[str, str] | None = None,
    ) -> None:
        self.emulator = emulator
        self.admin = EmulatorAdmin(emulator.url)
        self.output: list[str] = []
        work_dir.mkdir(parents=True, exist_ok=True)
        bin_dir = pulumi_bin_dir()
        env_vars = {
            "PULUMI_CONFIG_PASSPHRASE": "e2e-passphrase",
            "PULUMI_SKIP_UPDATE_CHECK": "true",
            "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
            "PULUMI_PYTHON_CMD": sys.executable,
            "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
        }
        self._program: Callable[[], None] = lambda: None
        settings = auto.ProjectSettings(
            name="ldlinks-e2e",
            runtime="python",
            backend=auto.ProjectBackend(url=f"file://{work_dir}/state"),
        )
        (work_dir / "state").mkdir(exist_ok=True)
        self.stack = auto.create_or_select_stack(
            stack_name=name,
            project_name="ldlinks-e2e",
            program=lambda: self._program(),
            opts=auto.LocalWorkspaceOptions(
                work_dir=str(work_dir),
                pulumi_home=str(pulumi_home),
                env_vars=env_vars,
                project_settings=settings,
                pulumi_command=auto.PulumiCommand(root=str(bin_dir.parent)),
            ),
        )
        config = {"launchdarkly:apiHost": api_host or emulator.url, **(extra_config or {})}
        for key, value in config.items():
            self.stack.set_config(key, auto.ConfigValue(value))
        self.stack.set_config(
            "launchdarkly:accessToken", auto.ConfigValue(token or emulator.token, secret=True)
        )

    def program(self, program: Callable[[], None]) -> Stack:
        self._program = program
        return self

    def _log(self, line: str) -> None:
        self.output.append(line)

    def up(self, **kwargs: Any) -> auto.UpResult:
        return self.stack.up(on_output=self._log, color="never", **kwargs)

    def preview(self, **kwargs: Any) -> auto.PreviewResult:
        return self.stack.preview(on_output=self._log, color="never", **kwargs)

    def refresh(self, **kwargs: Any) -> auto.RefreshResult:
        return self.stack.refresh(on_output=self._log, color="never", **kwargs)

    def destroy(self, **kwargs: Any) -> auto.DestroyResult:
        return self.stack.destroy(on_output=self._log, color="never", **kwargs)

    def resources(self, type_suffix: str = "") -> list[dict[str, Any]]:
        deployment = self.stack.export_stack().deployment or {}
        return [
            resource
            for resource in deployment.get("resources", [])
            if resource["type"].startswith("pulumi-python:dynamic")
            and resource["type"].endswith(type_suffix)
        ]

    def requests(self) -> int:
        return int(self.admin.stats()["total"])


def emulator_api(emulator: EmulatorServer) -> httpx.Client:
    return httpx.Client(
        base_url=emulator.url,
        headers={"Authorization": emulator.token, "LD-API-Version": "beta"},
        timeout=30,
    )


def linked(emulator: EmulatorServer, project: str, view: str, resource_type: str) -> set[Any]:
    """What the emulator reports linked to a view: keys, or (environment _id, key) for segments."""
    result: set[Any] = set()
    with emulator_api(emulator) as api:
        offset = 0
        while True:
            page = (
                api.get(
                    f"/api/v2/projects/{project}/views/{view}/linked/{resource_type}",
                    params={"limit": 100, "offset": offset},
                )
                .raise_for_status()
                .json()
            )
            for item in page["items"]:
                if resource_type == "segments":
                    result.add((item["environmentId"], item["resourceKey"]))
                else:
                    result.add(item["resourceKey"])
            offset += len(page["items"])
            if not page["items"] or offset >= page["totalCount"]:
                return result


def flag_links(emulator: EmulatorServer, project: str, flag: str) -> list[dict[str, Any]]:
    with emulator_api(emulator) as api:
        response = api.get(f"/api/v2/flag-links/projects/{project}/flags/{flag}")
        return list(response.raise_for_status().json()["items"])
