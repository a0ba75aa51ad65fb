"""A Python program in the standard layout (`runtime.options.virtualenv: venv`, no
`PULUMI_PYTHON_CMD`) runs the dynamic providers with the modern language host.

The v3.78.1 host that the CLI build falls back to never receives the `virtualenv` option (README,
"Use it in your own Pulumi project"); with the hosts that scripts/install-pulumi builds from
../shared/toolchain it works, so this test proves the README's promise for that CLI. The
program's `venv` is a real virtualenv of its own; the packages come into it through a `.pth`
that adds this checkout's environment, so the test needs no download. The `python3` on PATH is
not the one with `pulumi` installed, so a host that ignored `virtualenv` would fail the run.
"""

from __future__ import annotations

import os
import site
import subprocess
import sys
import textwrap
from pathlib import Path

from pulumi_launchdarkly_links.emulator import EmulatorAdmin, EmulatorServer

from .harness import linked
from .plugin_project import require_language_host

PROGRAM = """
import sys

from pulumi_launchdarkly_links import ViewMembership

ViewMembership("checkout", project_key="default", view_key="checkout", flags=["new-checkout"])
# Which interpreter ran the program: the test checks it is the project's venv.
with open("interpreter.txt", "w") as out:
    out.write(sys.prefix)
"""


def make_program_venv(work_dir: Path) -> Path:
    venv = work_dir / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    site_packages = next(venv.glob("lib/python*/site-packages"))
    # `import site; site.addsitedir(...)` also processes that directory's own .pth files (the
    # editable install of this package is one).
    lines = [f"import site; site.addsitedir({path!r})" for path in site.getsitepackages()]
    (site_packages / "checkout-environment.pth").write_text("\n".join(lines) + "\n")
    return venv


def test_virtualenv_option_runs_the_program_in_its_venv(
    tmp_path: Path, emulator: EmulatorServer
) -> None:
    bin_dir = require_language_host("python")
    EmulatorAdmin(emulator.url).reset(seed="demo")
    (tmp_path / "state").mkdir()
    (tmp_path / "Pulumi.yaml").write_text(
        "name: standard-venv\n"
        "runtime:\n  name: python\n  options:\n    virtualenv: venv\n"
        f"backend:\n  url: file://{tmp_path}/state\n"
    )
    (tmp_path / "__main__.py").write_text(textwrap.dedent(PROGRAM))
    venv = make_program_venv(tmp_path)
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("PULUMI_PYTHON_CMD", "VIRTUAL_ENV", "PYTHONPATH")
    }
    # Nothing of this checkout's environment on PATH: only the CLI and the system's tools.
    system_path = [
        entry
        for entry in env.get("PATH", "").split(os.pathsep)
        if not entry.startswith(str(Path(sys.prefix)))
    ]
    env.update(
        PATH=os.pathsep.join([str(bin_dir), *system_path]),
        PULUMI_HOME=str(tmp_path / "home"),
        PULUMI_CONFIG_PASSPHRASE="e2e-passphrase",
        PULUMI_SKIP_UPDATE_CHECK="true",
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION="true",
    )

    def pulumi(*args: str) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            ["pulumi", *args, "--non-interactive"],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert result.returncode == 0, f"pulumi {' '.join(args)}:\n{result.stdout}\n{result.stderr}"
        return result

    pulumi("stack", "init", "dev")
    pulumi("config", "set", "launchdarkly:apiHost", emulator.url)
    pulumi("config", "set", "--secret", "launchdarkly:accessToken", emulator.token)
    pulumi("up", "--yes", "--skip-preview")

    assert Path((tmp_path / "interpreter.txt").read_text()).resolve() == venv.resolve()
    assert "new-checkout" in linked(emulator, "default", "checkout", "flags")
    pulumi("destroy", "--yes", "--skip-preview")
    assert "new-checkout" not in linked(emulator, "default", "checkout", "flags")
