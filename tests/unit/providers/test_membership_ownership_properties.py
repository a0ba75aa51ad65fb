"""Properties of the ownership decision over every combination of program, state and view.

The example-based tests name the paths someone thought of; these let Hypothesis pick the
declared members, the recorded state (mode, members, what a refresh found others had linked)
and what LaunchDarkly has, and check the contract on whatever it finds.
"""

from __future__ import annotations

import os
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from pulumi_launchdarkly_links.providers.membership_ownership import (
    plan_membership,
    refreshed_outputs,
    takes_ownership,
    types_to_read,
)

KEYS = ["a", "b", "c", "d", "e"]
TYPES = ["flags", "metrics"]

member_sets = st.frozensets(st.sampled_from(KEYS))
# `make fuzz` (HYPOTHESIS_PROFILE=fuzz) looks ten times harder than `make test`.
SCALE = 10 if os.environ.get("HYPOTHESIS_PROFILE") == "fuzz" else 1


@st.composite
def programs(draw: st.DrawFn) -> dict[str, Any]:
    program: dict[str, Any] = {
        "project_key": "p",
        "view_key": "v",
        "exclusive": draw(st.booleans()),
        "adopt": draw(st.booleans()),
    }
    for name in TYPES:
        members = draw(st.none() | member_sets)
        if members is not None:
            program[name] = sorted(members)
    return program


@st.composite
def states(draw: st.DrawFn) -> dict[str, Any]:
    """A state as an up, then maybe a refresh against some view, would leave it."""
    state = draw(programs())
    if draw(st.booleans()):
        view = {name: sorted(draw(member_sets)) for name in TYPES}
        state = refreshed_outputs(state, view)
    return state


def owned(
    state: dict[str, Any] | None,
    declared: dict[str, Any] | None,
    name: str,
    live: frozenset[str],
) -> frozenset[str]:
    """What the contract lets an operation unlink of one type, of what it owned before.

    An exclusive resource owns the whole type while it stays exclusive, drops the type or is
    deleted; switching exclusive off keeps only what the program had declared."""
    if state is None or state.get(name) is None:
        return frozenset()
    keeps_everything = declared is None or declared.get(name) is None or declared["exclusive"]
    if state.get("exclusive") and keeps_everything:
        return live
    others = (state.get("linked_by_others") or {}).get(name) or []
    return frozenset(state[name]) - frozenset(others)


@settings(max_examples=400 * SCALE, deadline=None)
@given(
    declared=st.none() | programs(),
    recorded=st.none() | states(),
    view=st.fixed_dictionaries({name: member_sets for name in TYPES}),
)
def test_nothing_unowned_is_unlinked_and_an_up_converges(
    declared: dict[str, Any] | None,
    recorded: dict[str, Any] | None,
    view: dict[str, frozenset[str]],
) -> None:
    if declared is None and recorded is None:
        return
    readable = types_to_read(declared, recorded)
    live = {name: sorted(view[name]) for name in readable}
    plan = plan_membership(declared, recorded, live)
    if plan.refusals:
        assert declared is not None and not declared.get("adopt")
        assert plan.changes == ()
        for refusal in plan.refusals:
            assert takes_ownership(declared, recorded, refusal.input_name)
        return
    by_type = {change.input_name: change for change in plan.changes}
    for name in TYPES:
        change = by_type.get(name)
        to_link = frozenset(change.to_link) if change else frozenset()
        to_unlink = frozenset(change.to_unlink) if change else frozenset()
        # Of what is linked, only what the resource owned before, or adopted in this very
        # step, is unlinked. (Unlinking what is no longer linked changes nothing.)
        allowed = owned(recorded, declared, name, view[name])
        if declared is not None and takes_ownership(declared, recorded, name):
            allowed |= view[name]
        assert to_unlink & view[name] <= allowed, (name, to_unlink, allowed)
        assert not to_link & to_unlink
        if recorded is None:
            assert not to_link & view[name]  # create links only what is missing
        if declared is not None and declared.get(name) is not None and name in readable:
            after = (view[name] - to_unlink) | to_link
            assert frozenset(declared[name]) <= after
            if declared["exclusive"]:
                assert after == frozenset(declared[name])


@settings(max_examples=200 * SCALE, deadline=None)
@given(state=states(), view=st.fixed_dictionaries({name: member_sets for name in TYPES}))
def test_refresh_records_only_what_is_linked(
    state: dict[str, Any], view: dict[str, frozenset[str]]
) -> None:
    refreshed = refreshed_outputs(state, {name: sorted(view[name]) for name in TYPES})
    for name in TYPES:
        if state.get(name) is None:
            assert refreshed[name] is None
            continue
        assert frozenset(refreshed[name]) <= view[name]
        others = (refreshed["linked_by_others"] or {}).get(name) or []
        assert frozenset(others) <= frozenset(refreshed[name])
        if not state.get("exclusive"):
            assert others == []
