"""A program in another Pulumi language, using the provider plugin `ldlinks` through the real
CLI: `pulumi package add <this repository>`, then up, preview, refresh, import, destroy."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from pulumi_launchdarkly_links.emulator import EmulatorServer

from .harness import REPO_ROOT, linked, pulumi_bin_dir


def require_language_host(language: str) -> Path:
    """The CLI's directory, if it holds `pulumi-language-<language>`; else skip (CI: fail)."""
    bin_dir = pulumi_bin_dir()
    # The yaml host comes only with the modern hosts, which the plugin needs: the Python host
    # that the CLI build falls back to (v3.78.1) cannot run a Python plugin.
    for name in sorted({language, "yaml"}):
        host = bin_dir / f"pulumi-language-{name}"
        if not host.exists() and shutil.which(host.name) is None:
            reason = (
                f"no {host.name} beside {bin_dir / 'pulumi'} or on PATH: scripts/install-pulumi "
                "builds the language hosts from ../shared/toolchain/pulumi-language-hosts "
                "(see its log)"
            )
            if os.environ.get("CI") == "true":
                pytest.fail(reason)
            pytest.skip(reason)
    return bin_dir


class PluginProject:
    """One project directory with its own file:// backend, PULUMI_HOME and stack `dev`."""

    def __init__(self, work_dir: Path, emulator: EmulatorServer, bin_dir: Path, home: Path) -> None:
        self.work_dir = work_dir
        (work_dir / "state").mkdir(parents=True, exist_ok=True)
        self.env = {
            **os.environ,
            "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
            "PULUMI_HOME": str(home),
            "PULUMI_BACKEND_URL": f"file://{work_dir}/state",
            "PULUMI_CONFIG_PASSPHRASE": "e2e-passphrase",
            "PULUMI_SKIP_UPDATE_CHECK": "true",
            "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
        }
        self.env.pop("PULUMI_PYTHON_CMD", None)  # the plugin runs in its own venv
        self.emulator = emulator

    def run(
        self, *args: str, check: bool = True, timeout: float = 600
    ) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            ["pulumi", *args, "--non-interactive"],
            cwd=self.work_dir,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if check and result.returncode != 0:
            raise AssertionError(
                f"pulumi {' '.join(args)} failed ({result.returncode}):\n"
                f"{result.stdout}\n{result.stderr}"
            )
        return result

    def set_flags(self, flags: list[str]) -> None:
        """The program's `flags` config (every example reads its members from it)."""
        self.run("config", "rm", "flags", check=False)
        for index, flag in enumerate(flags):
            self.run("config", "set", "--path", f"flags[{index}]", flag)

    def add_package_and_stack(self) -> None:
        """`pulumi package add` of this repository, then a stack pointed at the emulator."""
        self.run("package", "add", str(REPO_ROOT))
        self.run("stack", "init", "dev")
        self.run("config", "set", "ldlinks:apiHost", self.emulator.url)
        self.run("config", "set", "--secret", "ldlinks:accessToken", self.emulator.token)


def swap_flags_and_retitle_member_wise(
    project: PluginProject, emulator: EmulatorServer, view: str
) -> None:
    """From flags [new-checkout, pay-later] and the ticket "CHK-1: new checkout": the preview
    names the flags added and removed and the title changed, nothing positional and no replace;
    the up then links exactly the new flags."""
    project.set_flags(["pay-later", "dark-mode"])
    project.run("config", "set", "ticketTitle", "CHK-1: renamed")
    preview = project.run("preview", "--diff").stdout
    assert "+ dark-mode" in preview and "- new-checkout" in preview, preview
    assert '~ title: "CHK-1: new checkout" => "CHK-1: renamed"' in preview, preview
    assert "[0]" not in preview and "replace" not in preview, preview
    project.run("up", "--yes")
    assert linked(emulator, "default", view, "flags") == {"pay-later", "dark-mode"}
