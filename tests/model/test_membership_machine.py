"""A Hypothesis state machine for `ViewMembership` (issue 9): random programs, refreshes,
destroys, faults and other people's changes, each step checked against the ownership contract.

A step is what a user does: edit the program and `pulumi up` (optionally with faults), refresh,
destroy, or someone else links, unlinks, deletes or recreates things in LaunchDarkly. The
invariants live in `contract.CheckedStack`; the engine simulation in `engine.Engine`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    precondition,
    rule,
    run_state_machine_as_test,
)

from .conftest import hypothesis_profile
from .contract import CheckedStack
from .engine import (
    FLAGS,
    MEMBER_TYPES,
    MISSING_FLAG,
    MISSING_SEGMENT,
    SEGMENTS,
    VIEWS,
    Program,
    SegmentDecl,
    Target,
    World,
)

# -- program edits -------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeclareFlag:
    key: str

    def apply(self, program: Program) -> Program:
        return program.with_flag(self.key)


@dataclass(frozen=True)
class UndeclareFlag:
    key: str

    def apply(self, program: Program) -> Program:
        return program.without_flag(self.key)


@dataclass(frozen=True)
class DeclareSegment:
    segment: SegmentDecl

    def apply(self, program: Program) -> Program:
        return program.with_segment(self.segment)


@dataclass(frozen=True)
class UndeclareSegment:
    environment_key: str
    segment_key: str

    def apply(self, program: Program) -> Program:
        return program.without_segment(SegmentDecl(self.environment_key, self.segment_key).member)


@dataclass(frozen=True)
class WriteSegments:
    """Write every declared segment with environment_id (by_id) or with environment_key."""

    by_id: bool

    def apply(self, program: Program) -> Program:
        if program.segments is None:
            return program
        return replace(
            program, segments=tuple(replace(s, by_id=self.by_id) for s in program.segments)
        )


@dataclass(frozen=True)
class Manage:
    """Start (an empty list) or stop (None) managing a member type."""

    member_type: str
    managed: bool

    def apply(self, program: Program) -> Program:
        if self.member_type == "flags":
            return replace(program, flags=(program.flags or ()) if self.managed else None)
        return replace(program, segments=(program.segments or ()) if self.managed else None)


@dataclass(frozen=True)
class Exclusive:
    value: bool

    def apply(self, program: Program) -> Program:
        return replace(program, exclusive=self.value)


@dataclass(frozen=True)
class Adopt:
    value: bool

    def apply(self, program: Program) -> Program:
        return replace(program, adopt=self.value)


@dataclass(frozen=True)
class MoveTo:
    """Point the resource at another view (a replace)."""

    view: str

    def apply(self, program: Program) -> Program:
        return replace(program, view=self.view)


Edit = (
    DeclareFlag
    | UndeclareFlag
    | DeclareSegment
    | UndeclareSegment
    | WriteSegments
    | Manage
    | Exclusive
    | Adopt
    | MoveTo
)

existing_segment_decls = st.sampled_from([SegmentDecl(*place) for place in SEGMENTS])
seeded_members: st.SearchStrategy[Target] = st.sampled_from(
    [*FLAGS, *(SegmentDecl(*place) for place in SEGMENTS)]
)
views = st.sampled_from(VIEWS)
# Other people mostly change the view the resource starts on (the other one matters after MoveTo).
others_views = st.one_of(st.just(VIEWS[0]), views)
edits: st.SearchStrategy[Edit] = st.one_of(
    st.sampled_from([DeclareFlag(key) for key in (*FLAGS, MISSING_FLAG)]),
    st.sampled_from([UndeclareFlag(key) for key in (*FLAGS, MISSING_FLAG)]),
    st.sampled_from([Exclusive(True), Exclusive(False)]),
    st.sampled_from([Adopt(True), Adopt(False)]),
    st.sampled_from(
        [
            DeclareSegment(SegmentDecl(*place, by_id=by_id))
            for place in (*SEGMENTS, MISSING_SEGMENT)
            for by_id in (False, True)
        ]
    ),
    st.sampled_from([UndeclareSegment(*place) for place in SEGMENTS]),
    st.sampled_from([WriteSegments(by_id=False), WriteSegments(by_id=True)]),
    st.sampled_from([Manage(t, managed) for t in MEMBER_TYPES for managed in (True, False)]),
    st.sampled_from([MoveTo(view) for view in VIEWS]),
)
edit_lists = st.lists(edits, max_size=3)
# One operation in four runs with faults injected into 20% of its requests.
maybe_faults = st.one_of(st.none(), st.none(), st.none(), st.integers(0, 2**16))


class ViewMembershipMachine(RuleBasedStateMachine):
    def __init__(self, world: World) -> None:
        super().__init__()
        world.reset()
        self.world = world
        self.stack = CheckedStack(world)
        self.program = Program()

    @initialize(
        flags=st.lists(st.sampled_from((*FLAGS, MISSING_FLAG)), unique=True, max_size=3),
        segments=st.lists(existing_segment_decls, unique=True, max_size=2),
        exclusive=st.booleans(),
    )
    def write_program(self, flags: list[str], segments: list[SegmentDecl], exclusive: bool) -> None:
        """The first version of the program (the first `up` runs it)."""
        self.program = Program(
            flags=tuple(flags), segments=tuple(segments) or None, exclusive=exclusive
        )

    # What the user does.

    @rule(edits=edit_lists, fault_seed=maybe_faults)
    def up(self, edits: list[Edit], fault_seed: int | None) -> None:
        """Edit the program, then `pulumi up` (with injected faults unless fault_seed is None)."""
        for edit in edits:
            self.program = edit.apply(self.program)
        self.stack.up(self.program, fault_seed=fault_seed)

    @rule()
    def refresh(self) -> None:
        self.stack.refresh()

    @rule(fault_seed=maybe_faults)
    def destroy(self, fault_seed: int | None) -> None:
        self.stack.destroy(fault_seed=fault_seed)

    # What someone else does, in LaunchDarkly.

    @rule(view=others_views, member=seeded_members, link=st.booleans())
    def someone_links(self, view: str, member: Target, link: bool) -> None:
        self.stack.someone_links(view, member, link=link)

    @rule(member=seeded_members)
    def someone_deletes(self, member: Target) -> None:
        self.stack.someone_deletes(member)

    @precondition(lambda self: self.stack.missing_members())
    @rule(member=seeded_members)
    def someone_recreates(self, member: Target) -> None:
        self.stack.someone_recreates(member)


def test_view_membership_keeps_its_ownership_contract(world: World) -> None:
    class Machine(ViewMembershipMachine):
        def __init__(self) -> None:
            super().__init__(world)

    run_state_machine_as_test(Machine, settings=hypothesis_profile())
