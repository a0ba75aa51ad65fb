"""What a user reads in `pulumi preview`: exactly the members that change, nothing after a
refresh that found no change (issue 10, "What users read")."""

from __future__ import annotations

from collections.abc import Callable

from pulumi_launchdarkly_links import SegmentRef, ViewMembership

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
