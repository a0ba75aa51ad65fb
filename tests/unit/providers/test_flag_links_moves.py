"""Which existing links a FlagLinks takes over, against a scripted LaunchDarkly: a link moved
between two FlagLinks of one deployment survives whichever update runs first, a link whose
owner was not checked needs `adopt=True`, a failed create undoes a link its own lost POST made,
and an integration link (LaunchDarkly fills in its URL) is neither replaced nor refused."""

from __future__ import annotations

import threading
import time
from typing import Any

import httpx
import pytest

from pulumi_launchdarkly_links.providers import flag_link_moves
from pulumi_launchdarkly_links.providers.deployment_declarations import start_new_deployment
from pulumi_launchdarkly_links.providers.flag_links import FlagLinksProvider

from . import test_flag_links_provider as scripted
from .test_flag_links_provider import PROJECT, FakeLaunchDarkly, create, failure_of, spec

fake = scripted.fake  # the scripted LaunchDarkly and the provider that talks to it
provider = scripted.provider

TICKET = "flag-0/ticket"


def inputs(links: list[dict[str, Any]], **more: Any) -> dict[str, Any]:
    return {"project_key": PROJECT, "links": links, **more}


def check(provider: FlagLinksProvider, olds: dict[str, Any], news: dict[str, Any]) -> dict:
    """One resource's check in the current deployment, as the engine calls it."""
    result = provider.check(olds, news)
    assert result.failures == []
    return dict(result.inputs)


@pytest.mark.parametrize("first", ["giver", "receiver"])
def test_a_link_moved_between_two_flag_links_keeps_its_id_whichever_update_runs_first(
    provider: FlagLinksProvider, fake: FakeLaunchDarkly, first: str
) -> None:
    giver_old = check(provider, {}, inputs([spec("flag-0"), spec("flag-1")]))
    receiver_old = check(provider, {}, inputs([spec("flag-2")]))
    giver_state = dict(provider.create(giver_old).outs or {})
    receiver_state = dict(provider.create(receiver_old).outs or {})
    moved_id = giver_state["links"][TICKET]["link_id"]

    # The next `up`: the engine checks both resources, then runs their updates in some order.
    start_new_deployment()
    giver_new = check(provider, giver_old, inputs([spec("flag-1")]))
    receiver_new = check(provider, receiver_old, inputs([spec("flag-2"), spec("flag-0")]))
    fake.requests.clear()
    updates = {
        "giver": lambda: provider.update("g", giver_state, giver_new),
        "receiver": lambda: provider.update("r", receiver_state, receiver_new),
    }
    results = {name: updates[name]() for name in (first, *(set(updates) - {first}))}

    assert fake.sent("DELETE") == 0
    assert [link["_id"] for link in fake.links["flag-0"]] == [moved_id]
    assert TICKET not in dict(results["giver"].outs or {})["links"]
    assert dict(results["receiver"].outs or {})["links"][TICKET]["link_id"] == moved_id


def test_a_receiver_that_meets_the_link_before_the_giver_is_checked_waits_for_that_check(
    provider: FlagLinksProvider, fake: FakeLaunchDarkly, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The engine may start the receiver's update before it checks a giver that the program
    registers later: the receiver's refusal waits for that check."""
    monkeypatch.setattr(flag_link_moves, "LATER_CHECKS_GRACE_SECONDS", 10)
    giver_old = inputs([spec("flag-0"), spec("flag-1")])
    create(provider, giver_old["links"])
    receiver_state = create(provider, [spec("flag-2")])
    giver_recorded = check(provider, {}, giver_old)  # the giver's inputs as the state holds them
    start_new_deployment()
    news = check(provider, inputs([spec("flag-2")]), inputs([spec("flag-2"), spec("flag-0")]))
    giver_checked_later = threading.Timer(
        0.3, lambda: check(provider, giver_recorded, inputs([spec("flag-1")]))
    )
    giver_checked_later.start()
    started = time.monotonic()
    outputs = dict(provider.update("r", receiver_state, news).outs or {})
    giver_checked_later.join()
    assert 0.3 <= time.monotonic() - started < 5
    assert outputs["links"][TICKET]["link_id"] == fake.links["flag-0"][0]["_id"]
    assert len(fake.links["flag-0"]) == 1


def test_a_link_whose_owner_was_not_checked_is_refused_without_adopt(
    provider: FlagLinksProvider, fake: FakeLaunchDarkly
) -> None:
    """What `pulumi up --target receiver` does: the giver is not checked, so nothing says the
    link is this stack's; the receiver refuses it and changes nothing."""
    create(provider, [spec("flag-0")])
    receiver_state = create(provider, [spec("flag-2")])
    start_new_deployment()
    news = check(provider, inputs([spec("flag-2")]), inputs([spec("flag-2"), spec("flag-0")]))
    message = failure_of(lambda: provider.update("r", receiver_state, news))
    assert "(_id " in message and "which this resource did not create" in message
    assert "set adopt=True on this FlagLinks" in message
    assert len(fake.links["flag-0"]) == 1 and fake.sent("DELETE") == 0


def test_a_removed_flag_links_leaves_a_link_another_one_adopted(
    provider: FlagLinksProvider, fake: FakeLaunchDarkly
) -> None:
    """The giver left the program (never checked); the receiver took the link over with
    adopt=True in the same `up`; the giver's delete, which the engine runs last, keeps it."""
    giver_state = create(provider, [spec("flag-0"), spec("flag-1")])
    receiver_state = create(provider, [spec("flag-2")])
    moved_id = giver_state["links"][TICKET]["link_id"]
    start_new_deployment()
    old = inputs([spec("flag-2")])
    news = check(provider, old, inputs([spec("flag-2"), spec("flag-0")], adopt=True))
    provider.update("r", receiver_state, news)
    provider.delete("g", giver_state)
    assert [link["_id"] for link in fake.links["flag-0"]] == [moved_id]
    assert fake.links["flag-1"] == []


def test_a_failed_create_deletes_the_link_its_own_lost_post_made(
    provider: FlagLinksProvider, fake: FakeLaunchDarkly
) -> None:
    fake.allow_duplicate_keys = True  # the look after the lost answer finds it, not a 409
    fake.fail_next("POST", 502, flag="flag-1", after_applying=True)
    message = failure_of(lambda: create(provider, [spec("flag-1"), spec("no-such-flag")]))
    assert "the 1 link(s) it made were deleted again" in message
    assert fake.keys()["flag-1"] == []


def test_a_failed_create_leaves_an_older_link_found_after_a_lost_409(
    provider: FlagLinksProvider, fake: FakeLaunchDarkly
) -> None:
    """Found by the two-stack model: a renamed FlagLinks' POST meets the old one's link, the
    409 is lost, and the look finds that link. It was made before this create, so it is not
    this create's: refused (not taken over silently) and left alone by the undo."""
    older = fake.add_link("flag-1", "ticket", deepLink="https://jira.example.com/flag-1")
    fake.fail_next("POST", 502, flag="flag-1", after_applying=True)  # the 409, answer lost
    message = failure_of(lambda: create(provider, [spec("flag-1"), spec("flag-2")]))
    assert f"(_id {older['_id']}), which this resource did not create" in message
    assert [link["_id"] for link in fake.links["flag-1"]] == [older["_id"]]
    assert fake.links["flag-2"] == []  # undone


def test_an_integration_link_is_not_replaced_and_survives_a_lost_answer(
    provider: FlagLinksProvider, fake: FakeLaunchDarkly
) -> None:
    jira = {"flag_key": "flag-0", "key": "jira", "integration_key": "jira", "title": "CHK-1"}
    fake.allow_duplicate_keys = True
    fake.fail_next("POST", 502, flag="flag-0", after_applying=True)
    state = create(provider, [jira])
    assert fake.sent("POST") == 1
    assert state["links"]["flag-0/jira"] == {
        "integration_key": "jira",
        "title": "CHK-1",
        "link_id": fake.links["flag-0"][0]["_id"],
    }
    news = check(provider, inputs([jira]), inputs([jira]))
    assert provider.diff("id", state, news).changes is False
    refreshed = dict(provider.read("id", state).outs or {})
    assert provider.diff("id", refreshed, news).changes is False


def test_adopt_is_checked_and_never_a_change(provider: FlagLinksProvider) -> None:
    start_new_deployment()
    (failure,) = provider.check({}, inputs([spec("flag-0")], adopt="yes")).failures
    assert (failure.property, failure.reason) == ("adopt", "adopt must be True or False, got 'yes'")
    state = create(provider, [spec("flag-0")])
    news = check(provider, inputs([spec("flag-0")]), inputs([spec("flag-0")], adopt=True))
    assert provider.diff("id", state, news).changes is False


def test_lost_answer_of_a_post_is_not_mistaken_for_a_refusal(
    provider: FlagLinksProvider, fake: FakeLaunchDarkly
) -> None:
    """A 409 after this create's own lost POST (LaunchDarkly refuses the repeat) is still this
    create's link: the look before posting again finds it, so no refusal."""
    fake.fail_next("POST", httpx.ReadTimeout, flag="flag-3", after_applying=True)
    state = create(provider, [spec("flag-3")])
    assert fake.sent("POST") == 1
    assert state["links"]["flag-3/ticket"]["link_id"] == fake.links["flag-3"][0]["_id"]
