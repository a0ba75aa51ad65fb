"""FlagLinks through the real CLI: create, no-op, a member-wise preview, update (add, remove,
patch, replace one), partial failures that leave LaunchDarkly as the state says, adoption (only
with adopt=True), refresh drift made with LaunchDarkly's own client, a claim shared with a
FlagLink, destroy."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from pulumi import automation as auto

from pulumi_launchdarkly_links import FlagLink, FlagLinks, FlagLinkSpec

from .bad_input_support import TRACEBACK, diagnostics
from .harness import Stack, emulator_api, flag_links
from .official_client import OfficialClient

PROJECT = "default"
FLAGS = ["new-checkout", "pay-later", "search-v2", "dark-mode"]
FLAG_LINKS = "/api/v2/flag-links/projects/{projectKey}/flags/{featureFlagKey}"


def ticket(flag: str, title: str | None = None, url: str | None = None) -> FlagLinkSpec:
    return FlagLinkSpec(
        flag_key=flag,
        key="ticket",
        deep_link=url or f"https://jira.example.com/browse/{flag}",
        title=title if title is not None else f"ticket for {flag}",
    )


def program(*links: FlagLinkSpec, **options: Any) -> Callable[[], None]:
    def run() -> None:
        FlagLinks("tickets", project_key=PROJECT, links=list(links), **options)

    return run


def recorded(stack: Stack) -> dict[str, Any]:
    (resource,) = stack.resources("FlagLinks")
    return dict(resource["outputs"]["links"])


def live(stack: Stack) -> dict[str, dict[str, Any]]:
    """`flag/key` -> the link as the emulator lists it, for every flag of FLAGS."""
    return {
        f"{flag}/{link['_key']}": link
        for flag in FLAGS
        for link in flag_links(stack.emulator, PROJECT, flag)
    }


def failure_text(run: Callable[[], Any]) -> str:
    with pytest.raises(auto.CommandError) as failure:
        run()
    assert TRACEBACK not in str(failure.value)
    return diagnostics(failure.value)


def routes(stack: Stack) -> dict[str, int]:
    return {
        route.split(" ", 1)[0] + " " + ("links" if "flag-links" in route else route.split()[-1]): n
        for route, n in stack.admin.stats()["routes"].items()
    }


def changed_name(line: str) -> str:
    """`+ dark-mode/ticket    : {` -> `+ dark-mode/ticket`."""
    return line.split(":")[0].strip()


def diff_lines(stack: Stack) -> list[str]:
    stack.output.clear()
    stack.preview(diff=True)
    return [line.strip() for line in stack.output if line.strip().startswith(("+ ", "- ", "~ "))]


def test_create_noop_update_and_destroy_touch_only_what_changed(
    new_stack: Callable[..., Stack],
) -> None:
    stack = new_stack()
    with emulator_api(stack.emulator) as api:  # someone else's link on one of the flags
        body = {"key": "runbook", "deepLink": "https://wiki.example.com/runbook"}
        api.post(f"/api/v2/flag-links/projects/{PROJECT}/flags/new-checkout", json=body)
    stack.program(program(*(ticket(flag) for flag in FLAGS[:3])))
    stack.admin.reset_stats()
    stack.up()
    assert routes(stack) == {"POST links": 3}
    links = live(stack)
    assert sorted(links) == [
        "new-checkout/runbook",
        "new-checkout/ticket",
        "pay-later/ticket",
        "search-v2/ticket",
    ]
    state = recorded(stack)
    assert {name: link["link_id"] for name, link in state.items()} == {
        name: links[name]["_id"] for name in state
    }
    assert state["pay-later/ticket"] == {
        "deep_link": "https://jira.example.com/browse/pay-later",
        "title": "ticket for pay-later",
        "link_id": links["pay-later/ticket"]["_id"],
    }
    (resource,) = stack.resources("FlagLinks")
    assert resource["id"].startswith(f"{PROJECT}/flag-links-")
    assert resource["outputs"]["link_count"] == 3
    # export_stack shows secrets: only the default provider's config may hold the token.
    assert stack.emulator.token not in json.dumps(resource)
    assert stack.emulator.token not in "\n".join(stack.output)

    stack.admin.reset_stats()
    assert stack.up().summary.resource_changes == {"same": 2}
    assert stack.preview().change_summary == {"same": 2}
    assert stack.requests() == 0

    changed = program(
        ticket("new-checkout", title="CHK-1 (phase 2)"),  # patched in place
        ticket("pay-later", url="https://jira.example.com/browse/CHK-7"),  # replaced
        ticket("dark-mode"),  # added; search-v2's is removed
    )
    stack.program(changed)
    lines = diff_lines(stack)
    assert sorted(name for name in map(changed_name, lines) if "/" in name) == [
        "+ dark-mode/ticket",
        "- search-v2/ticket",
        "~ new-checkout/ticket",
        "~ pay-later/ticket",
    ]
    assert not [line for line in lines if line.startswith("~ [")]  # no positional cascade
    stack.admin.reset_stats()
    assert stack.up().summary.resource_changes == {"same": 1, "update": 1}
    assert routes(stack) == {"POST links": 2, "PATCH links": 1, "DELETE links": 2}
    after = live(stack)
    assert sorted(after) == [
        "dark-mode/ticket",
        "new-checkout/runbook",
        "new-checkout/ticket",
        "pay-later/ticket",
    ]
    assert after["new-checkout/ticket"]["_id"] == links["new-checkout/ticket"]["_id"]
    assert after["new-checkout/ticket"]["title"] == "CHK-1 (phase 2)"
    assert after["pay-later/ticket"]["_deepLink"] == "https://jira.example.com/browse/CHK-7"
    assert after["pay-later/ticket"]["_id"] != links["pay-later/ticket"]["_id"]
    assert {name: link["link_id"] for name, link in recorded(stack).items()} == {
        name: after[name]["_id"] for name in after if name != "new-checkout/runbook"
    }

    stack.admin.reset_stats()
    stack.destroy()
    assert routes(stack) == {"DELETE links": 3}
    assert sorted(live(stack)) == ["new-checkout/runbook"]  # not ours: left alone
    assert stack.resources() == []


def test_a_partial_create_failure_is_named_per_link_and_undone(
    new_stack: Callable[..., Stack],
) -> None:
    stack = new_stack().program(
        program(ticket("new-checkout"), ticket("no-such-flag"), ticket("pay-later"))
    )
    shown = failure_text(stack.up)
    assert "could not create 1 of 3 flag link(s) in project 'default'" in shown
    assert "flag link 'ticket' on flag 'no-such-flag': flag 'no-such-flag' was not found" in shown
    assert "the 2 link(s) it made were deleted again, and nothing was recorded" in shown
    assert live(stack) == {}
    assert stack.resources("FlagLinks") == []

    stack.program(program(ticket("new-checkout"), ticket("pay-later")))
    stack.up()
    assert sorted(live(stack)) == ["new-checkout/ticket", "pay-later/ticket"]


def test_a_partial_update_failure_leaves_launchdarkly_as_the_state_says(
    new_stack: Callable[..., Stack],
) -> None:
    stack = new_stack().program(program(ticket("new-checkout"), ticket("pay-later")))
    stack.up()
    before, state = live(stack), recorded(stack)

    stack.program(
        program(
            ticket("new-checkout", title="patched"),
            ticket("search-v2"),
            ticket("no-such-flag"),
        )
    )
    shown = failure_text(stack.up)
    assert "could not change 1 of 4 flag link(s)" in shown
    assert "flag link 'ticket' on flag 'no-such-flag'" in shown
    assert "1 link(s) it created were deleted again and 1 patched link(s) were patched back" in (
        shown
    )
    assert live(stack) == before  # search-v2's link undone, the title back, pay-later's kept
    assert recorded(stack) == state
    assert stack.preview().change_summary == {"same": 1, "update": 1}

    stack.program(program(ticket("new-checkout", title="patched"), ticket("search-v2")))
    stack.up()
    assert sorted(live(stack)) == ["new-checkout/ticket", "search-v2/ticket"]
    assert live(stack)["new-checkout/ticket"]["title"] == "patched"


def test_existing_links_are_taken_over_only_with_adopt_and_when_identical(
    new_stack: Callable[..., Stack],
) -> None:
    stack = new_stack()
    with emulator_api(stack.emulator) as api:
        same = {
            "key": "ticket",
            "deepLink": "https://jira.example.com/browse/new-checkout",
            "title": "ticket for new-checkout",
        }
        other = {**same, "deepLink": "https://jira.example.com/browse/pay-later", "title": "x"}
        links_path = f"/api/v2/flag-links/projects/{PROJECT}/flags"
        same_id = api.post(f"{links_path}/new-checkout", json=same).raise_for_status().json()["_id"]
        other_id = api.post(f"{links_path}/pay-later", json=other).raise_for_status().json()["_id"]

    # Without adopt=True, an existing link is refused even when it looks the same.
    stack.program(program(ticket("new-checkout"), ticket("search-v2")))
    shown = failure_text(stack.up)
    assert (
        "flag link 'ticket' on flag 'new-checkout': the flag already has a link with this key "
        f"(_id {same_id}), which this resource did not create"
    ) in shown
    assert "set adopt=True on this FlagLinks" in shown
    assert sorted(live(stack)) == ["new-checkout/ticket", "pay-later/ticket"]  # undone

    adopting = {"adopt": True}
    stack.program(
        program(ticket("new-checkout"), ticket("pay-later"), ticket("search-v2"), **adopting)
    )
    shown = failure_text(stack.up)
    assert "flag link 'ticket' on flag 'pay-later': the flag already has a link with this key" in (
        shown
    )
    assert f"(_id {other_id}) whose title='x' differ from the declared ones" in shown
    assert "the 1 existing link(s) it would have adopted were left as they were" in shown
    assert {name: link["_id"] for name, link in live(stack).items()} == {
        "new-checkout/ticket": same_id,
        "pay-later/ticket": other_id,
    }

    stack.program(program(ticket("new-checkout"), ticket("search-v2"), **adopting))
    stack.up()
    assert recorded(stack)["new-checkout/ticket"]["link_id"] == same_id
    stack.destroy()  # an adopted link is owned: destroy deletes it
    assert sorted(live(stack)) == ["pay-later/ticket"]  # never ours


def test_refresh_reads_each_flag_once_and_sees_drift(new_stack: Callable[..., Stack]) -> None:
    links = [ticket(flag) for flag in FLAGS[:3]]
    links.append(
        FlagLinkSpec(flag_key="new-checkout", key="runbook", deep_link="https://w.example.com")
    )
    stack = new_stack().program(program(*links))
    stack.up()
    state = recorded(stack)
    official = OfficialClient(stack.emulator)
    official.delete_flag_link(PROJECT, "pay-later", state["pay-later/ticket"]["link_id"])
    official.set_flag_link_title(
        PROJECT, "search-v2", state["search-v2/ticket"]["link_id"], "edited by hand"
    )

    stack.admin.reset_stats()
    stack.refresh()
    assert routes(stack) == {"GET links": 3}  # three flags, four links
    refreshed = recorded(stack)
    assert sorted(refreshed) == ["new-checkout/runbook", "new-checkout/ticket", "search-v2/ticket"]
    assert refreshed["search-v2/ticket"]["title"] == "edited by hand"
    lines = diff_lines(stack)
    assert sorted(name for name in map(changed_name, lines) if "/" in name) == [
        "+ pay-later/ticket",
        "~ search-v2/ticket",
    ]
    assert any('"edited by hand" => "ticket for search-v2"' in line for line in lines)

    stack.admin.reset_stats()
    stack.up()
    assert routes(stack) == {"POST links": 1, "PATCH links": 1}
    assert live(stack)["search-v2/ticket"]["title"] == "ticket for search-v2"
    assert stack.preview().change_summary == {"same": 2}


def test_a_flag_link_claiming_a_link_of_the_collection_fails_preview_naming_both(
    new_stack: Callable[..., Stack],
) -> None:
    def run() -> None:
        program(ticket("new-checkout"), ticket("pay-later"))()
        FlagLink(
            "chk-1",
            project_key=PROJECT,
            flag_key="pay-later",
            key="ticket",
            deep_link="https://jira.example.com/browse/pay-later",
        )

    stack = new_stack().program(run)
    shown = failure_text(stack.preview)
    assert "FlagLinks 'tickets' and FlagLink 'chk-1' declare the same link" in shown
    assert "key 'ticket' on flag 'pay-later' in project 'default'" in shown
    stack.admin.reset_stats()
    failure_text(stack.up)
    assert stack.admin.stats()["mutating"] == 0
    assert live(stack) == {} and stack.resources() == []


def test_bad_input_is_named_at_preview_with_no_request(new_stack: Callable[..., Stack]) -> None:
    stack = new_stack().program(
        program(ticket("new-checkout", url="jira/CHK-1"), ticket("pay-later"), ticket("pay-later"))
    )
    stack.admin.reset_stats()
    shown = failure_text(stack.preview)
    assert "links[0] (key 'ticket' on flag 'new-checkout'): deep_link 'jira/CHK-1'" in shown
    assert "links[1] and links[2] both declare key 'ticket' on flag 'pay-later'" in shown
    assert stack.requests() == 0


def test_lost_answers_never_double_a_create(new_stack: Callable[..., Stack]) -> None:
    writes: list[Any] = []
    hooks = new_stack("hooks").emulator.runtime.exchange_hooks

    def record(exchange: Any) -> None:
        if exchange.method == "POST" and "/flag-links/" in exchange.path:
            writes.append(exchange)

    hooks.append(record)
    try:
        stack = new_stack()
        stack.admin.seed({"projects": [{"key": PROJECT, "name": "Default", "flags": ["f"]}]})
        specs = [
            FlagLinkSpec(flag_key="f", key=f"k{n:02d}", deep_link=f"https://t.example.com/{n}")
            for n in range(12)
        ]
        stack.program(program(*specs, parallelism=1))  # one at a time: the seed's faults repeat
        stack.admin.set_knobs(fault_rate=0.5, fault_seed=20261123)
        stack.up()
    finally:
        hooks.remove(record)
    lost = [w for w in writes if (w.fault or "").endswith("-after")]
    assert len(lost) >= 2, "the seed must lose some create answers"
    assert [w.status for w in writes if w.status == 409] == []
    applied = [
        json.loads(w.body)["key"]
        for w in writes
        if (w.fault or "").endswith("-after") or (not w.fault and w.status < 300)
    ]
    assert sorted(applied) == [f"k{n:02d}" for n in range(12)]  # each created exactly once
    stack.admin.set_knobs(fault_rate=0)
    assert sorted(link["_key"] for link in flag_links(stack.emulator, PROJECT, "f")) == sorted(
        applied
    )
