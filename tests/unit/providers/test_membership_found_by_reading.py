"""Two races and ambiguities found by reading (issue 16), each through a scripted LaunchDarkly
(httpx.MockTransport) because the emulator never produces them:

- `/linked` pages read in parallel while someone unlinks a member: the offsets shift, and a
  read that trusts them misses a member that is linked (a create that then fails would unlink
  it on rollback, although it was linked before the create);
- a link answer that names a failed segment without `environmentId`, when the batch holds one
  segment key in two environments.
"""

from __future__ import annotations

import json
import threading
from typing import Any

import httpx
import pytest

from pulumi_launchdarkly_links.api import LaunchDarklyClient
from pulumi_launchdarkly_links.providers.errors import ProviderError
from pulumi_launchdarkly_links.providers.membership_reader import MembershipReader
from pulumi_launchdarkly_links.providers.view_membership import ViewMembershipProvider

ENV_A = "65a1b2c3d4e5f60718293a01"
ENV_B = "65a1b2c3d4e5f60718293a02"


def client_over(handler: Any) -> LaunchDarklyClient:
    return LaunchDarklyClient(
        access_token="api-test", base_url="https://ld.test", transport=httpx.MockTransport(handler)
    )


def linked_page(keys: list[str], request: httpx.Request) -> httpx.Response:
    offset = int(request.url.params.get("offset", 0))
    limit = int(request.url.params.get("limit", 100))
    items = [
        {"resourceKey": key, "resourceType": "flag", "linkedAt": 1}
        for key in keys[offset : offset + limit]
    ]
    return httpx.Response(200, json={"items": items, "totalCount": len(keys)})


def test_a_member_unlinked_between_page_reads_hides_no_other_member() -> None:
    keys = [f"flag-{n:03d}" for n in range(250)]
    lock = threading.Lock()
    first_page_read = threading.Event()

    def handler(request: httpx.Request) -> httpx.Response:
        with lock:
            if request.url.params.get("offset") == "0" and not first_page_read.is_set():
                first_page_read.set()
                answer = linked_page(keys, request)
                keys.remove("flag-050")  # someone unlinks one before the other pages are read
                return answer
            return linked_page(keys, request)

    reader = MembershipReader(client_over(handler), "default", "checkout")
    read = set(reader.read(["flags"])["flags"])
    assert set(keys) <= read  # flag-100 was shifted to offset 99 after the first page
    assert "flag-100" in read


class AmbiguousSegmentFailure:
    """Links segments; refuses ('beta', ENV_B) and names it by key alone, as some answers do."""

    def __init__(self) -> None:
        self.linked: set[tuple[str, str]] = set()

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if "/linked/" in path:
            items = [
                {"resourceKey": key, "resourceType": "segment", "linkedAt": 1, "environmentId": e}
                for e, key in sorted(self.linked)
            ]
            return httpx.Response(200, json={"items": items, "totalCount": len(items)})
        body = json.loads(request.content)
        members = [(s["environmentId"], s["segmentKey"]) for s in body["segmentIdentifiers"]]
        failed = [m for m in members if m == (ENV_B, "beta")]
        for member in members:
            if member not in failed:
                (self.linked.add if request.method == "POST" else self.linked.discard)(member)
        return httpx.Response(
            200,
            json={
                "successCount": len(members) - len(failed),
                "failureCount": len(failed),
                "failedResources": [
                    {"resourceKey": key, "resourceType": "segment", "errorMessage": "refused"}
                    for _environment, key in failed
                ],
            },
        )


def test_a_failed_segment_named_without_environment_is_not_pinned_on_the_other(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake = AmbiguousSegmentFailure()
    client = client_over(fake)
    monkeypatch.setattr(ViewMembershipProvider, "client", property(lambda self: client))
    monkeypatch.setenv("LAUNCHDARKLY_ACCESS_TOKEN", "api-test")
    segments = [
        {"environment_id": ENV_A, "segment_key": "beta"},
        {"environment_id": ENV_B, "segment_key": "beta"},
    ]
    with pytest.raises(ProviderError) as failure:
        ViewMembershipProvider().create(
            {"project_key": "default", "view_key": "checkout", "segments": segments}
        )
    # The create is undone: the segment it did link (ENV_A) is unlinked again.
    assert fake.linked == set()
    assert f"'beta' (environment {ENV_B})" in str(failure.value)
    assert f"'beta' (environment {ENV_A})" not in str(failure.value)


def test_an_update_names_only_the_segment_that_failed(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = AmbiguousSegmentFailure()
    client = client_over(fake)
    monkeypatch.setattr(ViewMembershipProvider, "client", property(lambda self: client))
    monkeypatch.setenv("LAUNCHDARKLY_ACCESS_TOKEN", "api-test")
    state = {"project_key": "default", "view_key": "checkout", "segments": []}
    segments = [
        {"environment_id": ENV_A, "segment_key": "beta"},
        {"environment_id": ENV_B, "segment_key": "beta"},
    ]
    with pytest.raises(ProviderError) as failure:
        ViewMembershipProvider().update("default/checkout", state, {**state, "segments": segments})
    assert fake.linked == {(ENV_A, "beta")}  # an update keeps what succeeded
    assert "could not change 1 member(s)" in str(failure.value)
    assert f"'beta' (environment {ENV_B})" in str(failure.value)
