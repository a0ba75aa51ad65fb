"""Membership by filter (issue 11): declarative, drift seen by refresh, ownership kept.

The demo seed tags new-checkout and pay-later `checkout`, new-checkout and dark-mode `web`,
and beta-users (both environments) `beta`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from pulumi import automation as auto

from pulumi_launchdarkly_links import ViewMembership
from pulumi_launchdarkly_links.emulator.seed import DEMO_PRODUCTION_ENV_ID

from .harness import Stack, emulator_api, linked
from .official_client import OfficialClient

PROJECT = "default"
VIEW = "checkout"


def membership(**kwargs: Any) -> Callable[[], None]:
    def program() -> None:
        ViewMembership("checkout", project_key=PROJECT, view_key=VIEW, **kwargs)

    return program


def outputs(stack: Stack) -> dict[str, Any]:
    (resource,) = stack.resources("ViewMembership")
    return dict(resource["outputs"])


def diff_lines(stack: Stack) -> list[str]:
    stack.output.clear()
    stack.preview(diff=True)
    lines = [" ".join(line.split()) for line in stack.output]
    return [line.replace(" :", ":") for line in lines if line.startswith(("+ ", "- ", "~ "))]


def test_a_flag_filter_beside_keys_links_matches_and_refresh_finds_new_ones(
    new_stack: Callable[..., Stack],
) -> None:
    stack = new_stack().program(membership(flags=["search-v2"], flag_filter="tags:checkout"))
    stack.up()
    assert linked(stack.emulator, PROJECT, VIEW, "flags") == {
        "search-v2",
        "new-checkout",
        "pay-later",
    }
    assert outputs(stack)["flag_filter_linked"] == ["new-checkout", "pay-later"]
    assert stack.preview().change_summary == {"same": 2}  # no request, no change

    with emulator_api(stack.emulator) as api:  # a new flag that matches appears
        api.post(
            f"/api/v2/flags/{PROJECT}",
            json={"key": "express-pay", "name": "Express pay", "tags": ["checkout"]},
        ).raise_for_status()
    stack.refresh()
    assert outputs(stack)["flag_filter_matches"]["express-pay"] == "not linked"
    assert '~ express-pay: "not linked" => "linked"' in diff_lines(stack)

    stack.up()
    assert "express-pay" in linked(stack.emulator, PROJECT, VIEW, "flags")
    stack.refresh()
    assert diff_lines(stack) == []


def test_a_match_someone_else_linked_stays_theirs_when_it_stops_matching(
    new_stack: Callable[..., Stack],
) -> None:
    stack = new_stack().program(membership(flag_filter="tags:checkout"))
    OfficialClient(stack.emulator).link_flags(PROJECT, VIEW, ["pay-later"])
    stack.up()
    assert outputs(stack)["flag_filter_linked"] == ["new-checkout"]

    stack.program(membership(flag_filter="tags:web"))  # pay-later and new-checkout... web
    stack.up()
    # new-checkout still matches; dark-mode is new; pay-later was never this resource's.
    assert linked(stack.emulator, PROJECT, VIEW, "flags") == {
        "new-checkout",
        "dark-mode",
        "pay-later",
    }
    stack.destroy()
    assert linked(stack.emulator, PROJECT, VIEW, "flags") == {"pay-later"}


def test_a_segment_filter_links_one_environments_matches(new_stack: Callable[..., Stack]) -> None:
    stack = new_stack().program(
        membership(
            segment_filter='tags anyOf ["beta"]', segment_filter_environment_key="production"
        )
    )
    stack.up()
    assert linked(stack.emulator, PROJECT, VIEW, "segments") == {
        (DEMO_PRODUCTION_ENV_ID, "beta-users")
    }
    assert outputs(stack)["segment_filter_environment_id"] == DEMO_PRODUCTION_ENV_ID


def test_a_filter_launchdarkly_refuses_fails_the_preview_naming_it(
    new_stack: Callable[..., Stack],
) -> None:
    stack = new_stack().program(membership(flag_filter="colour:blue"))
    with pytest.raises(auto.CommandError) as failure:
        stack.preview()
    assert "flag_filter 'colour:blue' was refused by LaunchDarkly" in str(failure.value)
    assert linked(stack.emulator, PROJECT, VIEW, "flags") == set()
