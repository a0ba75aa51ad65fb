"""Cross-cutting behaviour: auth, beta header, rate limits, faults, latency, rejected types."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import pytest

from pulumi_launchdarkly_links.emulator import EmulatorAdmin, EmulatorServer

from .conftest import BETA

LINK = "/api/v2/projects/default/views/{view}/link/flags"
LINK_ROUTE = "POST /api/v2/projects/{projectKey}/views/{viewKey}/link/{resourceType}"


def test_auth_is_raw_token_and_never_echoed(emulator: EmulatorServer) -> None:
    url = f"{emulator.url}/api/v2/projects"
    for headers in (
        {},
        {"Authorization": f"Bearer {emulator.token}"},
        {"Authorization": "x-sekrit"},
    ):
        r = httpx.get(url, headers=headers)
        assert r.status_code == 401
        assert r.json() == {"code": "unauthorized", "message": "Invalid access token"}
        assert "sekrit" not in r.text and "x-ratelimit-reset" in r.headers
    assert httpx.get(url, headers={"Authorization": emulator.token}).status_code == 200


def test_beta_header_required_only_on_beta_routes(api: httpx.Client) -> None:
    for path in (
        "/api/v2/projects/default/views",
        "/api/v2/projects/default/views/checkout/linked/flags",
        "/api/v2/flag-links/projects/default/flags/dark-mode",
    ):
        r = api.get(path)
        assert r.status_code == 403, path
        assert r.json()["code"] == "forbidden" and "beta" in r.json()["message"]
        assert api.get(path, headers={"LD-API-Version": "20240415"}).status_code == 403
    assert api.get("/api/v2/projects/default/environments/production").status_code == 200


def test_stats_count_routes_by_template(api: httpx.Client, admin: EmulatorAdmin) -> None:
    admin.reset_stats()
    for view in ("checkout", "platform"):
        api.post(LINK.format(view=view), json={"keys": ["dark-mode"]}, headers=BETA)
    api.get("/api/v2/projects")
    stats = admin.stats()
    assert stats["routes"][LINK_ROUTE] == 2  # both views share one route key
    assert stats["total"] == 3 and stats["mutating"] == 2
    admin.reset_stats()
    assert admin.stats()["total"] == 0


def test_route_rate_limit_headers_and_429(emulator_factory: Any) -> None:
    emu = emulator_factory(route_limit=3, global_limit=100)
    with httpx.Client(base_url=emu.url, headers={"Authorization": emu.token, **BETA}) as api:
        remaining = []
        for view in ("checkout", "platform", "checkout"):
            r = api.post(LINK.format(view=view), json={"keys": ["dark-mode"]})
            assert r.status_code == 200
            remaining.append(int(r.headers["X-Ratelimit-Route-Remaining"]))
        assert remaining == [2, 1, 0]
        r = api.post(LINK.format(view="platform"), json={"keys": ["dark-mode"]})
        assert r.status_code == 429 and r.json()["code"] == "rate_limited"
        reset = int(r.headers["X-Ratelimit-Reset"])
        assert time.time() * 1000 < reset <= (time.time() + 10) * 1000
        assert "Retry-After" not in r.headers
        assert int(r.headers["X-Ratelimit-Global-Remaining"]) == 97
        # Another route still has its own bucket.
        assert api.get("/api/v2/projects/default/views").status_code == 200
    assert EmulatorAdmin(emu.url).stats()["rate_limited"] == 1


def test_retry_after_mode(emulator_factory: Any) -> None:
    emu = emulator_factory(global_limit=2, retry_after=1)
    with httpx.Client(base_url=emu.url, headers={"Authorization": emu.token}) as api:
        assert api.get("/api/v2/projects").status_code == 200
        assert api.get("/api/v2/projects").status_code == 200
        r = api.get("/api/v2/projects")
        assert r.status_code == 429 and r.headers["Retry-After"] == "1"
        time.sleep(1.05)  # the bucket reopens after Retry-After even inside the 10 s window
        assert api.get("/api/v2/projects").status_code == 200


def test_unlimited_still_sends_headers(api: httpx.Client) -> None:
    r = api.get("/api/v2/projects")
    assert int(r.headers["X-Ratelimit-Route-Remaining"]) >= 100000
    assert int(r.headers["X-Ratelimit-Global-Remaining"]) >= 100000


def test_faults_are_seeded_counted_and_half_happen_after(emulator_factory: Any) -> None:
    emu = emulator_factory(fault_rate=0.5, fault_seed=7)
    outcomes: list[str] = []
    with httpx.Client(base_url=emu.url, headers={"Authorization": emu.token, **BETA}) as api:
        for i in range(40):
            try:
                r = api.post("/api/v2/projects/default/views", json={"key": f"v{i}", "name": "V"})
                outcomes.append(str(r.status_code))
            except httpx.TransportError:
                outcomes.append("drop")
    stats = EmulatorAdmin(emu.url).stats()
    failures = [o for o in outcomes if o != "200"]
    assert stats["faults"] == len(failures) > 5
    assert stats["faults_before"] > 0 and stats["faults_after"] > 0
    assert {"500", "502", "503", "504", "drop"} & set(failures)
    # Faults after processing still created the view: more views exist than 200s seen.
    views = EmulatorAdmin(emu.url).state()["projects"]["default"]["views"]
    created = len(views) - 2
    assert created == outcomes.count("200") + stats["faults_after"]


def test_fault_seed_is_reproducible(emulator_factory: Any) -> None:
    def run() -> list[int]:
        emu = emulator_factory(fault_rate=0.3, fault_seed=42)
        codes = []
        with httpx.Client(base_url=emu.url, headers={"Authorization": emu.token}) as api:
            for _ in range(20):
                try:
                    codes.append(api.get("/api/v2/projects").status_code)
                except httpx.TransportError:
                    codes.append(-1)
        return codes

    first, second = run(), run()
    assert first == second and set(first) != {200}


def test_latency_overlaps(emulator_factory: Any) -> None:
    emu = emulator_factory(latency_ms=300)

    async def go() -> float:
        async with httpx.AsyncClient(
            base_url=emu.url, headers={"Authorization": emu.token}
        ) as client:
            start = time.monotonic()
            rs = await asyncio.gather(*(client.get("/api/v2/projects") for _ in range(5)))
            assert all(r.status_code == 200 for r in rs)
            return time.monotonic() - start

    elapsed = asyncio.run(go())
    assert 0.3 <= elapsed < 1.2  # five 300 ms requests overlap instead of taking 1.5 s


@pytest.mark.parametrize("path", ["link/metrics", "linked/metrics"])
def test_reject_resource_types(emulator_factory: Any, path: str) -> None:
    emu = emulator_factory(reject_resource_types=["metrics"])
    url = f"{emu.url}/api/v2/projects/default/views/checkout/{path}"
    headers = {"Authorization": emu.token, **BETA}
    if path.startswith("link/"):
        r = httpx.post(url, json={"keys": ["checkout-conversion"]}, headers=headers)
    else:
        r = httpx.get(url, headers=headers)
    assert r.status_code == 400
    assert r.json() == {
        "code": "invalid_request",
        "message": "resourceType metrics is not supported",
    }


def test_knobs_change_at_runtime(api: httpx.Client, admin: EmulatorAdmin) -> None:
    knobs = admin.set_knobs(route_limit=1, reject_resource_types="metrics,aiConfigs")
    assert knobs["route_limit"] == 1 and knobs["reject_resource_types"] == ["metrics", "aiConfigs"]
    assert api.get("/api/v2/projects").status_code == 200
    assert api.get("/api/v2/projects").status_code == 429
    with pytest.raises(httpx.HTTPStatusError):
        admin.set_knobs(no_such_knob=1)
    assert admin.knobs()["route_limit"] == 1
