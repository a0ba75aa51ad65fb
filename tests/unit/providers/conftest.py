"""The `mocks` fixture: a program run against RecordingMocks, nothing left behind."""

from __future__ import annotations

from collections.abc import Iterator

import pulumi
import pytest

from pulumi_launchdarkly_links.providers.deployment_declarations import start_new_deployment

from .recording_mocks import RecordingMocks


@pytest.fixture(autouse=True)
def one_deployment_per_test() -> None:
    """Each test is a deployment of its own: no test's checks declare another test's members."""
    start_new_deployment()


@pytest.fixture
def mocks(event_loop_for_pulumi: object) -> Iterator[RecordingMocks]:
    mocks = RecordingMocks()
    pulumi.runtime.set_mocks(mocks, project="claims", stack="test", preview=True)
    yield mocks
    pulumi.runtime.settings.reset_options()  # no mocks (or root stack) left for later tests
