"""A failing `pulumi up` shows the provider's error as one line under the resource, with any SDK.

pulumi 3.260 and later send a Python traceback as a provider's error (`quiet_provider_errors` in
providers/_session.py): this is the end-to-end check that scripts/compat runs against the lowest
and the newest supported SDK.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from pulumi import automation as auto

from pulumi_launchdarkly_links import ViewMembership

from .bad_input_support import TRACEBACK, diagnostics
from .harness import Stack

MESSAGE = (
    "view 'no-such-view' was not found in project 'default'; "
    "create the view first or fix project_key/view_key"
)
# What gRPC itself prefixes to an error with pulumi <= 3.259.
GRPC_PREFIX = "Exception calling application: "


def resource_errors(shown: str, resource: str) -> list[str]:
    """The lines under `resource`'s heading in the Diagnostics section, up to the blank line."""
    lines = shown.splitlines()
    (start,) = [i for i, line in enumerate(lines) if line.strip().endswith(f"({resource}):")]
    block = []
    for line in lines[start + 1 :]:
        if not line.strip():
            break
        block.append(line.strip())
    return block


def test_a_failing_up_shows_the_error_as_one_line(new_stack: Callable[..., Stack]) -> None:
    def program() -> None:
        ViewMembership(
            "missing-view", project_key="default", view_key="no-such-view", flags=["new-checkout"]
        )

    stack = new_stack().program(program)
    with pytest.raises(auto.CommandError) as failure:
        stack.up()
    shown = diagnostics(failure.value)
    block = resource_errors(shown, "missing-view")
    assert len(block) == 1, f"not one line:\n{shown}"
    assert block[0].removeprefix("error: ").removeprefix(GRPC_PREFIX) == MESSAGE, shown
    assert TRACEBACK not in str(failure.value)
    assert TRACEBACK not in "\n".join(stack.output)
