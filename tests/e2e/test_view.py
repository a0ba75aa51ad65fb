"""View through the real CLI: create, no-op, update, adopt, refresh after a UI change, delete,
a View with a ViewMembership in one program, and the lookups (`get`, `get_view`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pulumi
import pytest
from pulumi import automation as auto

from pulumi_launchdarkly_links import FlagLink, View, ViewMembership, get_view, get_view_output

from .harness import Stack, emulator_api, flag_links, linked
from .official_client import OfficialClient

PROJECT = "default"
MEMBER_ID = "5e6f7a8b9c0d1e2f3a4b5c6d"  # the emulator's member
VIEWS = "/api/v2/projects/{projectKey}/views"
VIEW = VIEWS + "/{viewKey}"


def view_program(**overrides: Any) -> Callable[[], None]:
    fields: dict[str, Any] = {
        "project_key": PROJECT,
        "key": "payments",
        "name": "Payments",
        "description": "Everything the payments team owns",
        "tags": ["team-payments"],
        "maintainer_team_key": "payments",
        **overrides,
    }

    def program() -> None:
        view = View("payments", **fields)
        pulumi.export("view_id", view.view_id)

    return program


def emulator_view(stack: Stack, key: str = "payments") -> dict[str, Any] | None:
    with emulator_api(stack.emulator) as api:
        response = api.get(f"/api/v2/projects/{PROJECT}/views/{key}")
        return None if response.status_code == 404 else dict(response.raise_for_status().json())


def stored_view(stack: Stack) -> dict[str, Any]:
    (resource,) = stack.resources("View")
    return dict(resource["outputs"])


def routes(stack: Stack) -> dict[str, int]:
    return dict(stack.admin.stats()["routes"])


def test_create_noop_update_and_destroy(new_stack: Callable[..., Stack]) -> None:
    stack = new_stack().program(view_program())
    stack.admin.reset_stats()
    result = stack.up()
    # A create: the preview's look for an existing view, then the POST.
    assert routes(stack) == {f"GET {VIEW}": 1, f"POST {VIEWS}": 1}
    view = emulator_view(stack)
    assert view is not None
    assert (view["name"], view["description"], view["tags"]) == (
        "Payments",
        "Everything the payments team owns",
        ["team-payments"],
    )
    assert view["maintainer"]["maintainerTeam"]["key"] == "payments"
    assert result.outputs["view_id"].value == view["id"]
    (resource,) = stack.resources("View")
    assert resource["id"] == f"{PROJECT}/payments"

    stack.admin.reset_stats()
    assert stack.preview().change_summary == {"same": 2}
    assert stack.up().summary.resource_changes == {"same": 2}
    assert stack.requests() == 0

    stack.program(view_program(name="Payments and billing", tags=["billing", "team-payments"]))
    stack.admin.reset_stats()
    assert stack.up().summary.resource_changes == {"same": 1, "update": 1}
    assert routes(stack) == {f"PATCH {VIEW}": 1}
    view = emulator_view(stack)
    assert view is not None and view["name"] == "Payments and billing"
    assert sorted(view["tags"]) == ["billing", "team-payments"]
    assert stored_view(stack)["version"] == view["version"] == 2

    stack.admin.reset_stats()
    stack.destroy()
    assert routes(stack) == {f"GET {VIEW}": 1, f"DELETE {VIEW}": 1}
    assert emulator_view(stack) is None


def test_key_change_replaces_the_view(new_stack: Callable[..., Stack]) -> None:
    stack = new_stack().program(view_program())
    stack.up()
    stack.program(view_program(key="payments-v2"))
    assert stack.up().summary.resource_changes == {"same": 1, "replace": 1}
    assert emulator_view(stack) is None and emulator_view(stack, "payments-v2") is not None


def test_uppercase_key_fails_at_preview_without_a_request(new_stack: Callable[..., Stack]) -> None:
    stack = new_stack().program(view_program(key="Payments"))
    stack.admin.reset_stats()
    with pytest.raises(auto.CommandError) as failure:
        stack.preview()
    assert "key 'Payments' has uppercase letters" in str(failure.value)
    assert "key='payments'" in str(failure.value)
    assert stack.requests() == 0


def test_existing_view_needs_adopt_and_adopt_updates_what_is_declared(
    new_stack: Callable[..., Stack],
) -> None:
    stack = new_stack().program(view_program(description=None))
    OfficialClient(stack.emulator).create_view(
        PROJECT, "payments", "Payments (UI)", description="kept", tags=["ui"]
    )
    with pytest.raises(auto.CommandError) as failure:
        stack.preview()
    message = str(failure.value)
    assert "view 'payments' already exists in project 'default'" in message
    assert "name is 'Payments (UI)' (this resource: 'Payments')" in message
    assert "set adopt=True" in message
    with pytest.raises(auto.CommandError):
        stack.up()
    before = emulator_view(stack)
    assert before is not None and before["name"] == "Payments (UI)" and before["version"] == 1

    stack.program(view_program(description=None, adopt=True))
    stack.up()
    view = emulator_view(stack)
    assert view is not None and view["name"] == "Payments" and view["tags"] == ["team-payments"]
    assert view["description"] == "kept"  # not declared, so not the View's to change
    assert "adopting the existing view" in "\n".join(stack.output)
    assert stack.preview().change_summary == {"same": 2}


def test_a_view_left_by_an_interrupted_up_is_taken_over_with_adopt_and_no_write(
    new_stack: Callable[..., Stack],
) -> None:
    stack = new_stack()
    # What a killed `up` leaves: the POST went through, the state never heard of it.
    OfficialClient(stack.emulator).create_view(
        PROJECT,
        "payments",
        "Payments",
        description="Everything the payments team owns",
        tags=["team-payments"],
        maintainer_team_key="payments",
    )
    stack.program(view_program())
    with pytest.raises(auto.CommandError) as refused:
        stack.preview()  # a create cannot tell it from another stack's view
    assert "this View did not create it. It looks the same." in str(refused.value)

    stack.program(view_program(adopt=True))  # the one step the README names
    stack.admin.reset_stats()
    stack.up()
    assert stored_view(stack)["version"] == 1
    assert f"PATCH {VIEW}" not in routes(stack)


def test_refresh_sees_ui_changes_and_up_puts_the_declared_values_back(
    new_stack: Callable[..., Stack],
) -> None:
    stack = new_stack().program(view_program(maintainer_team_key=None, maintainer_id=MEMBER_ID))
    stack.up()
    official = OfficialClient(stack.emulator)
    official.update_view(PROJECT, "payments", name="Renamed in UI", tags=["ui"])
    official.update_view(PROJECT, "payments", maintainer_team_key="someone-else")

    stack.admin.reset_stats()
    stack.refresh()
    assert routes(stack) == {f"GET {VIEW}": 1}
    state = stored_view(stack)
    assert (state["name"], state["tags"]) == ("Renamed in UI", ["ui"])
    assert (state.get("maintainer_id"), state["maintainer_team_key"]) == (None, "someone-else")
    assert stack.preview().change_summary == {"same": 1, "update": 1}

    stack.up()
    view = official.get_view(PROJECT, "payments")
    assert (view.name, view.tags) == ("Payments", ["team-payments"])
    assert view.maintainer is not None and view.maintainer.kind == "member"
    assert stack.preview().change_summary == {"same": 2}


def test_refresh_after_a_ui_delete_drops_it_and_up_recreates_it(
    new_stack: Callable[..., Stack],
) -> None:
    stack = new_stack().program(view_program())
    stack.up()
    OfficialClient(stack.emulator).delete_view(PROJECT, "payments")
    stack.refresh()
    assert stack.resources("View") == []
    stack.up()
    assert emulator_view(stack) is not None


def test_destroy_refuses_a_view_others_filled_until_force_destroy(
    new_stack: Callable[..., Stack],
) -> None:
    stack = new_stack().program(view_program())
    stack.up()
    OfficialClient(stack.emulator).link_flags(PROJECT, "payments", ["dark-mode"])
    with pytest.raises(auto.CommandError) as failure:
        stack.destroy()
    message = str(failure.value)
    assert "view 'payments' in project 'default' still has 1 flag linked" in message
    assert "force_destroy=True" in message
    assert emulator_view(stack) is not None and len(stack.resources("View")) == 1

    stack.program(view_program(force_destroy=True))
    stack.admin.reset_stats()
    assert stack.up().summary.resource_changes == {"same": 1, "update": 1}
    assert stack.requests() == 0  # force_destroy is the provider's, not LaunchDarkly's
    stack.admin.reset_stats()
    stack.destroy()
    assert routes(stack) == {f"DELETE {VIEW}": 1}
    assert emulator_view(stack) is None


def test_view_and_membership_in_one_program(new_stack: Callable[..., Stack]) -> None:
    def program() -> None:
        view = View("payments", project_key=PROJECT, key="payments", name="Payments")
        ViewMembership(
            "payments-flags",
            project_key=PROJECT,
            view_key=view.key,
            flags=["pay-later", "new-checkout"],
        )

    stack = new_stack().program(program)
    assert stack.preview().change_summary == {"create": 3}
    stack.up()
    assert linked(stack.emulator, PROJECT, "payments", "flags") == {"pay-later", "new-checkout"}
    assert stack.preview().change_summary == {"same": 3}
    # Destroy unlinks the membership's flags first, so the view is empty when it goes.
    stack.destroy()
    assert emulator_view(stack) is None


def test_lookups_read_what_is_there(new_stack: Callable[..., Stack]) -> None:
    stack = new_stack()
    official = OfficialClient(stack.emulator)
    official.update_view(PROJECT, "checkout", tags=["team-checkout"])
    official.link_flags(PROJECT, "checkout", ["new-checkout", "pay-later"])

    def program() -> None:
        membership = ViewMembership.get("checkout-members", f"{PROJECT}/checkout")
        view = View.get("checkout-view", f"{PROJECT}/checkout")
        info = get_view(PROJECT, "checkout")
        pulumi.export("members", membership.flags)
        pulumi.export("flag_count", membership.flag_count)
        pulumi.export("view_tags", view.tags)
        pulumi.export("info", info.as_dict())
        # The keys as Outputs: read once they are known.
        later = get_view_output(view.project_key, view.key)
        pulumi.export("flags_later", later.apply(lambda found: found.flags))

    outputs = stack.program(program).up().outputs
    assert outputs["members"].value == {"new-checkout": True, "pay-later": True}  # by member
    assert outputs["flag_count"].value == 2
    assert outputs["view_tags"].value == ["team-checkout"]
    assert outputs["info"].value["flags"] == ["new-checkout", "pay-later"]
    assert outputs["info"].value["tags"] == ["team-checkout"]
    assert outputs["flags_later"].value == ["new-checkout", "pay-later"]
    # Read-only: destroying the stack leaves the view and its members alone.
    stack.destroy()
    assert linked(stack.emulator, PROJECT, "checkout", "flags") == {"new-checkout", "pay-later"}


def test_flag_link_get_reads_the_live_link(new_stack: Callable[..., Stack]) -> None:
    stack = new_stack()
    with emulator_api(stack.emulator) as api:
        made = api.post(
            f"/api/v2/flag-links/projects/{PROJECT}/flags/new-checkout",
            json={"key": "chk-1", "deepLink": "https://jira.example.com/browse/CHK-1"},
        ).raise_for_status()
    link_id = made.json()["_id"]
    OfficialClient(stack.emulator).set_flag_link_title(PROJECT, "new-checkout", link_id, "CHK-1")

    def program() -> None:
        link = FlagLink.get("chk-1", f"{PROJECT}/new-checkout/{link_id}")
        pulumi.export("title", link.title)
        pulumi.export("deep_link", link.deep_link)

    outputs = stack.program(program).up().outputs
    assert outputs["title"].value == "CHK-1"
    assert outputs["deep_link"].value == "https://jira.example.com/browse/CHK-1"
    stack.destroy()
    assert [link["_id"] for link in flag_links(stack.emulator, PROJECT, "new-checkout")] == [
        link_id
    ]
