"""ViewMembership check: every bad input named at preview, environment keys resolved once."""

import pytest
from pulumi.output import Unknown

from pulumi_launchdarkly_links.providers.membership_inputs import (
    membership_input_problems,
    normalise_membership_inputs,
)
from pulumi_launchdarkly_links.providers.membership_plan import member_list

BASE = {"project_key": "default", "view_key": "checkout"}


@pytest.mark.parametrize(
    ("inputs", "input_name", "fragment"),
    [
        ({**BASE, "view_key": "Checkout"}, "view_key", "write 'checkout'"),
        ({**BASE, "view_key": ""}, "view_key", "must not be empty"),
        ({**BASE, "project_key": "bad key"}, "project_key", "not a valid LaunchDarkly key"),
        ({"view_key": "v"}, "project_key", "project_key is required"),
        ({**BASE, "flags": "new-checkout"}, "flags", "write flags=['new-checkout']"),
        ({**BASE, "flags": ["ok", "no/slash"]}, "flags", "flags[1] 'no/slash'"),
        ({**BASE, "segments": [{"segment_key": "s"}]}, "segments", "it has neither"),
        (
            {
                **BASE,
                "segments": [{"segment_key": "s", "environment_key": "p", "environment_id": "x"}],
            },
            "segments",
            "it has both",
        ),
        ({**BASE, "segments": ["beta-users"]}, "segments", "must be a SegmentRef"),
        ({**BASE, "exclusive": "yes"}, "exclusive", "True or False"),
        ({**BASE, "flgs": ["a"]}, "flgs", "unknown input 'flgs'"),
    ],
)
def test_bad_inputs_are_named(inputs: dict, input_name: str, fragment: str) -> None:
    problems = membership_input_problems(inputs)
    assert any(name == input_name and fragment in reason for name, reason in problems), problems


def test_good_inputs_and_unknowns_pass() -> None:
    inputs = {**BASE, "flags": [Unknown(), "a"], "segments": Unknown(), "exclusive": Unknown()}
    assert membership_input_problems(inputs) == []


def test_camel_case_segment_dicts_are_accepted() -> None:
    inputs = {**BASE, "segments": [{"environmentKey": "production", "segmentKey": "s"}]}
    assert membership_input_problems(inputs) == []
    checked = normalise_membership_inputs(inputs, {}, lambda p, e: "id-" + e)
    assert checked["segments"] == {"production/s": "id-production"}
    assert member_list("segments", checked["segments"]) == [
        {"environment_id": "id-production", "environment_key": "production", "segment_key": "s"}
    ]


def test_checked_members_are_maps_so_a_preview_shows_each_member() -> None:
    # A list diff is positional: one flag removed from a sorted list shifts all after it.
    news = {**BASE, "flags": ["b", "a"], "segments": [{"environment_id": "e1", "segment_key": "s"}]}
    checked = normalise_membership_inputs(news, {}, lambda p, e: pytest.fail("no lookup"))
    assert checked["flags"] == {"a": True, "b": True}
    assert checked["segments"] == {"e1/s": "e1"}  # no environment key: keyed by the id
    assert member_list("segments", checked["segments"]) == [
        {"environment_id": "e1", "segment_key": "s"}
    ]


def test_environment_keys_are_resolved_once_and_reused_from_old_inputs() -> None:
    calls: list[tuple[str, str]] = []

    def resolve(project: str, environment: str) -> str:
        calls.append((project, environment))
        return f"id-{environment}"

    news = {
        **BASE,
        "flags": ["b", "a", "b"],
        "segments": [
            {"environment_key": "production", "segment_key": "s2"},
            {"environment_key": "production", "segment_key": "s1"},
        ],
    }
    checked = normalise_membership_inputs(news, {}, resolve)
    assert calls == [("default", "production")]
    assert checked["flags"] == {"a": True, "b": True}
    assert list(checked["segments"]) == ["production/s1", "production/s2"]

    calls.clear()
    assert normalise_membership_inputs(news, checked, resolve) == checked
    assert calls == []  # a no-op `up` makes no request


def test_unknown_environment_key_leaves_an_unknown_id() -> None:
    news = {**BASE, "segments": [{"environment_key": Unknown(), "segment_key": "s"}]}
    checked = normalise_membership_inputs(news, {}, lambda p, e: pytest.fail("no lookup"))
    assert isinstance(checked["segments"][0]["environment_id"], Unknown)
