"""ViewMembership settles and says what it means (issue 16, items 3, 4, 6, 7 and 9).

The demo seed tags new-checkout and pay-later `checkout`, new-checkout and dark-mode `web`,
and beta-users (both environments) `beta`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from pulumi import automation as auto

from pulumi_launchdarkly_links import ViewMembership

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


def linked_flags(stack: Stack) -> set[Any]:
    return linked(stack.emulator, PROJECT, VIEW, "flags")


# -- item 3: exclusive with a filter settles ---------------------------------------------------


def test_exclusive_with_filters_settles_after_refresh(new_stack: Callable[..., Stack]) -> None:
    stack = new_stack().program(
        membership(
            flags=["search-v2"],
            flag_filter="tags:checkout",
            segment_filter='tags anyOf ["beta"]',
            segment_filter_environment_key="production",
            exclusive=True,
        )
    )
    stack.up()
    stack.output.clear()
    stack.refresh()
    assert not any("[diff:" in line for line in stack.output), "\n".join(stack.output)
    stack.preview(expect_no_changes=True)  # raises if the preview shows any change

    # Real drift still shows: someone links a flag; the refresh records it and up removes it.
    OfficialClient(stack.emulator).link_flags(PROJECT, VIEW, ["dark-mode"])
    stack.refresh()
    assert "- dark-mode: true" in diff_lines(stack)
    stack.up()
    assert linked_flags(stack) == {"search-v2", "new-checkout", "pay-later"}
    stack.refresh()
    stack.preview(expect_no_changes=True)


# -- item 4: matches linked by a failed update are owned ---------------------------------------


def test_matches_linked_by_a_failed_update_are_owned_and_destroyed(
    new_stack: Callable[..., Stack],
) -> None:
    stack = new_stack().program(membership(flag_filter="tags:checkout"))
    stack.up()
    stack.program(membership(flag_filter="tags:web", flags=["late-flag"]))
    with pytest.raises(auto.CommandError) as failure:
        stack.up()
    assert "flag 'late-flag'" in str(failure.value)

    with emulator_api(stack.emulator) as api:  # the flag appears, as it would in LaunchDarkly
        api.post(
            f"/api/v2/flags/{PROJECT}", json={"key": "late-flag", "name": "Late"}
        ).raise_for_status()
    stack.up()
    assert linked_flags(stack) == {"new-checkout", "dark-mode", "late-flag"}
    assert outputs(stack)["flag_filter_linked"] == ["dark-mode", "new-checkout"]
    stack.destroy()
    assert linked_flags(stack) == set()


# -- item 6: switching exclusive on while dropping own members ---------------------------------


def test_switching_to_exclusive_while_dropping_own_members(
    new_stack: Callable[..., Stack],
) -> None:
    stack = new_stack().program(membership(flags=["new-checkout", "pay-later"]))
    stack.up()
    stack.program(membership(flags=["new-checkout"], exclusive=True))
    stack.preview()
    stack.up()
    assert linked_flags(stack) == {"new-checkout"}
    stack.preview(expect_no_changes=True)


def test_switching_to_exclusive_while_changing_the_filter(
    new_stack: Callable[..., Stack],
) -> None:
    stack = new_stack().program(membership(flag_filter="tags:checkout"))
    stack.up()
    stack.program(membership(flag_filter="tags:web", exclusive=True))
    stack.preview()
    stack.up()
    assert linked_flags(stack) == {"new-checkout", "dark-mode"}  # pay-later was this one's


def test_switching_to_exclusive_still_refuses_others_members(
    new_stack: Callable[..., Stack],
) -> None:
    stack = new_stack().program(membership(flags=["new-checkout", "pay-later"]))
    stack.up()
    OfficialClient(stack.emulator).link_flags(PROJECT, VIEW, ["dark-mode"])
    stack.program(membership(flags=["new-checkout"], exclusive=True))
    with pytest.raises(auto.CommandError) as failure:
        stack.up()
    assert "does not list: 'dark-mode'." in str(failure.value)
    assert linked_flags(stack) == {"new-checkout", "pay-later", "dark-mode"}


# -- item 7: a refusal does not echo the whole list --------------------------------------------


def test_a_refusal_is_one_short_line_whatever_the_list(new_stack: Callable[..., Stack]) -> None:
    bulk = [f"bulk-{n:04d}" for n in range(1200)]
    stack = new_stack().program(membership(flags=bulk, exclusive=True))
    OfficialClient(stack.emulator).link_flags(PROJECT, VIEW, ["dark-mode"])
    with pytest.raises(auto.CommandError) as failure:
        stack.preview()
    shown = str(failure.value)
    lines = [line for line in shown.splitlines() if "does not list" in line]
    assert lines and "bulk-0000" not in shown
    for line in lines:  # under the resource, and again under Diagnostics
        assert len(line) < 500, line
        assert "already has 1 flag(s) linked that `flags` does not list: 'dark-mode'" in line


# -- item 9: one shape per output --------------------------------------------------------------


def test_member_outputs_are_maps_in_preview_and_after_up(
    new_stack: Callable[..., Stack],
) -> None:
    stack = new_stack().program(membership(flags=["new-checkout"], flag_filter="tags:web"))
    stack.up()
    assert outputs(stack)["flags"] == {"new-checkout": True}
    assert outputs(stack)["flag_count"] == 2  # new-checkout, and dark-mode by the filter

    stack.program(membership(flags=["new-checkout", "pay-later"], flag_filter="tags:web"))
    lines = diff_lines(stack)
    assert "+ pay-later: true" in lines, lines
    assert not any(line.startswith(("- flags:", "+ flags:")) for line in lines), lines
    assert "~ flag_count: 2 => 3" in lines, lines
    stack.up()
    assert outputs(stack)["flags"] == {"new-checkout": True, "pay-later": True}
    assert outputs(stack)["flag_count"] == 3
    stack.preview(expect_no_changes=True)
