"""The planner's part in issue 16: members another resource of the program declares, own
members under a switch to exclusive, exclusive refreshes with filters, failed updates' filter
links, adopting matches, and counts with one meaning."""

from __future__ import annotations

from typing import Any

from pulumi_launchdarkly_links.providers.deployment_declarations import DeploymentDeclarations
from pulumi_launchdarkly_links.providers.membership_declarations import (
    declared_elsewhere_in,
    member_item,
    member_items,
)
from pulumi_launchdarkly_links.providers.membership_ownership import (
    plan_membership,
    refreshed_outputs,
    unowned_filter_links,
)
from pulumi_launchdarkly_links.providers.membership_plan import member_counts, membership_outputs
from pulumi_launchdarkly_links.providers.membership_writer import ApplyReport, FailedMember

PROD = "5f0000000000000000000001"


def props(**members: Any) -> dict[str, Any]:
    return {"project_key": "p", "view_key": "v", **members}


def changes(plan: Any) -> dict[str, tuple[tuple[Any, ...], tuple[Any, ...]]]:
    return {c.input_name: (c.to_link, c.to_unlink) for c in plan.changes}


def elsewhere(*declared: dict[str, Any]) -> Any:
    record = DeploymentDeclarations()
    for inputs in declared:
        record.record_check(declared=member_items(inputs))
    return lambda recorded: declared_elsewhere_in(recorded, record.declared_elsewhere)


# -- item 1: what another resource of the program declares stays linked ----------------------


def test_a_delete_keeps_members_the_renamed_resource_declares() -> None:
    state = membership_outputs(props(flags=["a", "b", "c"]))
    renamed = props(flags={"a": True, "b": True})  # the new resource's checked inputs
    plan = plan_membership(
        None, state, {"flags": ["a", "b", "c"]}, declared_elsewhere=elsewhere(renamed)(state)
    )
    assert changes(plan) == {"flags": ((), ("c",))}
    assert plan.kept_for_others == {"flags": frozenset({"a", "b"})}


def test_an_update_keeps_a_member_moved_to_another_membership() -> None:
    state = membership_outputs(props(flags=["a", "b"]))
    receiver = props(flags={"b": True, "z": True})
    plan = plan_membership(
        props(flags={"a": True}),
        state,
        {"flags": ["a", "b", "z"]},
        declared_elsewhere=elsewhere(receiver)(state),
    )
    assert changes(plan) == {}
    assert plan.kept_for_others == {"flags": frozenset({"b"})}
    assert plan.outputs is not None and plan.outputs["flags"] == {"a": True}


def test_another_view_or_type_with_the_same_key_is_not_a_declaration() -> None:
    state = membership_outputs(props(flags=["a"]))
    other_view = {**props(flags={"a": True}), "view_key": "w"}
    as_metric = props(metrics={"a": True})
    plan = plan_membership(
        None, state, {"flags": ["a"]}, declared_elsewhere=elsewhere(other_view, as_metric)(state)
    )
    assert changes(plan) == {"flags": ((), ("a",))}


def test_declared_items_include_the_filter_matches_and_skip_unknowns() -> None:
    inputs = props(
        flags={"a": True},
        flag_filter="tags:web",
        flag_filter_matches={"m": "linked", "gone": "no longer matches"},
    )
    assert member_items(inputs) == {member_item(inputs, "flags", m) for m in ("a", "m")}
    assert member_items(None) == set()


# -- item 6: own members are not others' -------------------------------------------------------


def test_switching_to_exclusive_while_dropping_an_own_member_is_not_refused() -> None:
    state = membership_outputs(props(flags=["a", "b"]))
    plan = plan_membership(props(flags={"a": True}, exclusive=True), state, {"flags": ["a", "b"]})
    assert plan.refusals == ()
    assert changes(plan) == {"flags": ((), ("b",))}


def test_switching_to_exclusive_still_refuses_others_members() -> None:
    state = membership_outputs(props(flags=["a", "b"]))
    live = {"flags": ["a", "b", "theirs"]}
    plan = plan_membership(props(flags={"a": True}, exclusive=True), state, live)
    assert [(r.input_name, r.undeclared) for r in plan.refusals] == [("flags", ("theirs",))]


def test_an_own_segment_is_its_environment_s_alone_when_switching_to_exclusive() -> None:
    # One key in two environments: the production one is this resource's, the test one not.
    test_env = "5f0000000000000000000002"
    own = {"environment_id": PROD, "environment_key": "production", "segment_key": "beta"}
    theirs = {"environment_id": test_env, "segment_key": "beta"}
    state = membership_outputs(props(segments=[own]))
    declared = props(segments={}, exclusive=True)
    plan = plan_membership(declared, state, {"segments": [own]})
    assert plan.refusals == ()
    assert changes(plan) == {"segments": ((), ((PROD, "beta"),))}
    plan = plan_membership(declared, state, {"segments": [own, theirs]})
    assert [(r.input_name, r.undeclared) for r in plan.refusals] == [
        ("segments", ((test_env, "beta"),))
    ]


def test_switching_to_exclusive_while_the_filter_changes_drops_its_old_matches() -> None:
    state = membership_outputs(
        props(flag_filter="tags:checkout", flag_filter_matches={"n": "linked", "p": "linked"})
    )
    state["flag_filter_linked"] = ["n", "p"]
    declared = props(flag_filter="tags:web", flag_filter_matches={"n": "linked", "d": "linked"})
    plan = plan_membership(
        {**declared, "exclusive": True},
        state,
        {"flags": ["n", "p"]},
        {"flags": frozenset({"n", "d"})},
    )
    assert plan.refusals == ()
    assert changes(plan) == {"flags": (("d",), ("p",))}


def test_a_preview_counts_the_old_inputs_matches_as_the_resources_own() -> None:
    # A check's old side is checked inputs: no `flag_filter_linked`, the matches stand in.
    old_inputs = props(flag_filter="tags:checkout", flag_filter_matches={"p": "linked"})
    declared = props(flag_filter="tags:web", flag_filter_matches={"d": "linked"}, exclusive=True)
    plan = plan_membership(declared, old_inputs, {"flags": ["p"]}, {"flags": frozenset({"d"})})
    assert plan.refusals == ()


# -- item 3: an exclusive refresh with filters records what an up records --------------------


def test_an_exclusive_refresh_keeps_filter_matches_out_of_the_member_map() -> None:
    state = membership_outputs(
        props(
            flags=["a"], flag_filter="tags:web", flag_filter_matches={"m": "linked"}, exclusive=True
        )
    )
    state["flag_filter_linked"] = ["m"]
    refreshed = refreshed_outputs(state, {"flags": ["a", "m"]}, {"flags": frozenset({"m"})})
    assert refreshed["flags"] == state["flags"] == {"a": True}
    assert refreshed["flag_filter_matches"] == {"m": "linked"}
    assert refreshed["linked_by_others"] is None

    drifted = refreshed_outputs(state, {"flags": ["a", "m", "x"]}, {"flags": frozenset({"m"})})
    assert drifted["flags"] == {"a": True, "x": True}  # real drift still shows
    assert drifted["linked_by_others"] == {"flags": ["x"]}


# -- item 4: a failed update's filter links, and adopting matches -----------------------------


def test_a_failed_update_undoes_only_the_filter_matches_it_linked() -> None:
    declared = props(flags={"late": True}, flag_filter="tags:web")
    report = ApplyReport(
        linked={"flags": {"d", "listed"}},
        failures=[
            FailedMember("flags", "link", "late", "not found"),
            FailedMember("flags", "link", "maybe", "timeout", certain=False),
        ],
    )
    declared["flags"]["listed"] = True
    (undo,) = unowned_filter_links(declared, report.maybe_linked())
    assert (undo.input_name, undo.to_link, undo.to_unlink) == ("flags", (), ("d", "maybe"))
    no_filter = props(flags={"listed": True})
    assert unowned_filter_links(no_filter, report.maybe_linked()) == []


def test_adopt_takes_over_matches_that_were_already_linked() -> None:
    declared = props(flag_filter="tags:web")
    live = {"flags": ["m"]}
    matches = {"flags": frozenset({"m", "n"})}
    plain = plan_membership(declared, None, live, matches)
    assert plain.outputs is not None and plain.outputs["flag_filter_linked"] == ["n"]
    adopting = plan_membership({**declared, "adopt": True}, None, live, matches)
    assert adopting.outputs is not None and adopting.outputs["flag_filter_linked"] == ["m", "n"]


# -- item 9: counts with one meaning -----------------------------------------------------------


def test_counts_are_members_plus_matches_planned_or_linked() -> None:
    recorded = props(
        flags={"a": True},
        flag_filter="tags:web",
        flag_filter_matches={
            "a": "linked",
            "m": "linked",
            "n": "not linked",
            "o": "no longer matches",
        },
    )
    assert member_counts(recorded, planned=False)["flag_count"] == 2  # a, m
    assert member_counts(recorded, planned=True)["flag_count"] == 3  # a, m, n
    assert member_counts(recorded, planned=True)["segment_count"] is None
