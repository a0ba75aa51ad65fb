"""Answers LaunchDarkly would never give: refresh and up fail clearly and leave the state alone.

Resources are created against the emulator; then `launchdarkly:apiHost` points at a server that
answers every request badly (see `bad_server.py`), and `pulumi refresh` and a `pulumi up` with a
change must each fail with a message naming the request and what was wrong with the answer,
without a Python traceback, and with every resource's state exactly as before.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from pulumi import automation as auto

from pulumi_launchdarkly_links import FlagLink, SegmentRef, ViewMembership

from .bad_input_support import TRACEBACK, diagnostics
from .bad_server import BadServer
from .harness import Stack

PROJECT, VIEW, FLAG = "default", "checkout", "new-checkout"
TICKET = "https://jira.example.com/browse/CHK-1"
LINKED_FLAGS = f"GET /api/v2/projects/{PROJECT}/views/{VIEW}/linked/flags"
FLAG_LINKS = f"GET /api/v2/flag-links/projects/{PROJECT}/flags/{FLAG}"
PATCH_LINK = f"PATCH /api/v2/flag-links/projects/{PROJECT}/flags/{FLAG}/"


def program(flags: list[str], title: str) -> Callable[[], None]:
    def run() -> None:
        ViewMembership(
            "checkout",
            project_key=PROJECT,
            view_key=VIEW,
            flags=flags,
            segments=[SegmentRef(segment_key="beta-users", environment_key="production")],
        )
        FlagLink("chk-1-ticket", project_key=PROJECT, flag_key=FLAG, deep_link=TICKET, title=title)

    return run


def snapshot(stack: Stack) -> dict[str, Any]:
    """What the state holds for each dynamic resource."""
    return {
        resource["urn"]: (resource["id"], resource["inputs"], resource["outputs"])
        for resource in stack.resources()
    }


# Per behaviour: what the refresh error and the update error must say ("METHOD path" first).
EXPECTED: dict[str, dict[str, tuple[str, ...]]] = {
    "malformed_json": {
        "refresh": (
            LINKED_FLAGS,
            FLAG_LINKS,
            "returned 200 with an unusable response: the body is not valid JSON (application/json)",
        ),
        # An update reads the view's members first, so that read is what fails.
        "up": (LINKED_FLAGS, PATCH_LINK, "the body is not valid JSON (application/json)"),
    },
    "html_error_page": {
        "refresh": (LINKED_FLAGS, FLAG_LINKS, "404", "non-JSON response (text/html)"),
        "up": (LINKED_FLAGS, PATCH_LINK, "404", "non-JSON response (text/html)"),
    },
    "unexpected_shape": {
        "refresh": (
            LINKED_FLAGS,
            FLAG_LINKS,
            "returned 200 with an unusable response: not a LinkedPage",
            "not a FlagLinkCollection",
            """Response body: '{"foo":1}'""",
        ),
        "up": (LINKED_FLAGS, PATCH_LINK, "not a LinkedPage", "not a FlagLink:"),
    },
    "empty_500": {
        "refresh": (LINKED_FLAGS, FLAG_LINKS, "500: (empty response body)"),
        "up": (LINKED_FLAGS, PATCH_LINK, "500: (empty response body)"),
    },
}


def failure_text(run: Callable[[], Any]) -> str:
    with pytest.raises(auto.CommandError) as failure:
        run()
    assert TRACEBACK not in str(failure.value)
    return diagnostics(failure.value)


@pytest.mark.parametrize("behaviour", sorted(EXPECTED))
def test_bad_answers_fail_clearly_and_keep_the_state(
    new_stack: Callable[..., Stack], behaviour: str
) -> None:
    stack = new_stack().program(program([FLAG], "CHK-1"))
    stack.up()
    before = snapshot(stack)
    assert len(before) == 2

    with BadServer(behaviour) as bad:
        stack.stack.set_config("launchdarkly:apiHost", auto.ConfigValue(bad.url))
        stack.admin.reset_stats()

        # A plain refresh configures the provider from the state (the old apiHost);
        # --run-program reads the stack's current config, as `up` does.
        shown = failure_text(lambda: stack.refresh(run_program=True))
        for text in EXPECTED[behaviour]["refresh"]:
            assert text in shown, f"{text!r} not in:\n{shown}"
        assert snapshot(stack) == before

        stack.program(program([FLAG, "pay-later"], "CHK-1 (phase 2)"))
        shown = failure_text(stack.up)
        for text in EXPECTED[behaviour]["up"]:
            assert text in shown, f"{text!r} not in:\n{shown}"
        assert snapshot(stack) == before

    assert bad.requests, "the provider never asked the bad server"
    assert stack.admin.stats()["total"] == 0  # nothing went to the emulator meanwhile
    assert TRACEBACK not in "\n".join(stack.output)
