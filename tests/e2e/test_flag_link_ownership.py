"""What a FlagLink owns, through the real CLI: a 404 that LaunchDarkly does not confirm never
drops it from the state, an apiHost with a path is refused at preview, and two FlagLinks of one
program cannot both claim one link."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from pulumi import automation as auto

from pulumi_launchdarkly_links import FlagLink
from pulumi_launchdarkly_links.emulator import EmulatorServer

from .bad_input_support import TRACEBACK, diagnostics
from .bad_server import BadServer
from .harness import Stack, flag_links

PROJECT, FLAG = "default", "new-checkout"
TICKET = "https://jira.example.com/browse/CHK-1"
FLAG_LINKS_PATH = f"/api/v2/flag-links/projects/{PROJECT}/flags/{FLAG}"


def ticket() -> None:
    FlagLink("chk-1-ticket", project_key=PROJECT, flag_key=FLAG, deep_link=TICKET, title="CHK-1")


def snapshot(stack: Stack) -> list[tuple[str, Any, Any]]:
    return [(r["id"], r["inputs"], r["outputs"]) for r in stack.resources("FlagLink")]


def failure_text(run: Callable[[], Any]) -> str:
    with pytest.raises(auto.CommandError) as failure:
        run()
    assert TRACEBACK not in str(failure.value)
    return diagnostics(failure.value)


def test_refresh_keeps_the_link_when_the_host_answers_every_route_with_a_coded_404(
    new_stack: Callable[..., Stack],
) -> None:
    stack = new_stack().program(ticket)
    stack.up()
    before = snapshot(stack)
    assert len(before) == 1

    with BadServer("coded_not_found") as bad:
        stack.stack.set_config("launchdarkly:apiHost", auto.ConfigValue(bad.url))
        # --run-program: the provider takes the stack's current config, as `up` does.
        shown = failure_text(lambda: stack.refresh(run_program=True))

    assert f"GET {bad.url}{FLAG_LINKS_PATH} answered 404 not_found" in shown
    assert "stays in the state" in shown
    assert snapshot(stack) == before
    assert f"GET {FLAG_LINKS_PATH}" in bad.requests
    assert len(flag_links(stack.emulator, PROJECT, FLAG)) == 1


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


def test_two_flag_links_claiming_one_link_fail_preview_naming_both(
    new_stack: Callable[..., Stack],
) -> None:
    def program() -> None:
        FlagLink("ticket", project_key=PROJECT, flag_key=FLAG, deep_link=TICKET, key="chk-1")
        FlagLink("runbook", project_key=PROJECT, flag_key=FLAG, deep_link=TICKET, key="chk-1")

    stack = new_stack().program(program)
    shown = failure_text(stack.preview)
    assert "FlagLink resources 'ticket' and 'runbook' declare the same link" in shown
    assert "key 'chk-1' on flag 'new-checkout' in project 'default'" in shown

    failure_text(stack.up)
    assert flag_links(stack.emulator, PROJECT, FLAG) == []
    assert stack.resources("FlagLink") == []
