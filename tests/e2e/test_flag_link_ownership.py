"""What a FlagLink owns, through the real CLI: an apiHost with a path is refused at preview."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from pulumi import automation as auto

from pulumi_launchdarkly_links import FlagLink
from pulumi_launchdarkly_links.emulator import EmulatorServer

from .bad_input_support import TRACEBACK, diagnostics
from .harness import Stack

PROJECT, FLAG = "default", "new-checkout"
TICKET = "https://jira.example.com/browse/CHK-1"


def ticket() -> None:
    FlagLink("chk-1-ticket", project_key=PROJECT, flag_key=FLAG, deep_link=TICKET, title="CHK-1")


def failure_text(run: Callable[[], Any]) -> str:
    with pytest.raises(auto.CommandError) as failure:
        run()
    assert TRACEBACK not in str(failure.value)
    return diagnostics(failure.value)


@pytest.mark.parametrize("path", ["/api/v2", "/foo"])
def test_an_api_host_with_a_path_is_refused_at_preview(
    new_stack: Callable[..., Stack], emulator: EmulatorServer, path: str
) -> None:
    stack = new_stack(api_host=emulator.url + path).program(ticket)
    stack.admin.reset_stats()
    shown = failure_text(stack.preview)
    assert f"launchdarkly:apiHost='{stack.emulator.url}{path}'" in shown
    assert f"set the host only, without a path ('{path}')" in shown
    assert f"launchdarkly:apiHost='{stack.emulator.url}'" in shown
    assert stack.admin.stats()["total"] == 0
