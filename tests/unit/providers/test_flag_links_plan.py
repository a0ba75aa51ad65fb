"""FlagLinks' pure planning: checked inputs keyed by link, each problem named, per-link plans."""

from __future__ import annotations

from typing import Any

import pytest
from pulumi.output import Unknown

from pulumi_launchdarkly_links.api import FlagLink
from pulumi_launchdarkly_links.providers.flag_links_plan import (
    changed_inputs_of,
    flag_links_input_problems,
    link_change,
    normalise_flag_links_inputs,
    plan_links,
    recorded_link,
)

TICKET = "https://jira.example.com/browse/CHK-1"


def spec(flag: str, key: str = "ticket", **fields: Any) -> dict[str, Any]:
    return {"flag_key": flag, "key": key, "deep_link": TICKET, **fields}


def problems(links: Any, **inputs: Any) -> list[str]:
    found = flag_links_input_problems({"project_key": "default", "links": links, **inputs})
    return [reason for _name, reason in found]


def test_checked_links_are_a_map_keyed_by_flag_and_key() -> None:
    checked = normalise_flag_links_inputs(
        {
            "project_key": "default",
            "links": [
                spec("pay-later", title="CHK-7", description=""),
                spec("new-checkout", timestamp="2026-11-23T19:30:00Z"),
            ],
            "__provider": "pickled",
        }
    )
    assert checked == {
        "project_key": "default",
        "links": {
            "pay-later/ticket": {"deep_link": TICKET, "title": "CHK-7"},
            "new-checkout/ticket": {"deep_link": TICKET, "timestamp": 1795462200000},
        },
    }


def test_a_link_whose_identity_is_unknown_keeps_the_list() -> None:
    unknown_key = spec("new-checkout", key=Unknown())  # type: ignore[arg-type]
    links = normalise_flag_links_inputs({"project_key": "p", "links": [unknown_key]})["links"]
    assert isinstance(links, list)


def test_each_problem_names_the_link_and_what_to_do() -> None:
    found = problems(
        [
            spec("new-checkout", deep_link="jira/CHK-1"),
            spec("pay-later", key="bad key"),
            spec("search-v2", colour="red"),
            spec("new-checkout"),
            "not a spec",
        ]
    )
    assert "links[0] (key 'ticket' on flag 'new-checkout'): deep_link 'jira/CHK-1'" in found[0]
    assert "links[1] (key 'bad key' on flag 'pay-later'): key 'bad key' is not a valid" in found[1]
    assert "links[2] (key 'ticket' on flag 'search-v2'): unknown field 'colour'" in found[2]
    assert found[3].startswith("links[0] and links[3] both declare key 'ticket' on flag")
    assert "give one of them another key or drop the duplicate" in found[3]
    assert found[4].startswith("links[4] must be a FlagLinkSpec")
    assert len(found) == 5


@pytest.mark.parametrize(
    ("links", "expected"),
    [
        (None, "links is required"),
        ("new-checkout", "links must be a list of FlagLinkSpec, got str"),
        ({"new-checkout/ticket": {}}, "links must be a list of FlagLinkSpec, got dict"),
        ([{"flag_key": "new-checkout", "deep_link": TICKET}], "links[0]: key is required"),
    ],
)
def test_malformed_links_are_named(links: Any, expected: str) -> None:
    assert any(expected in reason for reason in problems(links))


@pytest.mark.parametrize("parallelism", [0, 17, 2.5, True, "4"])
def test_parallelism_is_a_whole_number_from_1_to_16(parallelism: Any) -> None:
    (reason,) = problems([spec("new-checkout")], parallelism=parallelism)
    assert "parallelism must be a whole number from 1 to 16" in reason


def test_unknown_values_pass_check_at_preview() -> None:
    assert problems(Unknown()) == []
    assert problems([spec("new-checkout", deep_link=Unknown())]) == []


def test_title_and_description_patch_other_attributes_replace() -> None:
    recorded = {"deep_link": TICKET, "title": "a", "link_id": "x"}
    assert link_change(recorded, {"deep_link": TICKET, "title": "a"}) is None
    assert link_change(recorded, {"deep_link": TICKET, "title": "b"}) == "patch"
    assert link_change(recorded, {"deep_link": TICKET}) == "patch"  # title removed
    assert link_change(recorded, {"deep_link": TICKET + "0", "title": "a"}) == "replace"
    # A timestamp LaunchDarkly filled in is no change; a declared different one replaces.
    assert link_change({**recorded, "timestamp": 5}, {"deep_link": TICKET, "title": "a"}) is None
    assert link_change(recorded, {"deep_link": TICKET, "title": "a", "timestamp": 5}) == ("replace")


def test_plan_names_each_link_once() -> None:
    recorded = {
        "a/t": {"deep_link": TICKET, "link_id": "1"},
        "b/t": {"deep_link": TICKET, "title": "old", "link_id": "2"},
        "c/t": {"deep_link": TICKET, "link_id": "3"},
        "d/t": {"deep_link": TICKET, "link_id": "4"},
    }
    declared = {
        "a/t": {"deep_link": TICKET},
        "b/t": {"deep_link": TICKET, "title": "new"},
        "c/t": {"deep_link": "https://other.example.com/"},
        "e/t": {"deep_link": TICKET},
    }
    plan = plan_links(recorded, declared)
    assert (plan.create, plan.patch, plan.replace, plan.delete, plan.unchanged) == (
        ("e/t",),
        ("b/t",),
        ("c/t",),
        ("d/t",),
        ("a/t",),
    )
    assert plan_links(recorded, {k: v for k, v in recorded.items()}).is_empty


def test_diff_ignores_link_ids_and_counts_parallelism_and_project() -> None:
    state = {
        "project_key": "default",
        "links": {"a/t": {"deep_link": TICKET, "link_id": "1"}},
        "link_count": 1,
    }
    same = {"project_key": "default", "links": {"a/t": {"deep_link": TICKET}}}
    assert changed_inputs_of(state, same) == []
    assert changed_inputs_of(state, {**same, "parallelism": 4}) == ["parallelism"]
    assert changed_inputs_of(state, {**same, "project_key": "other"}) == ["project_key"]
    assert changed_inputs_of(state, {**same, "links": Unknown()}) == ["links"]
    assert changed_inputs_of(state, {**same, "links": {}}) == ["links"]


def test_the_state_keeps_declared_attributes_and_the_id_only() -> None:
    link = FlagLink.model_validate(
        {
            "_id": "abc",
            "_key": "ticket",
            "_deepLink": TICKET,
            "title": "CHK-1",
            "_createdAt": 1,
            "_timestamp": {"milliseconds": 1700000000000},
            "_member": {"_id": "m1", "firstName": "Ada"},
        }
    )
    assert recorded_link(link, {"deep_link": TICKET}) == {
        "deep_link": TICKET,
        "title": "CHK-1",
        "link_id": "abc",
    }
    declared_time = {"deep_link": TICKET, "timestamp": 1}
    assert recorded_link(link, declared_time)["timestamp"] == 1700000000000
