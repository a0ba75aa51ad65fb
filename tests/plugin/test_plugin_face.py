"""The plugin face in process: each engine request as PropertyValues, through
`LaunchDarklyLinksProvider`, to the dynamic providers and the emulator, and back.

What is pinned here is the translation only (names, numbers, unknowns, secrets, shapes for the
schema, detailed diffs); the rules themselves are the dynamic providers' and their tests'."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator, Mapping
from typing import Any

import httpx
import pytest
from pulumi.output import Unknown
from pulumi.provider.experimental import provider as rpc
from pulumi.provider.experimental.property_value import PropertyValue
from pulumi.runtime import rpc as wire

from pulumi_launchdarkly_links.emulator import EmulatorServer, EmulatorSettings
from pulumi_launchdarkly_links.plugin.faces import FACES
from pulumi_launchdarkly_links.plugin.provider import LaunchDarklyLinksProvider, _flag_link_by_id
from pulumi_launchdarkly_links.plugin.schema import schema
from pulumi_launchdarkly_links.plugin.server import user_message
from pulumi_launchdarkly_links.plugin.values import to_plain, to_properties
from pulumi_launchdarkly_links.providers.deployment_declarations import start_new_deployment
from pulumi_launchdarkly_links.providers.errors import ProviderError

STACK = "urn:pulumi:dev::proj::"


def urn(type_name: str, name: str) -> str:
    return f"{STACK}ldlinks:index:{type_name}::{name}"


def props(values: Mapping[str, Any]) -> dict[str, PropertyValue]:
    return to_properties(values, frozenset({"metadata", "links.*.metadata"}))


def plain(properties: Mapping[str, PropertyValue]) -> Any:
    """PropertyValues as JSON-like values (unknown: "?")."""

    def convert(value: PropertyValue) -> Any:
        inner = value.value
        if inner == wire.UNKNOWN:
            return "?"
        if isinstance(inner, Mapping):
            return {key: convert(item) for key, item in inner.items()}
        if isinstance(inner, tuple):
            return [convert(item) for item in inner]
        return inner

    return {name: convert(value) for name, value in properties.items()}


@pytest.fixture(scope="module")
def emulator() -> Iterator[EmulatorServer]:
    with EmulatorServer(EmulatorSettings(port=0, seed="demo")) as server:
        yield server


@pytest.fixture
def plugin(emulator: EmulatorServer) -> LaunchDarklyLinksProvider:
    start_new_deployment()  # one plugin process serves one deployment
    httpx.post(f"{emulator.url}/_emulator/reset", json={"seed": "demo"}).raise_for_status()
    provider = LaunchDarklyLinksProvider()
    asyncio.run(
        provider.configure(
            rpc.ConfigureRequest(
                variables={},
                args={
                    "apiHost": PropertyValue(emulator.url),
                    "accessToken": PropertyValue(emulator.token, is_secret=True),
                },
                accept_secrets=True,
                accept_resources=False,
            )
        )
    )
    return provider


def run(coroutine: Any) -> Any:
    return asyncio.run(coroutine)


# -- values -----------------------------------------------------------------------------------


def test_values_are_renamed_and_typed_as_the_dynamic_host_passes_them() -> None:
    data = frozenset({"flags", "links", "links.*.metadata"})
    sent = to_properties(
        {
            "project_key": "default",
            "flags": {"new_checkout": True},
            "links": {"f/k": {"deep_link": "https://x.example", "metadata": {"ticket_id": "1"}}},
            "parallelism": 4,
            "view_key": Unknown(),
            "created_by": {"member_id": "m"},
        },
        data,
    )
    assert set(sent) == {"projectKey", "flags", "links", "parallelism", "viewKey", "createdBy"}
    back = to_plain({**sent, "comment": PropertyValue(None)}, data)
    assert back["flags"] == {"new_checkout": True}  # data keys are never renamed
    assert back["links"]["f/k"] == {
        "deep_link": "https://x.example",
        "metadata": {"ticket_id": "1"},
    }
    assert back["parallelism"] == 4.0 and isinstance(back["parallelism"], float)
    assert isinstance(back["view_key"], Unknown)
    assert back["created_by"] == {"member_id": "m"}
    assert "comment" not in back  # None is dropped, as the dynamic host's gRPC trip does


# -- schema -----------------------------------------------------------------------------------


def test_schema_types_and_describes_every_property() -> None:
    document = schema()
    json.dumps(document)
    for token, resource in document["resources"].items():
        for kind in ("inputProperties", "properties"):
            for name, prop in resource[kind].items():
                assert prop.get("description"), f"{token}.{name} has no description"
                assert "type" in prop or "$ref" in prop or "oneOf" in prop, f"{token}.{name}"
    view = document["resources"]["ldlinks:index:ViewMembership"]
    assert view["inputProperties"]["segments"]["items"]["$ref"].endswith(":SegmentRef")
    assert view["inputProperties"]["flags"]["items"] == {"type": "string"}
    assert document["config"]["variables"]["accessToken"]["secret"] is True
    assert set(document["resources"]) == {f"ldlinks:index:{name}" for name in FACES}


# -- a membership, through every request ------------------------------------------------------


def test_membership_lifecycle_with_member_wise_diff(plugin: LaunchDarklyLinksProvider) -> None:
    the_urn = urn("ViewMembership", "members")
    news = props({"project_key": "default", "view_key": "checkout", "flags": ["pay-later"]})
    checked_result = run(plugin.check(rpc.CheckRequest(the_urn, {}, news, b"")))
    assert not checked_result.failures
    checked = checked_result.inputs

    preview = run(plugin.create(rpc.CreateRequest(the_urn, checked, 60, preview=True)))
    assert plain(preview.properties)["flags"] == ["pay-later"]
    assert plain(preview.properties)["flagCount"] == 1

    created = run(plugin.create(rpc.CreateRequest(the_urn, checked, 60, preview=False)))
    assert created.resource_id == "default/checkout"
    state = created.properties
    assert plain(state)["flags"] == ["pay-later"] and plain(state)["flagCount"] == 1

    start_new_deployment()  # the next `pulumi up`: a new plugin process
    news2 = props(
        {"project_key": "default", "view_key": "checkout", "flags": ["dark-mode", "new-checkout"]}
    )
    checked2 = run(plugin.check(rpc.CheckRequest(the_urn, checked, news2, b""))).inputs
    diff = run(plugin.diff(rpc.DiffRequest(the_urn, created.resource_id, state, checked2, [])))
    assert diff.changes and not diff.replaces
    assert {path: d.kind for path, d in diff.detailed_diff.items()} == {
        'flags["dark-mode"]': rpc.PropertyDiffKind.ADD,
        'flags["new-checkout"]': rpc.PropertyDiffKind.ADD,
        'flags["pay-later"]': rpc.PropertyDiffKind.DELETE,
    }
    updated = run(
        plugin.update(
            rpc.UpdateRequest(the_urn, created.resource_id, state, checked2, 60, [], False)
        )
    )
    assert plain(updated.properties)["flags"] == ["dark-mode", "new-checkout"]

    start_new_deployment()
    imported = run(plugin.read(rpc.ReadRequest(the_urn, "default/checkout", {}, {})))
    assert plain(imported.inputs)["flags"] == ["dark-mode", "new-checkout"]
    assert plain(imported.inputs)["exclusive"] is False

    run(plugin.delete(rpc.DeleteRequest(the_urn, created.resource_id, updated.properties, 60)))
    gone = run(plugin.read(rpc.ReadRequest(the_urn, "default/checkout", {}, {})))
    assert plain(gone.inputs).get("flags") in ([], None)


def test_unknown_view_key_at_preview_stays_unknown(plugin: LaunchDarklyLinksProvider) -> None:
    the_urn = urn("ViewMembership", "members")
    news = {
        **props({"project_key": "default", "flags": ["pay-later"]}),
        "viewKey": PropertyValue(wire.UNKNOWN),
    }
    checked = run(plugin.check(rpc.CheckRequest(the_urn, {}, news, b""))).inputs
    preview = run(plugin.create(rpc.CreateRequest(the_urn, checked, 60, preview=True)))
    assert plain(preview.properties)["viewKey"] == "?"
    assert plain(preview.properties)["flags"] == ["pay-later"]


# -- flag links -------------------------------------------------------------------------------


def test_flag_links_diff_names_each_link_and_attribute(plugin: LaunchDarklyLinksProvider) -> None:
    the_urn = urn("FlagLinks", "tickets")

    def spec(flag: str, title: str) -> dict[str, Any]:
        return {
            "flag_key": flag,
            "key": "ticket",
            "deep_link": f"https://t.example/{flag}",
            "title": title,
        }

    news = props(
        {"project_key": "default", "links": [spec("new-checkout", "A"), spec("pay-later", "B")]}
    )
    checked = run(plugin.check(rpc.CheckRequest(the_urn, {}, news, b""))).inputs
    created = run(plugin.create(rpc.CreateRequest(the_urn, checked, 60, preview=False)))
    state = plain(created.properties)
    assert state["linkCount"] == 2 and set(state["links"]) == {
        "new-checkout/ticket",
        "pay-later/ticket",
    }
    assert state["links"]["pay-later/ticket"]["deepLink"] == "https://t.example/pay-later"

    start_new_deployment()
    news2 = props(
        {"project_key": "default", "links": [spec("new-checkout", "A2"), spec("dark-mode", "C")]}
    )
    checked2 = run(plugin.check(rpc.CheckRequest(the_urn, checked, news2, b""))).inputs
    diff = run(
        plugin.diff(rpc.DiffRequest(the_urn, created.resource_id, created.properties, checked2, []))
    )
    assert {path: d.kind for path, d in diff.detailed_diff.items()} == {
        'links["dark-mode/ticket"]': rpc.PropertyDiffKind.ADD,
        'links["pay-later/ticket"]': rpc.PropertyDiffKind.DELETE,
        'links["new-checkout/ticket"].title': rpc.PropertyDiffKind.UPDATE,
    }
    run(plugin.delete(rpc.DeleteRequest(the_urn, created.resource_id, created.properties, 60)))


def test_flag_link_replace_deletes_first_and_key_defaults_to_name(
    plugin: LaunchDarklyLinksProvider,
) -> None:
    the_urn = urn("FlagLink", "chk-1")
    news = props(
        {"project_key": "default", "flag_key": "pay-later", "deep_link": "https://t.example/1"}
    )
    checked = run(plugin.check(rpc.CheckRequest(the_urn, {}, news, b""))).inputs
    assert plain(checked)["key"] == "chk-1"
    created = run(plugin.create(rpc.CreateRequest(the_urn, checked, 60, preview=False)))
    start_new_deployment()
    news2 = props(
        {"project_key": "default", "flag_key": "pay-later", "deep_link": "https://t.example/2"}
    )
    checked2 = run(plugin.check(rpc.CheckRequest(the_urn, checked, news2, b""))).inputs
    diff = run(
        plugin.diff(rpc.DiffRequest(the_urn, created.resource_id, created.properties, checked2, []))
    )
    assert diff.replaces == ["deepLink"] and diff.delete_before_replace
    assert diff.detailed_diff["deepLink"].kind == rpc.PropertyDiffKind.UPDATE_REPLACE
    run(plugin.delete(rpc.DeleteRequest(the_urn, created.resource_id, created.properties, 60)))


def test_a_link_declared_by_two_resources_fails_the_second_check(
    plugin: LaunchDarklyLinksProvider,
) -> None:
    link = {
        "project_key": "default",
        "flag_key": "pay-later",
        "key": "ticket",
        "deep_link": "https://t.example/1",
    }
    first = run(plugin.check(rpc.CheckRequest(urn("FlagLink", "one"), {}, props(link), b"")))
    assert not first.failures
    many = props(
        {"project_key": "default", "links": [{k: v for k, v in link.items() if k != "project_key"}]}
    )
    second = run(plugin.check(rpc.CheckRequest(urn("FlagLinks", "many"), {}, many, b"")))
    [failure] = second.failures
    assert failure.property == "links"
    assert "FlagLink 'one'" in failure.reason and "FlagLinks 'many'" in failure.reason


def test_secret_inputs_stay_secret_in_outputs(plugin: LaunchDarklyLinksProvider) -> None:
    the_urn = urn("FlagLink", "secret-title")
    news = props(
        {
            "project_key": "default",
            "flag_key": "pay-later",
            "key": "s",
            "deep_link": "https://t.example/1",
        }
    )
    news["title"] = PropertyValue("classified", is_secret=True)
    checked = run(plugin.check(rpc.CheckRequest(the_urn, {}, news, b""))).inputs
    assert checked["title"].is_secret
    created = run(plugin.create(rpc.CreateRequest(the_urn, checked, 60, preview=False)))
    assert created.properties["title"].is_secret
    assert not created.properties["linkId"].is_secret
    run(plugin.delete(rpc.DeleteRequest(the_urn, created.resource_id, created.properties, 60)))


def test_get_view_function(plugin: LaunchDarklyLinksProvider) -> None:
    result = run(
        plugin.invoke(
            rpc.InvokeRequest(
                "ldlinks:index:getView",
                {"projectKey": PropertyValue("default"), "viewKey": PropertyValue("checkout")},
            )
        )
    )
    view = plain(result.return_value)
    assert view["key"] == "checkout" and view["flags"] == [] and "viewId" in view


# -- import IDs and messages --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("import_id", "expected"),
    [
        ("default/pay-later/ticket", {"key": "ticket"}),
        ("default/pay-later/65a1b2c3d4e5f60718293a01", {"link_id": "65a1b2c3d4e5f60718293a01"}),
    ],
)
def test_a_flag_link_is_imported_by_key_or_by_id(import_id: str, expected: dict[str, str]) -> None:
    assert _flag_link_by_id(import_id) == {
        "project_key": "default",
        "flag_key": "pay-later",
        **expected,
    }


def test_a_malformed_import_id_names_the_shape() -> None:
    with pytest.raises(ProviderError, match="project_key/flag_key/key"):
        _flag_link_by_id("default/pay-later")


def test_messages_name_the_plugin_settings() -> None:
    error = ProviderError("set it with `pulumi config set --secret launchdarkly:accessToken`")
    assert user_message(error) == "set it with `pulumi config set --secret ldlinks:accessToken`"
