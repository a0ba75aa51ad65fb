"""Fixtures for the end-to-end tests: one emulator per session, reset per test; fresh stacks."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from pulumi_launchdarkly_links.emulator import EmulatorAdmin, EmulatorServer, EmulatorSettings

from .harness import Stack

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="session")
def emulator() -> Iterator[EmulatorServer]:
    with EmulatorServer(EmulatorSettings(port=0, seed="demo")) as server:
        yield server


@pytest.fixture
def admin(emulator: EmulatorServer) -> EmulatorAdmin:
    admin = EmulatorAdmin(emulator.url)
    admin.reset("demo")
    admin.set_knobs(**EmulatorSettings().knobs())  # no limits, latency or faults
    return admin


@pytest.fixture(scope="session")
def pulumi_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pulumi-home")


@pytest.fixture
def new_stack(
    tmp_path: Path, pulumi_home: Path, emulator: EmulatorServer, admin: EmulatorAdmin
) -> Callable[..., Stack]:
    created: list[Stack] = []

    def make(name: str = "e2e", **kwargs: object) -> Stack:
        stack = Stack(tmp_path / name, pulumi_home, emulator, name=name, **kwargs)  # type: ignore[arg-type]
        created.append(stack)
        return stack

    return make
