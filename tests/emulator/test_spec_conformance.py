"""Each named deviation from the v23 spec is real (it fails validation) and deliberate."""

from __future__ import annotations

import httpx

from pulumi_launchdarkly_links.emulator import EmulatorServer
from pulumi_launchdarkly_links.emulator.runtime import Exchange

from .conftest import BETA
from .emulator_spec_check import KNOWN_DEVIATIONS, check_exchange, request_errors, response_errors


def record(emulator: EmulatorServer) -> list[Exchange]:
    seen: list[Exchange] = []
    emulator.runtime.exchange_hooks.append(seen.append)
    return seen


def test_metrics_resource_type_is_a_deviation(api: httpx.Client, emulator: EmulatorServer) -> None:
    seen = record(emulator)
    r = api.post(
        "/api/v2/projects/default/views/checkout/link/metrics",
        json={"keys": ["checkout-conversion", "nope"]},
        headers=BETA,
    )
    assert r.json()["successCount"] == 1
    assert r.json()["failedResources"][0]["resourceType"] == "metric"  # not in v23's enum
    items = api.get("/api/v2/projects/default/views/checkout/linked/metrics", headers=BETA).json()[
        "items"
    ]
    assert items[0]["resourceType"] == "metric"
    for ex in seen:
        assert request_errors(ex), "metrics is outside the v23 resourceType enum"
        assert check_exchange(ex) == ([], "metrics-resource-type")


def test_undocumented_statuses_are_deviations(api: httpx.Client, emulator: EmulatorServer) -> None:
    seen = record(emulator)
    httpx.get(f"{emulator.url}/api/v2/projects/default/views", headers=BETA)  # 401
    api.post("/api/v2/projects/default/views", json={"key": "checkout", "name": "x"}, headers=BETA)
    api.get("/api/v2/flag-links/projects/default/flags/ghost", headers=BETA)
    assert [ex.status for ex in seen] == [401, 409, 404]
    names = []
    for ex in seen:
        assert any("Unknown response http status" in e for e in response_errors(ex))
        problems, name = check_exchange(ex)
        assert not problems
        names.append(name)
    assert names == ["undocumented-status", "create-conflict-409", "undocumented-status"]


def test_deviation_list_is_exactly_the_documented_one() -> None:
    assert set(KNOWN_DEVIATIONS) == {
        "metrics-resource-type",
        "create-conflict-409",
        "undocumented-status",
        "injected-fault",
    }


def test_valid_traffic_has_no_deviation(api: httpx.Client, emulator: EmulatorServer) -> None:
    seen = record(emulator)
    api.get("/api/v2/projects/default/views/checkout", headers=BETA)
    api.get("/api/v2/projects/default/environments/test")
    assert len(seen) == 2
    assert all(check_exchange(ex) == ([], None) for ex in seen)
    assert all(not request_errors(ex) and not response_errors(ex) for ex in seen)
