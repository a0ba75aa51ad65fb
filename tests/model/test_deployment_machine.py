"""A Hypothesis state machine for whole programs on two stacks (issue 16): ViewMemberships,
FlagLinks, Views and FlagLinks of one project, renamed, moved between resources, adopted, run
with faults and interrupted, while someone else links, tags, adds and edits in LaunchDarkly.

A step is what a user does: edit one stack's program (declare, drop, rename a resource without
an alias, move a member or link to another resource, set a filter or `adopt`) and `pulumi up`
it, with faults, with the steps in any order, or killed right after one create; refresh;
destroy; or what someone else does in LaunchDarkly. The engine simulation is
`deployment.StackEngine`; the promises are checked by `stacks.TwoStacks`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace

from hypothesis import event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    precondition,
    rule,
    run_state_machine_as_test,
)

from .conftest import hypothesis_profile
from .engine import World
from .stacks import (
    FILTERS,
    FLAG_LINK_SETS,
    FLAGS,
    LINK_KEYS,
    MEMBERSHIPS,
    ONE_LINK_KEY,
    ONE_LINKS,
    STACKS,
    TAGS,
    TARGETS,
    TITLES,
    VIEW_KEYS,
    VIEW_NAMES,
    VIEWS,
    LinkName,
    LinksDecl,
    LinkSpec,
    MembersDecl,
    OneLinkDecl,
    StackProgram,
    TwoStacks,
    ViewDecl,
    kind_of,
)

# -- program edits -------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeclareMember:
    resource: str
    flag: str

    def apply(self, program: StackProgram) -> StackProgram:
        decl = program.get(self.resource)
        decl = decl if isinstance(decl, MembersDecl) else MembersDecl()
        return program.put(self.resource, replace(decl, flags=decl.flags | {self.flag}))


@dataclass(frozen=True)
class UndeclareMember:
    resource: str
    flag: str

    def apply(self, program: StackProgram) -> StackProgram:
        decl = program.get(self.resource)
        if not isinstance(decl, MembersDecl):
            return program
        return program.put(self.resource, replace(decl, flags=decl.flags - {self.flag}))


@dataclass(frozen=True)
class MoveMember:
    """Move a listed flag from one ViewMembership to another of the same program."""

    source: str
    target: str
    flag: str

    def apply(self, program: StackProgram) -> StackProgram:
        source = program.get(self.source)
        if not isinstance(source, MembersDecl) or self.flag not in source.flags:
            return program
        program = UndeclareMember(self.source, self.flag).apply(program)
        return DeclareMember(self.target, self.flag).apply(program)


@dataclass(frozen=True)
class SetFilter:
    resource: str
    flag_filter: str | None

    def apply(self, program: StackProgram) -> StackProgram:
        decl = program.get(self.resource)
        decl = decl if isinstance(decl, MembersDecl) else MembersDecl()
        return program.put(self.resource, replace(decl, flag_filter=self.flag_filter))


def _without_link(program: StackProgram, link: LinkName) -> StackProgram:
    """The program with `link` declared by no FlagLinks (a program declares a link once)."""
    for name, decl in program.of_kind(LinksDecl).items():
        if link in decl.declared:
            links = decl.declared
            del links[link]
            program = program.put(name, decl.with_links(links))
    return program


@dataclass(frozen=True)
class DeclareLink:
    resource: str
    flag: str
    key: str
    spec: LinkSpec

    def apply(self, program: StackProgram) -> StackProgram:
        program = _without_link(program, (self.flag, self.key))
        decl = program.get(self.resource)
        decl = decl if isinstance(decl, LinksDecl) else LinksDecl()
        links = decl.declared
        links[(self.flag, self.key)] = self.spec
        return program.put(self.resource, decl.with_links(links))


@dataclass(frozen=True)
class UndeclareLink:
    flag: str
    key: str

    def apply(self, program: StackProgram) -> StackProgram:
        return _without_link(program, (self.flag, self.key))


@dataclass(frozen=True)
class MoveLink:
    """Move a link, unchanged, from the FlagLinks declaring it to another one."""

    target: str
    flag: str
    key: str

    def apply(self, program: StackProgram) -> StackProgram:
        for decl in program.of_kind(LinksDecl).values():
            spec = decl.declared.get((self.flag, self.key))
            if spec is not None:
                return DeclareLink(self.target, self.flag, self.key, spec).apply(program)
        return program


@dataclass(frozen=True)
class DeclareView:
    resource: str
    key: str
    name: str

    def apply(self, program: StackProgram) -> StackProgram:
        others = {n: d.key for n, d in program.of_kind(ViewDecl).items() if n != self.resource}
        if self.key in others.values():
            return program  # a program declares a view once
        decl = program.get(self.resource)
        adopt = decl.adopt if isinstance(decl, ViewDecl) else False
        return program.put(self.resource, ViewDecl(self.key, self.name, adopt))


@dataclass(frozen=True)
class DeclareOneLink:
    resource: str
    flag: str
    spec: LinkSpec

    def apply(self, program: StackProgram) -> StackProgram:
        others = {n: d.flag for n, d in program.of_kind(OneLinkDecl).items() if n != self.resource}
        if self.flag in others.values():
            return program
        decl = program.get(self.resource)
        adopt = decl.adopt if isinstance(decl, OneLinkDecl) else False
        return program.put(self.resource, OneLinkDecl(self.flag, self.spec, adopt))


@dataclass(frozen=True)
class SetAdopt:
    resource: str
    adopt: bool

    def apply(self, program: StackProgram) -> StackProgram:
        decl = program.get(self.resource)
        if isinstance(decl, (LinksDecl, ViewDecl, OneLinkDecl, MembersDecl)):
            return program.put(self.resource, _with_adopt(decl, self.adopt))
        return program


def _with_adopt(
    decl: LinksDecl | ViewDecl | OneLinkDecl | MembersDecl, adopt: bool
) -> LinksDecl | ViewDecl | OneLinkDecl | MembersDecl:
    if isinstance(decl, MembersDecl):
        return replace(decl, adopt=adopt)
    if isinstance(decl, LinksDecl):
        return LinksDecl(decl.links, adopt)
    if isinstance(decl, ViewDecl):
        return ViewDecl(decl.key, decl.name, adopt)
    return OneLinkDecl(decl.flag, decl.spec, adopt)


@dataclass(frozen=True)
class Rename:
    """Rename a resource in the program, without `aliases`: a new URN."""

    old: str
    new: str

    def apply(self, program: StackProgram) -> StackProgram:
        return program.renamed(self.old, self.new)


@dataclass(frozen=True)
class Drop:
    resource: str

    def apply(self, program: StackProgram) -> StackProgram:
        return program.without(self.resource)


Edit = (
    DeclareMember
    | UndeclareMember
    | MoveMember
    | SetFilter
    | DeclareLink
    | UndeclareLink
    | MoveLink
    | DeclareView
    | DeclareOneLink
    | SetAdopt
    | Rename
    | Drop
)

link_specs = st.builds(LinkSpec, st.sampled_from(TARGETS), st.sampled_from(TITLES))
memberships = st.sampled_from(MEMBERSHIPS)
flag_link_sets = st.sampled_from(FLAG_LINK_SETS)
flags = st.sampled_from(FLAGS)
adoptable = st.sampled_from((*MEMBERSHIPS, *FLAG_LINK_SETS, *VIEWS, *ONE_LINKS))
renames = st.one_of(
    *(
        st.builds(Rename, st.sampled_from(pool), st.sampled_from(pool))
        for pool in (MEMBERSHIPS, FLAG_LINK_SETS, VIEWS, ONE_LINKS)
    )
)
edits: st.SearchStrategy[Edit] = st.one_of(
    st.builds(DeclareMember, memberships, flags),
    st.builds(UndeclareMember, memberships, flags),
    st.builds(MoveMember, memberships, memberships, flags),
    st.builds(SetFilter, memberships, st.sampled_from((None, *FILTERS))),
    st.builds(DeclareLink, flag_link_sets, flags, st.sampled_from(LINK_KEYS), link_specs),
    st.builds(UndeclareLink, flags, st.sampled_from(LINK_KEYS)),
    st.builds(MoveLink, flag_link_sets, flags, st.sampled_from(LINK_KEYS)),
    st.builds(
        DeclareView, st.sampled_from(VIEWS), st.sampled_from(VIEW_KEYS), st.sampled_from(VIEW_NAMES)
    ),
    st.builds(DeclareOneLink, st.sampled_from(ONE_LINKS), flags, link_specs),
    st.builds(SetAdopt, adoptable, st.booleans()),
    renames,
    st.builds(Drop, st.sampled_from((*MEMBERSHIPS, *FLAG_LINK_SETS, *VIEWS, *ONE_LINKS))),
)
# A resource of each kind, in the first two names of its pool: what first programs are made of.
starters: st.SearchStrategy[Edit] = st.one_of(
    st.builds(DeclareMember, st.sampled_from(MEMBERSHIPS[:2]), flags),
    st.builds(
        DeclareLink,
        st.sampled_from(FLAG_LINK_SETS[:2]),
        flags,
        st.sampled_from(LINK_KEYS),
        link_specs,
    ),
    st.builds(
        DeclareView, st.sampled_from(VIEWS), st.sampled_from(VIEW_KEYS), st.sampled_from(VIEW_NAMES)
    ),
    st.builds(DeclareOneLink, st.sampled_from(ONE_LINKS), flags, link_specs),
    st.builds(SetFilter, st.sampled_from(MEMBERSHIPS[:2]), st.sampled_from(FILTERS)),
)
stacks = st.sampled_from(STACKS)
ALL_NAMES = (*MEMBERSHIPS, *FLAG_LINK_SETS, *VIEWS, *ONE_LINKS)
# One up in four runs with faults injected into 20% of its requests.
maybe_faults = st.one_of(st.none(), st.none(), st.none(), st.integers(0, 2**16))
# One up in ten is killed right after one of its creates (which one: the integer).
maybe_interrupt = st.one_of(*([st.none()] * 9), st.integers(0, 7))
orders = st.randoms(use_true_random=False)


class DeploymentMachine(RuleBasedStateMachine):
    def __init__(self, world: World) -> None:
        super().__init__()
        world.reset()
        self.world = world
        self.stacks = TwoStacks(world)
        self.programs = {stack: StackProgram() for stack in STACKS}

    @initialize(
        first=st.lists(st.one_of(starters, starters, edits), min_size=2, max_size=8),
        second=st.lists(st.one_of(starters, starters, edits), max_size=8),
    )
    def write_programs(self, first: list[Edit], second: list[Edit]) -> None:
        """The first version of each stack's program."""
        for edit in first:
            self.programs["one"] = edit.apply(self.programs["one"])
        for edit in second:
            self.programs["two"] = edit.apply(self.programs["two"])

    # What the user does.

    @rule(
        stack=stacks,
        changes=st.lists(edits, max_size=3),
        fault_seed=maybe_faults,
        order=orders,
        interrupt=maybe_interrupt,
    )
    def up(
        self,
        stack: str,
        changes: list[Edit],
        fault_seed: int | None,
        order: random.Random,
        interrupt: int | None,
    ) -> None:
        """Edit a stack's program, then `pulumi up` it."""
        for edit in changes:
            self.programs[stack] = edit.apply(self.programs[stack])
        deployment = self.stacks.up(
            stack, self.programs[stack], fault_seed=fault_seed, order=order, interrupt=interrupt
        )
        event(f"up: {deployment.outcome}")

    @rule(stack=stacks, old=st.data())
    def rename_and_up(self, stack: str, old: st.DataObject) -> None:
        """Rename one resource of the program (no alias), perhaps adding `adopt=True` to it as
        the refusal of an un-aliased rename suggests, and `pulumi up`, nothing else."""
        names = [name for name, _decl in self.programs[stack].resources]
        if not names:
            return
        name = old.draw(st.sampled_from(names))
        pool = {
            "ViewMembership": MEMBERSHIPS,
            "FlagLinks": FLAG_LINK_SETS,
            "View": VIEWS,
            "FlagLink": ONE_LINKS,
        }[kind_of(name)]
        free = [other for other in pool if other not in names]
        if not free:
            return
        new = old.draw(st.sampled_from(free))
        self.programs[stack] = self.programs[stack].renamed(name, new)
        adopt = old.draw(st.booleans())
        if adopt:
            self.programs[stack] = SetAdopt(new, True).apply(self.programs[stack])
        deployment = self.stacks.up(stack, self.programs[stack], order=old.draw(orders))
        with_adopt = " with adopt" if adopt else ""
        self.stacks.count(f"rename of a {kind_of(name)}{with_adopt}: {deployment.outcome}")

    @rule(stack=stacks, changes=st.lists(edits, max_size=3), data=st.data())
    def targeted_up(self, stack: str, changes: list[Edit], data: st.DataObject) -> None:
        """Edit the program, then `pulumi up --target` some of its resources (and of those
        the state holds): the two halves of a move or rename may land in different runs."""
        for edit in changes:
            self.programs[stack] = edit.apply(self.programs[stack])
        program = self.programs[stack]
        # Drawn from every name, not from the state's: a draw that depends on what the
        # provider did would not replay when a fault lands elsewhere.
        targets = data.draw(st.sets(st.sampled_from(ALL_NAMES), min_size=1, max_size=4))
        self.stacks.up(stack, program, order=data.draw(orders), targets=targets)

    @rule(stack=stacks, data=st.data())
    def move_and_up(self, stack: str, data: st.DataObject) -> None:
        """Move one listed flag or one link to another resource of the same program (which
        may be new), and `pulumi up`: the two updates run in an order Hypothesis picks."""
        program = self.programs[stack]
        moves: list[MoveMember | MoveLink] = []
        for name, decl in program.of_kind(MembersDecl).items():
            moves += [
                MoveMember(name, target, flag)
                for flag in sorted(decl.flags)
                for target in MEMBERSHIPS
                if target != name
            ]
        for name, links_decl in program.of_kind(LinksDecl).items():
            moves += [
                MoveLink(target, flag, key)
                for flag, key in sorted(links_decl.declared)
                for target in FLAG_LINK_SETS
                if target != name
            ]
        if not moves:
            return
        move = data.draw(st.sampled_from(moves))
        self.programs[stack] = move.apply(program)
        deployment = self.stacks.up(stack, self.programs[stack], order=data.draw(orders))
        target = move.target
        kind = "flag" if isinstance(move, MoveMember) else "link"
        into = "an existing" if target in program.declarations() else "a new"
        self.stacks.count(f"move of a {kind} into {into} resource: {deployment.outcome}")

    @rule(stack=stacks, order=orders, keep=st.booleans())
    def adopt_and_up(self, stack: str, order: random.Random, keep: bool) -> None:
        """What a refused take-over asks for: `adopt=True` on every View, FlagLink and
        FlagLinks of the program, `pulumi up`, and (unless keep) `adopt` removed again."""
        adopting = [SetAdopt(name, True) for name, _decl in self.programs[stack].resources]
        for edit in adopting:
            self.programs[stack] = edit.apply(self.programs[stack])
        deployment = self.stacks.up(stack, self.programs[stack], order=order)
        event(f"adopt and up: {deployment.outcome}")
        if not keep:
            for edit in adopting:
                self.programs[stack] = SetAdopt(edit.resource, False).apply(self.programs[stack])

    @rule(stack=stacks, order=orders)
    def refresh_and_up(self, stack: str, order: random.Random) -> None:
        """`pulumi refresh`, then `pulumi up`: converges whatever came before (unless the up
        would take something over without adopt)."""
        self.stacks.refresh(stack)
        self.stacks.up(stack, self.programs[stack], order=order)

    @rule(stack=stacks, fault_seed=maybe_faults)
    def refresh(self, stack: str, fault_seed: int | None) -> None:
        self.stacks.refresh(stack, fault_seed)

    @precondition(
        lambda self: any(m.in_sync and m.applied is not None for m in self.stacks.stacks.values())
    )
    @rule(data=st.data())
    def refresh_then_preview(self, data: st.DataObject) -> None:
        """With nothing changed out of band since a stack's last up: refresh, then preview."""
        quiet = [
            name
            for name, model in self.stacks.stacks.items()
            if model.in_sync and model.applied is not None
        ]
        self.stacks.refresh_then_preview(data.draw(st.sampled_from(quiet)))

    @rule(stack=stacks, fault_seed=maybe_faults, order=orders)
    def destroy(self, stack: str, fault_seed: int | None, order: random.Random) -> None:
        self.stacks.destroy(stack, fault_seed, order)

    # What someone else does, in LaunchDarkly.

    @rule(flag=flags, link=st.booleans())
    def someone_links(self, flag: str, link: bool) -> None:
        self.stacks.someone_links(flag, link=link)

    @rule(flag=flags, tag=st.sampled_from(TAGS), tagged=st.booleans())
    def someone_tags(self, flag: str, tag: str, tagged: bool) -> None:
        self.stacks.someone_tags(flag, tag, tagged=tagged)

    @rule(
        flag=flags,
        key=st.sampled_from((*LINK_KEYS, ONE_LINK_KEY)),
        url=st.sampled_from(("url-1", "url-9")),
    )
    def someone_adds_link(self, flag: str, key: str, url: str) -> None:
        self.stacks.someone_adds_link(flag, key, url)

    @rule(flag=flags, key=st.sampled_from((*LINK_KEYS, ONE_LINK_KEY)), delete=st.booleans())
    def someone_edits_link(self, flag: str, key: str, delete: bool) -> None:
        self.stacks.someone_edits_link(flag, key, delete=delete)

    @rule(key=st.sampled_from(VIEW_KEYS), name=st.sampled_from(VIEW_NAMES))
    def someone_creates_view(self, key: str, name: str) -> None:
        self.stacks.someone_creates_view(key, name)

    def teardown(self) -> None:
        COUNTS["examples"] = COUNTS.get("examples", 0) + 1
        for name, count in sorted(self.stacks.counts.items()):
            COUNTS[name] = COUNTS.get(name, 0) + count


COUNTS: dict[str, int] = {}  # over every example of the run: `make fuzz` prints them


def test_whole_programs_on_two_stacks_keep_their_promises(world: World) -> None:
    profile = hypothesis_profile()
    bounded = settings(profile, max_examples=max(1, profile.max_examples // 3))

    class Machine(DeploymentMachine):
        def __init__(self) -> None:
            super().__init__(world)

    run_state_machine_as_test(Machine, settings=bounded)  # conftest prints COUNTS at the end
