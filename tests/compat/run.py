"""Run the tests at the edges of the supported range, and the quickstart from the built wheel.

Jobs, run side by side, each in its own virtualenv under build/compat/ with its log beside it:

- `pulumi-<lowest>`: the lowest `pulumi` SDK pyproject.toml allows: the unit and emulator
  contract tests, and one end-to-end test (a failing `pulumi up` whose error is one line).
- `pulumi-<newest>`: the same with the newest 3.x SDK on the package index.
- `python-3.10`, `python-3.13`: the unit and contract tests on the lowest and highest supported
  Python (from pyenv), with constraints.txt's exact versions.
- `wheel`: `python -m build` (sdist and wheel) and `twine check --strict`; then the wheel, not the
  checkout, installed into a fresh virtualenv beside the newest SDK runs examples/quickstart with
  the real CLI against the emulator: `pulumi up`, then a preview that must find no change.

The SDK jobs keep constraints.txt's versions for everything but the SDK and what it requires.
Their virtualenvs and the Python jobs' are cached, keyed by a hash of constraints.txt,
pyproject.toml, the interpreter and the SDK version; the package is installed editable there,
so a code change needs no reinstall. A missing Python, pyenv or package index fails the job
when CI=true and is a loud skip elsewhere. COMPAT_JOBS sets how many jobs run at once (3).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from packaging.requirements import Requirement
from packaging.version import Version

REPO_ROOT = Path(__file__).resolve().parents[2]
BUILD = REPO_ROOT / "build" / "compat"
UNIT_AND_CONTRACT = ("tests/unit", "tests/emulator")
ONE_END_TO_END = ("tests/e2e/test_error_is_one_line.py",)
PYTHONS = ("3.10", "3.13")
PIP = ("-m", "pip", "--disable-pip-version-check", "-q")
IN_CI = os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")
INSTALL_TIMEOUT = 900
TEST_TIMEOUT = 1800

# Editable installs write the package's egg-info into the checkout: one at a time.
_editable_install_lock = threading.Lock()


class Unavailable(Exception):
    """Something a job needs does not exist on this machine (a Python, the package index)."""


@dataclass
class Outcome:
    name: str
    status: str  # passed, failed or skipped
    seconds: float
    detail: str
    log: Path


# -- what to test against ----------------------------------------------------------------------
def lowest_pulumi() -> str:
    """The lower bound of `pulumi` in pyproject.toml's dependencies."""
    text = (REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8")
    for quoted in re.findall(r'^\s*"(pulumi[<>=!~ ][^"]*)"', text, flags=re.MULTILINE):
        for spec in Requirement(quoted).specifier:
            if spec.operator == ">=":
                return spec.version
    raise SystemExit("pyproject.toml declares no `pulumi>=` lower bound")


def newest_pulumi(major: int = 3) -> str:
    """The newest `pulumi` of `major` on the package index pip is configured with."""
    try:
        answer = subprocess.run(
            [sys.executable, "-m", "pip", "--disable-pip-version-check", "index", "versions"]
            + ["pulumi"],
            capture_output=True,
            text=True,
            timeout=120,
        )
    except subprocess.TimeoutExpired as error:
        raise Unavailable("the package index did not answer `pip index versions pulumi`") from error
    match = re.search(r"Available versions: (.*)", answer.stdout)
    if answer.returncode != 0 or match is None:
        raise Unavailable(f"`pip index versions pulumi` failed: {answer.stderr.strip()[-300:]}")
    versions = [Version(v.strip()) for v in match.group(1).split(",")]
    stable = [v for v in versions if v.major == major and not v.is_prerelease]
    if not stable:
        raise Unavailable(f"the package index lists no pulumi {major}.x")
    return str(max(stable))


def pyenv_python(minor: str) -> Path:
    """The newest patch release of Python `minor` that pyenv has, else `python<minor>` on PATH."""
    roots: list[Path] = []
    if shutil.which("pyenv"):
        answer = subprocess.run(["pyenv", "root"], capture_output=True, text=True).stdout.strip()
        if answer:
            roots.append(Path(answer))
    roots.append(Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv"))
    roots = list(dict.fromkeys(roots))
    for root in roots:
        installed = [
            path
            for path in (root / "versions").glob(f"{minor}.*")
            if re.fullmatch(rf"{re.escape(minor)}\.\d+", path.name)
            and (path / "bin" / f"python{minor}").exists()
        ]
        if installed:
            newest = max(installed, key=lambda path: Version(path.name))
            return newest / "bin" / f"python{minor}"
    on_path = shutil.which(f"python{minor}")
    if on_path:
        return Path(on_path)
    searched = ", ".join(str(root / "versions") for root in roots)
    raise Unavailable(
        f"no Python {minor}: no {minor}.x under {searched} and no python{minor} on PATH "
        f"(install it: pyenv install {minor})"
    )


# -- virtualenvs -------------------------------------------------------------------------------
class Log:
    """One job's log file; each command's output goes there, after the command line."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("", encoding="utf-8")

    def note(self, text: str) -> None:
        with self.path.open("a", encoding="utf-8") as out:
            out.write(text + "\n")

    def run(
        self,
        command: Sequence[str | Path],
        *,
        env: dict[str, str] | None = None,
        cwd: Path = REPO_ROOT,
        timeout: float = INSTALL_TIMEOUT,
    ) -> str:
        """Run `command`; its output is logged and returned; a failure raises."""
        words = [str(word) for word in command]
        self.note("$ " + " ".join(words))
        done = subprocess.run(
            words,
            cwd=cwd,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=timeout,
        )
        self.note(done.stdout)
        if done.returncode != 0:
            raise subprocess.CalledProcessError(done.returncode, words, done.stdout)
        return done.stdout


def tail(path: Path, lines: int = 60) -> str:
    return "\n".join(path.read_text(encoding="utf-8").splitlines()[-lines:])


def cache_key(*parts: str) -> str:
    digest = hashlib.sha256()
    for name in ("constraints.txt", "pyproject.toml"):
        digest.update((REPO_ROOT / name).read_bytes())
    for part in parts:
        digest.update(part.encode())
    return digest.hexdigest()[:12]


def python_version(python: Path) -> str:
    return subprocess.run(
        [str(python), "-c", "import platform; print(platform.python_version())"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def venv_python(venv: Path) -> Path:
    return venv / "bin" / "python"


def cached_venv(
    name: str, base_python: Path, key: str, install: Callable[[Path], None], log: Log
) -> tuple[Path, bool]:
    """The virtualenv `name` for `key`, made and filled by `install` unless already there."""
    venv = BUILD / "venvs" / f"{name}-{key}"
    if (venv / ".ready").exists():
        log.note(f"cached: {venv}")
        return venv, True
    for stale in (BUILD / "venvs").glob(f"{name}-*"):
        shutil.rmtree(stale, ignore_errors=True)
    log.run([base_python, "-m", "venv", venv])
    # The pip a venv starts with can be years old (23.0 on 3.10) and resolve worse.
    log.run([venv_python(venv), *PIP, "install", "--upgrade", "pip"])
    install(venv_python(venv))
    (venv / ".ready").touch()
    return venv, False


def constraints_without(names: set[str], path: Path) -> Path:
    """constraints.txt without the pins of `names` (what a different SDK brings along)."""
    kept = []
    for line in (REPO_ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#") and normalize(line.split("==")[0]) in names:
            continue
        kept.append(line)
    path.write_text("\n".join(kept) + "\n", encoding="utf-8")
    return path


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def installed_names(python: Path) -> set[str]:
    frozen = subprocess.run(
        [str(python), *PIP, "freeze", "--all"], capture_output=True, text=True, check=True
    ).stdout
    return {normalize(re.split(r"[=@ ]", line, maxsplit=1)[0]) for line in frozen.splitlines()}


def install_editable(python: Path, log: Log, *extra: str | Path) -> None:
    with _editable_install_lock:
        log.run([python, *PIP, "install", *extra, "-e", ".[dev]"])


def env_for(venv: Path) -> dict[str, str]:
    """This process's environment (scripts/env.sh), with `venv` in place of the repo's .venv."""
    env = dict(os.environ)
    repo_venv = str(REPO_ROOT / ".venv")
    path = [p for p in env.get("PATH", "").split(os.pathsep) if not p.startswith(repo_venv)]
    env["PATH"] = os.pathsep.join([str(venv / "bin"), *path])
    env["VIRTUAL_ENV"] = str(venv)
    env["PULUMI_PYTHON_CMD"] = str(venv_python(venv))
    return env


def pytest(venv: Path, paths: Sequence[str], log: Log) -> str:
    output = log.run(
        [venv_python(venv), "-m", "pytest", "-p", "no:cacheprovider", "-q", *paths],
        env=env_for(venv),
        timeout=TEST_TIMEOUT,
    )
    return summary_line(output)


def summary_line(output: str) -> str:
    lines = [line for line in output.splitlines() if re.search(r"\d+ (passed|failed)", line)]
    return lines[-1].strip("= ") if lines else ""


# -- the jobs ----------------------------------------------------------------------------------
def sdk_job(sdk: str, label: str) -> Callable[[Log], str]:
    def job(log: Log) -> str:
        base = Path(sys.executable)
        version = python_version(base)

        def install(python: Path) -> None:
            # The SDK first, with whatever it requires; then everything else at the pins.
            log.run([python, *PIP, "install", f"pulumi=={sdk}"])
            brought = installed_names(python)
            constraints = constraints_without(brought, python.parent.parent / "constraints.txt")
            install_editable(python, log, "-c", constraints, f"pulumi=={sdk}")

        venv, cached = cached_venv(
            f"pulumi-{sdk}", base, cache_key("sdk", sdk, version), install, log
        )
        result = pytest(venv, [*UNIT_AND_CONTRACT, *ONE_END_TO_END], log)
        return f"pulumi {sdk} ({label}), Python {version}{' (cached)' if cached else ''}: {result}"

    return job


def python_job(minor: str) -> Callable[[Log], str]:
    def job(log: Log) -> str:
        base = pyenv_python(minor)
        version = python_version(base)

        def install(python: Path) -> None:
            install_editable(python, log, "-c", REPO_ROOT / "constraints.txt")

        venv, cached = cached_venv(
            f"python-{minor}", base, cache_key("python", version), install, log
        )
        result = pytest(venv, UNIT_AND_CONTRACT, log)
        return f"Python {version}{' (cached)' if cached else ''}: {result}"

    return job


def pulumi_bin_dir() -> Path:
    configured = os.environ.get("PULUMI_LD_PULUMI_BIN")
    if configured:
        return Path(configured)
    out = subprocess.run(
        [str(REPO_ROOT / "scripts" / "install-pulumi")], capture_output=True, text=True, check=True
    ).stdout
    return Path(out.strip().splitlines()[-1])


def listening_url(emulator: subprocess.Popen[bytes], log_path: Path, wait: float = 60) -> str:
    """The URL the emulator prints once it listens."""
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        found = re.search(r"listening on (http://[0-9.:]+)", log_path.read_text(encoding="utf-8"))
        if found:
            return found.group(1)
        if emulator.poll() is not None:
            break
        time.sleep(0.1)
    raise AssertionError(f"the emulator did not start: {log_path.read_text(encoding='utf-8')!r}")


QUICKSTART_PROJECT = """\
name: quickstart-from-wheel
runtime:
  name: python
  options:
    virtualenv: venv
"""


def wheel_job(sdk: str) -> Callable[[Log], str]:
    def job(log: Log) -> str:
        work = BUILD / "wheel"
        shutil.rmtree(work, ignore_errors=True)
        dist = work / "dist"
        log.run([sys.executable, "-m", "build", "--outdir", dist, REPO_ROOT])
        wheels, sdists = sorted(dist.glob("*.whl")), sorted(dist.glob("*.tar.gz"))
        if len(wheels) != 1 or len(sdists) != 1:
            raise AssertionError(f"expected one wheel and one sdist in {dist}")
        log.run([sys.executable, "-m", "twine", "check", "--strict", wheels[0], sdists[0]])

        # A user's project: its own virtualenv with the wheel and the newest SDK, no checkout.
        project = work / "quickstart"
        project.mkdir(parents=True)
        shutil.copy(REPO_ROOT / "examples" / "quickstart" / "__main__.py", project)
        (project / "Pulumi.yaml").write_text(QUICKSTART_PROJECT, encoding="utf-8")
        venv = project / "venv"
        log.run([sys.executable, "-m", "venv", venv])
        python = venv_python(venv)
        log.run([python, *PIP, "install", f"{wheels[0]}[emulator]", f"pulumi=={sdk}"])
        where = log.run([python, "-c", "import pulumi_launchdarkly_links as p; print(p.__file__)"])
        if not Path(where.strip()).is_relative_to(venv):
            raise AssertionError(f"the package came from {where.strip()}, not the wheel")

        bin_dir = pulumi_bin_dir()
        outside_repo = [
            p
            for p in os.environ.get("PATH", "").split(os.pathsep)
            if p and not Path(p).resolve().is_relative_to(REPO_ROOT)
        ]
        env = {
            "HOME": os.environ.get("HOME", str(work)),
            "PATH": os.pathsep.join([str(bin_dir), *outside_repo]),
            "PULUMI_HOME": str(work / "pulumi-home"),
            "PULUMI_BACKEND_URL": f"file://{work / 'state'}",
            "PULUMI_CONFIG_PASSPHRASE": "wheel-check",
            "PULUMI_SKIP_UPDATE_CHECK": "true",
            "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
            # README: the CLI scripts/install-pulumi builds ignores `virtualenv` for the program.
            "PULUMI_PYTHON_CMD": str(python),
        }
        (work / "state").mkdir()
        token = "wheel-check-" + hashlib.sha256(str(time.time()).encode()).hexdigest()[:12]
        emulator_log = work / "emulator.log"
        with emulator_log.open("w") as out:
            emulator = subprocess.Popen(
                [str(python), "-m", "pulumi_launchdarkly_links.emulator", "--port", "0"]
                + ["--seed", "demo", "--token", token],
                cwd=work,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        try:
            url = listening_url(emulator, emulator_log)

            def pulumi(*args: str) -> str:
                return log.run([bin_dir / "pulumi", *args], env=env, cwd=project)

            pulumi("stack", "init", "wheel", "--non-interactive")
            pulumi("config", "set", "launchdarkly:apiHost", url)
            pulumi("config", "set", "--secret", "launchdarkly:accessToken", token)
            pulumi("up", "--yes", "--non-interactive")
            pulumi("preview", "--non-interactive", "--expect-no-changes")
            flags = pulumi("stack", "output", "flags_linked").strip()
            if flags != "2":
                raise AssertionError(f"flags_linked is {flags!r}, not 2")
        finally:
            emulator.terminate()
            emulator.wait(timeout=30)
        sizes = ", ".join(f"{p.name} {p.stat().st_size // 1024} KB" for p in (*wheels, *sdists))
        return f"{sizes}; twine check passed; quickstart up + no-change preview, pulumi {sdk}"

    return job


# -- running them ------------------------------------------------------------------------------
def run_job(name: str, job: Callable[[Log], str] | Unavailable) -> Outcome:
    log = Log(BUILD / "logs" / f"{name}.log")
    started = time.monotonic()
    try:
        if isinstance(job, Unavailable):
            raise job
        detail, status = job(log), "passed"
    except Unavailable as missing:
        status = "failed" if IN_CI else "skipped"
        detail = f"{missing}" + (" (CI=true: a failure)" if IN_CI else "")
        log.note(detail)
    except subprocess.TimeoutExpired as error:
        status, detail = "failed", f"timed out after {error.timeout:.0f} s: {error.cmd}"
    except (subprocess.CalledProcessError, AssertionError, OSError) as error:
        status = "failed"
        detail = (
            summary_line(error.output or "")
            if isinstance(error, subprocess.CalledProcessError)
            else ""
        ) or str(error)
    return Outcome(name, status, time.monotonic() - started, detail, log.path)


def main() -> int:
    BUILD.mkdir(parents=True, exist_ok=True)
    lowest = lowest_pulumi()
    newest: str | Unavailable
    try:
        newest = newest_pulumi()
    except Unavailable as missing:
        newest = missing
    jobs: dict[str, Callable[[Log], str] | Unavailable] = {
        f"pulumi-{lowest}": sdk_job(lowest, "lowest supported"),
    }
    if isinstance(newest, Unavailable):
        jobs["pulumi-newest"] = newest
        jobs["wheel"] = newest
    else:
        jobs[f"pulumi-{newest}"] = sdk_job(newest, "newest on the index")
        jobs["wheel"] = wheel_job(newest)
    for minor in PYTHONS:
        jobs[f"python-{minor}"] = python_job(minor)

    parallel = int(os.environ.get("COMPAT_JOBS") or 3)
    print(f"compat: {len(jobs)} jobs, {parallel} at a time; logs in {BUILD / 'logs'}", flush=True)
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=parallel) as pool:
        outcomes = list(pool.map(lambda item: run_job(*item), jobs.items()))
    for outcome in outcomes:
        print(f"  {outcome.status:7} {outcome.name:16} {outcome.seconds:5.0f} s  {outcome.detail}")
    for outcome in outcomes:
        if outcome.status == "failed":
            print(f"\n== {outcome.name} failed; the end of {outcome.log}:")
            print(tail(outcome.log))
        elif outcome.status == "skipped":
            print(f"\n!! {outcome.name} SKIPPED: {outcome.detail}. CI (CI=true) fails here.")
    print(f"compat: {time.monotonic() - started:.0f} s", flush=True)
    return 1 if any(outcome.status == "failed" for outcome in outcomes) else 0


if __name__ == "__main__":
    raise SystemExit(main())
