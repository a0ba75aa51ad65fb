"""Step sequences the state machine found breaking the ownership contract, kept as plain tests.

Each test replays one minimal sequence through the same engine simulation and contract checks
as the machine (`CheckedStack`); the assertion that fires names the broken rule. "Someone"
is another person or tool changing LaunchDarkly directly.
"""

from __future__ import annotations

from .contract import CheckedStack
from .engine import MISSING_FLAG, Program, SegmentDecl

BETA_PRODUCTION = SegmentDecl("production", "beta-users")


def test_switching_to_exclusive_without_adopt_fails_while_someone_elses_flag_is_linked(
    stack: CheckedStack,
) -> None:
    stack.someone_links("checkout", "pay-later", link=True)
    stack.up(Program(flags=("new-checkout",)))
    stack.up(Program(flags=("new-checkout",), exclusive=True))  # must fail, unlinking nothing


def test_a_refused_switch_to_exclusive_that_fails_anyway_unlinks_nothing(
    stack: CheckedStack,
) -> None:
    stack.someone_links("checkout", "pay-later", link=True)
    stack.up(Program(flags=("new-checkout",)))
    stack.up(Program(flags=("new-checkout", MISSING_FLAG), exclusive=True))


def test_an_exclusive_resource_starting_to_manage_segments_fails_while_others_are_linked(
    stack: CheckedStack,
) -> None:
    stack.someone_links("checkout", BETA_PRODUCTION, link=True)
    stack.up(Program(flags=("new-checkout",), exclusive=True))
    stack.up(Program(flags=("new-checkout",), segments=(), exclusive=True))


def test_a_failed_create_keeps_a_declared_flag_someone_else_had_linked(
    stack: CheckedStack,
) -> None:
    stack.someone_links("checkout", "pay-later", link=True)
    stack.up(Program(flags=("pay-later", MISSING_FLAG)))  # fails; pay-later stays linked


def test_an_update_dropping_a_flag_someone_deleted_succeeds(stack: CheckedStack) -> None:
    stack.up(Program(flags=("new-checkout", "dark-mode")))
    stack.someone_deletes("dark-mode")
    stack.up(Program(flags=("new-checkout",)))


def test_an_exclusive_update_unlinks_what_someone_linked_since_the_last_refresh(
    stack: CheckedStack,
) -> None:
    stack.up(Program(flags=("new-checkout",), exclusive=True))
    stack.someone_links("checkout", "pay-later", link=True)
    stack.up(Program(flags=("new-checkout", "dark-mode"), exclusive=True))


def test_an_update_links_again_a_declared_flag_someone_unlinked(stack: CheckedStack) -> None:
    stack.up(Program(flags=("new-checkout",)))
    stack.someone_links("checkout", "new-checkout", link=False)
    stack.up(Program(flags=("new-checkout", "pay-later")))


def test_an_update_does_not_succeed_while_a_declared_flag_was_deleted(
    stack: CheckedStack,
) -> None:
    stack.up(Program(flags=("new-checkout",)))
    stack.someone_deletes("new-checkout")
    stack.up(Program(flags=("new-checkout", "pay-later")))  # fail, or nothing is declared-missing


def test_an_up_with_a_segment_rewritten_by_environment_key_makes_no_request(
    stack: CheckedStack,
) -> None:
    stack.up(Program(segments=(SegmentDecl("production", "beta-users", by_id=True),)))
    stack.up(Program(segments=(BETA_PRODUCTION,)))  # the same segment: nothing to change


# Switching `exclusive` on checks only what others linked (README, issue 16 item 6): a member the
# resource declared before is its own, so the same up may drop it without adopt=True.


def test_switching_to_exclusive_unlinks_a_segment_it_declared_before_without_adopt(
    stack: CheckedStack,
) -> None:
    stack.up(Program(segments=(BETA_PRODUCTION,)))
    stack.up(Program(segments=(), exclusive=True))  # succeeds, unlinking its own beta-users


def test_switching_to_exclusive_refuses_the_same_segment_key_linked_in_another_environment(
    stack: CheckedStack,
) -> None:
    stack.someone_links("checkout", SegmentDecl("test", "beta-users"), link=True)
    stack.up(Program(segments=(BETA_PRODUCTION,)))
    stack.up(Program(segments=(), exclusive=True))  # refused: test's beta-users is someone's


def test_switching_to_exclusive_refuses_a_dropped_flag_a_refresh_saw_relinked_by_someone(
    stack: CheckedStack,
) -> None:
    stack.up(Program(flags=("new-checkout", "pay-later")))
    stack.someone_links("checkout", "pay-later", link=False)
    stack.refresh()  # the state no longer records pay-later: it is not linked
    stack.someone_links("checkout", "pay-later", link=True)  # now someone else's link
    stack.up(Program(flags=("new-checkout",), exclusive=True))  # refused


def test_an_up_after_a_refresh_of_a_segment_rewritten_by_environment_key_makes_no_request(
    stack: CheckedStack,
) -> None:
    """`make fuzz` found it (23:30 UTC): Invariant 5, the rerun made 1 request."""
    stack.up(Program(segments=(SegmentDecl("production", "beta-users", by_id=True),)))
    stack.up(Program(segments=(BETA_PRODUCTION,)))
    stack.refresh()
    stack.up(Program(segments=(BETA_PRODUCTION,)))  # the program of the last up: no request
