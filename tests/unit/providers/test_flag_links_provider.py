"""FlagLinksProvider against a scripted LaunchDarkly (httpx.MockTransport): per-link outcomes,
undo after a partial failure, FlagLink's adoption and look-before-repost rules, one read per
flag, and bounded parallelism."""

from __future__ import annotations

import json
import secrets
import threading
import time
from typing import Any

import httpx
import pytest

from pulumi_launchdarkly_links.api import LaunchDarklyClient
from pulumi_launchdarkly_links.providers import flag_link_moves
from pulumi_launchdarkly_links.providers.deployment_declarations import start_new_deployment
from pulumi_launchdarkly_links.providers.errors import ProviderError
from pulumi_launchdarkly_links.providers.flag_links import FlagLinksProvider

PROJECT = "default"
BASE_URL = "https://ld.test"
TOKEN = "api-flag-links-secret-token"
LINKS_PREFIX = f"/api/v2/flag-links/projects/{PROJECT}/flags/"

Failure = int | type[httpx.RequestError]


def not_found(message: str) -> httpx.Response:
    return httpx.Response(404, json={"code": "not_found", "message": message})


class FakeLaunchDarkly:
    """One project with flags and their links. A duplicate key answers 409 (as the emulator
    does) unless `allow_duplicate_keys`. `fail_next` scripts one failure of a method, on one
    flag if given, before or after the request is carried out. `delay` slows every answer so
    that concurrency can be measured."""

    def __init__(self, flags: list[str]) -> None:
        self.links: dict[str, list[dict[str, Any]]] = {flag: [] for flag in flags}
        self.requests: list[tuple[str, str, Any]] = []
        self.project_exists = True
        self.allow_duplicate_keys = False
        self.refuse_token = False
        self.delay = 0.0
        self.in_flight = 0
        self.most_in_flight = 0
        self._lock = threading.Lock()
        self._failures: list[tuple[str, str | None, Failure, bool]] = []

    def fail_next(
        self, method: str, failure: Failure, *, flag: str | None = None, after_applying: bool
    ) -> None:
        self._failures.append((method, flag, failure, after_applying))

    def sent(self, method: str) -> int:
        return sum(1 for request in self.requests if request[0] == method)

    def routes(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for method, path, _body in self.requests:
            kind = "links" if path.startswith(LINKS_PREFIX) else path.split("/")[3]
            counts[f"{method} {kind}"] = counts.get(f"{method} {kind}", 0) + 1
        return counts

    def add_link(
        self, flag: str, key: str, *, made_now: bool = False, **fields: Any
    ) -> dict[str, Any]:
        """A link; made a minute ago (someone else's, before any create) unless `made_now`."""
        created_at = int(time.time() * 1000) - (0 if made_now else 60_000)
        link = {"_id": secrets.token_hex(6), "key": key, "deepLink": TICKET, **fields}
        link["createdAt"] = created_at
        self.links[flag].append(link)
        return link

    def keys(self) -> dict[str, list[str]]:
        return {flag: sorted(link["key"] for link in links) for flag, links in self.links.items()}

    def __call__(self, request: httpx.Request) -> httpx.Response:
        with self._lock:
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            if self.delay:
                time.sleep(self.delay)
            with self._lock:
                return self._handle(request)
        finally:
            with self._lock:
                self.in_flight -= 1

    def _handle(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content) if request.content else None
        path = request.url.path
        self.requests.append((request.method, path, body))
        if self.refuse_token:
            return httpx.Response(401, json={"code": "unauthorized", "message": "Invalid token"})
        flag = path[len(LINKS_PREFIX) :].split("/")[0] if path.startswith(LINKS_PREFIX) else None
        failure = next(
            (f for f in self._failures if f[0] == request.method and f[1] in (None, flag)), None
        )
        if failure is not None:
            self._failures.remove(failure)
            if failure[3]:
                self._answer(request.method, path, body)
            if isinstance(failure[2], int):
                return httpx.Response(failure[2])
            raise failure[2]("injected", request=request)
        return self._answer(request.method, path, body)

    def _answer(self, method: str, path: str, body: Any) -> httpx.Response:
        if path == f"/api/v2/projects/{PROJECT}" and self.project_exists:
            return httpx.Response(200, json={"_id": "p1", "key": PROJECT, "name": "Default"})
        if path.startswith(f"/api/v2/flags/{PROJECT}/") and self.project_exists:
            flag = path.rsplit("/", 1)[1]
            found = flag in self.links
            return httpx.Response(200, json={"key": flag}) if found else not_found("Unknown flag")
        if not path.startswith(LINKS_PREFIX) or not self.project_exists:
            return not_found("Unknown project")
        flag, _, link_id = path[len(LINKS_PREFIX) :].partition("/")
        if flag not in self.links:
            return not_found(f"Unknown flag {flag}")
        links = self.links[flag]
        if not link_id and method == "GET":
            return httpx.Response(200, json={"items": [rep(link) for link in links]})
        if not link_id and method == "POST":
            if not self.allow_duplicate_keys and any(old["key"] == body["key"] for old in links):
                return httpx.Response(409, json={"code": "conflict", "message": "exists"})
            fields = {name: body[name] for name in LINK_FIELDS if name in body}
            made = self.add_link(flag, body["key"], made_now=True, **fields)
            # An integration link's URL is LaunchDarkly's to fill in.
            made["deepLink"] = body.get("deepLink") or f"https://ld.test/i/{body['integrationKey']}"
            return httpx.Response(201, json=rep(made))
        link = next((item for item in links if item["_id"] == link_id), None)
        if link is None:
            return not_found("Unknown flag link")
        if method == "DELETE":
            links.remove(link)
            return httpx.Response(204)
        for operation in body:
            field = operation["path"].lstrip("/")
            if operation["op"] == "remove":
                link.pop(field, None)
            else:
                link[field] = operation["value"]
        return httpx.Response(200, json=rep(link))


def rep(link: dict[str, Any]) -> dict[str, Any]:
    return {
        "_id": link["_id"],
        "_key": link["key"],
        "_deepLink": link["deepLink"],
        "_createdAt": link["createdAt"],
        "_timestamp": {"milliseconds": 1},
        **{name: link[name] for name in ("title", "description") if name in link},
        **({"_integrationKey": link["integrationKey"]} if "integrationKey" in link else {}),
    }


LINK_FIELDS = ("title", "description", "integrationKey")


TICKET = "https://jira.example.com/browse/CHK-1"
FLAGS = [f"flag-{n}" for n in range(6)]


@pytest.fixture
def fake() -> FakeLaunchDarkly:
    return FakeLaunchDarkly(FLAGS)


@pytest.fixture
def provider(fake: FakeLaunchDarkly, monkeypatch: pytest.MonkeyPatch) -> FlagLinksProvider:
    client = LaunchDarklyClient(
        access_token=TOKEN,
        base_url=BASE_URL,
        transport=httpx.MockTransport(fake),
        sleep=lambda seconds: None,
    )
    monkeypatch.setattr(FlagLinksProvider, "client", property(lambda self: client))
    start_new_deployment()  # each test starts as a new provider process would
    # A refusal waits for checks still to come; here no other check ever comes.
    monkeypatch.setattr(flag_link_moves, "LATER_CHECKS_GRACE_SECONDS", 0.1)
    monkeypatch.setenv("LAUNCHDARKLY_ACCESS_TOKEN", TOKEN)  # check() wants a token configured
    return FlagLinksProvider()


def checked(provider: FlagLinksProvider, links: list[dict[str, Any]], **inputs: Any) -> dict:
    """The checked inputs of a new deployment (the engine runs a provider process for each),
    of this one resource."""
    start_new_deployment()
    result = provider.check({}, {"project_key": PROJECT, "links": links, **inputs})
    assert result.failures == []
    return dict(result.inputs)


def spec(flag: str, key: str = "ticket", **fields: Any) -> dict[str, Any]:
    return {"flag_key": flag, "key": key, "deep_link": f"https://jira.example.com/{flag}", **fields}


def create(provider: FlagLinksProvider, links: list[dict[str, Any]], **inputs: Any) -> dict:
    result = provider.create(checked(provider, links, **inputs))
    assert result.outs is not None
    return dict(result.outs)


def failure_of(action: Any) -> str:
    with pytest.raises(ProviderError) as failure:
        action()
    assert TOKEN not in str(failure.value)
    return str(failure.value)


# -- create -------------------------------------------------------------------------------------


def test_create_makes_one_post_per_link_and_records_ids_only(
    provider: FlagLinksProvider, fake: FakeLaunchDarkly
) -> None:
    result = provider.create(checked(provider, [spec(f, title=f.upper()) for f in FLAGS]))
    assert result.id.startswith(f"{PROJECT}/flag-links-") and len(result.id) < 40
    assert fake.routes() == {"POST links": len(FLAGS)}
    outputs = dict(result.outs or {})
    assert outputs["link_count"] == len(FLAGS)
    live = {flag: links[0]["_id"] for flag, links in fake.links.items()}
    assert outputs["links"]["flag-3/ticket"] == {
        "deep_link": "https://jira.example.com/flag-3",
        "title": "FLAG-3",
        "link_id": live["flag-3"],
    }


def test_a_partial_create_failure_is_reported_per_link_and_undone(
    provider: FlagLinksProvider, fake: FakeLaunchDarkly
) -> None:
    fake.add_link("flag-0", "ticket", deepLink="https://jira.example.com/flag-0")  # adoptable
    fake.add_link("flag-1", "ticket", deepLink=TICKET, title="someone else's")
    links = [spec(flag) for flag in FLAGS] + [spec("no-such-flag")]
    message = failure_of(lambda: provider.create(checked(provider, links, adopt=True)))

    assert "could not create 2 of 7 flag link(s) in project 'default'" in message
    assert "flag link 'ticket' on flag 'no-such-flag': flag 'no-such-flag' was not found" in message
    assert "flag link 'ticket' on flag 'flag-1': the flag already has a link with this key" in (
        message
    )
    assert "deep_link='https://jira.example.com/browse/CHK-1', title=\"someone else's\"" in message
    assert "the 4 link(s) it made were deleted again" in message
    assert "the 1 existing link(s) it would have adopted were left as they were" in message
    # LaunchDarkly is as before: the two links that existed, nothing else.
    assert fake.keys() == {
        flag: ["ticket"] if flag in ("flag-0", "flag-1") else [] for flag in FLAGS
    }


def test_a_missing_project_is_said_once(
    provider: FlagLinksProvider, fake: FakeLaunchDarkly
) -> None:
    fake.project_exists = False
    message = failure_of(lambda: provider.create(checked(provider, [spec(f) for f in FLAGS])))
    assert message.startswith(
        "could not create the flag links: project 'default' was not found in LaunchDarkly"
    )
    assert "flag-3" not in message


def test_a_refused_token_stops_the_work_and_is_said_once(
    provider: FlagLinksProvider, fake: FakeLaunchDarkly
) -> None:
    fake.refuse_token = True
    links = [spec(f, key=f"k{n}") for f in FLAGS for n in range(10)]
    message = failure_of(lambda: provider.create(checked(provider, links, parallelism=2)))
    assert "401" in message and "flag link(s)" not in message
    assert fake.sent("POST") <= 3  # the threads already sending, not all 60


def test_an_identical_existing_link_is_taken_over_only_with_adopt(
    provider: FlagLinksProvider, fake: FakeLaunchDarkly
) -> None:
    existing = fake.add_link("flag-2", "ticket", deepLink="https://jira.example.com/flag-2")
    message = failure_of(lambda: create(provider, [spec("flag-2"), spec("flag-3")]))
    assert message.startswith("could not create 1 of 2 flag link(s) in project 'default'")
    assert (
        f"flag link 'ticket' on flag 'flag-2': the flag already has a link with this key "
        f"(_id {existing['_id']}), which this resource did not create"
    ) in message
    assert "aliases=[pulumi.Alias(name=" in message and "set adopt=True" in message
    assert fake.keys()["flag-2"] == ["ticket"] and fake.keys()["flag-3"] == []  # undone

    fake.requests.clear()
    outputs = create(provider, [spec("flag-2"), spec("flag-3")], adopt=True)
    assert outputs["links"]["flag-2/ticket"]["link_id"] == existing["_id"]
    assert [request[0] for request in fake.requests].count("GET") == 1  # the look after 409
    assert "adopt" not in outputs  # how creates behave; never a change of the resource


@pytest.mark.parametrize("failure", [502, httpx.ReadTimeout])
def test_a_create_applied_but_unanswered_is_not_posted_again(
    provider: FlagLinksProvider, fake: FakeLaunchDarkly, failure: Failure
) -> None:
    fake.allow_duplicate_keys = True  # LaunchDarkly does not promise a 409 for a repeated key
    fake.fail_next("POST", failure, flag="flag-4", after_applying=True)
    outputs = create(provider, [spec(flag) for flag in FLAGS])
    assert fake.sent("POST") == len(FLAGS)
    assert fake.keys()["flag-4"] == ["ticket"]
    assert outputs["links"]["flag-4/ticket"]["link_id"] == fake.links["flag-4"][0]["_id"]


def test_parallelism_bounds_the_requests_in_flight(
    provider: FlagLinksProvider, fake: FakeLaunchDarkly
) -> None:
    fake.delay = 0.02
    create(provider, [spec(f, key=f"k{n}") for f in FLAGS for n in range(4)], parallelism=3)
    assert fake.most_in_flight == 3


# -- update -------------------------------------------------------------------------------------


def test_update_touches_only_the_links_that_changed(
    provider: FlagLinksProvider, fake: FakeLaunchDarkly
) -> None:
    before = create(provider, [spec(f, title="t") for f in FLAGS[:4]])
    kept_id = before["links"]["flag-0/ticket"]["link_id"]
    patched_id = before["links"]["flag-1/ticket"]["link_id"]
    fake.requests.clear()
    news = checked(
        provider,
        [
            spec("flag-0", title="t"),  # unchanged
            spec("flag-1", title="t2"),  # patched
            spec("flag-2", title="t", deep_link="https://jira.example.com/moved"),  # replaced
            spec("flag-4", title="t"),  # added; flag-3's link is removed
        ],
    )
    assert provider.diff("id", before, news).changes is True
    outputs = dict(provider.update("id", before, news).outs or {})

    assert fake.routes() == {"POST links": 2, "PATCH links": 1, "DELETE links": 2}
    assert sorted(outputs["links"]) == [
        "flag-0/ticket",
        "flag-1/ticket",
        "flag-2/ticket",
        "flag-4/ticket",
    ]
    assert outputs["links"]["flag-0/ticket"]["link_id"] == kept_id
    assert outputs["links"]["flag-1/ticket"] == {
        "deep_link": "https://jira.example.com/flag-1",
        "title": "t2",
        "link_id": patched_id,
    }
    assert fake.links["flag-2"][0]["deepLink"] == "https://jira.example.com/moved"
    assert fake.keys()["flag-3"] == []
    assert provider.diff("id", outputs, news).changes is False


def test_a_failed_update_leaves_launchdarkly_as_the_state_says(
    provider: FlagLinksProvider, fake: FakeLaunchDarkly
) -> None:
    before = create(provider, [spec(f, title="t") for f in FLAGS[:3]])
    snapshot = {flag: [dict(link) for link in links] for flag, links in fake.links.items()}
    news = checked(
        provider,
        [
            spec("flag-0", title="patched"),
            spec("flag-1", title="t"),  # flag-2's link is removed: never reached
            spec("flag-4", title="t"),
            spec("no-such-flag", title="t"),
        ],
    )
    message = failure_of(lambda: provider.update("id", before, news))

    assert "could not change 1 of 4 flag link(s)" in message
    assert "flag link 'ticket' on flag 'no-such-flag'" in message
    assert "1 link(s) it created were deleted again and 1 patched link(s) were patched back" in (
        message
    )
    assert fake.links == snapshot  # the created link is gone, the title is back, nothing deleted
    assert fake.sent("DELETE") == 1  # the undo of flag-4's link only


def test_a_failed_replacement_deletes_what_it_created_and_says_what_was_deleted(
    provider: FlagLinksProvider, fake: FakeLaunchDarkly
) -> None:
    before = create(provider, [spec(f) for f in FLAGS[:3]])
    news = checked(
        provider,
        [spec("flag-0", deep_link="https://x.example.com/0"), spec("flag-1"), spec("flag-5")],
    )
    # Replacements are created last; flag-0's fails before LaunchDarkly carries it out.
    fake.fail_next("POST", 400, flag="flag-0", after_applying=False)
    message = failure_of(lambda: provider.update("id", before, news))

    assert "flag link 'ticket' on flag 'flag-0': " in message
    assert "2 link(s) were deleted before the failure" in message  # flag-0's old one, flag-2's
    assert fake.keys() == {
        "flag-0": [],
        "flag-1": ["ticket"],
        "flag-2": [],
        "flag-3": [],
        "flag-4": [],
        "flag-5": [],  # created in this update, deleted again
    }
    # The next up converges: the recorded links that are gone count as deleted (404 confirmed).
    outputs = dict(provider.update("id", before, news).outs or {})
    assert sorted(outputs["links"]) == ["flag-0/ticket", "flag-1/ticket", "flag-5/ticket"]
    assert fake.keys()["flag-0"] == ["ticket"] and fake.keys()["flag-5"] == ["ticket"]


def test_a_patch_applied_but_unanswered_is_not_sent_again(
    provider: FlagLinksProvider, fake: FakeLaunchDarkly
) -> None:
    before = create(provider, [spec("flag-0", title="a", description="d")])
    fake.fail_next("PATCH", 502, after_applying=True)
    news = checked(provider, [spec("flag-0", title="b")])
    outputs = dict(provider.update("id", before, news).outs or {})
    assert fake.sent("PATCH") == 1
    assert outputs["links"]["flag-0/ticket"]["title"] == "b"
    assert "description" not in fake.links["flag-0"][0]


# -- read and delete ----------------------------------------------------------------------------


def test_refresh_reads_each_flag_once_and_drops_only_confirmed_gone_links(
    provider: FlagLinksProvider, fake: FakeLaunchDarkly
) -> None:
    before = create(provider, [spec(f, key=k) for f in FLAGS[:3] for k in ("a", "b")])
    fake.links["flag-0"] = [link for link in fake.links["flag-0"] if link["key"] != "a"]
    # Links are created in parallel, so the fake's list order is not "a" then "b": pick by key.
    next(link for link in fake.links["flag-1"] if link["key"] == "a")["title"] = "edited by hand"
    del fake.links["flag-2"]  # the flag was deleted, and its links with it
    fake.requests.clear()
    result = provider.read("id", before)

    assert fake.routes() == {"GET links": 3, "GET flags": 1, "GET projects": 1}
    outputs = dict(result.outs or {})
    assert sorted(outputs["links"]) == ["flag-0/b", "flag-1/a", "flag-1/b"]
    assert outputs["links"]["flag-1/a"]["title"] == "edited by hand"
    assert result.inputs is not None and "link_id" not in result.inputs["links"]["flag-1/a"]
    news = checked(provider, [spec(f, key=k) for f in FLAGS[:3] for k in ("a", "b")])
    plan_changes = provider.diff("id", outputs, news)
    assert plan_changes.changes is True and plan_changes.replaces == []


def test_refresh_keeps_everything_when_a_404_proves_nothing(
    provider: FlagLinksProvider, fake: FakeLaunchDarkly
) -> None:
    before = create(provider, [spec("flag-0")])
    fake.project_exists = False  # every route answers 404, the project's too
    message = failure_of(lambda: provider.read("id", before))
    assert "cannot tell whether the links on flag 'flag-0'" in message
    assert "stays in the state unchanged" in message


def test_destroy_deletes_every_recorded_link_and_nothing_else(
    provider: FlagLinksProvider, fake: FakeLaunchDarkly
) -> None:
    before = create(provider, [spec(f) for f in FLAGS[:3]])
    fake.add_link("flag-0", "not-ours")
    fake.links["flag-1"].clear()  # deleted by hand: the 404 is confirmed by a list
    start_new_deployment()  # `pulumi destroy`: no check at all
    provider.delete("id", before)
    assert fake.keys() == {flag: ["not-ours"] if flag == "flag-0" else [] for flag in FLAGS}


def test_a_failed_destroy_keeps_the_resource(
    provider: FlagLinksProvider, fake: FakeLaunchDarkly
) -> None:
    before = create(provider, [spec(f) for f in FLAGS[:3]])
    fake.fail_next("DELETE", 400, flag="flag-2", after_applying=False)
    start_new_deployment()
    message = failure_of(lambda: provider.delete("id", before))
    assert "could not delete 1 of 3 flag link(s)" in message
    assert "flag link 'ticket' on flag 'flag-2'" in message
    assert "The FlagLinks stays in the state" in message
    provider.delete("id", before)  # again: the two deleted before count as done
    assert all(links == [] for links in fake.links.values())


def test_check_failures_name_the_link(provider: FlagLinksProvider) -> None:
    result = provider.check({}, {"project_key": PROJECT, "links": [spec("a", deep_link="x")]})
    (failure,) = result.failures
    assert failure.property == "links"
    assert failure.reason.startswith("links[0] (key 'ticket' on flag 'a'): deep_link 'x'")
