"""What a user reads: a preview names exactly the members that change, a refresh that found no
change leaves no diff, a refused token is one error about the token (issue 10)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from pulumi import automation as auto

from pulumi_launchdarkly_links import FlagLink, SegmentRef, ViewMembership

from .harness import Stack

PROJECT = "default"
FLAGS = [f"flag-{n:02d}" for n in range(30)]


def program(flags: list[str], segment: str) -> Callable[[], None]:
    def run() -> None:
        ViewMembership(
            "checkout",
            project_key=PROJECT,
            view_key="checkout",
            flags=flags,
            segments=[SegmentRef(environment_key="production", segment_key=segment)],
        )

    return run


def diff_lines(stack: Stack) -> list[str]:
    stack.output.clear()
    stack.preview(diff=True)
    return [line.strip() for line in stack.output if line.strip().startswith(("+ ", "- ", "~ "))]


def test_preview_names_exactly_the_members_added_and_removed(
    new_stack: Callable[..., Stack],
) -> None:
    stack = new_stack()
    stack.admin.seed({"projects": [{"key": PROJECT, "name": "Default", "flags": FLAGS}]})
    stack.program(program(FLAGS[:-1], "beta-users")).up()

    changed = [f for f in FLAGS[:-1] if f != "flag-14"] + [FLAGS[-1]]
    lines = diff_lines(stack.program(program(changed, "internal-staff")))
    member_lines = [
        line for line in lines if line.startswith(("+ flag-", "- flag-", "+ prod", "- prod"))
    ]
    assert not [line for line in lines if line.startswith("~ [")]  # no positional cascade
    assert sorted(line.split(":")[0].strip() for line in member_lines) == [
        "+ flag-29",
        "+ production/internal-staff",
        "- flag-14",
        "- production/beta-users",
    ]


def test_a_refresh_without_change_leaves_no_diff(new_stack: Callable[..., Stack]) -> None:
    stack = new_stack().program(program(["new-checkout", "pay-later"], "beta-users"))
    stack.up()
    stack.refresh()
    assert diff_lines(stack) == []
    assert stack.preview().change_summary == {"same": 2}


def test_a_refused_token_on_update_is_one_error_about_the_token(
    new_stack: Callable[..., Stack],
) -> None:
    stack = new_stack().program(program(["new-checkout"], "beta-users"))
    stack.up()
    stack.stack.set_config(
        "launchdarkly:accessToken", auto.ConfigValue("api-wrong-token-0000", secret=True)
    )
    stack.program(program(["new-checkout", "pay-later", "dark-mode"], "beta-users"))
    with pytest.raises(auto.CommandError) as failure:
        stack.up()
    message = str(failure.value)
    assert "401" in message and "launchdarkly:accessToken" in message
    assert "member(s)" not in message and "'pay-later'" not in message


def test_refreshing_unchanged_flag_links_shows_no_diff(new_stack: Callable[..., Stack]) -> None:
    def links() -> None:
        FlagLink(
            "chk-1",
            project_key=PROJECT,
            flag_key="new-checkout",
            deep_link="https://jira.example.com/browse/CHK-1",
        )
        FlagLink(
            "chk-2",
            project_key=PROJECT,
            flag_key="new-checkout",
            deep_link="https://jira.example.com/browse/CHK-2",
            title="",
            description="Rollout",
            timestamp="2026-11-23T19:30:00Z",
        )

    stack = new_stack().program(links)
    stack.up()
    stack.output.clear()
    stack.refresh()
    assert not [line for line in stack.output if "[diff:" in line]
    assert diff_lines(stack) == []
