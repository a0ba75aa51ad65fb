"""Deleting flags, segments, metrics and AI configs, driven through the official client.

Each delete goes through `launchdarkly_api` (as a colleague's script would); what is left is read
back through the emulator's own HTTP API, so a client quirk cannot hide a stale link. Link answers
are parsed by the official client's `LinkResourceSuccessResponse` model.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
import launchdarkly_api
import pytest
from launchdarkly_api.models import (
    ViewLinkRequest,
    ViewLinkRequestKeys,
    ViewLinkRequestSegmentIdentifier,
    ViewLinkRequestSegmentIdentifiers,
)

from pulumi_launchdarkly_links.emulator import (
    DEMO_PRODUCTION_ENV_ID,
    DEMO_TEST_ENV_ID,
    EmulatorServer,
)

from ..e2e.official_client import OfficialClient
from .conftest import BETA


@pytest.fixture
def official(emulator: EmulatorServer) -> OfficialClient:
    return OfficialClient(emulator)


def linked(api: httpx.Client, view: str, resource_type: str) -> list[str]:
    """Resource keys linked to a view of project `default`, as the emulator lists them."""
    answer = api.get(f"/api/v2/projects/default/views/{view}/linked/{resource_type}", headers=BETA)
    assert answer.status_code == 200
    return [item["resourceKey"] for item in answer.json()["items"]]


def linked_segments(api: httpx.Client, view: str) -> list[tuple[str, str]]:
    answer = api.get(f"/api/v2/projects/default/views/{view}/linked/segments", headers=BETA)
    assert answer.status_code == 200
    return [(item["environmentId"], item["resourceKey"]) for item in answer.json()["items"]]


def keys(*flag_keys: str) -> ViewLinkRequest:
    return ViewLinkRequest(ViewLinkRequestKeys(keys=list(flag_keys)))


# -- deletes remove the entity and its links ------------------------------------------------------
def test_deleting_a_flag_drops_its_view_links_and_flag_links(
    official: OfficialClient, api: httpx.Client
) -> None:
    assert official.link_flags("default", "checkout", ["dark-mode", "search-v2"]) == 2
    assert official.link_flags("default", "platform", ["dark-mode"]) == 1
    flag_links = "/api/v2/flag-links/projects/default/flags/dark-mode"
    made = api.post(flag_links, headers=BETA, json={"deepLink": "https://example.com/JIRA-7"})
    assert made.status_code == 201

    official.delete_flag("default", "dark-mode")

    assert api.get("/api/v2/flags/default/dark-mode").status_code == 404
    assert linked(api, "checkout", "flags") == ["search-v2"]
    assert linked(api, "platform", "flags") == []
    associations = api.get(
        "/api/v2/projects/default/view-associations/flags/dark-mode", headers=BETA
    )
    assert associations.json()["totalCount"] == 0
    # A flag re-created under the same key starts without the old flag's links.
    recreated = api.post("/api/v2/flags/default", json={"key": "dark-mode", "name": "Dark mode"})
    assert recreated.status_code == 201
    assert api.get(flag_links, headers=BETA).json()["items"] == []
    assert linked(api, "checkout", "flags") == ["search-v2"]


def test_deleting_a_segment_drops_only_that_environments_links(
    official: OfficialClient, api: httpx.Client
) -> None:
    both = [(DEMO_PRODUCTION_ENV_ID, "beta-users"), (DEMO_TEST_ENV_ID, "beta-users")]
    assert official.link_segments("default", "checkout", both) == 2

    official.delete_segment("default", "production", "beta-users")

    assert api.get("/api/v2/segments/default/production/beta-users").status_code == 404
    assert api.get("/api/v2/segments/default/test/beta-users").status_code == 200
    assert linked_segments(api, "checkout") == [(DEMO_TEST_ENV_ID, "beta-users")]
    assert official.unlink_segments("default", "checkout", [both[1]]) == 1
    assert linked_segments(api, "checkout") == []


def test_deleting_a_metric_drops_its_view_links(
    official: OfficialClient, api: httpx.Client
) -> None:
    # Linked over raw HTTP: the official client rejects resourceType "metric" (not in its enum).
    link = api.post(
        "/api/v2/projects/default/views/checkout/link/metrics",
        headers=BETA,
        json={"keys": ["checkout-conversion"]},
    )
    assert link.json()["successCount"] == 1

    launchdarkly_api.MetricsApi(official.api_client).delete_metric("default", "checkout-conversion")

    metrics = api.get("/api/v2/metrics/default").json()["items"]
    assert "checkout-conversion" not in [m["key"] for m in metrics]
    assert linked(api, "checkout", "metrics") == []


def test_deleting_an_ai_config_drops_its_view_links(
    official: OfficialClient, api: httpx.Client
) -> None:
    answer = official.views.link_resource(
        "default", "platform", "aiConfigs", keys("checkout-assistant")
    )
    assert answer.success_count == 1

    agent_control = launchdarkly_api.AgentControlApi(official.api_client)
    agent_control.delete_ai_config("default", "checkout-assistant")

    configs = api.get("/api/v2/projects/default/ai-configs").json()["items"]
    assert "checkout-assistant" not in [c["key"] for c in configs]
    assert linked(api, "platform", "aiConfigs") == []


# -- unknown entities -----------------------------------------------------------------------------
DELETES: dict[str, Callable[[launchdarkly_api.ApiClient], object]] = {
    "flag": lambda c: launchdarkly_api.FeatureFlagsApi(c).delete_feature_flag("default", "nope"),
    "segment": lambda c: launchdarkly_api.SegmentsApi(c).delete_segment(
        "default", "production", "nope"
    ),
    "segment-in-unknown-environment": lambda c: launchdarkly_api.SegmentsApi(c).delete_segment(
        "default", "staging", "beta-users"
    ),
    "metric": lambda c: launchdarkly_api.MetricsApi(c).delete_metric("default", "nope"),
    "ai-config": lambda c: launchdarkly_api.AgentControlApi(c).delete_ai_config("default", "nope"),
    "project": lambda c: launchdarkly_api.FeatureFlagsApi(c).delete_feature_flag(
        "no-such-project", "dark-mode"
    ),
}


@pytest.mark.parametrize("what", sorted(DELETES))
def test_deleting_an_unknown_entity_is_a_404_with_launchdarklys_error_body(
    official: OfficialClient, what: str
) -> None:
    with pytest.raises(launchdarkly_api.ApiException) as err:
        DELETES[what](official.api_client)
    assert err.value.status == 404 and err.value.body is not None
    body = json.loads(err.value.body)
    assert body["code"] == "not_found"
    assert "not found" in body["message"] and set(body) == {"code", "message"}


def test_a_second_delete_is_a_404(official: OfficialClient) -> None:
    official.delete_flag("default", "pay-later")
    with pytest.raises(launchdarkly_api.ApiException) as err:
        official.delete_flag("default", "pay-later")
    assert err.value.status == 404


# -- link answers ---------------------------------------------------------------------------------
def test_link_answer_lists_the_resources_this_request_linked(
    official: OfficialClient, api: httpx.Client
) -> None:
    assert official.link_flags("default", "checkout", ["new-checkout"]) == 1
    first_linked_at = api.get(
        "/api/v2/projects/default/views/checkout/linked/flags", headers=BETA
    ).json()["items"][0]["linkedAt"]

    answer = official.views.link_resource(
        "default", "checkout", "flags", keys("search-v2", "nope", "new-checkout", "search-v2")
    )

    assert (answer.success_count, answer.failure_count) == (3, 1)
    assert answer.linked_resources is not None
    items = answer.linked_resources.items
    # Once per resource, in request order, already-linked ones included with their first linkedAt.
    assert [i.resource_key for i in items] == ["search-v2", "new-checkout"]
    assert answer.linked_resources.total_count == 2
    assert {i.resource_type for i in items} == {"flag"}
    assert items[0].links.var_self.href == "/api/v2/flags/default/search-v2"
    assert items[1].linked_at == first_linked_at
    assert answer.failed_resources is not None
    assert [f.resource_key for f in answer.failed_resources] == ["nope"]


def test_segment_link_answer_names_the_environment(official: OfficialClient) -> None:
    request = ViewLinkRequest(
        ViewLinkRequestSegmentIdentifiers(
            segment_identifiers=[
                ViewLinkRequestSegmentIdentifier(
                    environment_id=DEMO_TEST_ENV_ID, segment_key="internal-staff"
                )
            ]
        )
    )
    answer = official.views.link_resource("default", "platform", "segments", request)
    assert answer.linked_resources is not None
    (item,) = answer.linked_resources.items
    assert (item.resource_key, item.resource_type) == ("internal-staff", "segment")
    assert (item.environment_id, item.environment_key) == (DEMO_TEST_ENV_ID, "test")


# -- linking and unlinking what is gone or not linked (the provider relies on these answers) -------
def test_linking_a_deleted_flag_fails_that_item_with_a_200(official: OfficialClient) -> None:
    official.delete_flag("default", "dark-mode")
    answer = official.views.link_resource("default", "checkout", "flags", keys("dark-mode"))
    assert (answer.success_count, answer.failure_count) == (0, 1)
    assert answer.linked_resources is not None and answer.linked_resources.total_count == 0
    assert answer.failed_resources is not None
    (failure,) = answer.failed_resources
    assert (failure.resource_key, failure.resource_type) == ("dark-mode", "flag")
    assert failure.error_message == "flag 'dark-mode' not found"


def test_unlinking_a_deleted_flag_fails_that_item_with_a_200(official: OfficialClient) -> None:
    official.link_flags("default", "checkout", ["dark-mode"])
    official.delete_flag("default", "dark-mode")
    answer = official.views.unlink_resource("default", "checkout", "flags", keys("dark-mode"))
    assert (answer.success_count, answer.failure_count) == (0, 1)
    assert answer.failed_resources is not None
    assert answer.failed_resources[0].error_message == "flag 'dark-mode' not found"


def test_unlinking_an_existing_flag_that_is_not_linked_succeeds(
    official: OfficialClient, api: httpx.Client
) -> None:
    assert linked(api, "checkout", "flags") == []
    answer = official.views.unlink_resource("default", "checkout", "flags", keys("dark-mode"))
    assert (answer.success_count, answer.failure_count) == (1, 0)
    assert answer.failed_resources is None
    assert official.unlink_segments("default", "checkout", [(DEMO_TEST_ENV_ID, "beta-users")]) == 1
