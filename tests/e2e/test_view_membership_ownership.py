"""A ViewMembership changes only what it owns, on every path (issue 9), through the real CLI.

Someone else's work is made with LaunchDarkly's own Python client, and every verdict is read
from the emulator: what is linked to the view after each step.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from pulumi import automation as auto

from pulumi_launchdarkly_links import SegmentRef, ViewMembership
from pulumi_launchdarkly_links.emulator import EmulatorServer
from pulumi_launchdarkly_links.emulator.seed import DEMO_PRODUCTION_ENV_ID

from .harness import Stack, linked
from .official_client import OfficialClient
from .rewriting_proxy import RewritingProxy

PROJECT = "default"
VIEW = "checkout"


def membership(**kwargs: Any) -> Callable[[], None]:
    def program() -> None:
        ViewMembership("checkout", project_key=PROJECT, view_key=VIEW, **kwargs)

    return program


def linked_flags(stack: Stack) -> set[Any]:
    return linked(stack.emulator, PROJECT, VIEW, "flags")


def outputs(stack: Stack) -> dict[str, Any]:
    (resource,) = stack.resources("ViewMembership")
    return dict(resource["outputs"])


def test_a_failed_create_leaves_members_others_linked(new_stack: Callable[..., Stack]) -> None:
    stack = new_stack().program(membership(flags=["dark-mode", "new-checkout", "no-such-flag"]))
    OfficialClient(stack.emulator).link_flags(PROJECT, VIEW, ["dark-mode"])
    with pytest.raises(auto.CommandError) as failure:
        stack.up()
    assert "flag 'no-such-flag'" in str(failure.value)
    assert "members that were linked before it are still linked" in str(failure.value)
    assert linked_flags(stack) == {"dark-mode"}
    assert stack.resources("ViewMembership") == []


def test_switching_to_exclusive_is_refused_at_preview_without_adopt(
    new_stack: Callable[..., Stack],
) -> None:
    stack = new_stack().program(membership(flags=["new-checkout"]))
    stack.up()
    OfficialClient(stack.emulator).link_flags(PROJECT, VIEW, ["dark-mode"])

    stack.program(membership(flags=["new-checkout"], exclusive=True))
    with pytest.raises(auto.CommandError) as preview:
        stack.preview()
    assert "does not list: 'dark-mode'" in str(preview.value)
    with pytest.raises(auto.CommandError):
        stack.up()
    assert linked_flags(stack) == {"new-checkout", "dark-mode"}

    stack.program(membership(flags=["new-checkout"], exclusive=True, adopt=True))
    stack.up()
    assert linked_flags(stack) == {"new-checkout"}


def test_a_type_newly_managed_under_exclusive_is_checked_first(
    new_stack: Callable[..., Stack],
) -> None:
    stack = new_stack().program(membership(flags=["new-checkout"], exclusive=True))
    stack.up()
    official = OfficialClient(stack.emulator)
    official.link_segments(PROJECT, VIEW, [(DEMO_PRODUCTION_ENV_ID, "beta-users")])

    mine = [SegmentRef(environment_key="production", segment_key="internal-staff")]
    stack.program(membership(flags=["new-checkout"], segments=mine, exclusive=True))
    with pytest.raises(auto.CommandError) as preview:
        stack.preview()
    assert "'beta-users'" in str(preview.value)
    with pytest.raises(auto.CommandError):
        stack.up()
    assert linked(stack.emulator, PROJECT, VIEW, "segments") == {
        (DEMO_PRODUCTION_ENV_ID, "beta-users")
    }

    stack.program(membership(flags=["new-checkout"], segments=mine, exclusive=True, adopt=True))
    stack.up()
    assert linked(stack.emulator, PROJECT, VIEW, "segments") == {
        (DEMO_PRODUCTION_ENV_ID, "internal-staff")
    }


def test_leaving_exclusive_after_a_refresh_keeps_what_others_linked(
    new_stack: Callable[..., Stack],
) -> None:
    stack = new_stack().program(membership(flags=["new-checkout", "pay-later"], exclusive=True))
    stack.up()
    OfficialClient(stack.emulator).link_flags(PROJECT, VIEW, ["dark-mode"])
    stack.refresh()
    assert outputs(stack)["linked_by_others"] == {"flags": ["dark-mode"]}

    stack.program(membership(flags=["new-checkout"]))
    stack.up()
    assert linked_flags(stack) == {"new-checkout", "dark-mode"}  # pay-later was declared
    assert outputs(stack)["flags"] == {"new-checkout": True}


def test_refresh_keeps_the_resource_when_one_type_cannot_be_read(
    new_stack: Callable[..., Stack],
) -> None:
    stack = new_stack().program(membership(flags=["new-checkout"], metrics=["checkout-conversion"]))
    stack.up()
    stack.admin.set_knobs(reject_resource_types=["metrics"])
    with pytest.raises(auto.CommandError) as failure:
        stack.refresh()
    assert "may not support linking metrics" in str(failure.value)
    assert outputs(stack)["flags"] == {"new-checkout": True}
    assert linked_flags(stack) == {"new-checkout"}


def test_update_converges_past_a_member_deleted_in_launchdarkly(
    new_stack: Callable[..., Stack],
) -> None:
    stack = new_stack().program(membership(flags=["new-checkout", "pay-later"]))
    stack.up()
    OfficialClient(stack.emulator).delete_flag(PROJECT, "pay-later")

    stack.program(membership(flags=["new-checkout", "dark-mode"]))
    stack.up()
    assert linked_flags(stack) == {"new-checkout", "dark-mode"}
    assert outputs(stack)["flags"] == {"dark-mode": True, "new-checkout": True}
    assert any("skipped unlinking flag 'pay-later'" in line for line in stack.output)
    assert stack.preview().change_summary == {"same": 2}


def without_environment_ids(path: str, body: Any) -> Any:
    """LaunchDarkly may leave out `environmentId` (optional in the spec) of a linked segment:
    here, of the one someone else linked."""
    if path.endswith("/linked/segments"):
        for item in body["items"]:
            if item["resourceKey"] == "internal-staff":
                item.pop("environmentId", None)
    return body


def test_exclusive_refresh_of_segments_without_environment_id(
    new_stack: Callable[..., Stack], emulator: EmulatorServer
) -> None:
    mine = [SegmentRef(environment_key="production", segment_key="beta-users")]
    with RewritingProxy(emulator.url, without_environment_ids) as proxy:
        stack = new_stack(api_host=proxy.url).program(membership(segments=mine, exclusive=True))
        stack.up()
        OfficialClient(emulator).link_segments(
            PROJECT, VIEW, [(DEMO_PRODUCTION_ENV_ID, "internal-staff")]
        )
        stack.refresh()
        assert outputs(stack)["segments"] == {
            "production/beta-users": DEMO_PRODUCTION_ENV_ID,
            "production/internal-staff": DEMO_PRODUCTION_ENV_ID,
        }
        stack.up()
    assert linked(emulator, PROJECT, VIEW, "segments") == {(DEMO_PRODUCTION_ENV_ID, "beta-users")}
