"""The ownership contract of `ViewMembership` (issue 9), asserted around every engine step.

Per member type, a resource owns:
- with exclusive=False, exactly the members it declared at its last successful up;
- with exclusive=True, every member of each type it manages. It only becomes the owner of a
  type through an operation (create, exclusive false -> true, starting to manage the type) that
  found no undeclared members of that type linked, or had adopt=True; with adopt=False and
  undeclared members linked, that operation must fail and change nothing. Members it owned
  already (declared at the last up, and still linked at the last refresh since) are not
  others': a switch to exclusive may drop them without adopt (README, issue 16 item 6).

`CheckedStack` runs `Engine` steps and asserts, each at its own line (so Hypothesis reports
each broken rule as a distinct failure):
1. every member a create/update/delete unlinked was owned before it, or is of a type the same
   operation legitimately took over; check, diff and refresh never link or unlink anything;
2. a failed create leaves the views exactly as they were;
3. after a successful up, for each managed type declared <= linked, and with exclusive=True
   linked == declared;
4. after a successful refresh, every member the state records is linked;
5. an up with nothing to change makes no request;
6. after a failed update, the next up without faults and without missing members succeeds
   (and converges, by 3). More generally, any step without faults whose members all exist
   and that the contract does not refuse must succeed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .engine import (
    ENVIRONMENT_IDS,
    FLAGS,
    MEMBER_TYPES,
    SEGMENTS,
    SUCCEEDED,
    UNCHANGED,
    UPDATE_FAILED,
    Call,
    Engine,
    Member,
    Membership,
    Program,
    SegmentDecl,
    Step,
    Target,
    ViewMembers,
    World,
    member_of,
    member_type_of,
)

NOTHING_OWNED: frozenset[Member] = frozenset()
SEEDED: frozenset[Member] = frozenset(
    [*FLAGS, *((ENVIRONMENT_IDS[environment], key) for environment, key in SEGMENTS)]
)


@dataclass(frozen=True)
class Ownership:
    """What a resource owns, from its last successful up."""

    view: str
    exclusive: bool
    declared: ViewMembers  # per managed type

    def owned(self, view: str, member_type: str, linked: frozenset[Member]) -> frozenset[Member]:
        if view != self.view or member_type not in self.declared:
            return NOTHING_OWNED
        return linked if self.exclusive else self.declared[member_type]


Allowed = Callable[[str, str, frozenset[Member]], frozenset[Member]]


def unlinked_without_right(call: Call, allowed: Allowed) -> dict[tuple[str, str], set[Member]]:
    """Per (view, type), members the call unlinked that `allowed` did not allow it to."""
    wrong: dict[tuple[str, str], set[Member]] = {}
    for view, before in call.before.items():
        after = call.after.get(view, {})
        for member_type in MEMBER_TYPES:
            linked = before.get(member_type, NOTHING_OWNED)
            gone = linked - after.get(member_type, NOTHING_OWNED)
            extra = gone - allowed(view, member_type, linked)
            if extra:
                wrong[(view, member_type)] = set(extra)
    return wrong


def changes(before: Membership, after: Membership) -> dict[str, Any]:
    """What differs between two memberships, for assertion messages."""
    found: dict[str, Any] = {}
    for view in sorted(set(before) | set(after)):
        for member_type in MEMBER_TYPES:
            old = before.get(view, {}).get(member_type, NOTHING_OWNED)
            new = after.get(view, {}).get(member_type, NOTHING_OWNED)
            if old != new:
                found[f"{view}/{member_type}"] = {
                    "linked": sorted(map(str, new - old)),
                    "unlinked": sorted(map(str, old - new)),
                }
    return found


def recorded_members(outputs: Mapping[str, Any], member_type: str) -> frozenset[Member]:
    """The members a state's outputs record as linked."""
    value = outputs.get(member_type) or []
    if isinstance(value, Mapping):  # a map keyed by member (flag key, "environment/segment")
        if member_type == "segments":
            return frozenset(
                (str(environment_id), name.rsplit("/", 1)[1])
                for name, environment_id in value.items()
                if isinstance(environment_id, str)
            )
        return frozenset(key for key, status in value.items() if status in (True, "linked"))
    if member_type == "segments":
        return frozenset((s["environment_id"], s["segment_key"]) for s in value)
    return frozenset(value)


def declared_not_linked(program: Program, linked: ViewMembers) -> dict[str, list[str]]:
    """Invariant 3, first half: per managed type, declared members that are not linked."""
    missing = {
        member_type: sorted(map(str, declared - linked.get(member_type, NOTHING_OWNED)))
        for member_type, declared in program.declared().items()
    }
    return {member_type: members for member_type, members in missing.items() if members}


def linked_not_declared(program: Program, linked: ViewMembers) -> dict[str, list[str]]:
    """Invariant 3, second half: with exclusive=True, linked members that are not declared."""
    if not program.exclusive:
        return {}
    extra = {
        member_type: sorted(map(str, linked.get(member_type, NOTHING_OWNED) - declared))
        for member_type, declared in program.declared().items()
    }
    return {member_type: members for member_type, members in extra.items() if members}


def _assert_as_declared(program: Program, linked: ViewMembers, when: str) -> None:
    """Invariant 3: every declared member is linked, and under exclusive nothing else is."""
    missing = declared_not_linked(program, linked)
    assert not missing, f"Invariant 3: {when}, declared but unlinked: {missing}"
    extra = linked_not_declared(program, linked)
    assert not extra, f"Invariant 3: {when}, exclusive but undeclared linked: {extra}"


def describe(step: Step) -> str:
    return f"outcome {step.outcome}" + (f" ({step.error})" if step.error else "")


class CheckedStack:
    """A stack with one ViewMembership whose every step is checked against the contract."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.engine = Engine(world)
        self.ownership: Ownership | None = None
        self.pending_ownership: Ownership | None = None  # the old resource of a failed replace
        self.existing: set[Member] = set(SEEDED)  # flags and segments nobody deleted
        # Whether the views still look as the last successful create/update left them.
        self.converged = True
        self.last_up_failed_update = False
        self.last_applied_program: Program | None = None  # of the last successful up

    # -- pulumi up ---------------------------------------------------------------------------

    def up(self, program: Program, fault_seed: int | None = None) -> Step:
        previous = self.ownership
        state = self.engine.state
        creating = state is None or state.view != program.view  # a new view is a replace
        after_failed_update = self.last_up_failed_update
        with self.world.faults(fault_seed):
            step = self.engine.up(program.inputs())
        before, after = step.before, step.after
        self._assert_read_only(step)

        declared = program.declared()
        taking = self._types_taken(program, None if creating else previous)
        # Only others' members need adopt=True: what the resource owned already is its own when
        # it becomes the exclusive owner, even if this up drops it (README, issue 16 item 6).
        owned_already = self._declared_before(None if creating else previous, program.view)
        refused = (
            {}
            if program.adopt
            else {
                t: others
                for t in taking
                if (others := before[program.view][t] - declared[t] - owned_already(t))
            }
        )

        # Two lines, so a rewritten-but-equal program is reported apart from a plain rerun.
        if step.outcome == UNCHANGED and program == self.last_applied_program:
            assert step.requests == 0, (
                f"Invariant 5: rerunning the program of the last up made {step.requests} requests"
            )
        if step.outcome == UNCHANGED and program != self.last_applied_program:
            # Naming a segment's environment by key where the state only knows its _id takes
            # one lookup per such environment (check cannot know the key is that _id without
            # asking); nothing else may be asked.
            lookups = _environments_named_by_key_anew(program, self.last_applied_program)
            assert step.requests <= lookups, (
                f"Invariant 5: an up of a program written differently but meaning the same "
                f"made {step.requests} requests ({lookups} environment lookups allowed)"
            )

        if refused and creating:
            assert step.outcome not in SUCCEEDED, (
                f"Ownership: an exclusive create without adopt succeeded although undeclared "
                f"members were linked: {refused}"
            )
        if refused and not creating and previous is not None and not previous.exclusive:
            assert step.outcome not in SUCCEEDED, (
                f"Ownership: switching to exclusive without adopt succeeded although undeclared "
                f"members were linked: {refused}"
            )
        if refused and not creating and previous is not None and previous.exclusive:
            assert step.outcome not in SUCCEEDED, (
                f"Ownership: an exclusive resource started managing a type without adopt "
                f"although undeclared members were linked: {refused}"
            )
        if refused:
            assert after == before, (
                f"Ownership: a refused operation changed the views: {changes(before, after)} "
                f"({describe(step)})"
            )

        legit = set(taking) - set(refused)
        create = step.call("create")
        if create is not None:
            wrong = unlinked_without_right(
                create,
                lambda view, t, linked: (
                    linked if view == program.view and t in legit else NOTHING_OWNED
                ),
            )
            assert not wrong, f"Invariant 1: create unlinked members it did not own: {wrong}"
            if create.error is not None:
                assert create.after == create.before, (
                    f"Invariant 2: a failed create changed the views: "
                    f"{changes(create.before, create.after)} ({describe(step)})"
                )
        update = step.call("update")
        if update is not None:
            owner = previous

            def update_allowed(view: str, t: str, linked: frozenset[Member]) -> frozenset[Member]:
                owned = owner.owned(view, t, linked) if owner else NOTHING_OWNED
                return linked if view == program.view and t in legit else owned

            wrong = unlinked_without_right(update, update_allowed)
            assert not wrong, (
                f"Invariant 1: update unlinked members it did not own: {wrong} ({describe(step)})"
            )
        deleting = [previous] if creating and state is not None else []
        self._assert_deletes(step, [*deleting, self.pending_ownership])

        mutation = update or create
        if mutation is not None and mutation.error is None:
            if step.outcome in SUCCEEDED:
                _assert_as_declared(program, after[program.view], f"after {step.outcome}")
                self.converged = True
            if creating and state is not None and self.engine.pending_delete is not None:
                self.pending_ownership = previous
            self.ownership = Ownership(program.view, program.exclusive, declared)
        elif step.outcome == UNCHANGED:
            if self.converged:
                _assert_as_declared(program, after[program.view], "after a no-op up")
            self.ownership = Ownership(program.view, program.exclusive, declared)
        if self.engine.pending_delete is None:
            self.pending_ownership = None
        if after != before and step.outcome not in SUCCEEDED:
            self.converged = False

        exists = self._all_exist(declared)
        if fault_seed is None and exists and not refused and after_failed_update:
            assert step.outcome in SUCCEEDED, (
                f"Invariant 6: the up after a failed update did not succeed: {describe(step)}"
            )
        if fault_seed is None and exists and not refused:
            assert step.outcome in SUCCEEDED, (
                f"Liveness: an up without faults or missing members failed: {describe(step)}"
            )
        self.last_up_failed_update = step.outcome == UPDATE_FAILED
        if step.outcome in SUCCEEDED:
            self.last_applied_program = program
        return step

    # -- pulumi refresh ----------------------------------------------------------------------

    def refresh(self, fault_seed: int | None = None) -> Step:
        with self.world.faults(fault_seed):
            step = self.engine.refresh()
        self._assert_read_only(step)
        state = self.engine.state
        if step.outcome in SUCCEEDED and state is not None:
            linked = step.after[state.view]
            for member_type in MEMBER_TYPES:
                recorded = recorded_members(state.outputs, member_type)
                assert recorded <= linked[member_type], (
                    f"Invariant 4: refresh recorded {member_type} "
                    f"{sorted(map(str, recorded - linked[member_type]))} that are not linked"
                )
            owner = self.ownership
            if owner is not None and not owner.exclusive and owner.view == state.view:
                # A non-exclusive refresh keeps only the declared members still linked: one
                # someone links again afterwards is theirs, as the state no longer records it.
                narrowed = {t: m & linked[t] for t, m in owner.declared.items()}
                self.ownership = Ownership(owner.view, owner.exclusive, narrowed)
        if state is None:
            self.ownership = None
        if fault_seed is None:
            assert step.outcome in SUCCEEDED, (
                f"Liveness: a refresh without faults failed: {describe(step)}"
            )
        return step

    # -- pulumi destroy ----------------------------------------------------------------------

    def destroy(self, fault_seed: int | None = None) -> Step:
        with self.world.faults(fault_seed):
            step = self.engine.destroy()
        self._assert_deletes(step, [self.pending_ownership, self.ownership])
        if self.engine.pending_delete is None:
            self.pending_ownership = None
        if self.engine.state is None:
            self.ownership = None
        if step.after != step.before and step.outcome not in SUCCEEDED:
            self.converged = False
        if fault_seed is None:
            assert step.outcome in SUCCEEDED, (
                f"Liveness: a destroy without faults failed: {describe(step)}"
            )
        return step

    # -- someone else ------------------------------------------------------------------------

    def someone_links(self, view: str, target: Target, *, link: bool) -> None:
        """Link (or unlink) a flag or segment to a view, as someone else would."""
        self.world.link(view, member_type_of(target), [member_of(target)], link=link)
        self.converged = False

    def someone_deletes(self, target: Target) -> bool:
        """Delete a flag or segment (it leaves every view); False if the emulator cannot."""
        member_type = member_type_of(target)
        if not self.world.can_delete(member_type) or member_of(target) not in self.existing:
            return False
        if isinstance(target, SegmentDecl):
            self.world.delete_segment(target)
        else:
            self.world.delete_flag(target)
        self.existing.discard(member_of(target))
        self.converged = False
        return True

    def someone_recreates(self, target: Target) -> None:
        """Create a deleted flag or segment again (with no links)."""
        if member_of(target) in self.existing:
            return
        if isinstance(target, SegmentDecl):
            self.world.create_segment(target)
        else:
            self.world.create_flag(target)
        self.existing.add(member_of(target))

    def missing_members(self) -> bool:
        """Whether someone deleted a seeded flag or segment."""
        return self.existing != SEEDED

    # -- helpers -----------------------------------------------------------------------------

    @staticmethod
    def _types_taken(program: Program, previous: Ownership | None) -> set[str]:
        """Types this up makes the resource the exclusive owner of (previous None: a create)."""
        if not program.exclusive:
            return set()
        managed = set(program.declared())
        if previous is None or not previous.exclusive:
            return managed
        return managed - set(previous.declared)

    @staticmethod
    def _declared_before(
        previous: Ownership | None, view: str
    ) -> Callable[[str], frozenset[Member]]:
        """Per type, what a non-exclusive resource owned of this view before the up (previous
        None: a create, which owns nothing yet). An exclusive one owns every member of the types
        it managed, and only a type it did not manage can be taken over."""
        if previous is None or previous.exclusive or previous.view != view:
            return lambda member_type: NOTHING_OWNED
        return lambda member_type: previous.declared.get(member_type, NOTHING_OWNED)

    def _all_exist(self, declared: ViewMembers) -> bool:
        return all(members <= self.existing for members in declared.values())

    @staticmethod
    def _assert_read_only(step: Step) -> None:
        for call in step.calls:
            if call.method in ("check", "diff", "read"):
                assert call.after == call.before, (
                    f"Invariant 1: {call.method} changed the views: "
                    f"{changes(call.before, call.after)}"
                )

    @staticmethod
    def _assert_deletes(step: Step, owners: list[Ownership | None]) -> None:
        """Each delete call of the step, in order, against the ownership of what it deleted."""
        deletes = [call for call in step.calls if call.method == "delete"]
        live_owners = [owner for owner in owners if owner is not None]
        for call, owner in zip(deletes, live_owners, strict=False):
            wrong = unlinked_without_right(call, owner.owned)
            assert not wrong, f"Invariant 1: delete unlinked members it did not own: {wrong}"


def _environments_named_by_key_anew(program: Program, before: Program | None) -> int:
    def by_key(p: Program | None) -> set[str]:
        return {s.environment_key for s in (p.segments or ()) if not s.by_id} if p else set()

    return len(by_key(program) - by_key(before))
