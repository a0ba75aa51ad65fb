"""ViewMembershipProvider against a scripted LaunchDarkly (httpx.MockTransport): request counts,
rollback on partial failure, per-member error reporting."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from pulumi_launchdarkly_links.api import LaunchDarklyClient
from pulumi_launchdarkly_links.providers.errors import ProviderError
from pulumi_launchdarkly_links.providers.view_membership import ViewMembershipProvider

VIEW = {"key": "checkout", "name": "Checkout"}
ENV_ID = "65a1b2c3d4e5f60718293a01"


class FakeLaunchDarkly:
    """Links live in a dict; keys starting with 'missing' fail like unknown flags do."""

    def __init__(self) -> None:
        self.linked: dict[str, set[Any]] = {}
        self.requests: list[tuple[str, str, Any]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content) if request.content else {}
        path = request.url.path
        self.requests.append((request.method, path, body))
        if path.endswith("/views/checkout"):
            return httpx.Response(200, json=VIEW)
        if "/linked/" in path:
            resource_type = path.rsplit("/", 1)[1]
            items = [
                {"resourceKey": m, "resourceType": "flag", "linkedAt": 1}
                if isinstance(m, str)
                else {
                    "resourceKey": m[1],
                    "resourceType": "segment",
                    "linkedAt": 1,
                    "environmentId": m[0],
                }
                for m in sorted(self.linked.get(resource_type, set()))
            ]
            return httpx.Response(200, json={"items": items, "totalCount": len(items)})
        if "/link/" in path:
            resource_type = path.rsplit("/", 1)[1]
            members = body.get("keys") or [
                (s["environmentId"], s["segmentKey"]) for s in body["segmentIdentifiers"]
            ]
            failed = [
                m for m in members if str(m if isinstance(m, str) else m[1]).startswith("missing")
            ]
            bucket = self.linked.setdefault(resource_type, set())
            for member in members:
                if member not in failed:
                    (bucket.add if request.method == "POST" else bucket.discard)(member)
            return httpx.Response(
                200,
                json={
                    "successCount": len(members) - len(failed),
                    "failureCount": len(failed),
                    "failedResources": [
                        {
                            "resourceKey": m if isinstance(m, str) else m[1],
                            "resourceType": "flag" if isinstance(m, str) else "segment",
                            "errorMessage": "not found",
                        }
                        for m in failed
                    ],
                },
            )
        return httpx.Response(404, json={"code": "not_found", "message": "unknown"})

    def mutations(self) -> list[tuple[str, str, Any]]:
        return [r for r in self.requests if r[0] != "GET"]


@pytest.fixture
def fake() -> FakeLaunchDarkly:
    return FakeLaunchDarkly()


@pytest.fixture
def provider(fake: FakeLaunchDarkly, monkeypatch: pytest.MonkeyPatch) -> ViewMembershipProvider:
    client = LaunchDarklyClient(
        access_token="api-test", base_url="https://ld.test", transport=httpx.MockTransport(fake)
    )
    provider = ViewMembershipProvider()
    monkeypatch.setattr(ViewMembershipProvider, "client", property(lambda self: client))
    monkeypatch.setenv("LAUNCHDARKLY_ACCESS_TOKEN", "api-test")
    return provider


def inputs(**overrides: Any) -> dict[str, Any]:
    return {"project_key": "default", "view_key": "checkout", **overrides}


def test_create_reads_each_type_once_and_batches_per_type(
    provider: ViewMembershipProvider, fake: FakeLaunchDarkly
) -> None:
    flags = [f"flag-{n:02d}" for n in range(25)]
    segments = [{"environment_id": ENV_ID, "segment_key": "beta"}]
    result = provider.create(inputs(flags=flags, segments=segments))
    assert result.id == "default/checkout"
    assert result.outs is not None and result.outs["flag_count"] == 25
    # One /linked page per type: what was linked before the create (nothing here).
    assert [r[1].rsplit("/", 1)[1] for r in fake.requests if r[0] == "GET"] == [
        "flags",
        "segments",
    ]
    link_posts = [r for r in fake.mutations() if r[1].endswith("/link/flags")]
    assert sorted(len(r[2]["keys"]) for r in link_posts) == [5, 10, 10]
    assert fake.linked["segments"] == {(ENV_ID, "beta")}


def test_create_rolls_back_on_partial_failure(
    provider: ViewMembershipProvider, fake: FakeLaunchDarkly
) -> None:
    with pytest.raises(ProviderError) as failure:
        provider.create(inputs(flags=["a", "missing-one", "b"]))
    assert "flag 'missing-one': not found" in str(failure.value)
    assert fake.linked["flags"] == set()  # a and b were unlinked again
    unlinks = [r for r in fake.mutations() if r[0] == "DELETE"]
    assert sorted(unlinks[0][2]["keys"]) == ["a", "b"]


def test_failed_create_leaves_members_linked_before_it_alone(
    provider: ViewMembershipProvider, fake: FakeLaunchDarkly
) -> None:
    fake.linked["flags"] = {"theirs"}  # linked by someone else, also declared here
    with pytest.raises(ProviderError) as failure:
        provider.create(inputs(flags=["theirs", "a", "missing-one"]))
    assert fake.linked["flags"] == {"theirs"}
    assert "members that were linked before it are still linked" in str(failure.value)
    linked_posts = [r[2]["keys"] for r in fake.mutations() if r[0] == "POST"]
    assert linked_posts == [["a", "missing-one"]]  # never re-links what is already linked


def test_exclusive_create_refuses_undeclared_members_and_changes_nothing(
    provider: ViewMembershipProvider, fake: FakeLaunchDarkly
) -> None:
    fake.linked["flags"] = {"theirs"}
    with pytest.raises(ProviderError) as failure:
        provider.create(inputs(flags=["a"], exclusive=True))
    assert "already has 1 flag(s) linked that `flags` does not list: 'theirs'" in str(failure.value)
    assert fake.mutations() == []


def test_switching_to_exclusive_is_refused_at_preview_without_adopt(
    provider: ViewMembershipProvider, fake: FakeLaunchDarkly
) -> None:
    fake.linked["flags"] = {"a", "theirs"}
    old = inputs(flags=["a"], exclusive=False)
    result = provider.check(old, inputs(flags=["a"], exclusive=True))
    assert [f.property for f in result.failures] == ["exclusive"]  # a short value
    assert "'theirs'" in result.failures[0].reason
    adopted = provider.check(old, inputs(flags=["a"], exclusive=True, adopt=True))
    assert adopted.failures == []
    with pytest.raises(ProviderError):
        provider.update("id", old, inputs(flags=["a"], exclusive=True))
    assert fake.linked["flags"] == {"a", "theirs"}


def test_ordinary_check_makes_no_request(
    provider: ViewMembershipProvider, fake: FakeLaunchDarkly
) -> None:
    old = inputs(flags=["a"], exclusive=True)
    assert provider.check(old, inputs(flags=["a", "b"], exclusive=True)).failures == []
    assert provider.check({}, inputs(flags=["a"])).failures == []
    assert fake.requests == []


def test_update_skips_unlinks_of_members_that_are_gone(
    provider: ViewMembershipProvider, fake: FakeLaunchDarkly
) -> None:
    fake.linked["flags"] = {"a"}  # 'missing-b' was deleted in LaunchDarkly, links with it
    result = provider.update("id", inputs(flags=["a", "missing-b"]), inputs(flags=["a"]))
    assert result.outs is not None and result.outs["flags"] == {"a": True}
    assert fake.linked["flags"] == {"a"}


def provider_over(
    handler: Callable[[httpx.Request], httpx.Response], monkeypatch: pytest.MonkeyPatch
) -> ViewMembershipProvider:
    client = LaunchDarklyClient(
        access_token="api-test", base_url="https://ld.test", transport=httpx.MockTransport(handler)
    )
    monkeypatch.setattr(ViewMembershipProvider, "client", property(lambda self: client))
    return ViewMembershipProvider()


def test_a_404_for_one_type_with_the_view_present_is_an_error_not_gone(
    fake: FakeLaunchDarkly, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_metrics(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/linked/metrics"):
            return httpx.Response(404, json={"code": "not_found", "message": "Unknown type"})
        return fake(request)

    state = {**inputs(flags=["a"], metrics=["m"]), "flag_count": 1, "metric_count": 1}
    with pytest.raises(ProviderError) as failure:
        provider_over(no_metrics, monkeypatch).read("default/checkout", state)
    assert "/linked/metrics" in str(failure.value)
    assert "Nothing was changed" in str(failure.value)


def test_refresh_drops_the_resource_only_when_the_view_is_confirmed_gone(
    fake: FakeLaunchDarkly, monkeypatch: pytest.MonkeyPatch
) -> None:
    def view_deleted(request: httpx.Request) -> httpx.Response:
        if "/views/checkout" in request.url.path:
            return httpx.Response(404, json={"code": "not_found", "message": "Unknown view"})
        return fake(request)

    assert provider_over(view_deleted, monkeypatch).read("id", inputs(flags=["a"])).id is None


def test_a_linked_segment_without_environment_id_is_resolved_by_key(
    fake: FakeLaunchDarkly, monkeypatch: pytest.MonkeyPatch
) -> None:
    def without_environment_id(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/linked/segments"):
            items = [
                {
                    "resourceKey": "beta",
                    "resourceType": "segment",
                    "linkedAt": 1,
                    "environmentKey": "production",
                },
                {"resourceKey": "odd", "resourceType": "segment", "linkedAt": 2},
            ]
            return httpx.Response(200, json={"items": items, "totalCount": 2})
        if request.url.path.endswith("/environments/production"):
            return httpx.Response(200, json={"_id": ENV_ID, "key": "production", "name": "P"})
        return fake(request)

    state = inputs(segments=[], exclusive=True)
    result = provider_over(without_environment_id, monkeypatch).read("id", state)
    assert result.outs is not None
    assert result.outs["segments"] == {"production/beta": ENV_ID}


def test_a_delete_keeps_what_another_check_of_this_deployment_declared(
    provider: ViewMembershipProvider, fake: FakeLaunchDarkly, capsys: pytest.CaptureFixture[str]
) -> None:
    # A rename without aliases: the new resource's check ran, then the old one is deleted.
    fake.linked["flags"] = {"a", "b"}
    provider.check({}, inputs(flags=["a"]))
    old_state = provider.create(inputs(flags=["a", "b"])).outs
    assert old_state is not None
    provider.delete("default/checkout", old_state)
    assert fake.linked["flags"] == {"a"}
    assert "kept 1 flag(s) linked that another resource of this program declares: 'a'" in (
        capsys.readouterr().err
    )


def test_diff_of_an_unchanged_membership_reports_a_member_another_resource_unlinked() -> None:
    """A move split by `--target`: the giver's update unlinked a member before this resource was
    checked; its inputs did not change, but its state says linked, so the diff must ask for an
    update (which reads LaunchDarkly and links it again)."""
    from pulumi_launchdarkly_links.providers.deployment_declarations import current_deployment
    from pulumi_launchdarkly_links.providers.membership_declarations import member_item

    props = {"project_key": "default", "view_key": "checkout", "flags": ["pay-later"]}
    provider = ViewMembershipProvider()
    assert provider.diff("default/checkout", props, props).changes is False
    current_deployment().record_unlinked([member_item(props, "flags", "other-flag")])
    assert provider.diff("default/checkout", props, props).changes is False
    current_deployment().record_unlinked([member_item(props, "flags", "pay-later")])
    result = provider.diff("default/checkout", props, props)
    assert result.changes is True
    assert not result.replaces
