"""Fixtures for the API client tests (test doubles live in ld_api_fakes.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from pulumi_launchdarkly_links.api import LaunchDarklyClient

from .ld_api_fakes import (
    BASE_URL,
    TOKEN,
    ClientFactory,
    FakeClock,
    FixedRandom,
    Handler,
    RecordingSleep,
)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sleep(clock: FakeClock) -> RecordingSleep:
    return RecordingSleep(clock)


@pytest.fixture
def make_client(clock: FakeClock, sleep: RecordingSleep) -> Iterator[ClientFactory]:
    clients: list[LaunchDarklyClient] = []

    def factory(handler: Handler, **overrides: Any) -> LaunchDarklyClient:
        options: dict[str, Any] = {
            "access_token": TOKEN,
            "base_url": BASE_URL,
            "transport": httpx.MockTransport(handler),
            "sleep": sleep,
            "clock": clock,
            "rng": FixedRandom(),
        }
        options.update(overrides)
        client = LaunchDarklyClient(**options)
        clients.append(client)
        return client

    yield factory
    for client in clients:
        client.close()
