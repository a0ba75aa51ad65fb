"""Fixtures: a running emulator per test whose every /api/ exchange is checked against the spec."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from pulumi_launchdarkly_links.emulator import EmulatorAdmin, EmulatorServer, EmulatorSettings
from pulumi_launchdarkly_links.emulator.runtime import Exchange

from .emulator_spec_check import check_exchange, load_openapi

BETA = {"LD-API-Version": "beta"}


class SpecLog:
    """Collects exchanges from the emulator hook; validated when the test finishes."""

    def __init__(self) -> None:
        self.exchanges: list[Exchange] = []
        self.deviations: dict[str, int] = {}
        self._lock = threading.Lock()

    def __call__(self, exchange: Exchange) -> None:
        with self._lock:
            self.exchanges.append(exchange)

    def check(self) -> list[str]:
        problems: list[str] = []
        for ex in list(self.exchanges):
            found, deviation = check_exchange(ex)
            problems.extend(str(p) for p in found)
            if deviation:
                self.deviations[deviation] = self.deviations.get(deviation, 0) + 1
        return problems


@pytest.fixture(scope="session")
def openapi() -> Any:
    return load_openapi()


@pytest.fixture
def spec_log(openapi: Any) -> SpecLog:
    return SpecLog()


def start_emulator(spec_log: SpecLog, **overrides: Any) -> EmulatorServer:
    server = EmulatorServer(EmulatorSettings(**overrides))
    server.runtime.exchange_hooks.append(spec_log)
    return server.start()


@pytest.fixture
def emulator_factory(spec_log: SpecLog) -> Iterator[Any]:
    """Start emulators with custom settings; all are stopped and spec-checked at teardown."""
    started: list[EmulatorServer] = []

    def make(**overrides: Any) -> EmulatorServer:
        server = start_emulator(spec_log, **overrides)
        started.append(server)
        return server

    yield make
    for server in started:
        server.stop()
    problems = spec_log.check()
    assert not problems, "spec violations:\n" + "\n".join(problems)


@pytest.fixture
def emulator(emulator_factory: Any) -> EmulatorServer:
    """A running emulator with the demo seed (fresh per test)."""
    return emulator_factory()  # type: ignore[no-any-return]


@pytest.fixture
def admin(emulator: EmulatorServer) -> EmulatorAdmin:
    return EmulatorAdmin(emulator.url)


@pytest.fixture
def api(emulator: EmulatorServer) -> Iterator[httpx.Client]:
    """Raw httpx client with the token (no beta header: add BETA per call where needed)."""
    with httpx.Client(
        base_url=emulator.url, headers={"Authorization": emulator.token}, timeout=10
    ) as client:
        yield client
