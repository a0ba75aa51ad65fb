"""When a FlagLink takes over an existing link, against a scripted LaunchDarkly: a link moving
to it from another resource of the deployment, a delete that leaves a link another resource
took over, a replace that still deletes, and an integration link (LaunchDarkly fills in its
URL) that is neither replaced on every run nor refused after a lost answer."""

from __future__ import annotations

from typing import Any

import pytest

from pulumi_launchdarkly_links.providers.deployment_declarations import (
    current_deployment,
    start_new_deployment,
)
from pulumi_launchdarkly_links.providers.flag_link import FlagLinkProvider

from . import test_flag_link_provider as scripted
from .test_flag_link_provider import FLAG, PROJECT, FakeLaunchDarkly, created_state, declared

fake = scripted.fake  # the scripted LaunchDarkly and the provider that talks to it
provider = scripted.provider

ITEM = ("flag-link", PROJECT, FLAG, "chk-1")  # how the deployment record names the link
JIRA = {"project_key": PROJECT, "flag_key": FLAG, "key": "jira", "integration_key": "jira"}


@pytest.fixture(autouse=True)
def token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAUNCHDARKLY_ACCESS_TOKEN", "api-test")  # check() wants one configured


def checked(provider: FlagLinkProvider, olds: dict[str, Any], news: dict[str, Any]) -> dict:
    result = provider.check(olds, news)
    assert result.failures == []
    return dict(result.inputs)


def test_a_link_moving_here_from_another_resource_of_the_deployment_is_taken_over(
    provider: FlagLinkProvider, fake: FakeLaunchDarkly
) -> None:
    fake.refuse_duplicate_keys = True
    theirs = fake.add_link("chk-1", title="CHK-1")
    # The giver (a FlagLinks, say) was checked with the link in its state.
    current_deployment().record_check(declared=(), owned_in_state=[ITEM])
    state = provider.create(checked(provider, {}, declared())).outs
    assert state is not None and state["link_id"] == theirs["_id"]
    assert fake.sent("POST") == 1 and len(fake.links) == 1


def test_a_removed_flag_link_leaves_the_link_another_resource_took_over(
    provider: FlagLinkProvider, fake: FakeLaunchDarkly
) -> None:
    state = created_state(provider)
    start_new_deployment()
    # The receiver declares the link (and took it over with adopt=True); the FlagLink itself
    # left the program, so the engine never checked it.
    current_deployment().record_check(declared=[ITEM])
    provider.delete("id", state)
    assert fake.sent("DELETE") == 0 and [link["_id"] for link in fake.links] == [state["link_id"]]


def test_a_replace_that_keeps_the_key_still_deletes_the_old_link(
    provider: FlagLinkProvider, fake: FakeLaunchDarkly
) -> None:
    fake.refuse_duplicate_keys = True
    state = created_state(provider)
    start_new_deployment()
    news = declared(deep_link="https://jira.example.com/browse/CHK-2")
    checked(provider, declared(), news)  # the engine's check, with the old inputs
    assert provider.diff("id", state, news).delete_before_replace is True
    checked(provider, {}, news)  # and again without them, for the replacement
    provider.delete("id", state)
    replacement = provider.create(news).outs
    assert replacement is not None and replacement["link_id"] != state["link_id"]
    assert [link["deepLink"] for link in fake.links] == ["https://jira.example.com/browse/CHK-2"]


def test_an_integration_link_is_not_replaced_on_the_next_run(
    provider: FlagLinkProvider, fake: FakeLaunchDarkly
) -> None:
    state = provider.create(checked(provider, {}, JIRA)).outs
    assert state is not None and state["deep_link"] == "https://ld.test/i/jira"
    news = checked(provider, JIRA, JIRA)
    assert provider.diff("id", state, news).changes is False
    refreshed = provider.read("id", state)
    assert refreshed.inputs is not None
    assert provider.diff("id", dict(refreshed.outs or {}), news).changes is False
    # A declared deep_link that changes still replaces the link.
    moved = checked(provider, JIRA, {**JIRA, "deep_link": "https://jira.example.com/x"})
    assert provider.diff("id", state, moved).replaces == ["deep_link"]


def test_an_integration_link_whose_create_answer_was_lost_is_this_creates(
    provider: FlagLinkProvider, fake: FakeLaunchDarkly
) -> None:
    fake.fail_next("POST", 502, after_applying=True)
    state = provider.create(checked(provider, {}, JIRA)).outs
    assert state is not None and state["link_id"] == fake.links[0]["_id"]
    assert fake.sent("POST") == 1


def test_adopt_is_checked_and_never_a_change(provider: FlagLinkProvider) -> None:
    (failure,) = provider.check({}, declared(adopt="yes")).failures
    assert (failure.property, failure.reason) == ("adopt", "adopt must be True or False, got 'yes'")
    state = created_state(provider)
    assert (
        provider.diff("id", state, checked(provider, declared(), declared(adopt=True))).changes
        is False
    )
