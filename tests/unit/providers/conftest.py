"""The `mocks` fixture: a program run against RecordingMocks, nothing left behind."""

from __future__ import annotations

from collections.abc import Iterator

import pulumi
import pytest

from .recording_mocks import RecordingMocks


@pytest.fixture
def mocks(event_loop_for_pulumi: object) -> Iterator[RecordingMocks]:
    mocks = RecordingMocks()
    pulumi.runtime.set_mocks(mocks, project="claims", stack="test", preview=True)
    yield mocks
    pulumi.runtime.settings.reset_options()  # no mocks (or root stack) left for later tests
