"""ViewMembership against a view that changes behind Pulumi's back, and against failures."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from pulumi import automation as auto

from pulumi_launchdarkly_links import ViewMembership

from .harness import Stack, emulator_api, linked
from .official_client import OfficialClient

PROJECT = "default"


def flags_program(flags: list[str], **kwargs: object) -> Callable[[], None]:
    def program() -> None:
        ViewMembership(
            "checkout",
            project_key=PROJECT,
            view_key="checkout",
            flags=flags,
            **kwargs,  # type: ignore[arg-type]
        )

    return program


def state_flags(stack: Stack) -> list[str]:
    (resource,) = stack.resources("ViewMembership")
    return list(resource["outputs"].get("flags") or [])


@pytest.mark.parametrize("exclusive", [False, True])
def test_drift_is_seen_by_refresh_and_fixed_by_up(
    new_stack: Callable[..., Stack], exclusive: bool
) -> None:
    stack = new_stack().program(flags_program(["new-checkout", "pay-later"], exclusive=exclusive))
    stack.up()
    official = OfficialClient(stack.emulator)
    official.unlink_flags(PROJECT, "checkout", ["pay-later"])
    official.link_flags(PROJECT, "checkout", ["dark-mode"])

    stack.refresh()
    expected_refreshed = ["dark-mode", "new-checkout"] if exclusive else ["new-checkout"]
    assert state_flags(stack) == expected_refreshed
    assert stack.preview().change_summary.get(auto.OpType.UPDATE) == 1

    stack.up()
    expected_linked = {"new-checkout", "pay-later"} | (set() if exclusive else {"dark-mode"})
    assert linked(stack.emulator, PROJECT, "checkout", "flags") == expected_linked
    assert state_flags(stack) == ["new-checkout", "pay-later"]
    assert stack.preview().change_summary == {"same": 2}


def test_view_deleted_out_of_band_leaves_the_state_on_refresh(
    new_stack: Callable[..., Stack],
) -> None:
    stack = new_stack().program(flags_program(["new-checkout"]))
    stack.up()
    OfficialClient(stack.emulator).delete_view(PROJECT, "checkout")
    stack.refresh()
    assert stack.resources("ViewMembership") == []
    with pytest.raises(auto.CommandError) as failure:
        stack.up()
    assert "view 'checkout' was not found in project 'default'" in str(failure.value)


def test_partial_failure_on_create_rolls_back(new_stack: Callable[..., Stack]) -> None:
    stack = new_stack().program(flags_program(["new-checkout", "no-such-flag", "pay-later"]))
    with pytest.raises(auto.CommandError) as failure:
        stack.up()
    message = str(failure.value)
    assert "flag 'no-such-flag'" in message and "not found" in message
    assert "This create was undone" in message
    assert linked(stack.emulator, PROJECT, "checkout", "flags") == set()
    assert stack.resources("ViewMembership") == []


def test_partial_failure_on_update_converges_on_next_up(new_stack: Callable[..., Stack]) -> None:
    stack = new_stack().program(flags_program(["new-checkout"]))
    stack.up()
    stack.program(flags_program(["pay-later", "late-flag"]))
    with pytest.raises(auto.CommandError) as failure:
        stack.up()
    assert "flag 'late-flag'" in str(failure.value)
    assert linked(stack.emulator, PROJECT, "checkout", "flags") == {"pay-later"}

    with emulator_api(stack.emulator) as api:  # the flag appears, as it would in LaunchDarkly
        api.post(
            f"/api/v2/flags/{PROJECT}", json={"key": "late-flag", "name": "Late"}
        ).raise_for_status()
    stack.up()
    assert linked(stack.emulator, PROJECT, "checkout", "flags") == {"pay-later", "late-flag"}
    assert state_flags(stack) == ["late-flag", "pay-later"]


def test_pagination_reads_every_page(new_stack: Callable[..., Stack]) -> None:
    keys = [f"bulk-flag-{n:02d}" for n in range(60)]
    stack = new_stack().program(flags_program(keys, exclusive=True))
    stack.admin.seed({"projects": [{"key": PROJECT, "name": "Default", "flags": keys}]})
    stack.admin.set_knobs(linked_page_max=5)
    stack.up()
    assert len(linked(stack.emulator, PROJECT, "checkout", "flags")) == 60

    stack.admin.reset_stats()
    stack.refresh()
    routes = stack.admin.stats()["routes"]
    assert routes["GET /api/v2/projects/{projectKey}/views/{viewKey}/linked/{resourceType}"] >= 12
    assert state_flags(stack) == sorted(keys)
    assert stack.preview().change_summary == {"same": 2}


def test_unsupported_resource_type_is_named(new_stack: Callable[..., Stack]) -> None:
    stack = new_stack().program(flags_program(["new-checkout"], metrics=["checkout-conversion"]))
    stack.admin.set_knobs(reject_resource_types=["metrics"])
    with pytest.raises(auto.CommandError) as failure:
        stack.up()
    assert "may not support linking metrics to views" in str(failure.value)
    assert linked(stack.emulator, PROJECT, "checkout", "flags") == set()  # rolled back


def test_exclusive_create_adopts_only_when_asked(new_stack: Callable[..., Stack]) -> None:
    stack = new_stack().program(flags_program(["new-checkout"], exclusive=True))
    OfficialClient(stack.emulator).link_flags(PROJECT, "checkout", ["dark-mode", "search-v2"])
    with pytest.raises(auto.CommandError) as failure:
        stack.up()
    message = str(failure.value)
    assert (
        "already has 2 flag(s) linked that `flags` does not list: 'dark-mode', 'search-v2'"
        in message
    )
    assert "adopt=True" in message
    assert linked(stack.emulator, PROJECT, "checkout", "flags") == {"dark-mode", "search-v2"}

    stack.program(flags_program(["new-checkout"], exclusive=True, adopt=True))
    stack.up()
    assert linked(stack.emulator, PROJECT, "checkout", "flags") == {"new-checkout"}
    assert stack.preview().change_summary == {"same": 2}


def test_two_stacks_with_disjoint_sets_keep_each_others_links(
    new_stack: Callable[..., Stack],
) -> None:
    first = new_stack("first").program(flags_program(["new-checkout", "pay-later"]))
    second = new_stack("second").program(flags_program(["dark-mode"]))
    first.up()
    second.up()
    assert linked(first.emulator, PROJECT, "checkout", "flags") == {
        "new-checkout",
        "pay-later",
        "dark-mode",
    }
    first.refresh()
    assert state_flags(first) == ["new-checkout", "pay-later"]
    first.destroy()
    assert linked(first.emulator, PROJECT, "checkout", "flags") == {"dark-mode"}
    second.refresh()
    assert state_flags(second) == ["dark-mode"]
