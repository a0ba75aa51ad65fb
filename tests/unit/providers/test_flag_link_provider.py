"""FlagLinkProvider against a scripted LaunchDarkly (httpx.MockTransport): creates and patches
whose answer is lost look before they write again, and a link leaves the state only when
LaunchDarkly confirms it is gone."""

from __future__ import annotations

import json
import secrets
import time
from typing import Any

import httpx
import pytest

from pulumi_launchdarkly_links.api import (
    BadRequestError,
    ConfigurationError,
    InternalServerError,
    LaunchDarklyClient,
)
from pulumi_launchdarkly_links.providers import flag_link_moves
from pulumi_launchdarkly_links.providers.deployment_declarations import start_new_deployment
from pulumi_launchdarkly_links.providers.errors import ProviderError
from pulumi_launchdarkly_links.providers.flag_link import FlagLinkProvider
from pulumi_launchdarkly_links.providers.flag_link_lookup import LinkPresenceUnknown
from pulumi_launchdarkly_links.providers.flag_link_writes import MAX_WRITE_ATTEMPTS

PROJECT, FLAG = "default", "new-checkout"
BASE_URL = "https://ld.test"
LINKS_PATH = f"/api/v2/flag-links/projects/{PROJECT}/flags/{FLAG}"
TICKET = "https://jira.example.com/browse/CHK-1"

Failure = int | type[httpx.RequestError]


def not_found(message: str) -> httpx.Response:
    return httpx.Response(404, json={"code": "not_found", "message": message})


class FakeLaunchDarkly:
    """One project with one flag and its links. Unlike the emulator it does not refuse a
    duplicate key (the spec does not promise a 409), and a JSON Patch `remove` of a missing
    field is a 400 as RFC 6902 says. `fail_next` scripts a failure before or after the request
    is carried out; `answer_everything_404` makes it a host that knows no route at all."""

    def __init__(self) -> None:
        self.flags = {FLAG}
        self.links: list[dict[str, Any]] = []
        self.requests: list[tuple[str, str, Any]] = []
        self.answer_everything_404 = False
        self.refuse_duplicate_keys = False
        self._failures: list[tuple[str, Failure, bool]] = []

    def fail_next(self, method: str, failure: Failure, *, after_applying: bool) -> None:
        self._failures.append((method, failure, after_applying))

    def sent(self, method: str) -> int:
        return sum(1 for request in self.requests if request[0] == method)

    def add_link(self, key: str, *, made_now: bool = False, **fields: Any) -> dict[str, Any]:
        """A link; made a minute ago (someone else's, before any create) unless `made_now`."""
        created_at = int(time.time() * 1000) - (0 if made_now else 60_000)
        link = {"_id": secrets.token_hex(6), "key": key, "deepLink": TICKET, **fields}
        link["createdAt"] = created_at
        self.links.append(link)
        return link

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content) if request.content else None
        self.requests.append((request.method, request.url.path, body))
        failure = next((f for f in self._failures if f[0] == request.method), None)
        if failure is not None:
            self._failures.remove(failure)
            if failure[2]:
                self._answer(request.method, request.url.path, body)
            if isinstance(failure[1], int):
                return httpx.Response(failure[1])
            raise failure[1]("injected", request=request)
        return self._answer(request.method, request.url.path, body)

    def _answer(self, method: str, path: str, body: Any) -> httpx.Response:
        if self.answer_everything_404:
            return not_found("Unknown route")
        if path == f"/api/v2/projects/{PROJECT}":
            return httpx.Response(200, json={"_id": "p1", "key": PROJECT, "name": "Default"})
        if path.startswith(f"/api/v2/flags/{PROJECT}/"):
            flag = path.rsplit("/", 1)[1]
            return (
                httpx.Response(200, json={"key": flag})
                if flag in self.flags
                else not_found("Unknown flag")
            )
        if not path.startswith(LINKS_PATH) or FLAG not in self.flags:
            return not_found("Unknown resource")
        if path == LINKS_PATH and method == "GET":
            return httpx.Response(200, json={"items": [rep(link) for link in self.links]})
        if path == LINKS_PATH and method == "POST":
            if self.refuse_duplicate_keys and any(old["key"] == body["key"] for old in self.links):
                return httpx.Response(409, json={"code": "conflict", "message": "exists"})
            fields = {name: body[name] for name in LINK_FIELDS if name in body}
            if "integrationKey" in body:  # LaunchDarkly fills in an integration link's URL
                fields["deepLink"] = f"https://ld.test/i/{body['integrationKey']}"
            return httpx.Response(
                201, json=rep(self.add_link(body["key"], made_now=True, **fields))
            )
        link = next((item for item in self.links if item["_id"] == path.rsplit("/", 1)[1]), None)
        if link is None:
            return not_found("Unknown flag link")
        if method == "DELETE":
            self.links.remove(link)
            return httpx.Response(204)
        patched = dict(link)  # a JSON Patch applies as a whole or not at all
        for operation in body:
            field = operation["path"].lstrip("/")
            if operation["op"] == "remove":
                if field not in patched:
                    return httpx.Response(
                        400, json={"code": "invalid_request", "message": f"no {field} to remove"}
                    )
                del patched[field]
            else:
                patched[field] = operation["value"]
        link.clear()
        link.update(patched)
        return httpx.Response(200, json=rep(link))


def rep(link: dict[str, Any]) -> dict[str, Any]:
    return {
        "_id": link["_id"],
        "_key": link["key"],
        "_deepLink": link["deepLink"],
        "_createdAt": link["createdAt"],
        "_timestamp": {"milliseconds": 1},
        "_links": {},
        **{name: link[name] for name in ("title", "description") if name in link},
        **({"_integrationKey": link["integrationKey"]} if "integrationKey" in link else {}),
    }


LINK_FIELDS = ("title", "description", "integrationKey", "deepLink")


@pytest.fixture
def fake() -> FakeLaunchDarkly:
    return FakeLaunchDarkly()


@pytest.fixture
def provider(fake: FakeLaunchDarkly, monkeypatch: pytest.MonkeyPatch) -> FlagLinkProvider:
    client = LaunchDarklyClient(
        access_token="api-test",
        base_url=BASE_URL,
        transport=httpx.MockTransport(fake),
        sleep=lambda seconds: None,
    )
    monkeypatch.setattr(FlagLinkProvider, "client", property(lambda self: client))
    start_new_deployment()  # each test starts as a new provider process would
    # A refusal waits for checks still to come; here no other check ever comes.
    monkeypatch.setattr(flag_link_moves, "LATER_CHECKS_GRACE_SECONDS", 0.1)
    return FlagLinkProvider()


def declared(**overrides: Any) -> dict[str, Any]:
    return {
        "project_key": PROJECT,
        "flag_key": FLAG,
        "key": "chk-1",
        "deep_link": TICKET,
        "title": "CHK-1",
        **overrides,
    }


def created_state(provider: FlagLinkProvider, **overrides: Any) -> dict[str, Any]:
    result = provider.create(declared(**overrides))
    assert result.outs is not None
    return dict(result.outs)


# -- create: look before posting again -------------------------------------------------------


@pytest.mark.parametrize("failure", [502, 500, 504, httpx.ReadTimeout, httpx.RemoteProtocolError])
def test_a_create_applied_but_unanswered_is_adopted_with_exactly_one_post(
    provider: FlagLinkProvider, fake: FakeLaunchDarkly, failure: Failure
) -> None:
    fake.fail_next("POST", failure, after_applying=True)
    state = created_state(provider)
    (link,) = fake.links
    assert state["link_id"] == link["_id"]
    assert fake.sent("POST") == 1
    assert [request[0] for request in fake.requests] == ["POST", "GET"]


def test_a_create_that_failed_before_applying_is_posted_again_after_looking(
    provider: FlagLinkProvider, fake: FakeLaunchDarkly
) -> None:
    fake.fail_next("POST", 503, after_applying=False)
    state = created_state(provider)
    (link,) = fake.links
    assert state["link_id"] == link["_id"]
    assert [request[0] for request in fake.requests] == ["POST", "GET", "POST"]


def test_a_create_that_keeps_failing_gives_up_after_a_bounded_number_of_posts(
    provider: FlagLinkProvider, fake: FakeLaunchDarkly
) -> None:
    for _ in range(MAX_WRITE_ATTEMPTS + 1):
        fake.fail_next("POST", 502, after_applying=False)
    with pytest.raises(InternalServerError):
        provider.create(declared())
    assert fake.sent("POST") == MAX_WRITE_ATTEMPTS
    assert fake.links == []


def test_the_last_allowed_create_is_looked_for_too(
    provider: FlagLinkProvider, fake: FakeLaunchDarkly
) -> None:
    for _ in range(MAX_WRITE_ATTEMPTS - 1):
        fake.fail_next("POST", 502, after_applying=False)
    fake.fail_next("POST", 504, after_applying=True)
    state = created_state(provider)
    (link,) = fake.links
    assert state["link_id"] == link["_id"]
    assert fake.sent("POST") == MAX_WRITE_ATTEMPTS


def test_when_the_look_fails_too_the_create_reports_its_own_failure(
    provider: FlagLinkProvider, fake: FakeLaunchDarkly
) -> None:
    fake.fail_next("POST", 502, after_applying=False)
    fake.fail_next("GET", 403, after_applying=False)
    with pytest.raises(InternalServerError) as failure:
        provider.create(declared())
    assert failure.value.method == "POST" and failure.value.status_code == 502
    assert [request[0] for request in fake.requests] == ["POST", "GET"]


def test_a_rate_limited_create_is_retried_by_the_client_without_looking(
    provider: FlagLinkProvider, fake: FakeLaunchDarkly
) -> None:
    fake.fail_next("POST", 429, after_applying=False)
    created_state(provider)
    assert [request[0] for request in fake.requests] == ["POST", "POST"]
    assert len(fake.links) == 1


def test_a_lost_create_that_finds_another_link_with_the_key_names_the_conflict(
    provider: FlagLinkProvider, fake: FakeLaunchDarkly
) -> None:
    theirs = fake.add_link("chk-1", title="someone else's")
    fake.fail_next("POST", 502, after_applying=False)
    with pytest.raises(ProviderError) as failure:
        provider.create(declared())
    assert f"(_id {theirs['_id']}), and this FlagLink did not create it" in str(failure.value)
    fake.fail_next("POST", 502, after_applying=False)
    with pytest.raises(ProviderError) as failure:
        provider.create(declared(adopt=True))
    assert f"already has a link with key 'chk-1' (_id {theirs['_id']})" in str(failure.value)
    assert 'title="someone else\'s"' in str(failure.value)
    assert fake.sent("POST") == 2


def test_a_lost_409_over_an_identical_older_link_is_not_taken_as_this_creates(
    provider: FlagLinkProvider, fake: FakeLaunchDarkly
) -> None:
    """The POST reached LaunchDarkly, which refused it (the key is taken), and the answer was
    lost: the look finds the older link, made before this create. Taking it silently would let
    a renamed resource's delete remove it later; it is refused like after a 409."""
    fake.refuse_duplicate_keys = True
    theirs = fake.add_link("chk-1", title="CHK-1")
    fake.fail_next("POST", 502, after_applying=True)  # the 409 happened; its answer is lost
    with pytest.raises(ProviderError, match="and this FlagLink did not create it"):
        provider.create(declared())
    assert [link["_id"] for link in fake.links] == [theirs["_id"]]
    assert fake.links == [theirs]


def test_a_409_takes_over_an_identical_link_only_with_adopt(
    provider: FlagLinkProvider, fake: FakeLaunchDarkly
) -> None:
    fake.refuse_duplicate_keys = True
    existing = fake.add_link("chk-1", title="CHK-1")
    with pytest.raises(ProviderError) as failure:
        created_state(provider)
    assert str(failure.value).startswith(
        f"flag link 'chk-1' already exists on flag 'new-checkout' in project 'default' "
        f"(_id {existing['_id']}), and this FlagLink did not create it."
    )
    assert "aliases=[pulumi.Alias(" in str(failure.value)
    assert "set adopt=True on this FlagLink" in str(failure.value)
    assert created_state(provider, adopt=True)["link_id"] == existing["_id"]
    assert len(fake.links) == 1


# -- update: look before patching again ------------------------------------------------------


def test_a_patch_applied_but_unanswered_is_sent_once(
    provider: FlagLinkProvider, fake: FakeLaunchDarkly
) -> None:
    state = created_state(provider, description="old")
    fake.requests.clear()
    fake.fail_next("PATCH", 502, after_applying=True)
    result = provider.update("id", state, declared(title="CHK-1 (phase 2)"))
    assert result.outs is not None and result.outs["title"] == "CHK-1 (phase 2)"
    assert [request[0] for request in fake.requests] == ["PATCH", "GET"]
    assert fake.links[0]["title"] == "CHK-1 (phase 2)" and "description" not in fake.links[0]


def test_a_patch_that_failed_before_applying_is_sent_again_from_the_listed_link(
    provider: FlagLinkProvider, fake: FakeLaunchDarkly
) -> None:
    state = created_state(provider, description="old")
    fake.requests.clear()
    fake.fail_next("PATCH", httpx.ReadTimeout, after_applying=False)
    provider.update("id", state, declared(title="new"))
    assert [request[0] for request in fake.requests] == ["PATCH", "GET", "PATCH"]
    assert fake.links[0]["title"] == "new" and "description" not in fake.links[0]


def test_a_stale_state_after_an_earlier_lost_patch_converges(
    provider: FlagLinkProvider, fake: FakeLaunchDarkly
) -> None:
    # An earlier run's PATCH removed the description but its answer was lost: the state still
    # records it, so `remove /description` now fails with 400 until the live link is used.
    state = created_state(provider, description="old")
    del fake.links[0]["description"]
    fake.requests.clear()
    result = provider.update("id", state, declared(title="new"))
    assert result.outs is not None and result.outs["description"] is None
    patches = [request[2] for request in fake.requests if request[0] == "PATCH"]
    assert patches[-1] == [{"op": "replace", "path": "/title", "value": "new"}]
    assert fake.links[0]["title"] == "new"


def test_a_400_that_a_stale_state_does_not_explain_is_raised(
    provider: FlagLinkProvider, fake: FakeLaunchDarkly
) -> None:
    state = created_state(provider)
    fake.requests.clear()
    fake.fail_next("PATCH", 400, after_applying=False)
    with pytest.raises(BadRequestError):
        provider.update("id", state, declared(title="new"))
    assert fake.sent("PATCH") == 1


# -- read and delete: gone only when LaunchDarkly confirms it --------------------------------


def test_refresh_keeps_a_link_when_every_route_answers_a_coded_404(
    provider: FlagLinkProvider, fake: FakeLaunchDarkly
) -> None:
    state = created_state(provider)
    fake.answer_everything_404 = True
    with pytest.raises(LinkPresenceUnknown) as failure:
        provider.read("id", state)
    message = str(failure.value)
    assert f"GET {BASE_URL}{LINKS_PATH} answered 404 not_found" in message
    assert f"GET {BASE_URL}/api/v2/projects/{PROJECT} answered 404" in message
    assert "stays in the state" in message


def test_refresh_keeps_a_link_whose_flag_still_exists(
    provider: FlagLinkProvider, fake: FakeLaunchDarkly, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = created_state(provider)
    answer = fake._answer
    monkeypatch.setattr(
        fake,
        "_answer",
        lambda method, path, body: (
            not_found("no such route") if path == LINKS_PATH else answer(method, path, body)
        ),
    )
    with pytest.raises(LinkPresenceUnknown, match=f"/api/v2/flags/{PROJECT}/{FLAG} finds the flag"):
        provider.read("id", state)


def test_refresh_drops_a_link_whose_flag_launchdarkly_says_is_deleted(
    provider: FlagLinkProvider, fake: FakeLaunchDarkly
) -> None:
    state = created_state(provider)
    fake.flags.clear()
    assert provider.read("id", state).id is None


def test_refresh_drops_a_link_the_list_no_longer_holds(
    provider: FlagLinkProvider, fake: FakeLaunchDarkly
) -> None:
    state = created_state(provider)
    fake.links.clear()
    assert provider.read("id", state).id is None


def test_refresh_does_not_claim_another_link_with_the_same_key(
    provider: FlagLinkProvider, fake: FakeLaunchDarkly
) -> None:
    state = created_state(provider)
    fake.links.clear()
    fake.add_link("chk-1", title="recreated by someone else")
    assert provider.read("id", state).id is None


def test_delete_of_a_link_already_gone_succeeds_after_confirming(
    provider: FlagLinkProvider, fake: FakeLaunchDarkly
) -> None:
    state = created_state(provider)
    fake.links.clear()
    provider.delete("id", state)
    assert [request[0] for request in fake.requests][-2:] == ["DELETE", "GET"]


def test_delete_answered_404_by_a_wrong_host_fails_and_keeps_the_resource(
    provider: FlagLinkProvider, fake: FakeLaunchDarkly
) -> None:
    state = created_state(provider)
    fake.answer_everything_404 = True
    with pytest.raises(LinkPresenceUnknown, match="stays in the state"):
        provider.delete("id", state)


def test_check_refuses_an_api_host_with_a_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAUNCHDARKLY_ACCESS_TOKEN", "api-test")
    monkeypatch.setenv("LAUNCHDARKLY_API_HOST", "https://app.launchdarkly.com/api/v2")
    with pytest.raises(ConfigurationError, match="set the host only"):
        FlagLinkProvider().check({}, declared())
