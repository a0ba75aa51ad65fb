"""The official `launchdarkly_api` client (v25, strict pydantic models) against the emulator.

Every call parses the emulator's answer into the client's models; a missing required field or a
wrong type would raise here. The v25 client sends `LD-API-Version: 20240415` by default, so the beta
header must be set as a default header after construction (see the fixture).
"""

from __future__ import annotations

from collections.abc import Iterator

import launchdarkly_api
import pytest
from launchdarkly_api.api.flag_links_beta_api import FlagLinksBetaApi
from launchdarkly_api.api.views_api import ViewsApi
from launchdarkly_api.models import (
    FlagLinkPost,
    PatchOperation,
    ViewLinkRequest,
    ViewLinkRequestKeys,
    ViewLinkRequestSegmentIdentifier,
    ViewLinkRequestSegmentIdentifiers,
    ViewPatch,
    ViewPost,
)

from pulumi_launchdarkly_links.emulator import DEMO_PRODUCTION_ENV_ID, EmulatorServer


@pytest.fixture
def client(emulator: EmulatorServer) -> Iterator[launchdarkly_api.ApiClient]:
    config = launchdarkly_api.Configuration(host=emulator.url)
    config.api_key["ApiKey"] = emulator.token
    with launchdarkly_api.ApiClient(config) as api_client:
        # The client's constructor pins LD-API-Version to 20240415 (overriding header_name/value),
        # which a beta route rejects with 403; override it afterwards.
        api_client.set_default_header("LD-API-Version", "beta")
        yield api_client


def keys(*k: str) -> ViewLinkRequest:
    return ViewLinkRequest(ViewLinkRequestKeys(keys=list(k), comment="from test"))


def test_views_round_trip(client: launchdarkly_api.ApiClient) -> None:
    views = ViewsApi(client)
    created = views.create_view("default", ViewPost(key="Growth", name="Growth", tags=["g"]))
    assert created.key == "growth" and created.tags == ["g"]
    patched = views.update_view("default", "growth", ViewPatch(description="grow"))
    assert patched.description == "grow" and patched.version == 2

    res = views.link_resource("default", "growth", "flags", keys("new-checkout", "search-v2"))
    assert (res.success_count, res.failure_count) == (2, 0)
    seg = ViewLinkRequestSegmentIdentifiers(
        segment_identifiers=[
            ViewLinkRequestSegmentIdentifier(
                environment_id=DEMO_PRODUCTION_ENV_ID, segment_key="internal-staff"
            )
        ]
    )
    res = views.link_resource("default", "growth", "segments", ViewLinkRequest(seg))
    assert res.success_count == 1

    partial = views.link_resource("default", "growth", "flags", keys("nope"))
    assert partial.failure_count == 1
    assert partial.failed_resources and partial.failed_resources[0].resource_type == "flag"

    flags = views.get_linked_resources("default", "growth", "flags", limit=1)
    assert flags.total_count == 2 and [i.resource_key for i in flags.items] == ["new-checkout"]
    segs = views.get_linked_resources("default", "growth", "segments")
    assert segs.items[0].environment_id == DEMO_PRODUCTION_ENV_ID
    assert segs.items[0].environment_key == "production"

    got = views.get_view("default", "growth", expand=["flagsSummary", "resourceSummary"])
    assert got.flags_summary is not None and got.flags_summary.count == 2
    assert got.resource_summary is not None and got.resource_summary.total_count == 3

    assoc = views.get_linked_views("default", "flags", "search-v2")
    assert [v.key for v in assoc.items] == ["growth"]

    un = views.unlink_resource("default", "growth", "flags", keys("search-v2"))
    assert un.success_count == 1
    assert views.get_linked_resources("default", "growth", "flags").total_count == 1

    listing = views.get_views("default")
    assert {"checkout", "platform", "growth"} <= {v.key for v in listing.items}
    views.delete_view("default", "growth")
    with pytest.raises(launchdarkly_api.ApiException) as err:
        views.get_view("default", "growth")
    assert err.value.status == 404


def test_flag_links_round_trip(client: launchdarkly_api.ApiClient) -> None:
    api = FlagLinksBetaApi(client)
    made = api.create_flag_link(
        "default",
        "dark-mode",
        FlagLinkPost(
            key="jira-1",
            deep_link="https://example.com/JIRA-1",
            title="JIRA-1",
            description="ticket",
            timestamp=1700000000000,
            metadata={"team": "web"},
        ),
    )
    assert made.key == "jira-1" and made.deep_link == "https://example.com/JIRA-1"
    assert len(made.id) == 24 and made.timestamp.milliseconds == 1700000000000
    assert made.member is not None and made.member.first_name == "Emulator"

    listed = api.get_flag_links("default", "dark-mode")
    assert [fl.id for fl in listed.items] == [made.id]

    updated = api.update_flag_link(
        "default",
        "dark-mode",
        made.id,
        [PatchOperation(op="replace", path="/title", value="JIRA-1 (done)")],
    )
    assert updated.title == "JIRA-1 (done)" and updated.description == "ticket"

    with pytest.raises(launchdarkly_api.ApiException) as err:
        api.create_flag_link(
            "default", "dark-mode", FlagLinkPost(key="jira-1", deep_link="https://x.test")
        )
    assert err.value.status == 409

    api.delete_flag_link("default", "dark-mode", made.id)
    assert api.get_flag_links("default", "dark-mode").items == []


def test_view_maintainer_and_project_defaults_parse_in_the_official_models(
    client: launchdarkly_api.ApiClient,
) -> None:
    views = ViewsApi(client)
    member_id = "5e6f7a8b9c0d1e2f3a4b5c6d"
    views.create_view(
        "default", ViewPost(key="ops", name="Ops", tags=["team:ops"], maintainer_id=member_id)
    )
    plain = views.get_view("default", "ops")  # no expand: the maintainer is there all the same
    assert plain.maintainer is not None and plain.maintainer.kind == "member"
    assert plain.maintainer.maintainer_member is not None
    assert plain.maintainer.maintainer_member.id == member_id
    assert plain.tags == ["team:ops"] and plain.deleted is False

    moved = views.update_view("default", "ops", ViewPatch(maintainer_team_key="ops-team"))
    assert moved.maintainer is not None and moved.maintainer.maintainer_team is not None
    assert moved.maintainer.maintainer_team.key == "ops-team" and moved.version == 2

    project = launchdarkly_api.ProjectsApi(client).get_project("default")
    assert project.default_client_side_availability is not None
    assert project.default_client_side_availability.using_mobile_key is True
