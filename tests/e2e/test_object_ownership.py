"""Who owns a whole view or link, through the real CLI (issue 16): a rename without `aliases`
fails before anything is deleted, a rename with them changes nothing, another stack needs
`adopt=True`, a link moved between two FlagLinks in one `up` keeps its `_id` whichever update
runs first, integration links settle, and `get_view_output` waits for a View of the program."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pulumi
import pytest
from pulumi import automation as auto

from pulumi_launchdarkly_links import FlagLink, FlagLinks, FlagLinkSpec, View, get_view_output

from .harness import Stack, emulator_api, flag_links

PROJECT = "default"
VIEW_ROUTE = "/api/v2/projects/{projectKey}/views/{viewKey}"
LINKS_ROUTE = "/api/v2/flag-links/projects/{projectKey}/flags/{featureFlagKey}"


def view_exists(stack: Stack, key: str) -> bool:
    with emulator_api(stack.emulator) as api:
        return api.get(f"/api/v2/projects/{PROJECT}/views/{key}").status_code == 200


def failure_text(run: Callable[[], Any]) -> str:
    with pytest.raises(auto.CommandError) as failure:
        run()
    return str(failure.value)


def a_view(name: str, **more: Any) -> Callable[[], None]:
    def program() -> None:
        View(name, project_key=PROJECT, key="ren", name="Renamed", **more)

    return program


def test_a_view_renamed_without_aliases_fails_before_anything_is_deleted(
    new_stack: Callable[..., Stack],
) -> None:
    stack = new_stack().program(a_view("old-name"))
    stack.up()

    stack.program(a_view("new-name"))
    shown = failure_text(stack.preview)
    assert "view 'ren' already exists in project 'default', and this View did not create it" in (
        shown
    )
    assert 'aliases=[pulumi.Alias(name="<old name>")]' in shown and "adopt=True" in shown
    failure_text(stack.up)
    assert view_exists(stack, "ren")  # the old resource's delete never ran
    assert [r["urn"].rsplit("::", 1)[1] for r in stack.resources("View")] == ["old-name"]

    stack.program(
        a_view("new-name", opts=pulumi.ResourceOptions(aliases=[pulumi.Alias(name="old-name")]))
    )
    stack.admin.reset_stats()
    assert stack.preview().change_summary == {"same": 2}
    assert stack.up().summary.resource_changes == {"same": 2}
    assert stack.requests() == 0
    assert view_exists(stack, "ren")


def test_another_stack_takes_a_view_over_only_with_adopt_and_then_owns_it(
    new_stack: Callable[..., Stack],
) -> None:
    first = new_stack("first").program(a_view("view"))
    first.up()
    second = new_stack("second").program(a_view("view"))
    shown = failure_text(second.preview)
    assert "this View did not create it. It looks the same." in shown
    failure_text(second.up)
    assert second.resources("View") == []

    second.program(a_view("view", adopt=True))
    second.admin.reset_stats()
    second.up()
    # The POST answers 409, the GET finds the view as declared: nothing is written to it.
    assert dict(second.admin.stats()["routes"]) == {
        "POST /api/v2/projects/{projectKey}/views": 1,
        f"GET {VIEW_ROUTE}": 1,
    }
    # An adopted view is owned: the adopting stack's destroy deletes it.
    second.destroy()
    assert not view_exists(second, "ren")


def a_ticket(name: str, **more: Any) -> Callable[[], None]:
    def program() -> None:
        FlagLink(
            name,
            key="chk-1",
            project_key=PROJECT,
            flag_key="new-checkout",
            deep_link="https://jira.example.com/browse/CHK-1",
            title="CHK-1",
            **more,
        )

    return program


def test_a_flag_link_renamed_without_aliases_fails_and_keeps_the_link(
    new_stack: Callable[..., Stack],
) -> None:
    stack = new_stack().program(a_ticket("old-name"))
    stack.up()
    (link,) = flag_links(stack.emulator, PROJECT, "new-checkout")

    stack.program(a_ticket("new-name"))
    shown = failure_text(stack.up)
    assert (
        f"flag link 'chk-1' already exists on flag 'new-checkout' in project 'default' "
        f"(_id {link['_id']}), and this FlagLink did not create it"
    ) in shown
    assert "aliases=[pulumi.Alias(" in shown and "set adopt=True on this FlagLink" in shown
    assert [item["_id"] for item in flag_links(stack.emulator, PROJECT, "new-checkout")] == [
        link["_id"]
    ]

    aliased = pulumi.ResourceOptions(aliases=[pulumi.Alias(name="old-name")])
    stack.program(a_ticket("new-name", opts=aliased))
    stack.admin.reset_stats()
    assert stack.up().summary.resource_changes == {"same": 2}
    assert stack.requests() == 0
    stack.destroy()
    assert flag_links(stack.emulator, PROJECT, "new-checkout") == []


def links_program(
    giver: list[str], receiver: list[str], *, giver_first: bool
) -> Callable[[], None]:
    def spec(flag: str) -> FlagLinkSpec:
        return FlagLinkSpec(
            flag_key=flag, key="ticket", deep_link=f"https://jira.example.com/{flag}", title=flag
        )

    def program() -> None:
        resources = [("giver", giver), ("receiver", receiver)]
        for name, flags in resources if giver_first else reversed(resources):
            FlagLinks(name, project_key=PROJECT, links=[spec(flag) for flag in flags])

    return program


@pytest.mark.parametrize("giver_first", [True, False], ids=["giver-first", "receiver-first"])
def test_a_link_moved_between_two_flag_links_in_one_up_keeps_its_id(
    new_stack: Callable[..., Stack], giver_first: bool
) -> None:
    stack = new_stack().program(
        links_program(["new-checkout", "pay-later"], ["dark-mode"], giver_first=giver_first)
    )
    stack.up()
    (moved,) = flag_links(stack.emulator, PROJECT, "new-checkout")

    stack.program(
        links_program(["pay-later"], ["dark-mode", "new-checkout"], giver_first=giver_first)
    )
    stack.admin.reset_stats()
    # One at a time, in program order: the engine may run the two updates either way round.
    assert stack.up(parallel=1).summary.resource_changes == {"same": 1, "update": 2}
    routes = dict(stack.admin.stats()["routes"])
    assert f"DELETE {LINKS_ROUTE}/{{id}}" not in routes
    assert [link["_id"] for link in flag_links(stack.emulator, PROJECT, "new-checkout")] == [
        moved["_id"]
    ]
    state = {r["urn"].rsplit("::", 1)[1]: r["outputs"]["links"] for r in stack.resources("Links")}
    assert sorted(state["giver"]) == ["pay-later/ticket"]
    assert state["receiver"]["new-checkout/ticket"]["link_id"] == moved["_id"]
    assert stack.preview(expect_no_changes=True).change_summary == {"same": 3}


def integration_links() -> None:
    FlagLink(
        "jira", project_key=PROJECT, flag_key="new-checkout", integration_key="jira", title="CHK-1"
    )
    FlagLinks(
        "jira-links",
        project_key=PROJECT,
        links=[FlagLinkSpec(flag_key="pay-later", key="jira", integration_key="jira")],
    )


def test_integration_links_are_not_replaced_on_the_next_up(
    new_stack: Callable[..., Stack],
) -> None:
    stack = new_stack().program(integration_links)
    stack.up()
    (single,) = flag_links(stack.emulator, PROJECT, "new-checkout")
    (listed,) = flag_links(stack.emulator, PROJECT, "pay-later")
    assert single["_deepLink"] and single["_integrationKey"] == "jira"

    stack.admin.reset_stats()
    assert stack.preview(expect_no_changes=True).change_summary == {"same": 3}
    assert stack.up().summary.resource_changes == {"same": 3}
    assert stack.requests() == 0
    stack.refresh()
    assert stack.preview(expect_no_changes=True).change_summary == {"same": 3}
    assert [link["_id"] for link in flag_links(stack.emulator, PROJECT, "new-checkout")] == [
        single["_id"]
    ]
    assert [link["_id"] for link in flag_links(stack.emulator, PROJECT, "pay-later")] == [
        listed["_id"]
    ]


def test_get_view_output_waits_for_a_view_of_the_same_program(
    new_stack: Callable[..., Stack],
) -> None:
    def program() -> None:
        view = View("payments", project_key=PROJECT, key="payments", name="Payments")
        info = get_view_output(view.project_key, view.key)
        pulumi.export("name", info.apply(lambda found: found.name))

    stack = new_stack().program(program)
    preview = stack.preview()  # the view is not there yet: the read waits for the create
    assert preview.change_summary == {"create": 2}
    assert stack.up().outputs["name"].value == "Payments"
    assert stack.preview().change_summary == {"same": 2}


def test_a_move_split_by_target_converges_on_the_next_full_up(
    new_stack: Callable[..., Stack],
) -> None:
    stack = new_stack().program(
        links_program(["new-checkout", "pay-later"], ["dark-mode"], giver_first=True)
    )
    stack.up()
    (moved,) = flag_links(stack.emulator, PROJECT, "new-checkout")
    urns = {r["urn"].rsplit("::", 1)[1]: r["urn"] for r in stack.resources("Links")}
    stack.program(links_program(["pay-later"], ["dark-mode", "new-checkout"], giver_first=True))

    # The receiver alone: nothing says the giver is this stack's, so it refuses and changes
    # nothing.
    shown = failure_text(lambda: stack.up(target=[urns["receiver"]]))
    assert "which this resource did not create" in shown
    assert [link["_id"] for link in flag_links(stack.emulator, PROJECT, "new-checkout")] == [
        moved["_id"]
    ]
    # The giver alone: the receiver is not checked, so the giver deletes the link ...
    stack.up(target=[urns["giver"]])
    assert flag_links(stack.emulator, PROJECT, "new-checkout") == []
    # ... and the next full `up` makes it again, in the receiver.
    stack.up()
    (remade,) = flag_links(stack.emulator, PROJECT, "new-checkout")
    state = {r["urn"].rsplit("::", 1)[1]: r["outputs"]["links"] for r in stack.resources("Links")}
    assert state["receiver"]["new-checkout/ticket"]["link_id"] == remade["_id"]
    assert stack.preview(expect_no_changes=True).change_summary == {"same": 3}


def test_a_flag_links_renamed_without_aliases_fails_and_keeps_its_links(
    new_stack: Callable[..., Stack],
) -> None:
    def tickets(name: str, **more: Any) -> Callable[[], None]:
        def program() -> None:
            FlagLinks(
                name,
                project_key=PROJECT,
                links=[
                    FlagLinkSpec(flag_key=flag, key="ticket", deep_link=f"https://j.example/{flag}")
                    for flag in ("new-checkout", "pay-later")
                ],
                **more,
            )

        return program

    stack = new_stack().program(tickets("old-name"))
    stack.up()
    before = {
        flag: flag_links(stack.emulator, PROJECT, flag) for flag in ("new-checkout", "pay-later")
    }

    stack.program(tickets("new-name"))
    shown = failure_text(stack.up)
    assert "could not create 2 of 2 flag link(s) in project 'default'" in shown
    assert "set adopt=True on this FlagLinks" in shown
    after = {
        flag: flag_links(stack.emulator, PROJECT, flag) for flag in ("new-checkout", "pay-later")
    }
    assert after == before  # the old resource's delete never ran

    stack.program(
        tickets("new-name", opts=pulumi.ResourceOptions(aliases=[pulumi.Alias(name="old-name")]))
    )
    stack.admin.reset_stats()
    assert stack.up().summary.resource_changes == {"same": 2}
    assert stack.requests() == 0


def test_a_rename_taken_over_with_adopt_keeps_the_view_and_the_link(
    new_stack: Callable[..., Stack],
) -> None:
    """The other way on that the refusal names: adopt=True on the renamed resources. The new
    ones take the view and the link over, and the old ones' deletes (which the engine runs
    last) leave them."""

    def program(suffix: str, adopt: bool) -> Callable[[], None]:
        def run() -> None:
            a_view(f"view-{suffix}", adopt=adopt)()
            a_ticket(f"ticket-{suffix}", adopt=adopt)()

        return run

    stack = new_stack().program(program("old", adopt=False))
    stack.up()
    (link,) = flag_links(stack.emulator, PROJECT, "new-checkout")

    stack.program(program("new", adopt=True))
    stack.admin.reset_stats()
    assert stack.up().summary.resource_changes == {"same": 1, "create": 2, "delete": 2}
    routes = dict(stack.admin.stats()["routes"])
    assert not any(route.startswith("DELETE") for route in routes)
    assert view_exists(stack, "ren")
    assert [item["_id"] for item in flag_links(stack.emulator, PROJECT, "new-checkout")] == [
        link["_id"]
    ]
    names = sorted(r["urn"].rsplit("::", 1)[1] for r in stack.resources())
    assert names == ["ticket-new", "view-new"]
    assert stack.preview(expect_no_changes=True).change_summary == {"same": 3}
