"""Catalog routes: projects, environments, flags, segments, metrics, AI configs.

Responses are validated against the spec by the fixture like everything else, but only the
schema-required fields are modelled; not validated for realism: flag targeting/variations,
segment rules, metric data sources, AI config variations, and list sorting (ignored). List
filters are tested in test_filters.py.
"""

from __future__ import annotations

import httpx

from pulumi_launchdarkly_links.emulator import DEMO_PRODUCTION_ENV_ID, DEMO_TEST_ENV_ID


def test_projects_and_environments(api: httpx.Client) -> None:
    projects = api.get("/api/v2/projects").json()
    assert [p["key"] for p in projects["items"]] == ["default", "mobile"]
    env = api.get("/api/v2/projects/default/environments/production").json()
    assert env["_id"] == DEMO_PRODUCTION_ENV_ID and env["key"] == "production"
    envs = api.get("/api/v2/projects/default/environments").json()
    assert {e["_id"] for e in envs["items"]} == {DEMO_PRODUCTION_ENV_ID, DEMO_TEST_ENV_ID}
    missing = api.get("/api/v2/projects/default/environments/staging")
    assert missing.status_code == 404 and "staging" in missing.json()["message"]

    r = api.post("/api/v2/projects", json={"key": "web", "name": "Web"})
    assert r.status_code == 201
    assert [e["key"] for e in r.json()["environments"]] == ["production", "test"]
    assert api.post("/api/v2/projects", json={"key": "web", "name": "Web"}).status_code == 409
    assert api.get("/api/v2/projects/web").json()["name"] == "Web"


def test_flags_and_segments(api: httpx.Client) -> None:
    flags = api.get("/api/v2/flags/default", params={"limit": 50}).json()
    assert len(flags["items"]) == 5 and flags["totalCount"] == 5
    r = api.post("/api/v2/flags/default", json={"key": "brand-new", "name": "Brand new"})
    assert r.status_code == 201 and r.json()["kind"] == "boolean"
    assert api.get("/api/v2/flags/default/brand-new").json()["name"] == "Brand new"
    assert (
        api.post("/api/v2/flags/default", json={"key": "brand-new", "name": "x"}).status_code == 409
    )

    seg = api.get("/api/v2/segments/default/test/beta-users")
    assert seg.status_code == 200 and seg.json()["key"] == "beta-users"
    r = api.post("/api/v2/segments/default/test", json={"key": "vip", "name": "VIP"})
    assert r.status_code == 201
    assert api.get("/api/v2/segments/default/production/vip").status_code == 404


def test_metrics_and_ai_configs(api: httpx.Client) -> None:
    metrics = api.get("/api/v2/metrics/default").json()
    assert [m["key"] for m in metrics["items"]] == ["checkout-conversion"]
    r = api.post("/api/v2/metrics/default", json={"key": "clicks", "kind": "custom"})
    assert r.status_code == 201 and r.json()["kind"] == "custom"
    assert (
        api.post("/api/v2/metrics/default", json={"key": "x", "kind": "bogus"}).status_code == 400
    )

    cfgs = api.get("/api/v2/projects/default/ai-configs").json()
    assert [c["key"] for c in cfgs["items"]] == ["checkout-assistant"]
    r = api.post("/api/v2/projects/default/ai-configs", json={"key": "helper", "name": "Helper"})
    assert r.status_code == 201 and r.json()["version"] == 1
