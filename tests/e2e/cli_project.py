"""A Pulumi project on disk driven through the `pulumi` CLI itself (language host included), for
the tests that must kill the CLI part-way through a run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

from pulumi_launchdarkly_links.emulator import EmulatorServer

from .harness import pulumi_bin_dir


class CliProject:
    def __init__(self, work_dir: Path, emulator: EmulatorServer, program: str) -> None:
        self.work_dir = work_dir
        work_dir.mkdir(parents=True, exist_ok=True)
        (work_dir / "state").mkdir(exist_ok=True)
        (work_dir / "Pulumi.yaml").write_text(
            f"name: ldlinks-cli\nruntime: python\nbackend:\n  url: file://{work_dir}/state\n"
        )
        (work_dir / "__main__.py").write_text(textwrap.dedent(program))
        bin_dir = pulumi_bin_dir()
        self.env = {
            **os.environ,
            "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
            "PULUMI_HOME": str(work_dir / "home"),
            "PULUMI_CONFIG_PASSPHRASE": "e2e-passphrase",
            "PULUMI_SKIP_UPDATE_CHECK": "true",
            "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
            "PULUMI_PYTHON_CMD": sys.executable,
        }
        self.run("stack", "init", "cli")
        self.run("config", "set", "launchdarkly:apiHost", emulator.url)
        self.run("config", "set", "--secret", "launchdarkly:accessToken", emulator.token)

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            ["pulumi", *args, "--non-interactive"],
            cwd=self.work_dir,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        if check and result.returncode != 0:
            raise AssertionError(
                f"pulumi {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
            )
        return result

    def kill_during(self, args: list[str], when: Callable[[], bool], timeout: float = 120) -> None:
        """Start `pulumi <args>` and kill its whole process group (CLI, language host, provider)
        with SIGKILL as soon as `when()` is true, as a cancelled CI job would."""
        process = subprocess.Popen(
            ["pulumi", *args, "--non-interactive"],
            cwd=self.work_dir,
            env=self.env,
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + timeout
        try:
            while not when():
                if process.poll() is not None:
                    raise AssertionError("pulumi finished before it could be interrupted")
                if time.monotonic() > deadline:
                    raise AssertionError("the interrupt condition never came true")
                time.sleep(0.05)
        finally:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
