"""ViewProvider against a scripted LaunchDarkly (httpx.MockTransport): requests per operation,
adoption, refresh, and the delete of a view that still has members."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
import pytest

from pulumi_launchdarkly_links.api import APIStatusError, LaunchDarklyClient
from pulumi_launchdarkly_links.providers.deployment_declarations import start_new_deployment
from pulumi_launchdarkly_links.providers.errors import ProviderError
from pulumi_launchdarkly_links.providers.view import ViewProvider

VIEWS = "/api/v2/projects/default/views"
MEMBER = "5e6f7a8b9c0d1e2f3a4b5c6d"
NOT_FOUND = {"code": "not_found", "message": "Unknown view"}


class FakeViews:
    """Views of project 'default' in a dict, with linked counts and optional answer quirks."""

    def __init__(self) -> None:
        self.views: dict[str, dict[str, Any]] = {}
        self.linked: dict[str, int] = {}
        self.requests: list[tuple[str, str, Any]] = []
        self.summaries = True  # answer expand=...Summary
        self.delete_answers_404 = False
        self.linked_answers_404 = False  # a coded 404 from /linked while the view exists
        # (method, carried out?) of writes whose answer is lost (502), in order.
        self.lost_answers: list[tuple[str, bool]] = []

    def add(self, key: str, *, made_now: bool = False, **fields: Any) -> dict[str, Any]:
        """A view; made a minute ago (before any create) unless `made_now`."""
        view: dict[str, Any] = {"id": f"id-{key}", "key": key, "name": key.title()}
        view.update(description="", tags=[])
        created_at = int(time.time() * 1000) - (0 if made_now else 60_000)
        view.update({"version": 1, "createdAt": created_at, **fields})
        self.views[key] = view
        return view

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body: Any = json.loads(request.content) if request.content else None
        path, method = request.url.path, request.method
        query = request.url.query.decode()
        self.requests.append((method, f"{path}?{query}" if query else path, body))
        if self.lost_answers and self.lost_answers[0][0] == method:
            _, carried_out = self.lost_answers.pop(0)
            if carried_out:
                self.answer(request, method, path, body)
            return httpx.Response(502, text="Bad Gateway")
        return self.answer(request, method, path, body)

    def answer(self, request: httpx.Request, method: str, path: str, body: Any) -> httpx.Response:
        if path == VIEWS and method == "POST":
            if body["key"] in self.views:
                return httpx.Response(409, json={"code": "conflict", "message": "exists"})
            if body.get("name") == "refuse me":
                return httpx.Response(400, json={"code": "invalid_request", "message": "bad"})
            fields = {k: v for k, v in body.items() if k != "key"}
            view = self.add(body["key"], made_now=True, **fields)
            return httpx.Response(200, json=self._rep(view))
        key = path.removeprefix(VIEWS + "/").split("/")[0]
        if "/linked/" in path and self.linked_answers_404:
            return httpx.Response(404, json={"code": "not_found", "message": "Unknown route"})
        if "/linked/" in path:
            count = self.linked.get(path.rsplit("/", 1)[1], 0)
            items = [
                {"resourceKey": f"m{n}", "resourceType": "flag", "linkedAt": 1}
                for n in range(count)
            ]
            return httpx.Response(200, json={"items": items, "totalCount": count})
        found = self.views.get(key)
        if found is None or (method == "DELETE" and self.delete_answers_404):
            return httpx.Response(404, json=NOT_FOUND)
        view = found
        if method == "GET":
            rep = self._rep(view)
            expand = request.url.params.get("expand", "")
            if self.summaries:
                for rtype in ("flags", "segments", "aiConfigs", "metrics"):
                    if f"{rtype}Summary" in expand:
                        rep[f"{rtype}Summary"] = {"count": self.linked.get(rtype, 0)}
            return httpx.Response(200, json=rep)
        if method == "PATCH":
            if "maintainerId" in body:
                view.pop("maintainerTeamKey", None)
            if "maintainerTeamKey" in body:
                view.pop("maintainerId", None)
            view.update(body, version=view["version"] + 1)
            return httpx.Response(200, json=self._rep(view))
        if method == "DELETE":
            del self.views[key]
            return httpx.Response(204)
        raise AssertionError(f"unexpected {method} {path}")

    @staticmethod
    def _rep(view: dict[str, Any]) -> dict[str, Any]:
        rep = {k: v for k, v in view.items() if k not in ("maintainerId", "maintainerTeamKey")}
        if view.get("maintainerId"):
            member = {"id": view["maintainerId"], "email": "a@b.c", "role": "admin"}
            rep["maintainer"] = {"id": view["maintainerId"], "kind": "member"}
            rep["maintainer"]["maintainerMember"] = member
        elif view.get("maintainerTeamKey"):
            team = {"id": "t1", "key": view["maintainerTeamKey"], "name": "Team"}
            rep["maintainer"] = {"id": "t1", "kind": "team", "maintainerTeam": team}
        return rep

    def calls(self) -> list[str]:
        return [f"{method} {path.split('?')[0]}" for method, path, _ in self.requests]


@pytest.fixture
def fake() -> FakeViews:
    return FakeViews()


@pytest.fixture
def provider(fake: FakeViews, monkeypatch: pytest.MonkeyPatch) -> ViewProvider:
    client = LaunchDarklyClient(
        access_token="api-test", base_url="https://ld.test", transport=httpx.MockTransport(fake)
    )
    monkeypatch.setattr(ViewProvider, "client", property(lambda self: client))
    monkeypatch.setenv("LAUNCHDARKLY_ACCESS_TOKEN", "api-test")
    start_new_deployment()  # each test starts as a new provider process would
    return ViewProvider()


def inputs(**overrides: Any) -> dict[str, Any]:
    return {"project_key": "default", "key": "checkout", "name": "Checkout", **overrides}


def test_create_is_one_post_with_every_declared_field(
    provider: ViewProvider, fake: FakeViews
) -> None:
    result = provider.create(inputs(description="d", tags=["t"], maintainer_team_key="chk"))
    assert result.id == "default/checkout"
    assert fake.calls() == [f"POST {VIEWS}"]
    assert fake.requests[0][2] == {
        "key": "checkout",
        "name": "Checkout",
        "description": "d",
        "tags": ["t"],
        "maintainerTeamKey": "chk",
    }
    assert result.outs is not None
    assert result.outs["view_id"] == "id-checkout" and result.outs["maintainer_team_key"] == "chk"


def test_an_identical_existing_view_is_refused_and_taken_over_with_adopt_without_a_write(
    provider: ViewProvider, fake: FakeViews
) -> None:
    """A renamed View, another stack's, or one an interrupted `up` made: a create cannot tell
    them apart, so looking the same is not enough to take the view over."""
    fake.add("checkout", name="Checkout", tags=["t"])
    with pytest.raises(ProviderError) as failure:
        provider.create(inputs(tags=["t"]))
    message = str(failure.value)
    assert message.startswith(
        "view 'checkout' already exists in project 'default', and this View did not create it."
    )
    assert 'aliases=[pulumi.Alias(name="<old name>")]' in message and "adopt=True" in message
    fake.requests.clear()
    result = provider.create(inputs(tags=["t"], adopt=True))
    assert result.id == "default/checkout" and result.outs is not None
    assert result.outs["adopt"] is True
    assert fake.calls() == [f"POST {VIEWS}", f"GET {VIEWS}/checkout"]


def test_create_over_a_different_view_fails_naming_it_and_adopt(
    provider: ViewProvider, fake: FakeViews
) -> None:
    fake.add("checkout", name="Their checkout", description="notes")
    with pytest.raises(ProviderError) as failure:
        provider.create(inputs())
    message = str(failure.value)
    assert "view 'checkout' already exists in project 'default'" in message
    assert "It differs: name is 'Their checkout' (this resource: 'Checkout')" in message
    assert "set adopt=True" in message
    assert [call for call in fake.calls() if not call.startswith("GET")] == [f"POST {VIEWS}"]
    assert fake.views["checkout"]["name"] == "Their checkout"


def test_adopt_updates_only_what_is_declared_and_differs(
    provider: ViewProvider, fake: FakeViews, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.add("checkout", name="Their checkout", description="notes", tags=["x"])
    result = provider.create(inputs(adopt=True, tags=["x"]))
    assert fake.requests[-1][0] == "PATCH" and fake.requests[-1][2] == {"name": "Checkout"}
    assert fake.views["checkout"]["description"] == "notes"  # not declared: left alone
    assert result.outs is not None and result.outs["description"] == "notes"
    said = capsys.readouterr().err
    assert "name is 'Their checkout'" in said and "Updating name" in said


def test_check_refuses_an_existing_view_at_preview_and_only_before_a_create(
    provider: ViewProvider, fake: FakeViews
) -> None:
    fake.add("checkout", name="Theirs")
    failures = provider.check({}, inputs()).failures
    assert [f.property for f in failures] == ["key"] and "adopt=True" in failures[0].reason
    fake.add("checkout", name="Checkout")  # identical to the declared view: refused all the same
    (failure,) = provider.check({}, inputs()).failures
    assert "this View did not create it. It looks the same." in failure.reason
    assert provider.check({}, inputs(adopt=True)).failures == []
    fake.requests.clear()
    assert provider.check(inputs(), inputs(name="New")).failures == []
    assert fake.requests == []  # an existing View's preview makes no request


def test_check_names_bad_input_without_a_request(provider: ViewProvider, fake: FakeViews) -> None:
    failures = provider.check({}, inputs(key="Checkout")).failures
    assert "key='checkout'" in failures[0].reason
    assert fake.requests == []


def test_create_in_a_missing_project_says_so(provider: ViewProvider, fake: FakeViews) -> None:
    def no_project(request: httpx.Request) -> httpx.Response:
        return httpx.Response(404, json={"code": "not_found", "message": "Unknown project"})

    client = LaunchDarklyClient(
        access_token="api-test",
        base_url="https://ld.test",
        transport=httpx.MockTransport(no_project),
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ViewProvider, "client", property(lambda self: client))
        with pytest.raises(ProviderError, match="project 'default' was not found"):
            ViewProvider().create(inputs())


def test_a_400_names_the_view(provider: ViewProvider) -> None:
    with pytest.raises(ProviderError, match="refused view 'checkout' in project 'default'"):
        provider.create(inputs(name="refuse me"))


def test_update_patches_changed_fields_and_a_behaviour_change_sends_nothing(
    provider: ViewProvider, fake: FakeViews
) -> None:
    created = provider.create(inputs(maintainer_id=MEMBER)).outs
    assert created is not None
    fake.requests.clear()
    updated = provider.update("default/checkout", created, inputs(maintainer_team_key="chk"))
    assert fake.requests == [("PATCH", f"{VIEWS}/checkout", {"maintainerTeamKey": "chk"})]
    assert updated.outs is not None and updated.outs["maintainer_team_key"] == "chk"
    assert updated.outs["maintainer_id"] is None
    fake.requests.clear()
    flagged = provider.update("default/checkout", updated.outs, inputs(force_destroy=True))
    assert fake.requests == [] and flagged.outs is not None and flagged.outs["force_destroy"]


def test_update_of_a_deleted_view_says_to_refresh(provider: ViewProvider) -> None:
    state = {**inputs(), "description": "", "tags": []}
    with pytest.raises(ProviderError, match="no longer exists; run `pulumi refresh`"):
        provider.update("default/checkout", state, inputs(name="New"))


def test_diff_replaces_on_key_and_project_only(provider: ViewProvider) -> None:
    state = {**inputs(), "description": "", "tags": []}
    assert provider.diff("id", state, inputs(key="other")).replaces == ["key"]
    in_place = provider.diff("id", state, inputs(name="New"))
    assert in_place.changes and in_place.replaces == []
    assert provider.diff("id", state, inputs()).changes is False


def test_refresh_sees_ui_changes_and_records_them_as_inputs(
    provider: ViewProvider, fake: FakeViews
) -> None:
    created = provider.create(inputs(tags=["a"])).outs
    assert created is not None
    fake.views["checkout"].update(name="Renamed", tags=["ui"], maintainerTeamKey="ops")
    fake.requests.clear()
    read = provider.read("default/checkout", created)
    assert fake.calls() == [f"GET {VIEWS}/checkout"]
    assert read.outs is not None and read.outs["name"] == "Renamed"
    assert read.outs["tags"] == ["ui"] and read.outs["maintainer_team_key"] == "ops"
    assert read.inputs is not None and read.inputs["name"] == "Renamed"
    assert provider.diff("id", read.outs, inputs(tags=["a"])).changes is True


def test_refresh_of_a_deleted_view_drops_it_only_on_launchdarklys_404(
    provider: ViewProvider, fake: FakeViews, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert provider.read("default/checkout", inputs()).id is None

    def bare_404(request: httpx.Request) -> httpx.Response:
        return httpx.Response(404, text="<html>not here</html>")

    client = LaunchDarklyClient(
        access_token="api-test", base_url="https://ld.test", transport=httpx.MockTransport(bare_404)
    )
    monkeypatch.setattr(ViewProvider, "client", property(lambda self: client))
    with pytest.raises(APIStatusError):
        ViewProvider().read("default/checkout", inputs())


def test_read_from_the_id_alone(provider: ViewProvider, fake: FakeViews) -> None:
    fake.add("checkout", name="Checkout", maintainerId=MEMBER)
    read = provider.read("default/checkout", {})
    assert read.id == "default/checkout"
    assert read.outs is not None and read.outs["maintainer_id"] == MEMBER
    with pytest.raises(ProviderError, match="'project_key/view_key'"):
        provider.read("checkout", {})


def test_delete_of_an_empty_view_is_a_get_and_a_delete(
    provider: ViewProvider, fake: FakeViews
) -> None:
    fake.add("checkout")
    provider.delete("default/checkout", inputs())
    assert fake.calls() == [f"GET {VIEWS}/checkout", f"DELETE {VIEWS}/checkout"]
    assert "flagsSummary" in fake.requests[0][1]
    assert "checkout" not in fake.views


def test_delete_refuses_a_view_with_members_and_changes_nothing(
    provider: ViewProvider, fake: FakeViews
) -> None:
    fake.add("checkout")
    fake.linked = {"flags": 2, "segments": 1}
    with pytest.raises(ProviderError) as failure:
        provider.delete("default/checkout", inputs())
    message = str(failure.value)
    assert "still has 2 flags and 1 segment linked" in message
    assert "force_destroy=True" in message and "retain_on_delete=True" in message
    assert "checkout" in fake.views and fake.calls() == [f"GET {VIEWS}/checkout"]


def test_force_destroy_deletes_with_members_in_one_request(
    provider: ViewProvider, fake: FakeViews
) -> None:
    fake.add("checkout")
    fake.linked = {"flags": 2}
    provider.delete("default/checkout", inputs(force_destroy=True))
    assert fake.calls() == [f"DELETE {VIEWS}/checkout"] and fake.views == {}


def test_without_summaries_flags_and_segments_are_counted_from_linked(
    provider: ViewProvider, fake: FakeViews
) -> None:
    fake.add("checkout")
    fake.summaries = False
    fake.linked = {"segments": 1}
    with pytest.raises(ProviderError, match="still has 1 segment linked"):
        provider.delete("default/checkout", inputs())
    assert fake.calls()[1:] == [
        f"GET {VIEWS}/checkout/linked/flags",
        f"GET {VIEWS}/checkout/linked/segments",
    ]


def test_a_404_from_linked_while_the_view_exists_keeps_the_view_and_sends_no_delete(
    provider: ViewProvider, fake: FakeViews
) -> None:
    fake.add("checkout")
    fake.summaries = False
    fake.linked_answers_404 = True
    with pytest.raises(ProviderError) as failure:
        provider.delete("default/checkout", inputs())
    message = str(failure.value)
    assert message.startswith("cannot count the flags linked to view 'checkout'")
    assert f"GET https://ld.test{VIEWS}/checkout/linked/flags answered 404" in message
    assert "The View stays in the state" in message and "force_destroy=True" in message
    assert "checkout" in fake.views
    assert "DELETE" not in [method for method, _, _ in fake.requests]


def test_a_renamed_view_that_another_view_adopted_is_left_by_the_old_ones_delete(
    provider: ViewProvider, fake: FakeViews
) -> None:
    """Renamed without aliases, with adopt=True as the refusal says: the new View takes the
    view over, and the old one (no longer in the program, so never checked) must not delete it
    when the engine deletes it last."""
    old_state = provider.create(inputs()).outs
    assert old_state is not None
    start_new_deployment()
    new = provider.check({}, inputs(adopt=True))
    assert new.failures == []
    provider.create(new.inputs)
    fake.requests.clear()
    provider.delete("default/checkout", old_state)
    assert fake.requests == [] and "checkout" in fake.views


def test_a_view_replaced_by_a_new_key_still_deletes_the_old_one(
    provider: ViewProvider, fake: FakeViews
) -> None:
    old_state = provider.create(inputs()).outs
    assert old_state is not None
    start_new_deployment()
    assert provider.check(inputs(), inputs(key="checkout-v2")).failures == []
    assert provider.check({}, inputs(key="checkout-v2")).failures == []  # the replacement's
    provider.create(inputs(key="checkout-v2"))
    provider.delete("default/checkout", old_state)
    assert sorted(fake.views) == ["checkout-v2"]


def test_delete_of_a_view_already_gone_succeeds(provider: ViewProvider, fake: FakeViews) -> None:
    provider.delete("default/checkout", inputs())
    assert fake.calls() == [f"GET {VIEWS}/checkout"]


def test_a_404_to_delete_is_confirmed_with_a_read(provider: ViewProvider, fake: FakeViews) -> None:
    fake.add("checkout")
    fake.delete_answers_404 = True
    with pytest.raises(ProviderError, match="yet the view still exists"):
        provider.delete("default/checkout", inputs(force_destroy=True))
    del fake.views["checkout"]
    provider.delete("default/checkout", inputs(force_destroy=True))


def test_a_lost_create_answer_is_looked_up_not_posted_again(
    provider: ViewProvider, fake: FakeViews
) -> None:
    fake.lost_answers = [("POST", True)]
    result = provider.create(inputs(tags=["t"]))
    assert result.id == "default/checkout"
    assert fake.calls() == [f"POST {VIEWS}", f"GET {VIEWS}/checkout"]


def test_a_lost_409_over_an_identical_older_view_is_not_taken_as_this_creates(
    provider: ViewProvider, fake: FakeViews
) -> None:
    """The POST met a view made before it (a 409) and the answer was lost: the look finds that
    view, which is not this create's, however alike: refused as for a 409."""
    fake.add("checkout", name="Checkout", tags=["t"])
    fake.lost_answers = [("POST", True)]  # carried out: LaunchDarkly's 409
    with pytest.raises(ProviderError, match="and this View did not create it"):
        provider.create(inputs(tags=["t"]))
    assert fake.views["checkout"]["version"] == 1


def test_a_create_that_did_not_happen_is_posted_again(
    provider: ViewProvider, fake: FakeViews
) -> None:
    fake.lost_answers = [("POST", False), ("POST", False)]
    provider.create(inputs())
    assert [call for call in fake.calls() if call.startswith("POST")] == [f"POST {VIEWS}"] * 3
    assert fake.views["checkout"]["name"] == "Checkout"


def test_a_lost_patch_answer_is_sent_again_like_a_get(
    provider: ViewProvider, fake: FakeViews
) -> None:
    created = provider.create(inputs()).outs
    assert created is not None
    fake.requests.clear()
    fake.lost_answers = [("PATCH", True)]
    updated = provider.update("default/checkout", created, inputs(name="New"))
    assert fake.calls() == [f"PATCH {VIEWS}/checkout"] * 2  # the same values, set again
    assert updated.outs is not None and updated.outs["name"] == "New"


def test_when_retries_run_out_the_view_decides_whether_to_patch_again(
    fake: FakeViews, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = LaunchDarklyClient(
        access_token="api-test",
        base_url="https://ld.test",
        transport=httpx.MockTransport(fake),
        max_retries=0,
    )
    monkeypatch.setattr(ViewProvider, "client", property(lambda self: client))
    provider = ViewProvider()
    created = provider.create(inputs()).outs
    assert created is not None
    fake.requests.clear()
    fake.lost_answers = [("PATCH", True)]
    updated = provider.update("default/checkout", created, inputs(name="New", tags=["b"]))
    assert fake.calls() == [f"PATCH {VIEWS}/checkout", f"GET {VIEWS}/checkout"]
    assert updated.outs is not None and updated.outs["name"] == "New"
    fake.requests.clear()
    fake.lost_answers = [("PATCH", False)]
    provider.update("default/checkout", updated.outs, inputs(name="Newer", tags=["b"]))
    patches = [body for method, _, body in fake.requests if method == "PATCH"]
    assert patches == [{"name": "Newer"}, {"name": "Newer"}]  # the second from the live view
