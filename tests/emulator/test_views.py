"""Views (beta) routes: CRUD, link/unlink, linked pagination and view-associations."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from pulumi_launchdarkly_links.emulator import DEMO_PRODUCTION_ENV_ID, DEMO_TEST_ENV_ID

from .conftest import BETA

VIEWS = "/api/v2/projects/default/views"


def link(api: httpx.Client, view: str, rtype: str, body: dict[str, Any]) -> httpx.Response:
    return api.post(f"{VIEWS}/{view}/link/{rtype}", json=body, headers=BETA)


def unlink(api: httpx.Client, view: str, rtype: str, body: dict[str, Any]) -> httpx.Response:
    return api.request("DELETE", f"{VIEWS}/{view}/link/{rtype}", json=body, headers=BETA)


def linked(api: httpx.Client, view: str, rtype: str, **params: Any) -> dict[str, Any]:
    r = api.get(f"{VIEWS}/{view}/linked/{rtype}", params=params, headers=BETA)
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


def test_view_crud(api: httpx.Client) -> None:
    r = api.post(VIEWS, json={"key": "Payments", "name": "Payments", "tags": ["t"]}, headers=BETA)
    assert r.status_code == 200
    view = r.json()
    assert view["key"] == "payments"  # lowercased
    assert view["version"] == 1 and view["tags"] == ["t"] and view["description"] == ""
    dup = api.post(VIEWS, json={"key": "payments", "name": "Again"}, headers=BETA)
    assert dup.status_code == 409 and dup.json()["code"] == "conflict"

    r = api.patch(f"{VIEWS}/payments", json={"description": "money"}, headers=BETA)
    assert r.status_code == 200
    assert r.json()["description"] == "money" and r.json()["version"] == 2

    # getViews declares expand with explode: false (comma-separated)
    listing = api.get(
        VIEWS, params={"limit": 2, "expand": "flagsSummary,resourceSummary"}, headers=BETA
    ).json()
    assert listing["totalCount"] == 3 and len(listing["items"]) == 2
    assert listing["items"][0]["resourceSummary"]["totalCount"] == 0
    assert "next" in listing["_links"]

    assert api.delete(f"{VIEWS}/payments", headers=BETA).status_code == 204
    missing = api.get(f"{VIEWS}/payments", headers=BETA)
    assert missing.status_code == 404 and "payments" in missing.json()["message"]


def test_view_post_validation(api: httpx.Client) -> None:
    r = api.post(VIEWS, json={"name": "no key"}, headers=BETA)
    assert r.status_code == 400 and r.json()["code"] == "invalid_request"
    r = api.post(VIEWS, content=b"{not json", headers={**BETA, "content-type": "application/json"})
    assert r.status_code == 400 and r.json()["code"] == "invalid_request"
    r = api.get("/api/v2/projects/nope/views", headers=BETA)
    assert r.status_code == 404 and "nope" in r.json()["message"]


def test_link_flags_and_segments_then_unlink(api: httpx.Client) -> None:
    r = link(api, "checkout", "flags", {"keys": ["new-checkout", "pay-later"], "comment": "c"})
    body = r.json()
    assert (body["successCount"], body["failureCount"]) == (2, 0) and "failedResources" not in body
    answered = body["linkedResources"]
    assert [i["resourceKey"] for i in answered["items"]] == ["new-checkout", "pay-later"]
    assert answered["totalCount"] == 2
    again = link(api, "checkout", "flags", {"keys": ["new-checkout"]})
    assert again.json()["successCount"] == 1  # re-linking is idempotent
    segs = {
        "segmentIdentifiers": [
            {"environmentId": DEMO_PRODUCTION_ENV_ID, "segmentKey": "beta-users"},
            {"environmentId": DEMO_TEST_ENV_ID, "segmentKey": "beta-users"},
        ]
    }
    assert link(api, "checkout", "segments", segs).json()["successCount"] == 2

    flags = linked(api, "checkout", "flags")
    assert [i["resourceKey"] for i in flags["items"]] == ["new-checkout", "pay-later"]
    assert flags["items"][0]["resourceType"] == "flag"
    assert flags["items"][0]["linkedAt"] < flags["items"][1]["linkedAt"]
    seg_items = linked(api, "checkout", "segments")["items"]
    assert {(i["environmentKey"], i["resourceKey"]) for i in seg_items} == {
        ("production", "beta-users"),
        ("test", "beta-users"),
    }

    view = api.get(
        f"{VIEWS}/checkout",
        # getView declares expand with explode: true, so repeated parameters
        params=[
            ("expand", "flagsSummary"),
            ("expand", "segmentsSummary"),
            ("expand", "resourceSummary"),
        ],
        headers=BETA,
    ).json()
    assert view["flagsSummary"]["count"] == 2
    assert view["segmentsSummary"]["count"] == 2
    assert view["resourceSummary"] == {"flagCount": 2, "segmentCount": 2, "totalCount": 4}

    r = unlink(api, "checkout", "flags", {"keys": ["pay-later", "dark-mode"]})
    assert r.json() == {"successCount": 2, "failureCount": 0}  # dark-mode: not linked, still ok
    assert [i["resourceKey"] for i in linked(api, "checkout", "flags")["items"]] == ["new-checkout"]


def test_partial_failure_is_200_with_counts(api: httpx.Client) -> None:
    r = link(api, "checkout", "flags", {"keys": ["new-checkout", "ghost"]})
    assert r.status_code == 200
    body = r.json()
    assert body["successCount"] == 1 and body["failureCount"] == 1
    assert body["failedResources"] == [
        {"resourceKey": "ghost", "resourceType": "flag", "errorMessage": "flag 'ghost' not found"}
    ]
    r = link(
        api,
        "checkout",
        "segments",
        {
            "segmentIdentifiers": [
                {"environmentId": "000000000000000000000000", "segmentKey": "beta-users"},
                {"environmentId": DEMO_PRODUCTION_ENV_ID, "segmentKey": "nobody"},
            ]
        },
    )
    failed = r.json()["failedResources"]
    assert r.json()["failureCount"] == 2
    assert {f["environmentId"] for f in failed} == {
        "000000000000000000000000",
        DEMO_PRODUCTION_ENV_ID,
    }
    assert all(f["resourceType"] == "segment" for f in failed)


def test_batch_max_and_bad_bodies(emulator_factory: Any) -> None:
    emu = emulator_factory(link_batch_max=3)
    with httpx.Client(base_url=emu.url, headers={"Authorization": emu.token, **BETA}) as api:
        r = api.post(f"{VIEWS}/checkout/link/flags", json={"keys": ["a", "b", "c", "d"]})
        assert r.status_code == 400 and "3" in r.json()["message"]
        r = api.post(f"{VIEWS}/checkout/link/flags", json={"segmentIdentifiers": []})
        assert r.status_code == 400
        r = api.post(f"{VIEWS}/checkout/link/gadgets", json={"keys": []})
        assert r.status_code == 400
        r = api.post(f"{VIEWS}/nope/link/flags", json={"keys": ["dark-mode"]})
        assert r.status_code == 404 and "nope" in r.json()["message"]


def test_linked_pagination_clamped(emulator_factory: Any) -> None:
    emu = emulator_factory(linked_page_max=5)
    flags = [f"bulk-{i:02d}" for i in range(12)]
    from pulumi_launchdarkly_links.emulator import EmulatorAdmin

    EmulatorAdmin(emu.url).seed({"projects": [{"key": "default", "flags": flags}]})
    with httpx.Client(base_url=emu.url, headers={"Authorization": emu.token}) as api:
        for chunk in (flags[:6], flags[6:]):
            assert link(api, "platform", "flags", {"keys": chunk}).json()["successCount"] == 6
        seen: list[str] = []
        offset = 0
        pages = 0
        while True:
            page = linked(api, "platform", "flags", limit=100, offset=offset)
            assert page["totalCount"] == 12
            assert len(page["items"]) <= 5  # limit 100 clamped to linked_page_max
            if not page["items"]:
                break
            seen += [i["resourceKey"] for i in page["items"]]
            offset += len(page["items"])
            pages += 1
            if "next" not in page["_links"]:
                break
        assert seen == flags and pages == 3


def test_view_associations_and_delete_drops_links(api: httpx.Client) -> None:
    link(api, "checkout", "flags", {"keys": ["dark-mode"]})
    link(api, "platform", "flags", {"keys": ["dark-mode"]})
    seg = {"environmentId": DEMO_TEST_ENV_ID, "segmentKey": "internal-staff"}
    link(api, "platform", "segments", {"segmentIdentifiers": [seg]})
    assoc = "/api/v2/projects/default/view-associations"
    r = api.get(f"{assoc}/flags/dark-mode", headers=BETA).json()
    assert sorted(v["key"] for v in r["items"]) == ["checkout", "platform"]
    r = api.get(
        f"{assoc}/segments/internal-staff",
        params={"environmentId": DEMO_TEST_ENV_ID},
        headers=BETA,
    ).json()
    assert [v["key"] for v in r["items"]] == ["platform"]
    assert api.get(f"{assoc}/segments/internal-staff", headers=BETA).status_code == 400

    assert api.delete(f"{VIEWS}/platform", headers=BETA).status_code == 204
    api.post(VIEWS, json={"key": "platform", "name": "Platform"}, headers=BETA)
    assert linked(api, "platform", "flags")["totalCount"] == 0
    r = api.get(f"{assoc}/flags/dark-mode", headers=BETA).json()
    assert [v["key"] for v in r["items"]] == ["checkout"]


MEMBER_ID = "5e6f7a8b9c0d1e2f3a4b5c6d"


def test_plain_get_view_carries_the_maintainer_and_tags(api: httpx.Client) -> None:
    body = {"key": "growth", "name": "Growth", "tags": ["g"], "maintainerId": MEMBER_ID}
    assert api.post(VIEWS, json=body, headers=BETA).status_code == 200
    view = api.get(f"{VIEWS}/growth", headers=BETA).json()  # no expand
    assert view["maintainer"]["kind"] == "member"
    assert view["maintainer"]["maintainerMember"]["id"] == MEMBER_ID
    assert view["tags"] == ["g"] and view["generateSdkKeys"] is False
    r = api.patch(f"{VIEWS}/growth", json={"maintainerTeamKey": "growth-team"}, headers=BETA)
    team = api.get(f"{VIEWS}/growth", headers=BETA).json()["maintainer"]
    assert r.status_code == 200 and team["kind"] == "team"
    assert team["maintainerTeam"]["key"] == "growth-team"
    assert "maintainer" not in api.get(f"{VIEWS}/checkout", headers=BETA).json()


@pytest.mark.parametrize(
    ("method", "body", "words"),
    [
        (
            "POST",
            {"key": "v", "name": "V", "maintainerId": MEMBER_ID, "maintainerTeamKey": "t"},
            "only one of maintainerId and maintainerTeamKey",
        ),
        ("POST", {"key": "v", "name": "V", "tags": "t"}, "tags must be an array"),
        ("POST", {"key": "v", "name": "V", "description": 5}, "description must be a string"),
        ("POST", {"key": "v"}, "name is required"),
        (
            "PATCH",
            {"maintainerId": MEMBER_ID, "maintainerTeamKey": ""},
            "only one of maintainerId and maintainerTeamKey",
        ),
        ("PATCH", {"archived": "yes"}, "archived must be a boolean"),
    ],
)
def test_view_bodies_are_validated(
    api: httpx.Client, method: str, body: dict[str, Any], words: str
) -> None:
    url = VIEWS if method == "POST" else f"{VIEWS}/checkout"
    r = api.request(method, url, json=body, headers=BETA)
    assert r.status_code == 400 and words in r.json()["message"]
    assert r.json()["code"] == "invalid_request"


def test_patch_archived_is_accepted_and_ignored_and_a_no_op_keeps_the_version(
    api: httpx.Client,
) -> None:
    before = api.get(f"{VIEWS}/checkout", headers=BETA).json()
    r = api.patch(f"{VIEWS}/checkout", json={"archived": True}, headers=BETA)
    assert r.status_code == 200 and r.json()["archived"] is False
    assert r.json()["version"] == before["version"]
    renamed = api.patch(f"{VIEWS}/checkout", json={"name": "Checkout 2"}, headers=BETA).json()
    assert renamed["version"] == before["version"] + 1


def test_project_answers_carry_default_client_side_availability(api: httpx.Client) -> None:
    project = api.get("/api/v2/projects/default").json()
    assert project["defaultClientSideAvailability"] == {
        "usingMobileKey": True,
        "usingEnvironmentId": False,
    }


def test_patching_one_maintainer_side_replaces_the_other(api: httpx.Client) -> None:
    api.patch(f"{VIEWS}/checkout", json={"maintainerTeamKey": "ops"}, headers=BETA)
    r = api.patch(f"{VIEWS}/checkout", json={"maintainerId": MEMBER_ID}, headers=BETA)
    assert r.json()["maintainer"]["kind"] == "member"
    assert r.json()["maintainer"]["maintainerMember"]["id"] == MEMBER_ID
