"""A link declared by a FlagLinks may not be declared by a FlagLink or another FlagLinks of the
same program: the program fails naming both, and neither resource is registered."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pulumi
import pytest

from pulumi_launchdarkly_links import FlagLink, FlagLinks, FlagLinkSpec
from pulumi_launchdarkly_links.providers.flag_link_claims import FlagLinkClaims

from .recording_mocks import RecordingMocks

TICKET = "https://jira.example.com/browse/CHK-1"


def test_a_flag_link_and_a_collection_are_named_with_their_kinds() -> None:
    claims = FlagLinkClaims()
    claims.declare(("default", "new-checkout", "chk-1"), "ticket")
    claims.declare(("default", "new-checkout", "chk-1"), "tickets", "FlagLinks")
    message = claims.conflict(("default", "new-checkout", "chk-1"))
    assert message is not None
    assert message.startswith("FlagLink 'ticket' and FlagLinks 'tickets' declare the same link")


def run_program(program: Callable[[], list[pulumi.CustomResource]]) -> None:
    @pulumi.runtime.test
    def run() -> pulumi.Output[Any]:
        return pulumi.Output.all(*(resource.urn for resource in program()))

    run()


def tickets(name: str, *flags: pulumi.Input[str], key: pulumi.Input[str] = "chk-1") -> FlagLinks:
    return FlagLinks(
        name,
        project_key="default",
        links=[FlagLinkSpec(flag_key=flag, key=key, deep_link=TICKET) for flag in flags],
    )


def single(name: str, flag: str, key: str = "chk-1") -> FlagLink:
    return FlagLink(name, project_key="default", flag_key=flag, deep_link=TICKET, key=key)


def test_a_flag_link_claiming_a_link_of_a_collection_fails_both(mocks: RecordingMocks) -> None:
    with pytest.raises(pulumi.RunError) as failure:
        run_program(
            lambda: [tickets("tickets", "pay-later", "new-checkout"), single("t", "pay-later")]
        )
    assert "FlagLinks 'tickets' and FlagLink 't' declare the same link" in str(failure.value)
    assert "key 'chk-1' on flag 'pay-later'" in str(failure.value)
    assert mocks.registered == []


def test_two_collections_claiming_one_link_fail(mocks: RecordingMocks) -> None:
    with pytest.raises(pulumi.RunError, match="FlagLinks resources 'a' and 'b' declare"):
        run_program(lambda: [tickets("a", "new-checkout"), tickets("b", "x", "new-checkout")])


def test_an_identity_from_an_output_is_checked_when_it_resolves(mocks: RecordingMocks) -> None:
    later = pulumi.Output.from_input("new-checkout")
    with pytest.raises(pulumi.RunError, match="FlagLink 't' and FlagLinks 'late'"):
        run_program(lambda: [single("t", "new-checkout"), tickets("late", later)])
    assert "late" not in mocks.registered


def test_other_keys_and_flags_are_no_conflict(mocks: RecordingMocks) -> None:
    run_program(
        lambda: [
            tickets("a", "new-checkout", "pay-later"),
            tickets("b", "new-checkout", key="runbook"),
            single("t", "search-v2"),
        ]
    )
    assert sorted(mocks.registered) == ["a", "b", "t"]
