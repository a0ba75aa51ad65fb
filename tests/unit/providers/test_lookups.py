"""Reads from an ID alone (`ViewMembership.get`) and `get_view`, over a scripted LaunchDarkly."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from pulumi_launchdarkly_links.api import LaunchDarklyClient
from pulumi_launchdarkly_links.lookups import LinkedSegment, ViewNotFoundError, read_view
from pulumi_launchdarkly_links.providers.errors import ProviderError
from pulumi_launchdarkly_links.providers.flag_link import FlagLinkProvider
from pulumi_launchdarkly_links.providers.lookups import (
    read_membership_by_id,
    split_flag_link_id,
    split_view_id,
)

VIEW = "/api/v2/projects/default/views/checkout"
ENV_ID = "65a1b2c3d4e5f60718293a01"
LINKED: dict[str, list[dict[str, Any]]] = {
    "flags": [
        {"resourceKey": "pay-later", "resourceType": "flag", "linkedAt": 2},
        {"resourceKey": "new-checkout", "resourceType": "flag", "linkedAt": 1},
    ],
    "segments": [
        {
            "resourceKey": "beta-users",
            "resourceType": "segment",
            "linkedAt": 1,
            "environmentId": ENV_ID,
            "environmentKey": "production",
        }
    ],
    "aiConfigs": [{"resourceKey": "assistant", "resourceType": "aiConfig", "linkedAt": 1}],
}


def answer(request: httpx.Request) -> httpx.Response:
    path = request.url.path
    if path == VIEW:
        return httpx.Response(
            200,
            json={
                "id": "v1",
                "key": "checkout",
                "name": "Checkout",
                "description": "d",
                "tags": ["b", "a"],
                "version": 4,
                "maintainer": {"id": "t", "kind": "team", "maintainerTeam": {"key": "chk"}},
            },
        )
    if path.startswith(VIEW + "/linked/"):
        resource_type = path.rsplit("/", 1)[1]
        if resource_type == "metrics":
            return httpx.Response(
                400, json={"code": "invalid_request", "message": "unknown resourceType"}
            )
        items = LINKED[resource_type]
        return httpx.Response(200, json={"items": items, "totalCount": len(items)})
    return httpx.Response(404, json={"code": "not_found", "message": "Unknown view"})


@pytest.fixture
def client() -> LaunchDarklyClient:
    return LaunchDarklyClient(
        access_token="api-test", base_url="https://ld.test", transport=httpx.MockTransport(answer)
    )


def test_membership_from_the_id_lists_every_member_and_tolerates_unsupported_types(
    client: LaunchDarklyClient,
) -> None:
    result = read_membership_by_id(client, "default/checkout")
    assert result.id == "default/checkout" and result.outs is not None
    # Member outputs are maps keyed by member, as ViewMembership's own (issue 16, item 9).
    assert result.outs["flags"] == {"new-checkout": True, "pay-later": True}
    assert result.outs["segments"] == {"production/beta-users": ENV_ID}
    assert result.outs["ai_configs"] == {"assistant": True}
    assert result.outs["metrics"] is None  # answered 400: this API has no metric links
    assert result.outs["flag_count"] == 2 and result.outs["exclusive"] is False
    assert result.inputs is not None and "metrics" not in result.inputs


def test_membership_of_a_view_that_is_gone_reads_as_gone(client: LaunchDarklyClient) -> None:
    assert read_membership_by_id(client, "default/nope").id is None


@pytest.mark.parametrize("bad", ["checkout", "default/checkout/x", "/checkout", ""])
def test_a_malformed_view_id_shows_the_shape(bad: str) -> None:
    with pytest.raises(ProviderError, match="'project_key/view_key', e.g. 'default/checkout'"):
        split_view_id(bad)


def test_flag_link_ids_have_three_parts() -> None:
    assert split_flag_link_id("default/flag/abc") == ("default", "flag", "abc")
    with pytest.raises(ProviderError, match="'project_key/flag_key/link_id'"):
        split_flag_link_id("default/flag")


def test_read_view_returns_the_view_with_its_flags_and_segments(
    client: LaunchDarklyClient,
) -> None:
    info = read_view(client, "default", "checkout")
    assert (info.name, info.tags, info.maintainer_team_key) == ("Checkout", ["a", "b"], "chk")
    assert info.view_id == "v1" and info.version == 4
    assert info.flags == ["new-checkout", "pay-later"]
    assert info.segments == [LinkedSegment(ENV_ID, "beta-users", "production")]
    assert info.as_dict()["segments"][0]["environment_key"] == "production"


def test_read_view_of_a_missing_view_says_which(client: LaunchDarklyClient) -> None:
    with pytest.raises(ViewNotFoundError, match="view 'nope' was not found in project 'default'"):
        read_view(client, "default", "nope")


def test_flag_link_read_from_the_id_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    link = {
        "_id": "abc",
        "_key": "chk-1",
        "_deepLink": "https://jira.example.com/browse/CHK-1",
        "title": "CHK-1",
        "_createdAt": 5,
    }

    def links(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/api/v2/flag-links/projects/default/flags/new-checkout"
        return httpx.Response(200, json={"items": [link]})

    client = LaunchDarklyClient(
        access_token="api-test", base_url="https://ld.test", transport=httpx.MockTransport(links)
    )
    monkeypatch.setattr(FlagLinkProvider, "client", property(lambda self: client))
    read = FlagLinkProvider().read("default/new-checkout/abc", {})
    assert read.id == "default/new-checkout/abc" and read.outs is not None
    assert (read.outs["key"], read.outs["title"], read.outs["link_id"]) == ("chk-1", "CHK-1", "abc")
    assert FlagLinkProvider().read("default/new-checkout/gone", {}).id is None
    with pytest.raises(ProviderError, match="'project_key/flag_key/link_id'"):
        FlagLinkProvider().read("default/new-checkout", {})
