"""FlagLink planning: validation, patch-vs-replace, JSON Patch operations, adoption."""

from types import SimpleNamespace

import pytest

from pulumi_launchdarkly_links.providers.flag_link_plan import (
    changed_inputs,
    flag_link_input_problems,
    mismatched_attributes,
    normalise_flag_link_inputs,
    patch_operations,
)

BASE = {
    "project_key": "default",
    "flag_key": "new-checkout",
    "key": "chk-1",
    "deep_link": "https://jira.example.com/browse/CHK-1",
}


@pytest.mark.parametrize(
    ("inputs", "input_name", "fragment"),
    [
        ({**BASE, "deep_link": "jira/CHK-1"}, "deep_link", "not an absolute http(s) URL"),
        ({**BASE, "deep_link": "ftp://x.example.com/a"}, "deep_link", "not an absolute"),
        ({**BASE, "deep_link": "https://jira example.com/x"}, "deep_link", "not an absolute"),
        ({**BASE, "deep_link": "https://:443/x"}, "deep_link", "not an absolute"),
        ({**BASE, "deep_link": None}, "deep_link", "must be an absolute"),
        ({**BASE, "key": "has space"}, "key", "not a valid LaunchDarkly key"),
        ({**BASE, "metadata": {"a": "b"}}, "metadata", "only for integration links"),
        ({**BASE, "timestamp": "yesterday"}, "timestamp", "'yesterday' is neither"),
        ({**BASE, "timestamp": "2026-01-01T00:00:00"}, "timestamp", "no time zone"),
        ({**BASE, "title": 5}, "title", "must be a string"),
        ({k: v for k, v in BASE.items() if k != "flag_key"}, "flag_key", "required"),
    ],
)
def test_bad_inputs_are_named(inputs: dict, input_name: str, fragment: str) -> None:
    problems = flag_link_input_problems(inputs)
    assert any(name == input_name and fragment in reason for name, reason in problems), problems


def test_integration_links_need_no_url() -> None:
    inputs = {**BASE, "deep_link": None, "integration_key": "jira", "metadata": {"issue": "X"}}
    assert flag_link_input_problems(inputs) == []


def test_timestamp_is_normalised_to_milliseconds() -> None:
    checked = normalise_flag_link_inputs({**BASE, "timestamp": "2026-11-23T00:00:00Z"})
    assert checked["timestamp"] == 1795392000000


def test_title_changes_in_place_deep_link_replaces() -> None:
    olds = {**BASE, "title": "a", "timestamp": 5}
    assert changed_inputs(olds, {**BASE, "title": "b"}) == ["title"]
    assert changed_inputs(olds, {**BASE, "title": "a", "deep_link": "https://x.example.com"}) == [
        "deep_link"
    ]
    assert changed_inputs(olds, {**BASE, "title": "a"}) == []  # undeclared timestamp


def test_patch_operations() -> None:
    olds = {"title": "a", "description": "d"}
    assert patch_operations(olds, {"title": "b"}) == [
        {"op": "replace", "path": "/title", "value": "b"},
        {"op": "remove", "path": "/description"},
    ]
    assert patch_operations({}, {"description": "new"}) == [
        {"op": "add", "path": "/description", "value": "new"}
    ]


def test_adoption_requires_equal_attributes() -> None:
    link = SimpleNamespace(
        key="chk-1",
        deep_link=BASE["deep_link"],
        title="t",
        description=None,
        integration_key=None,
        metadata=None,
        timestamp=SimpleNamespace(milliseconds=1),
    )
    assert mismatched_attributes(link, {**BASE, "title": "t"}) == []
    assert mismatched_attributes(link, {**BASE, "title": "other"}) == ["title"]
