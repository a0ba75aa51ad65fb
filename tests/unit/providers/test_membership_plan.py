"""ViewMembership vocabulary: sets, not lists; unknowns are honest changes; outputs carry counts."""

from pulumi.output import Unknown

from pulumi_launchdarkly_links.providers.membership_plan import (
    changed_inputs,
    in_batches,
    membership_outputs,
)


def test_reorder_and_duplicates_are_not_changes() -> None:
    olds = {"project_key": "p", "view_key": "v", "flags": ["a", "b"], "__provider": "old"}
    news = {"project_key": "p", "view_key": "v", "flags": ["b", "a", "a"], "__provider": "new"}
    assert changed_inputs(olds, news) == []


def test_key_changes_and_unknowns_are_reported() -> None:
    olds = {"project_key": "p", "view_key": "v", "flags": ["a"]}
    assert changed_inputs(olds, {**olds, "view_key": "w"}) == ["view_key"]
    assert changed_inputs(olds, {**olds, "flags": Unknown()}) == ["flags"]
    assert changed_inputs(olds, {**olds, "flags": []}) == ["flags"]
    assert changed_inputs(olds, {**olds, "exclusive": True}) == ["exclusive"]


def test_empty_list_and_absent_differ_for_exclusive_ownership() -> None:
    assert changed_inputs({"flags": []}, {}) == ["flags"]


def test_batches_cover_every_item_once() -> None:
    assert in_batches(list(range(23)), 10) == [list(range(10)), list(range(10, 20)), [20, 21, 22]]


def test_outputs_carry_inputs_and_counts() -> None:
    outputs = membership_outputs({"project_key": "p", "view_key": "v", "flags": ["a", "b"]})
    assert outputs["flag_count"] == 2
    assert outputs["segment_count"] is None
    assert outputs["flags"] == {"a": True, "b": True}  # maps keyed by member, as inputs
