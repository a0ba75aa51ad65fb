"""View planning without HTTP: input checks, what changed, the ViewPatch, adoption differences."""

from __future__ import annotations

from typing import Any

import pytest
from pulumi.output import Unknown

from pulumi_launchdarkly_links.api import View
from pulumi_launchdarkly_links.providers.view_plan import (
    changed_inputs,
    differences_from_new,
    linked_counts_message,
    normalise_view_inputs,
    refreshed_inputs,
    view_input_problems,
    view_outputs,
    view_patch,
    view_post,
)

MEMBER = "5e6f7a8b9c0d1e2f3a4b5c6d"


def inputs(**overrides: Any) -> dict[str, Any]:
    return {"project_key": "default", "key": "checkout", "name": "Checkout", **overrides}


def state(**overrides: Any) -> dict[str, Any]:
    """Outputs as the provider records them: every view field as LaunchDarkly reports it."""
    return {
        **inputs(),
        "description": "",
        "tags": [],
        "maintainer_id": MEMBER,
        "maintainer_team_key": None,
        "adopt": False,
        "force_destroy": False,
        **overrides,
    }


def view(**fields: Any) -> View:
    return View.model_validate({"key": "checkout", "name": "Checkout", **fields})


def problems_of(**overrides: Any) -> dict[str, str]:
    return dict(view_input_problems(inputs(**overrides)))


def test_valid_inputs_have_no_problems() -> None:
    assert problems_of(description="d", tags=["team:checkout"], maintainer_team_key="chk") == {}
    assert problems_of(maintainer_id=MEMBER, adopt=True, force_destroy=False) == {}


def test_uppercase_key_is_refused_with_the_lowercase_to_write() -> None:
    problem = problems_of(key="Checkout")["key"]
    assert "'Checkout' has uppercase letters" in problem and "key='checkout'" in problem


@pytest.mark.parametrize(
    ("overrides", "input_name", "words"),
    [
        ({"name": None}, "name", "name is required"),
        ({"name": "  "}, "name", "non-empty string"),
        ({"key": None}, "key", "key is required"),
        ({"key": "bad key"}, "key", "not a valid LaunchDarkly view key"),
        ({"project_key": ""}, "project_key", "must not be empty"),
        ({"tags": "team"}, "tags", "write tags=['team']"),
        ({"tags": ["ok", ""]}, "tags", "tags[1]"),
        ({"maintainer_id": "bob"}, "maintainer_id", "not a LaunchDarkly member ID"),
        ({"maintainer_team_key": "a b"}, "maintainer_team_key", "not a valid LaunchDarkly team"),
        ({"maintainer_id": MEMBER, "maintainer_team_key": "t"}, "maintainer_team_key", "not both"),
        ({"adopt": "yes"}, "adopt", "True or False"),
        ({"archived": True}, "archived", "unknown input 'archived'"),
    ],
)
def test_each_bad_input_is_named(overrides: dict[str, Any], input_name: str, words: str) -> None:
    assert words in problems_of(**overrides)[input_name]


def test_unknowns_at_preview_are_not_problems() -> None:
    assert problems_of(key=Unknown(), name=Unknown(), tags=Unknown(), maintainer_id=Unknown()) == {}


def test_normalise_sorts_tags_and_drops_unset_inputs() -> None:
    normalised = normalise_view_inputs({**inputs(tags=["b", "a", "b"]), "description": None})
    assert normalised == {**inputs(), "tags": ["a", "b"]}


def test_a_field_left_out_is_not_managed() -> None:
    assert changed_inputs(state(description="set in the UI", tags=["ui"]), inputs()) == []


def test_declared_fields_that_differ_are_changes_and_tags_are_a_set() -> None:
    assert changed_inputs(state(tags=["a", "b"]), inputs(tags=["b", "a"])) == []
    changed = changed_inputs(state(name="Renamed in UI"), inputs(description="x"))
    assert changed == ["name", "description"]
    assert changed_inputs(state(), inputs(key="checkout-v2")) == ["key"]
    assert changed_inputs(state(), inputs(force_destroy=True)) == ["force_destroy"]
    assert changed_inputs(state(), inputs(name=Unknown())) == ["name"]


def test_patch_sends_only_declared_fields_that_differ() -> None:
    patch = view_patch(state(name="Old", tags=["x"]), inputs(tags=["x"], description="new"))
    assert patch.to_json_body() == {"name": "Checkout", "description": "new"}
    assert view_patch(state(), inputs()).is_empty()


def test_switching_maintainer_sends_one_side_only() -> None:
    patch = view_patch(state(), inputs(maintainer_team_key="checkout"))
    assert patch.to_json_body() == {"maintainerTeamKey": "checkout"}
    back = view_patch(
        state(maintainer_id=None, maintainer_team_key="checkout"), inputs(maintainer_id=MEMBER)
    )
    assert back.to_json_body() == {"maintainerId": MEMBER}


def test_post_carries_every_declared_field() -> None:
    body = view_post(inputs(description="d", tags=["t"], maintainer_team_key="chk"))
    assert body.to_json_body() == {
        "key": "checkout",
        "name": "Checkout",
        "description": "d",
        "tags": ["t"],
        "maintainerTeamKey": "chk",
    }


def test_an_existing_view_is_ours_only_if_our_post_would_have_made_it() -> None:
    made_by_us = view(description="d", tags=["t"], maintainer={"kind": "member", "id": MEMBER})
    assert differences_from_new(made_by_us, inputs(description="d", tags=["t"])) == []
    theirs = view(description="Team notes", tags=[])
    assert differences_from_new(theirs, inputs()) == [
        "description is 'Team notes' (this resource: not set)"
    ]
    assert differences_from_new(view(name="Other"), inputs()) == [
        "name is 'Other' (this resource: 'Checkout')"
    ]


def test_outputs_report_launchdarkly_and_keep_an_accepted_maintainer() -> None:
    reported = view(
        id="v1",
        version=3,
        tags=["b", "a"],
        maintainer={"id": "t1", "kind": "team", "maintainerTeam": {"id": "t1", "key": "chk"}},
    )
    outputs = view_outputs(inputs(adopt=True), reported)
    assert outputs["view_id"] == "v1" and outputs["version"] == 3
    assert outputs["tags"] == ["a", "b"] and outputs["maintainer_team_key"] == "chk"
    assert outputs["adopt"] is True and outputs["force_destroy"] is False
    # A write's answer without the maintainer records the one written: declared, else kept.
    declared = inputs(maintainer_id=MEMBER)
    assert view_outputs(declared, view(), written_over={})["maintainer_id"] == MEMBER
    before = state(maintainer_id=None, maintainer_team_key="chk")
    kept = view_outputs(inputs(), view(), written_over=before)
    assert (kept["maintainer_id"], kept["maintainer_team_key"]) == (None, "chk")
    assert view_outputs(declared, view())["maintainer_id"] is None  # a read reports, no more


def test_top_level_maintainer_fields_are_read_too() -> None:
    assert view(maintainerId=MEMBER).maintainer_id == MEMBER
    assert view(maintainerTeamKey="chk").maintainer_team_key == "chk"


def test_refreshed_inputs_leave_out_empty_fields() -> None:
    outputs = view_outputs(inputs(), view(name="Renamed", description=""))
    assert refreshed_inputs(outputs) == {
        **inputs(name="Renamed"),
        "adopt": False,
        "force_destroy": False,
    }


def test_linked_counts_message() -> None:
    assert linked_counts_message({"flags": 2, "segments": 1, "aiConfigs": 0}) == (
        "2 flags and 1 segment"
    )
    assert linked_counts_message({"flags": 0, "metrics": 1}) == "1 metric"
