"""Filters: the flag `field:value` syntax, the segment queryfilter syntax, and where they apply.

The parser tables run against a seeded state without HTTP; the route tests check that the flag and
segment lists, link/unlink bodies and `/linked` honour the same filters (every exchange is
spec-checked by the fixture), and the official `launchdarkly-api` client drives the list routes
and filter-based linking.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import launchdarkly_api
import pytest
from launchdarkly_api.api.feature_flags_api import FeatureFlagsApi
from launchdarkly_api.api.segments_api import SegmentsApi
from launchdarkly_api.api.views_api import ViewsApi
from launchdarkly_api.models import (
    ViewLinkRequest,
    ViewLinkRequestFilter,
    ViewLinkRequestKeys,
    ViewLinkRequestSegmentIdentifier,
    ViewLinkRequestSegmentIdentifiers,
)

from pulumi_launchdarkly_links.emulator import EmulatorServer
from pulumi_launchdarkly_links.emulator.errors import ApiError
from pulumi_launchdarkly_links.emulator.flag_filters import Where, parse_flag_filter
from pulumi_launchdarkly_links.emulator.reps import MEMBER_ID, flag_rep
from pulumi_launchdarkly_links.emulator.seed import SeedError, build_state
from pulumi_launchdarkly_links.emulator.segment_filters import (
    parse_segment_filter,
    select_segments,
)

from .conftest import BETA

PROD_ID = "0a0a0a0a0a0a0a0a0a0a0a01"
TEST_ID = "0a0a0a0a0a0a0a0a0a0a0a02"
OTHER_MEMBER = "aaaaaaaaaaaaaaaaaaaaaaaa"
SEED: dict[str, Any] = {
    "projects": [
        {
            "key": "shop",
            "environments": [
                {"key": "production", "_id": PROD_ID},
                {"key": "test", "_id": TEST_ID},
            ],
            "flags": [
                {
                    "key": "checkout-v2",
                    "name": "Checkout V2",
                    "tags": ["checkout", "web"],
                    "creationDate": 1000,
                    "status": {"production": "active"},
                },
                {
                    "key": "checkout-legacy",
                    "name": "Legacy checkout",
                    "tags": ["checkout"],
                    "temporary": False,
                    "deprecated": True,
                    "creationDate": 2000,
                },
                {
                    "key": "pay-later",
                    "tags": ["payments", "web"],
                    "maintainerTeamKey": "payments",
                    "creationDate": 3000,
                    "status": "launched",
                },
                {"key": "old-banner", "tags": ["web"], "archived": True, "creationDate": 500},
                {"key": "search", "name": "Search", "maintainerId": OTHER_MEMBER},
            ],
            "segments": {
                "production": [
                    {"key": "beta-users", "tags": ["beta"], "description": "Early adopters"},
                    {"key": "big-list", "tags": ["beta", "bulk"], "unbounded": True},
                    {"key": "staff", "name": "Internal staff", "tags": ["internal"]},
                ],
                "test": [{"key": "beta-users", "tags": ["beta"]}],
            },
            "aiConfigs": ["helper"],
            "views": [{"key": "checkout", "name": "Checkout"}],
        }
    ]
}
VIEW = "/api/v2/projects/shop/views/checkout"
LIVE_FLAGS = ["checkout-v2", "checkout-legacy", "pay-later", "search"]


@pytest.fixture(scope="module")
def shop() -> dict[str, Any]:
    clock = iter(range(10_000, 20_000))
    return build_state(SEED, lambda: next(clock))["projects"]["shop"]  # type: ignore[no-any-return]


def flag_keys(shop: dict[str, Any], text: str, where: Where = "views") -> list[str]:
    selected = parse_flag_filter(text, where).select(shop, list(shop["flags"].values()))
    return [flag["key"] for flag in selected]


def segment_keys(shop: dict[str, Any], text: str, env_key: str = "production") -> list[str]:
    env = shop["environments"][env_key]
    segments = list(shop["segments"][env_key].values())
    return [s["key"] for s in select_segments(parse_segment_filter(text), shop, env, segments)]


def refusal(call: Any) -> str:
    with pytest.raises(ApiError) as err:
        call()
    assert (err.value.status, err.value.code) == (400, "invalid_request")
    return err.value.message


# -- the flag syntax ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", LIVE_FLAGS),  # no filter: every flag but the archived one
        ("query:CHECKOUT", ["checkout-v2", "checkout-legacy"]),  # key or name, any case
        ("query:v2", ["checkout-v2"]),
        ("query:legacy checkout", ["checkout-legacy"]),  # the name only
        ("tags:checkout", ["checkout-v2", "checkout-legacy"]),
        ("tags:checkout+web", ["checkout-v2"]),  # '+' means all of the tags
        ("tags:web", ["checkout-v2", "pay-later"]),  # archived old-banner stays hidden
        ("tags:web,archived:true", ["old-banner"]),
        ("archived:false", LIVE_FLAGS),
        ("state:archived", ["old-banner"]),
        ("state:deprecated", ["checkout-legacy"]),
        ("state:live", ["checkout-v2", "pay-later", "search"]),
        ("type:permanent", ["checkout-legacy"]),
        ("type:temporary", ["checkout-v2", "pay-later", "search"]),
        (f"maintainerId:{MEMBER_ID}", ["checkout-v2", "checkout-legacy"]),  # the default
        (f"maintainerId:{OTHER_MEMBER}", ["search"]),
        ("maintainerTeamKey:payments", ["pay-later"]),
        ('creationDate:{"before":2500}', ["checkout-v2", "checkout-legacy"]),
        ('creationDate:{"before":2000}', ["checkout-v2"]),  # strictly before
        ("creationDate:{}", LIVE_FLAGS),  # `before` is optional
        ("key:search", ["search"]),
        ("name:Checkout V2", ["checkout-v2"]),
        ("status:active,filterEnv:production", ["checkout-v2"]),
        ("filterEnv:test,status:launched", ["pay-later"]),
        ("status:new,filterEnv:test", ["checkout-v2", "checkout-legacy", "search"]),
        ("tags:checkout,type:temporary", ["checkout-v2"]),  # ',' is AND
        (" tags:web , type:temporary ", ["checkout-v2", "pay-later"]),
        ("tags:web,tags:checkout", ["checkout-v2"]),  # a repeated field is ANDed too
    ],
)
def test_flag_filter_selects(shop: dict[str, Any], text: str, expected: list[str]) -> None:
    assert flag_keys(shop, text) == expected


@pytest.mark.parametrize(
    ("text", "where", "message"),
    [
        ("keys:search", "views", "filter field 'keys' is unknown for flags (did you mean key?)"),
        ("colour:red", "list", "filter field 'colour' is unknown for flags"),
        ("sdkAvailability:client", "list", "'sdkAvailability' is documented by LaunchDarkly but"),
        ("followerId:x", "views", "'followerId' is documented by LaunchDarkly but not supported"),
        ("status:active,filterEnv:production", "list", "'status' is no longer available"),
        ("followerId:x", "list", "'followerId' is no longer available on the flag list"),
        ("status:active", "views", "'status' is environment-specific: add filterEnv"),
        ("status:done,filterEnv:test", "views", "'status' must be one of new, inactive, active"),
        ("filterEnv:test,filterEnv:production", "views", "'filterEnv' is given twice"),
        ("tags:a|b", "list", "'tags' takes '+'-separated tags, all of which must be present"),
        ("tags:a b", "list", "a '+' in a URL must be sent as %2B"),
        ("tags:a++b", "list", "'tags' has an empty or blank tag"),
        ("maintainerId:a|b", "list", "'maintainerId' does not take '|': no OR is documented"),
        ("key:a+b", "views", "'key' takes one value"),
        ("type:experiment", "list", "'type' must be one of temporary, permanent"),
        ("state:gone", "list", "'state' must be one of live, deprecated, archived"),
        ("archived:yes", "list", "'archived' must be one of true, false"),
        ('creationDate:{"after":1}', "list", "'creationDate' takes only 'before'"),
        ("creationDate:1690527600000", "list", "'creationDate' must be a JSON object"),
        ('creationDate:{"before":"soon"}', "list", "'before' must be Unix time in milliseconds"),
        ('creationDate:{"before":1', "list", "invalid filter"),
        ("tags", "list", "invalid filter 'tags': clause 'tags' is not field:value"),
        ("tags:", "list", "filter field 'tags' needs a value"),
        ("tags:web,,type:temporary", "list", "clause '' is not field:value"),
    ],
)
def test_flag_filter_refuses_naming_the_problem(
    shop: dict[str, Any], text: str, where: Where, message: str
) -> None:
    assert message in refusal(lambda: flag_keys(shop, text, where))


def test_flag_filter_env_must_exist(shop: dict[str, Any]) -> None:
    message = refusal(lambda: flag_keys(shop, "status:new,filterEnv:staging"))
    assert message == "filter field 'filterEnv' names no environment 'staging' of 'shop'"


# -- the segment syntax ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ["beta-users", "big-list", "staff"]),
        ('tags anyOf ["beta"]', ["beta-users", "big-list"]),
        ('tags anyOf ["internal", "bulk"]', ["big-list", "staff"]),  # any of the tags
        ("tags anyOf []", []),
        ('query equals "EARLY"', ["beta-users"]),  # the description, any case
        ('query = "internal"', ["staff"]),  # the name; '=' is equals
        ('query equals ["staff", "big"]', ["big-list", "staff"]),  # a list: any of them
        ("unbounded = true", ["big-list"]),
        ("unbounded equals false", ["beta-users", "staff"]),
        ('keys anyOf ["staff"]', ["staff"]),
        ('includedKeys anyOf ["staff", "beta-users"]', ["beta-users", "staff"]),
        ('excludedKeys anyOf ["big-list"]', ["beta-users", "staff"]),
        ('tags anyOf ["beta"], unbounded = false', ["beta-users"]),  # ',' is AND
        ('tags anyOf ["internal"] | unbounded = true', ["big-list", "staff"]),  # '|' is OR
        # ',' binds tighter than '|': staff OR (big AND beta), not (staff OR big) AND beta.
        ('query = "staff" | unbounded = true, tags anyOf ["beta"]', ["big-list", "staff"]),
        ('(query = "staff" | unbounded = true), tags anyOf ["beta"]', ["big-list"]),
        ('  tags   anyOf["beta"],unbounded=true  ', ["big-list"]),
    ],
)
def test_segment_filter_selects(shop: dict[str, Any], text: str, expected: list[str]) -> None:
    assert segment_keys(shop, text) == expected


def test_segment_filter_looks_in_one_environment(shop: dict[str, Any]) -> None:
    assert segment_keys(shop, 'tags anyOf ["beta"]', "test") == ["beta-users"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("tags:beta", "unexpected ':' at position 4 (segments take queryfilter syntax"),
        ('colour anyOf ["red"]', "filter field 'colour' is unknown for segments"),
        ("external exists", "'external' is documented by LaunchDarkly but not supported"),
        ('type equals "rule"', "'type' is documented by LaunchDarkly but not supported"),
        ('tags equals "beta"', "filter field 'tags' takes anyOf, not 'equals'"),
        ('query anyOf ["a"]', "filter field 'query' takes equals, not 'anyOf'"),
        ("unbounded startsWith true", "'unbounded' takes equals, not 'startsWith'"),
        ('unbounded = "yes"', "filter field 'unbounded' takes true or false"),
        ('tags anyOf "beta"', "filter field 'tags' takes a list"),
        ("tags anyOf [1]", "filter field 'tags' takes a list of strings"),
        ("query equals 3", "filter field 'query' takes a string or a list of strings"),
        ('view equals ["a"]', "filter field 'view' equals takes one view key"),
        ('(tags anyOf ["beta"]', "expected ')' at position 20, found the end"),
        ('tags anyOf ["beta"] and unbounded = true', "expected ',' or '|' at position 20"),
        ('tags anyOf ["beta",]', "expected a value"),
        ('query equals "open', "unexpected '\"' at position 13"),
        ("tags", "expected an operator after 'tags' at position 4, found the end"),
        (", tags anyOf []", "expected a field name or '(' at position 0"),
    ],
)
def test_segment_filter_refuses_naming_the_problem(
    shop: dict[str, Any], text: str, message: str
) -> None:
    assert message in refusal(lambda: segment_keys(shop, text))


def test_records_stored_before_the_filter_fields_still_filter_and_render() -> None:
    # A state file written by an older emulator has flags without archived/maintainer/statuses.
    legacy: dict[str, Any] = {"key": "old", "name": "Old", "description": "", "tags": ["t"]}
    legacy |= {"temporary": True, "createdAt": 5, "version": 1}
    project: dict[str, Any] = {"key": "p", "environments": {"production": {}}}
    for text in ("tags:t", "type:temporary", "state:live", "status:new,filterEnv:production"):
        assert parse_flag_filter(text, "views").select(project, [legacy]) == [legacy], text
    assert parse_flag_filter("maintainerId:x", "views").select(project, [legacy]) == []
    rep = flag_rep("p", legacy)
    assert (rep["archived"], rep["deprecated"]) == (False, False) and "maintainerId" not in rep


def test_seed_status_is_checked() -> None:
    bad: dict[str, Any] = {"projects": [{"key": "p", "environments": ["prod"], "flags": []}]}
    bad["projects"][0]["flags"] = [{"key": "f", "status": "shipped"}]
    with pytest.raises(SeedError, match="status 'shipped' is not one of"):
        build_state(bad, lambda: 1)
    bad["projects"][0]["flags"] = [{"key": "f", "status": {"staging": "new"}}]
    with pytest.raises(SeedError, match="unknown environment 'staging'"):
        build_state(bad, lambda: 1)


# -- the routes -----------------------------------------------------------------------------------
@pytest.fixture
def shop_api(emulator_factory: Any) -> Iterator[httpx.Client]:
    emulator = emulator_factory(seed=SEED)
    with httpx.Client(
        base_url=emulator.url, headers={"Authorization": emulator.token}, timeout=10
    ) as client:
        yield client


def keys_of(answer: httpx.Response, field: str = "key") -> list[str]:
    assert answer.status_code == 200, answer.text
    return [item[field] for item in answer.json()["items"]]


def test_flag_list_filters_pages_and_counts(shop_api: httpx.Client) -> None:
    flags = "/api/v2/flags/shop"
    # httpx sends '+' as %2B, as LaunchDarkly asks; a bare '+' would arrive as a space.
    assert keys_of(shop_api.get(flags, params={"filter": "tags:checkout+web"})) == ["checkout-v2"]
    first = shop_api.get(flags, params={"filter": "tags:web", "limit": 1})
    assert keys_of(first) == ["checkout-v2"] and first.json()["totalCount"] == 2
    second = shop_api.get(flags, params={"filter": "tags:web", "limit": 1, "offset": 1})
    assert keys_of(second) == ["pay-later"] and second.json()["totalCount"] == 2
    assert keys_of(shop_api.get(flags)) == LIVE_FLAGS
    # The older `tag` and deprecated `archived` parameters narrow the list the same way.
    assert keys_of(shop_api.get(flags, params={"tag": "payments"})) == ["pay-later"]
    assert keys_of(shop_api.get(flags, params={"archived": "true"})) == ["old-banner"]
    bare_plus = shop_api.get(f"{flags}?filter=tags:checkout+web")
    assert bare_plus.status_code == 400 and "%2B" in bare_plus.json()["message"]


def test_flag_reps_carry_the_filtered_fields(shop_api: httpx.Client) -> None:
    pay_later = shop_api.get("/api/v2/flags/shop/pay-later").json()
    assert pay_later["maintainerTeamKey"] == "payments" and "maintainerId" not in pay_later
    assert pay_later["_maintainerTeam"]["key"] == "payments"
    legacy = shop_api.get("/api/v2/flags/shop/checkout-legacy").json()
    assert (legacy["deprecated"], legacy["temporary"], legacy["creationDate"]) == (
        True,
        False,
        2000,
    )
    assert legacy["maintainerId"] == MEMBER_ID and legacy["_maintainer"]["_id"] == MEMBER_ID
    assert shop_api.get("/api/v2/flags/shop/old-banner").json()["archived"] is True
    # A flag created through the API is maintained by its creator, and cannot be made archived.
    made = shop_api.post("/api/v2/flags/shop", json={"key": "n", "name": "N", "archived": True})
    assert made.status_code == 201
    assert (made.json()["maintainerId"], made.json()["archived"]) == (MEMBER_ID, False)


@pytest.mark.parametrize(
    ("path", "text", "message"),
    [
        ("/api/v2/flags/shop", "keys:search", "filter field 'keys' is unknown for flags"),
        ("/api/v2/flags/shop", "status:new,filterEnv:test", "'status' is no longer available"),
        ("/api/v2/flags/shop", "status:new", "'status' is no longer available"),
        ("/api/v2/flags/shop", "hasExperiment:true", "'hasExperiment' is documented by"),
        ("/api/v2/segments/shop/production", "tags:beta", "invalid filter 'tags:beta'"),
        ("/api/v2/segments/shop/production", "external exists", "'external' is documented by"),
    ],
)
def test_list_routes_refuse_what_they_cannot_filter(
    shop_api: httpx.Client, path: str, text: str, message: str
) -> None:
    answer = shop_api.get(path, params={"filter": text})
    assert answer.status_code == 400 and answer.json()["code"] == "invalid_request"
    assert message in answer.json()["message"]


def test_segment_list_filters_pages_and_counts(shop_api: httpx.Client) -> None:
    segments = "/api/v2/segments/shop/production"
    page = shop_api.get(segments, params={"filter": 'tags anyOf ["beta"]', "limit": 1})
    assert keys_of(page) == ["beta-users"] and page.json()["totalCount"] == 2
    both = shop_api.get(segments, params={"filter": 'query equals "staff" | unbounded = true'})
    assert keys_of(both) == ["big-list", "staff"]
    test_env = shop_api.get("/api/v2/segments/shop/test", params={"filter": "unbounded = true"})
    assert keys_of(test_env) == []


def link(api: httpx.Client, rtype: str, body: dict[str, Any]) -> httpx.Response:
    return api.post(f"{VIEW}/link/{rtype}", json=body, headers=BETA)


def unlink(api: httpx.Client, rtype: str, body: dict[str, Any]) -> httpx.Response:
    return api.request("DELETE", f"{VIEW}/link/{rtype}", json=body, headers=BETA)


def linked(api: httpx.Client, rtype: str, **params: Any) -> list[str]:
    return keys_of(api.get(f"{VIEW}/linked/{rtype}", params=params, headers=BETA), "resourceKey")


def test_link_and_unlink_flags_by_filter(shop_api: httpx.Client) -> None:
    # Keys and a filter: the union, each resource once.
    both = link(shop_api, "flags", {"keys": ["search", "checkout-v2"], "filter": "tags:checkout"})
    assert both.status_code == 200, both.text
    result = both.json()
    assert (result["successCount"], result["failureCount"]) == (3, 0)
    assert [i["resourceKey"] for i in result["linkedResources"]["items"]] == [
        "search",
        "checkout-v2",
        "checkout-legacy",
    ]
    # A filter alone (ViewLinkRequestFilter); environmentId is ignored for flags.
    alone = link(shop_api, "flags", {"filter": "maintainerTeamKey:payments", "environmentId": "x"})
    assert alone.json()["successCount"] == 1
    assert linked(shop_api, "flags") == ["search", "checkout-v2", "checkout-legacy", "pay-later"]
    # The same filter on the flag list sees the view.
    in_view = shop_api.get("/api/v2/flags/shop", params={"filter": "view:checkout,tags:web"})
    assert keys_of(in_view) == ["checkout-v2", "pay-later"]
    # `status` is a view link filter field (the flag list refuses it since 20240415).
    assert linked(shop_api, "flags", filter="status:launched,filterEnv:production") == ["pay-later"]

    gone = unlink(shop_api, "flags", {"filter": "type:permanent"})
    assert gone.json() == {"successCount": 1, "failureCount": 0}
    assert linked(shop_api, "flags", filter="tags:checkout") == ["checkout-v2"]
    assert linked(shop_api, "flags") == ["search", "checkout-v2", "pay-later"]
    nothing = link(shop_api, "flags", {"filter": "tags:nobody-has-this"})
    assert nothing.json()["successCount"] == 0
    assert nothing.json()["linkedResources"] == {"items": [], "totalCount": 0}


def test_link_segments_by_filter_needs_an_environment(shop_api: httpx.Client) -> None:
    beta = 'tags anyOf ["beta"]'
    for body in (
        {"filter": beta},
        {"segmentIdentifiers": [], "filter": beta},
    ):
        refused = link(shop_api, "segments", body)
        assert refused.status_code == 400
        assert refused.json()["message"] == (
            "environmentId is required when filter is used for segments"
        )
    missing = link(shop_api, "segments", {"filter": beta, "environmentId": "f" * 24})
    assert missing.status_code == 404 and "not found" in missing.json()["message"]

    made = link(shop_api, "segments", {"filter": beta, "environmentId": PROD_ID})
    assert made.json()["successCount"] == 2
    items = made.json()["linkedResources"]["items"]
    assert {(i["resourceKey"], i["environmentId"]) for i in items} == {
        ("beta-users", PROD_ID),
        ("big-list", PROD_ID),
    }
    # Explicit identifiers from another environment join a filter's matches.
    union = link(
        shop_api,
        "segments",
        {
            "segmentIdentifiers": [{"environmentId": TEST_ID, "segmentKey": "beta-users"}],
            "filter": 'keys anyOf ["staff"]',
            "environmentId": PROD_ID,
        },
    )
    assert union.json()["successCount"] == 2
    assert linked(shop_api, "segments") == ["beta-users", "big-list", "beta-users", "staff"]

    needs_env = shop_api.get(f"{VIEW}/linked/segments", params={"filter": beta}, headers=BETA)
    assert needs_env.status_code == 400 and "environmentId is required" in needs_env.text
    assert linked(shop_api, "segments", filter=beta, environmentId=TEST_ID) == ["beta-users"]
    in_view = shop_api.get(
        "/api/v2/segments/shop/production", params={"filter": 'view equals "checkout"'}
    )
    assert keys_of(in_view) == ["beta-users", "big-list", "staff"]

    gone = unlink(shop_api, "segments", {"filter": "unbounded = true", "environmentId": PROD_ID})
    assert gone.json()["successCount"] == 1
    assert linked(shop_api, "segments", filter="unbounded = true", environmentId=PROD_ID) == []


@pytest.mark.parametrize(
    ("rtype", "body", "message"),
    [
        ("aiConfigs", {"keys": ["helper"], "filter": "tags:x"}, "flags and segments only"),
        ("flags", {"filter": ""}, "the filter is empty"),
        ("flags", {"filter": "tags:a|b"}, "'|' is not documented"),
        ("flags", {"keys": [], "filter": "keys:search"}, "'keys' is unknown for flags"),
        ("segments", {"filter": "tags:beta", "environmentId": PROD_ID}, "queryfilter syntax"),
        ("flags", {"keys": [], "environmentId": PROD_ID}, "unknown fields for flags"),
        ("flags", {"filter": 7}, "filter must be a string"),
    ],
)
def test_link_refuses_bad_filters_without_linking(
    shop_api: httpx.Client, rtype: str, body: dict[str, Any], message: str
) -> None:
    answer = link(shop_api, rtype, body)
    assert answer.status_code == 400 and message in answer.json()["message"]
    assert linked(shop_api, rtype) == []


def test_linked_filter_is_for_flags_and_segments_only(shop_api: httpx.Client) -> None:
    answer = shop_api.get(f"{VIEW}/linked/aiConfigs", params={"filter": "tags:x"}, headers=BETA)
    assert answer.status_code == 400 and "flags and segments only" in answer.json()["message"]


# -- the official client -------------------------------------------------------------------------
@pytest.fixture
def client(emulator_factory: Any) -> Iterator[launchdarkly_api.ApiClient]:
    emulator: EmulatorServer = emulator_factory(seed=SEED)
    config = launchdarkly_api.Configuration(host=emulator.url)
    config.api_key["ApiKey"] = emulator.token
    with launchdarkly_api.ApiClient(config) as api_client:
        api_client.set_default_header("LD-API-Version", "beta")  # see test_official_client.py
        yield api_client


def test_official_client_lists_with_filters(client: launchdarkly_api.ApiClient) -> None:
    flags = FeatureFlagsApi(client).get_feature_flags("shop", filter="tags:checkout+web")
    assert [f.key for f in flags.items] == ["checkout-v2"] and flags.total_count == 1
    team = FeatureFlagsApi(client).get_feature_flags("shop", filter="maintainerTeamKey:payments")
    assert [f.key for f in team.items] == ["pay-later"]
    assert team.items[0].maintainer_team is not None
    assert team.items[0].maintainer_team.key == "payments"
    segments = SegmentsApi(client).get_segments(
        "shop", "production", filter='tags anyOf ["beta"], unbounded equals true'
    )
    assert [s.key for s in segments.items] == ["big-list"] and segments.total_count == 1
    with pytest.raises(launchdarkly_api.ApiException) as err:
        FeatureFlagsApi(client).get_feature_flags("shop", filter="keys:search")
    assert err.value.status == 400 and "'keys' is unknown" in str(err.value.body)


def test_official_client_links_by_filter(client: launchdarkly_api.ApiClient) -> None:
    views = ViewsApi(client)
    by_filter = ViewLinkRequest(ViewLinkRequestFilter(filter="tags:web"))
    made = views.link_resource("shop", "checkout", "flags", by_filter)
    assert (made.success_count, made.failure_count) == (2, 0)
    assert made.linked_resources is not None
    assert [r.resource_key for r in made.linked_resources.items] == ["checkout-v2", "pay-later"]

    union = ViewLinkRequest(ViewLinkRequestKeys(keys=["search"], filter="type:permanent"))
    assert views.link_resource("shop", "checkout", "flags", union).success_count == 2
    found = views.get_linked_resources("shop", "checkout", "flags", filter="tags:checkout")
    assert [r.resource_key for r in found.items] == ["checkout-v2", "checkout-legacy"]

    segments = ViewLinkRequest(
        ViewLinkRequestFilter(filter='query equals "staff"', environment_id=PROD_ID)
    )
    assert views.link_resource("shop", "checkout", "segments", segments).success_count == 1
    with_identifiers = ViewLinkRequest(
        ViewLinkRequestSegmentIdentifiers(
            segment_identifiers=[
                ViewLinkRequestSegmentIdentifier(environment_id=TEST_ID, segment_key="beta-users")
            ],
            filter="unbounded = true",
            environment_id=PROD_ID,
        )
    )
    assert views.link_resource("shop", "checkout", "segments", with_identifiers).success_count == 2
    gone = views.unlink_resource("shop", "checkout", "flags", by_filter)
    assert gone.success_count == 2
    left = views.get_linked_resources("shop", "checkout", "flags")
    assert [r.resource_key for r in left.items] == ["search", "checkout-legacy"]

    without_env = ViewLinkRequest(ViewLinkRequestFilter(filter='tags anyOf ["beta"]'))
    with pytest.raises(launchdarkly_api.ApiException) as err:
        views.link_resource("shop", "checkout", "segments", without_env)
    assert err.value.status == 400 and "environmentId is required" in str(err.value.body)
