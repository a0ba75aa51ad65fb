"""ViewMembershipProvider against a scripted LaunchDarkly (httpx.MockTransport): request counts,
rollback on partial failure, per-member error reporting."""

from __future__ import annotations

import base64
import json
from typing import Any

import httpx
import pytest
from pulumi.dynamic.dynamic import serialize_provider

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


def test_create_sends_one_view_check_and_batches_per_type(
    provider: ViewMembershipProvider, fake: FakeLaunchDarkly
) -> None:
    flags = [f"flag-{n:02d}" for n in range(25)]
    segments = [{"environment_id": ENV_ID, "segment_key": "beta"}]
    result = provider.create(inputs(flags=flags, segments=segments))
    assert result.id == "default/checkout"
    assert result.outs is not None and result.outs["flag_count"] == 25
    assert [r[0] for r in fake.requests].count("GET") == 1
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


def test_update_sends_only_the_difference(
    provider: ViewMembershipProvider, fake: FakeLaunchDarkly
) -> None:
    old = inputs(flags=["a", "b"], metrics=["m"])
    provider.update("default/checkout", old, inputs(flags=["b", "c"], metrics=["m"]))
    assert [(m, p.rsplit("/", 1)[1], b["keys"]) for m, p, b in fake.mutations()] == [
        ("DELETE", "flags", ["a"]),
        ("POST", "flags", ["c"]),
    ]


def test_update_reports_failures_and_keeps_what_worked(
    provider: ViewMembershipProvider, fake: FakeLaunchDarkly
) -> None:
    with pytest.raises(ProviderError) as failure:
        provider.update("id", inputs(flags=[]), inputs(flags=["c", "missing-x"]))
    assert "could not change 1 member(s)" in str(failure.value)
    assert fake.linked["flags"] == {"c"}


def test_diff_ignores_provider_churn_and_replaces_on_view_change(
    provider: ViewMembershipProvider,
) -> None:
    olds = {**inputs(flags=["a"]), "__provider": "x"}
    assert provider.diff("id", olds, {**inputs(flags=["a"]), "__provider": "y"}).changes is False
    diff = provider.diff("id", olds, inputs(flags=["a"], view_key="platform"))
    assert diff.changes is True and diff.replaces == ["view_key"]


def test_provider_pickles_to_nothing_but_its_class() -> None:
    provider = ViewMembershipProvider()
    provider._config_values = {"launchdarkly:accessToken": "api-secret-token"}  # type: ignore[attr-defined]
    blob = serialize_provider(provider)
    assert len(blob) < 300
    assert b"api-secret-token" not in base64.b64decode(blob)
