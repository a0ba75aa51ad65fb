"""The version lives in one place, and the pins of this repository agree with its ranges."""

from __future__ import annotations

import re
from importlib.metadata import requires, version
from pathlib import Path

from packaging.requirements import Requirement

import pulumi_launchdarkly_links

REPO_ROOT = Path(__file__).resolve().parents[2]
DISTRIBUTION = "pulumi-launchdarkly-links"


def pyproject_field(name: str) -> str:
    text = (REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8")
    match = re.search(rf'^{name} = "([^"]+)"', text, flags=re.MULTILINE)
    assert match is not None, name
    return match.group(1)


def pins() -> dict[str, str]:
    """constraints.txt as {normalized name: exact version} for the Python running the tests."""
    found = {}
    for line in (REPO_ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            requirement = Requirement(line)
            (spec,) = requirement.specifier
            assert spec.operator == "==", f"not an exact pin: {line!r}"
            if requirement.marker is None or requirement.marker.evaluate():
                found[re.sub(r"[-_.]+", "-", requirement.name).lower()] = spec.version
    return found


def declared(name: str) -> Requirement:
    """The installed package's requirement on `name` (no extra)."""
    for text in requires(DISTRIBUTION) or []:
        requirement = Requirement(text)
        if requirement.name == name and requirement.marker is None:
            return requirement
    raise AssertionError(f"{DISTRIBUTION} does not require {name}")


def test_version_comes_from_pyproject() -> None:
    assert pulumi_launchdarkly_links.__version__ == pyproject_field("version")
    assert pulumi_launchdarkly_links.__version__ == version(DISTRIBUTION)


def test_pulumi_is_a_range_below_the_next_major_and_the_pin_is_inside_it() -> None:
    requirement = declared("pulumi")
    assert not any(spec.operator == "==" for spec in requirement.specifier)
    assert "<4" in {str(spec) for spec in requirement.specifier}
    assert pins()["pulumi"] in requirement.specifier


def test_the_pulumi_pin_is_the_cli_that_scripts_install_pulumi_builds() -> None:
    script = (REPO_ROOT / "scripts" / "install-pulumi").read_text(encoding="utf-8")
    match = re.search(r'^PULUMI_VERSION="\$\{PULUMI_VERSION:-([0-9.]+)\}"', script, re.MULTILINE)
    assert match is not None
    assert pins()["pulumi"] == match.group(1)


def test_every_runtime_dependency_is_a_bounded_range() -> None:
    for text in requires(DISTRIBUTION) or []:
        requirement = Requirement(text)
        if requirement.name == DISTRIBUTION:
            continue  # the dev extra naming the emulator extra
        operators = {spec.operator for spec in requirement.specifier}
        assert "==" not in operators, text
        assert {"<", ">="} <= operators, f"{text}: give a lowest version and the next major"
