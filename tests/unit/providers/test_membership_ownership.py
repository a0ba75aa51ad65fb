"""The ownership decision, path by path: what each operation may link and unlink (issue 9)."""

from __future__ import annotations

from typing import Any

from pulumi_launchdarkly_links.providers.membership_ownership import (
    plan_membership,
    refreshed_outputs,
    types_to_read,
)
from pulumi_launchdarkly_links.providers.membership_plan import member_list

PROD = "5f0000000000000000000001"


def seg(key: str, env: str = PROD, env_key: str | None = "production") -> dict[str, Any]:
    return {"environment_id": env, "environment_key": env_key, "segment_key": key}


def props(**members: Any) -> dict[str, Any]:
    return {"project_key": "p", "view_key": "v", **members}


def changes(plan: Any) -> dict[str, tuple[tuple[Any, ...], tuple[Any, ...]]]:
    return {c.input_name: (c.to_link, c.to_unlink) for c in plan.changes}


def test_create_links_only_what_is_missing_so_a_rollback_spares_the_rest() -> None:
    # Item 1: 'theirs' was linked before; create must not own its undoing.
    plan = plan_membership(props(flags=["a", "theirs"]), None, {"flags": ["theirs"]})
    assert changes(plan) == {"flags": (("a",), ())}
    assert types_to_read(props(flags=["a"], segments=[]), None) == ["flags", "segments"]


def test_exclusive_create_refuses_undeclared_members_unless_adopting() -> None:
    live = {"flags": ["a", "theirs"]}
    refused = plan_membership(props(flags=["a"], exclusive=True), None, live)
    assert [(r.input_name, r.undeclared) for r in refused.refusals] == [("flags", ("theirs",))]
    assert refused.changes == ()
    adopted = plan_membership(props(flags=["a"], exclusive=True, adopt=True), None, live)
    assert changes(adopted) == {"flags": ((), ("theirs",))}
    assert adopted.adopted == {"flags": frozenset({"theirs"})}


def test_switching_to_exclusive_goes_through_the_adopt_check() -> None:
    # Item 2.
    recorded = props(flags=["a"], exclusive=False)
    declared = props(flags=["a"], exclusive=True)
    assert types_to_read(declared, recorded) == ["flags"]
    plan = plan_membership(declared, recorded, {"flags": ["a", "theirs"]})
    assert [r.undeclared for r in plan.refusals] == [("theirs",)]


def test_a_type_newly_managed_under_exclusive_is_read_and_checked() -> None:
    # Item 3.
    recorded = props(flags=["a"], exclusive=True)
    declared = props(flags=["a"], segments=[seg("mine")], exclusive=True)
    assert types_to_read(declared, recorded) == ["flags", "segments"]
    plan = plan_membership(declared, recorded, {"flags": ["a"], "segments": [seg("theirs")]})
    assert [(r.input_name, r.undeclared) for r in plan.refusals] == [
        ("segments", ((PROD, "theirs"),))
    ]


def test_leaving_exclusive_never_unlinks_what_a_refresh_found_but_nobody_declared() -> None:
    # Item 4: refresh recorded 'theirs' under exclusive; the switch must leave it linked.
    state = props(flags=["a", "b"], exclusive=True)
    refreshed = refreshed_outputs(state, {"flags": ["a", "b", "theirs"]})
    assert refreshed["flags"] == {"a": True, "b": True, "theirs": True}
    assert refreshed["linked_by_others"] == {"flags": ["theirs"]}
    declared = props(flags=["a"], exclusive=False)
    assert types_to_read(declared, refreshed) == ["flags"]
    live = {"flags": ["a", "b", "theirs"]}
    assert changes(plan_membership(declared, refreshed, live)) == {"flags": ((), ("b",))}


def test_staying_exclusive_unlinks_what_others_linked_as_drift() -> None:
    state = refreshed_outputs(props(flags=["a"], exclusive=True), {"flags": ["a", "theirs"]})
    plan = plan_membership(props(flags=["a"], exclusive=True), state, {"flags": ["a", "theirs"]})
    assert changes(plan) == {"flags": ((), ("theirs",))}
    assert plan.outputs is not None and plan.outputs["linked_by_others"] is None


def test_an_exclusive_update_reads_the_view_so_it_holds_exactly_what_is_declared() -> None:
    # Someone linked 'late' after the last refresh: the state cannot know, the read does.
    recorded = props(flags=["a"], exclusive=True)
    declared = props(flags=["a", "b"], exclusive=True)
    assert types_to_read(declared, recorded) == ["flags"]
    plan = plan_membership(declared, recorded, {"flags": ["a", "late"]})
    assert changes(plan) == {"flags": (("b",), ("late",))}


def test_non_exclusive_refresh_records_only_declared_members_still_linked() -> None:
    refreshed = refreshed_outputs(props(flags=["a", "b"]), {"flags": ["b", "theirs"]})
    assert refreshed["flags"] == {"b": True}
    assert refreshed["linked_by_others"] is None


def test_non_exclusive_update_and_delete_touch_only_declared_members() -> None:
    recorded = props(flags=["a", "b"])
    assert types_to_read(props(flags=["b", "c"]), recorded) == ["flags"]
    live = {"flags": ["a", "b", "theirs"]}
    assert changes(plan_membership(props(flags=["b", "c"]), recorded, live)) == {
        "flags": (("c",), ("a",))
    }
    # Someone unlinked 'b' since: the update links it again; 'a' gone already is not unlinked.
    assert changes(plan_membership(props(flags=["b", "c"]), recorded, {"flags": []})) == {
        "flags": (("b", "c"), ())
    }
    assert types_to_read(None, recorded) == []
    assert changes(plan_membership(None, recorded, {})) == {"flags": ((), ("a", "b"))}


def test_exclusive_delete_and_dropped_types_unlink_everything_of_the_type() -> None:
    recorded = props(flags=["a"], segments=[seg("s")], exclusive=True)
    assert types_to_read(None, recorded) == ["flags", "segments"]
    live = {"flags": ["a", "late"], "segments": [seg("s")]}
    assert changes(plan_membership(None, recorded, live)) == {
        "flags": ((), ("a", "late")),
        "segments": ((), ((PROD, "s"),)),
    }
    declared = props(flags=["a"], exclusive=True)
    assert types_to_read(declared, recorded) == ["flags", "segments"]


def test_refresh_keeps_environment_keys_for_segments_others_linked() -> None:
    state = props(segments=[seg("mine")], exclusive=True)
    live = {"segments": [seg("mine", env_key=None), seg("theirs", env_key="staging")]}
    refreshed = refreshed_outputs(state, live)
    assert member_list("segments", refreshed["segments"]) == [
        seg("mine"),
        seg("theirs", env_key="staging"),
    ]
    assert refreshed["linked_by_others"] == {"segments": [seg("theirs", env_key="staging")]}


def test_a_filter_owns_only_the_matches_it_linked_itself() -> None:
    declared = props(flags=["x"], flag_filter="tags:checkout")
    assert types_to_read(declared, None) == ["flags"]
    plan = plan_membership(
        declared, None, {"flags": ["theirs"]}, {"flags": frozenset({"a", "theirs"})}
    )
    assert changes(plan) == {"flags": (("a", "x"), ())}
    assert plan.outputs is not None
    assert plan.outputs["flag_filter_linked"] == ["a"]  # 'theirs' was linked before
    assert plan.outputs["flag_filter_matches"] == {"a": "linked", "theirs": "linked"}

    # The filter changes: neither 'a' nor 'theirs' matches any more.
    recorded = plan.outputs
    changed = props(flags=["x"], flag_filter="tags:web")
    assert types_to_read(changed, recorded) == ["flags"]
    live = {"flags": ["a", "theirs", "x"]}
    later = plan_membership(changed, recorded, live, {"flags": frozenset({"b"})})
    assert changes(later) == {"flags": (("b",), ("a",))}


def test_refresh_marks_new_matches_not_linked_and_owned_ones_that_stopped_matching() -> None:
    state = {
        **props(flag_filter="tags:checkout"),
        "flag_filter_linked": ["a", "gone"],
        "flag_filter_matches": {"a": "linked", "gone": "linked"},
    }
    refreshed = refreshed_outputs(
        state, {"flags": ["a", "gone"]}, {"flags": frozenset({"a", "new"})}
    )
    assert refreshed["flag_filter_matches"] == {
        "a": "linked",
        "gone": "no longer matches",
        "new": "not linked",
    }
    assert refreshed["flag_filter_linked"] == ["a", "gone"]
