"""A Pulumi project on disk driven through the `pulumi` CLI itself (language host included), for
the tests that must kill the CLI part-way through a run."""

from __future__ import annotations

import contextlib
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
        """Start `pulumi <args>` and SIGKILL every process of the run (CLI, language host,
        provider) as soon as `when()` is true, as a cancelled CI job would.

        The CLI runs in a session of its own, but it starts each plugin (language host, resource
        provider) in a process group of its own too, so killing the CLI's group alone leaves them
        running with parent PID 1. Instead the whole process tree is stopped, then every process
        group in it is killed."""
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
            killed = kill_process_tree(process.pid)
            process.wait()
            wait_until_gone(killed)

    def processes(self) -> dict[int, str]:
        """Live processes of this project's runs (see `processes_in`)."""
        return processes_in(self.work_dir)


def _stat(pid: int) -> tuple[int, int, str] | None:
    """(parent PID, process group, state letter) of a process; None once it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name (second field) may hold spaces and parentheses: split after the last ")".
    state, parent, group = text[text.rindex(")") + 2 :].split()[:3]
    return int(parent), int(group), state


def _all_pids() -> list[int]:
    return [int(entry.name) for entry in Path("/proc").iterdir() if entry.name.isdigit()]


def _alive(pid: int) -> bool:
    stat = _stat(pid)
    return stat is not None and stat[2] not in ("Z", "X")


def process_tree(root: int) -> set[int]:
    """`root` and all its descendants that are still alive."""
    children: dict[int, list[int]] = {}
    for pid in _all_pids():
        stat = _stat(pid)
        if stat is not None:
            children.setdefault(stat[0], []).append(pid)
    tree, frontier = set(), [root]
    while frontier:
        pid = frontier.pop()
        if pid not in tree and _alive(pid):
            tree.add(pid)
            frontier.extend(children.get(pid, []))
    return tree


def kill_process_tree(root: int) -> set[int]:
    """SIGSTOP the tree under `root` until it stops growing (a stopped process cannot start
    another), then SIGKILL every process group in it and every process; returns the PIDs."""
    stopped: set[int] = set()
    while True:
        new = process_tree(root) - stopped
        if not stopped and not new:
            return set()
        if not new:
            break
        for pid in new:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGSTOP)
        stopped |= new
    own_group = os.getpgrp()
    groups = {stat[1] for pid in stopped if (stat := _stat(pid)) is not None}
    for group in groups - {own_group}:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(group, signal.SIGKILL)
    for pid in stopped:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    return stopped


def wait_until_gone(pids: set[int], timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while left := {pid for pid in pids if _alive(pid)}:
        if time.monotonic() > deadline:
            raise AssertionError(f"processes {sorted(left)} outlived SIGKILL")
        time.sleep(0.05)


def processes_in(work_dir: Path) -> dict[int, str]:
    """PID -> command line of every live process whose working directory, command line or
    environment (PULUMI_HOME, the backend URL) points into `work_dir`: found by scanning /proc,
    not by walking the tree, so a process that lost its parent is found too."""
    marker = str(work_dir).encode()
    found = {}
    for pid in _all_pids():
        if pid == os.getpid() or not _alive(pid):
            continue
        proc = Path(f"/proc/{pid}")
        try:
            cmdline = (proc / "cmdline").read_bytes()
            cwd = os.readlink(proc / "cwd").encode()
            environ = (proc / "environ").read_bytes()
        except OSError:
            continue  # gone meanwhile, or not ours to read
        if marker in cmdline or cwd.startswith(marker) or marker in environ:
            found[pid] = cmdline.replace(b"\0", b" ").decode(errors="replace").strip()
    return found
