"""Two FlagLinks of one program may not declare the same link: the program fails naming both,
and neither is registered (so neither can be created)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pulumi
import pytest

from pulumi_launchdarkly_links import FlagLink
from pulumi_launchdarkly_links.providers.flag_link_claims import FlagLinkClaims

from .recording_mocks import RecordingMocks

TICKET = "https://jira.example.com/browse/CHK-1"


def test_one_declaration_per_link_is_no_conflict() -> None:
    claims = FlagLinkClaims()
    claims.declare(("default", "new-checkout", "chk-1"), "ticket")
    claims.declare(("default", "new-checkout", "chk-1"), "ticket")  # the same resource again
    claims.declare(("default", "other-flag", "chk-1"), "other-ticket")
    assert claims.conflict(("default", "new-checkout", "chk-1")) is None
    assert claims.conflict(("default", "other-flag", "chk-1")) is None


def test_a_second_declaration_names_both_resources() -> None:
    claims = FlagLinkClaims()
    claims.declare(("default", "new-checkout", "chk-1"), "ticket")
    claims.declare(("default", "new-checkout", "chk-1"), "runbook")
    message = claims.conflict(("default", "new-checkout", "chk-1"))
    assert message is not None
    assert "FlagLink resources 'ticket' and 'runbook' declare the same link" in message
    assert "key 'chk-1' on flag 'new-checkout' in project 'default'" in message


def run_program(program: Callable[[], list[FlagLink]]) -> None:
    @pulumi.runtime.test
    def run() -> pulumi.Output[Any]:
        return pulumi.Output.all(*(link.key for link in program()))

    run()


def link(name: str, key: pulumi.Input[str] | None, flag: str = "new-checkout") -> FlagLink:
    return FlagLink(name, project_key="default", flag_key=flag, deep_link=TICKET, key=key)


def test_two_flag_links_with_the_same_key_fail_naming_both(mocks: RecordingMocks) -> None:
    with pytest.raises(pulumi.RunError) as failure:
        run_program(lambda: [link("ticket", "chk-1"), link("runbook", "chk-1")])
    assert "'ticket' and 'runbook'" in str(failure.value)
    assert mocks.registered == []


def test_a_default_key_counts_too(mocks: RecordingMocks) -> None:
    with pytest.raises(pulumi.RunError, match="'chk-1' and 'runbook'"):
        run_program(lambda: [link("chk-1", None), link("runbook", "chk-1")])


def test_a_key_from_an_output_is_checked_when_it_resolves(mocks: RecordingMocks) -> None:
    with pytest.raises(pulumi.RunError, match="'ticket' and 'runbook'"):
        run_program(
            lambda: [link("ticket", "chk-1"), link("runbook", pulumi.Output.from_input("chk-1"))]
        )
    assert "runbook" not in mocks.registered


def test_the_same_key_on_other_flags_is_fine(mocks: RecordingMocks) -> None:
    run_program(lambda: [link("ticket", "chk-1"), link("other", "chk-1", flag="other-flag")])
    assert sorted(mocks.registered) == ["other", "ticket"]


def test_each_program_run_has_its_own_claims(mocks: RecordingMocks) -> None:
    run_program(lambda: [link("ticket", "chk-1")])
    pulumi.runtime.settings.reset_options()
    pulumi.runtime.set_mocks(mocks, project="claims", stack="test", preview=True)
    run_program(lambda: [link("renamed-ticket", "chk-1")])
    assert mocks.registered == ["ticket", "renamed-ticket"]
