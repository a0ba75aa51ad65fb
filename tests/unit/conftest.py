"""Fixtures shared by unit tests that register resources with Pulumi's mocks."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pulumi
import pytest


@pytest.fixture
def event_loop_for_pulumi() -> Iterator[asyncio.AbstractEventLoop]:
    """Resource registration needs a current loop; earlier tests may have left none."""
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    yield loop
    # The mocked registrations never ran: there is no program to wait for them.
    for task in asyncio.all_tasks(loop):
        task.cancel()
    loop.run_until_complete(asyncio.sleep(0))
    asyncio.set_event_loop(None)
    loop.close()
    pulumi.runtime.settings.reset_options()  # no mocks left behind for later tests
