"""FlagLink through the real CLI: create, no-op, patch, replace, drift, adoption, destroy, scale."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from pulumi import automation as auto

from pulumi_launchdarkly_links import FlagLink

from .harness import Stack, emulator_api, flag_links
from .official_client import OfficialClient

PROJECT, FLAG = "default", "new-checkout"
TICKET = "https://jira.example.com/browse/CHK-1"


def ticket(
    title: str = "CHK-1: new checkout", deep_link: str = TICKET, adopt: bool = False
) -> Callable[[], None]:
    def program() -> None:
        FlagLink(
            "chk-1-ticket",
            project_key=PROJECT,
            flag_key=FLAG,
            deep_link=deep_link,
            title=title,
            description="Rollout ticket",
            adopt=adopt,
        )

    return program


def stored_link(stack: Stack) -> dict:
    (resource,) = stack.resources("FlagLink")
    return dict(resource["outputs"])


def test_create_noop_patch_replace_destroy(new_stack: Callable[..., Stack]) -> None:
    stack = new_stack().program(ticket())
    stack.up()
    (link,) = flag_links(stack.emulator, PROJECT, FLAG)
    assert (link["_key"], link["_deepLink"], link["title"]) == (
        "chk-1-ticket",
        TICKET,
        "CHK-1: new checkout",
    )
    outputs = stored_link(stack)
    assert outputs["link_id"] == link["_id"]
    assert outputs["created_at"] == link["_createdAt"]
    assert outputs["timestamp"] == link["_timestamp"]["milliseconds"]
    assert outputs["created_by"]["member_id"] == link["_member"]["_id"]
    (resource,) = stack.resources("FlagLink")
    assert resource["id"] == f"{PROJECT}/{FLAG}/{link['_id']}"

    stack.admin.reset_stats()
    assert stack.up().summary.resource_changes == {"same": 2}
    assert stack.requests() == 0

    stack.program(ticket(title="CHK-1: new checkout (phase 2)"))
    stack.admin.reset_stats()
    assert stack.up().summary.resource_changes == {"same": 1, "update": 1}
    routes = stack.admin.stats()["routes"]
    assert routes == {
        "PATCH /api/v2/flag-links/projects/{projectKey}/flags/{featureFlagKey}/{id}": 1
    }
    (patched,) = flag_links(stack.emulator, PROJECT, FLAG)
    assert patched["_id"] == link["_id"] and patched["title"] == "CHK-1: new checkout (phase 2)"

    stack.program(ticket(deep_link="https://jira.example.com/browse/CHK-2"))
    result = stack.up()
    assert result.summary.resource_changes == {"same": 1, "replace": 1}
    (replaced,) = flag_links(stack.emulator, PROJECT, FLAG)  # delete went first: one link only
    assert replaced["_deepLink"] == "https://jira.example.com/browse/CHK-2"
    assert replaced["_id"] != link["_id"] and replaced["_key"] == "chk-1-ticket"

    stack.destroy()
    assert flag_links(stack.emulator, PROJECT, FLAG) == []
    assert stack.resources() == []


def test_deleted_out_of_band_is_dropped_by_refresh_and_recreated(
    new_stack: Callable[..., Stack],
) -> None:
    stack = new_stack().program(ticket())
    stack.up()
    OfficialClient(stack.emulator).delete_flag_link(PROJECT, FLAG, stored_link(stack)["link_id"])
    stack.refresh()
    assert stack.resources("FlagLink") == []
    stack.up()
    (link,) = flag_links(stack.emulator, PROJECT, FLAG)
    assert stored_link(stack)["link_id"] == link["_id"]


def test_edited_out_of_band_is_seen_by_refresh_and_restored(
    new_stack: Callable[..., Stack],
) -> None:
    stack = new_stack().program(ticket())
    stack.up()
    link_id = stored_link(stack)["link_id"]
    OfficialClient(stack.emulator).set_flag_link_title(PROJECT, FLAG, link_id, "edited by hand")
    stack.refresh()
    assert stored_link(stack)["title"] == "edited by hand"
    assert stack.preview().change_summary == {"same": 1, "update": 1}
    stack.up()
    (link,) = flag_links(stack.emulator, PROJECT, FLAG)
    assert link["_id"] == link_id and link["title"] == "CHK-1: new checkout"


def test_existing_key_is_taken_over_only_with_adopt_and_when_identical(
    new_stack: Callable[..., Stack],
) -> None:
    stack = new_stack().program(ticket())
    with emulator_api(stack.emulator) as api:
        body = {
            "key": "chk-1-ticket",
            "deepLink": TICKET,
            "title": "CHK-1: new checkout",
            "description": "Rollout ticket",
        }
        existing = api.post(f"/api/v2/flag-links/projects/{PROJECT}/flags/{FLAG}", json=body)
        existing_id = existing.raise_for_status().json()["_id"]
    with pytest.raises(auto.CommandError) as refused:
        stack.up()  # identical, but not this FlagLink's: another stack's, or a renamed resource's
    assert "and this FlagLink did not create it" in str(refused.value)
    assert stack.resources("FlagLink") == []

    stack.program(ticket(adopt=True))
    stack.up()
    (link,) = flag_links(stack.emulator, PROJECT, FLAG)
    assert link["_id"] == existing_id == stored_link(stack)["link_id"]

    other = new_stack("other").program(ticket(title="someone else's", adopt=True))
    with pytest.raises(auto.CommandError) as failure:
        other.up()
    message = str(failure.value)
    assert f"already has a link with key 'chk-1-ticket' (_id {existing_id})" in message
    assert "title='CHK-1: new checkout'" in message
    assert len(flag_links(stack.emulator, PROJECT, FLAG)) == 1


def test_missing_flag_and_project_are_named(new_stack: Callable[..., Stack]) -> None:
    def program() -> None:
        FlagLink("x", project_key=PROJECT, flag_key="no-such-flag", deep_link=TICKET)

    stack = new_stack().program(program)
    with pytest.raises(auto.CommandError) as failure:
        stack.up()
    assert "flag 'no-such-flag' was not found in project 'default'" in str(failure.value)

    def other_project() -> None:
        FlagLink("x", project_key="no-such-project", flag_key=FLAG, deep_link=TICKET)

    stack.program(other_project)
    with pytest.raises(auto.CommandError) as failure:
        stack.up()
    assert "project 'no-such-project' was not found" in str(failure.value)


def test_fifty_links_on_one_flag(new_stack: Callable[..., Stack]) -> None:
    def program() -> None:
        for number in range(50):
            FlagLink(
                f"ticket-{number:02d}",
                project_key=PROJECT,
                flag_key=FLAG,
                deep_link=f"https://jira.example.com/browse/CHK-{number}",
                title=f"CHK-{number}",
            )

    stack = new_stack().program(program)
    stack.up()
    links = flag_links(stack.emulator, PROJECT, FLAG)
    assert sorted(link["_key"] for link in links) == [f"ticket-{n:02d}" for n in range(50)]
    stack.admin.reset_stats()
    assert stack.up().summary.resource_changes == {"same": 51}
    assert stack.requests() == 0
    stack.refresh()
    assert stack.preview().change_summary == {"same": 51}
    stack.destroy()
    assert flag_links(stack.emulator, PROJECT, FLAG) == []
