"""Flag links (beta): create/list/patch/delete semantics and their error cases."""

from __future__ import annotations

import re

import httpx

from .conftest import BETA

BASE = "/api/v2/flag-links/projects/default/flags/pay-later"


def create(api: httpx.Client, **body: object) -> httpx.Response:
    return api.post(BASE, json=body, headers=BETA)


def test_create_list_and_conflict(api: httpx.Client) -> None:
    r = create(api, key="doc", deepLink="https://example.com/doc", title="Doc")
    assert r.status_code == 201
    rep = r.json()
    assert re.fullmatch(r"[0-9a-f]{24}", rep["_id"])
    assert rep["_key"] == "doc" and rep["_deepLink"] == "https://example.com/doc"
    assert set(rep["_timestamp"]) == {"milliseconds", "seconds", "rfc3339", "simple"}
    assert rep["_member"]["firstName"] == "Emulator"
    second = create(api, key="other", deepLink="https://example.com/2").json()
    assert second["_id"] != rep["_id"]

    dup = create(api, key="doc", deepLink="https://example.com/doc")
    assert dup.status_code == 409
    assert dup.json() == {"code": "conflict", "message": "flag link with key 'doc' already exists"}
    assert create(api, key="nolink").status_code == 400  # deepLink missing

    items = api.get(BASE, headers=BETA).json()["items"]
    assert [i["_key"] for i in items] == ["doc", "other"]
    # Same key on another flag is fine: uniqueness is per flag.
    r = api.post(
        "/api/v2/flag-links/projects/default/flags/dark-mode",
        json={"key": "doc", "deepLink": "https://example.com/doc"},
        headers=BETA,
    )
    assert r.status_code == 201


def test_patch_rules(api: httpx.Client) -> None:
    rep = create(api, key="p", deepLink="https://example.com/p", title="T", description="D").json()
    url = f"{BASE}/{rep['_id']}"
    ops = [
        {"op": "replace", "path": "/title", "value": "T2"},
        {"op": "remove", "path": "/description"},
    ]
    r = api.patch(url, json=ops, headers=BETA)
    assert r.status_code == 200
    assert r.json()["title"] == "T2" and "description" not in r.json()

    bad = api.patch(url, json=[{"op": "replace", "path": "/_deepLink", "value": "x"}], headers=BETA)
    assert bad.status_code == 400 and "/_deepLink" in bad.json()["message"]
    bad = api.patch(url, json=[{"op": "move", "path": "/title", "from": "/x"}], headers=BETA)
    assert bad.status_code == 400
    # PATCH takes the _id only; the key is not accepted.
    assert api.patch(f"{BASE}/p", json=ops[:1], headers=BETA).status_code == 404


def test_delete_by_id_or_key(api: httpx.Client) -> None:
    a = create(api, key="a", deepLink="https://example.com/a").json()
    create(api, key="b", deepLink="https://example.com/b")
    assert api.delete(f"{BASE}/{a['_id']}", headers=BETA).status_code == 204
    assert api.delete(f"{BASE}/b", headers=BETA).status_code == 204
    missing = api.delete(f"{BASE}/b", headers=BETA)
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
    assert api.get(BASE, headers=BETA).json()["items"] == []


def test_unknown_flag_and_project(api: httpx.Client) -> None:
    r = api.get("/api/v2/flag-links/projects/default/flags/ghost", headers=BETA)
    assert r.status_code == 404 and "ghost" in r.json()["message"]
    r = api.post(
        "/api/v2/flag-links/projects/nope/flags/x", json={"deepLink": "https://x"}, headers=BETA
    )
    assert r.status_code == 404 and "nope" in r.json()["message"]


def test_an_integration_link_needs_no_deep_link(api: httpx.Client) -> None:
    # flagLinkPost requires nothing; an integration link's URL comes from its integration.
    made = create(api, key="jira-1", integrationKey="jira", metadata={"issue": "CHK-1"})
    assert made.status_code == 201
    assert made.json()["_deepLink"] and made.json()["_integrationKey"] == "jira"
    assert create(api, key="url-1").status_code == 400  # a URL link does need one
