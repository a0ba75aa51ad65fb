"""scripts/compat's choices: which SDKs, which Pythons, and what a missing one means in CI."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.compat import run


def test_the_lowest_sdk_is_pyprojects_lower_bound() -> None:
    text = (run.REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert f'"pulumi>={run.lowest_pulumi()},<4"' in text


def test_a_python_pyenv_lacks_is_unavailable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYENV_ROOT", str(tmp_path))
    monkeypatch.setenv("PATH", str(tmp_path))  # no pyenv, no python3.99
    with pytest.raises(run.Unavailable, match=r"no Python 3\.99.*pyenv install 3\.99"):
        run.pyenv_python("3.99")


def test_pyenv_gives_the_newest_patch_release(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for version in ("3.10.2", "3.10.13", "3.10.9", "3.100.1"):
        python = tmp_path / "versions" / version / "bin" / "python3.10"
        python.parent.mkdir(parents=True)
        python.touch()
    monkeypatch.setenv("PYENV_ROOT", str(tmp_path))
    monkeypatch.setenv("PATH", str(tmp_path))
    assert run.pyenv_python("3.10").parts[-3] == "3.10.13"


@pytest.mark.parametrize(("in_ci", "status"), [(True, "failed"), (False, "skipped")])
def test_something_missing_fails_in_ci_and_is_skipped_elsewhere(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, in_ci: bool, status: str
) -> None:
    monkeypatch.setattr(run, "IN_CI", in_ci)
    monkeypatch.setattr(run, "BUILD", tmp_path)
    outcome = run.run_job("python-3.99", run.Unavailable("no Python 3.99"))
    assert (outcome.status, outcome.detail.startswith("no Python 3.99")) == (status, True)


def test_an_sdk_job_drops_the_pins_of_what_its_sdk_brings(tmp_path: Path) -> None:
    kept = run.constraints_without({"pulumi", "protobuf", "hypothesis"}, tmp_path / "c.txt")
    lines = kept.read_text(encoding="utf-8").splitlines()
    names = {run.normalize(line.split("==")[0]) for line in lines if "==" in line}
    assert not names & {"pulumi", "protobuf", "hypothesis"}
    assert {"httpx", "pytest", "starlette"} <= names
