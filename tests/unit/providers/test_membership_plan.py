"""The ViewMembership plan: sets, not lists; only changed types; unknowns are honest changes."""

from pulumi.output import Unknown

from pulumi_launchdarkly_links.providers.membership_plan import (
    changed_inputs,
    in_batches,
    membership_outputs,
    plan_membership_change,
    refreshed_members,
)

PROD = "5f0000000000000000000001"


def seg(key: str, env: str = PROD, env_key: str | None = "production") -> dict:
    return {"environment_id": env, "environment_key": env_key, "segment_key": key}


def test_plan_sends_only_what_changed_per_type() -> None:
    current = {"flags": ["a", "b"], "segments": [seg("s1")], "metrics": ["m"]}
    desired = {"flags": ["b", "c"], "segments": [seg("s1")], "metrics": ["m"]}
    changes = plan_membership_change(current, desired)
    assert [(c.input_name, c.to_link, c.to_unlink) for c in changes] == [("flags", ("c",), ("a",))]


def test_plan_for_segments_uses_environment_id_and_key_only() -> None:
    current = {"segments": [seg("s1", env_key=None)]}
    desired = {"segments": [seg("s1"), seg("s2")]}
    (change,) = plan_membership_change(current, desired)
    assert change.resource_type == "segments"
    assert change.to_link == ((PROD, "s2"),)
    assert change.to_unlink == ()


def test_a_type_no_longer_listed_is_unlinked() -> None:
    (change,) = plan_membership_change({"ai_configs": ["x"]}, {})
    assert change.resource_type == "aiConfigs"
    assert change.to_unlink == ("x",)


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
    assert outputs["flags"] == ["a", "b"]


def test_refresh_non_exclusive_keeps_only_declared_members() -> None:
    assert refreshed_members("flags", ["a", "b"], ["b", "other"], exclusive=False) == ["b"]


def test_refresh_exclusive_reports_everything_linked() -> None:
    assert refreshed_members("flags", ["a"], ["b", "a", "c"], exclusive=True) == ["a", "b", "c"]
    linked = [seg("s2"), seg("s1")]
    assert [
        s["segment_key"] for s in refreshed_members("segments", [seg("s1")], linked, exclusive=True)
    ] == ["s1", "s2"]
    assert refreshed_members("segments", [seg("s1")], linked, exclusive=False) == [seg("s1")]


def test_refresh_of_an_unlisted_type_stays_unlisted() -> None:
    assert refreshed_members("metrics", None, ["m"], exclusive=True) is None
