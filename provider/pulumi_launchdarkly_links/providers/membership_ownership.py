"""Who owns which members of a view, and so what an operation may link and unlink. Pure: no HTTP.

Every ViewMembership path (create, update, mode switch, refresh, delete) decides here, from the
same four facts: what the program declares, what the state recorded, what LaunchDarkly has (only
for the types the decision needs, see `types_to_read`) and the mode. The provider gathers those
facts and carries the plan out; it decides nothing itself.

The ownership contract (README, "What a ViewMembership owns"):
- With `exclusive=False` a resource owns exactly the members it declares.
- With `exclusive=True` it owns every member of each type it manages. It only *becomes* that
  owner through a create, a switch to exclusive or a newly listed type; when that step finds
  members the program does not declare, it needs `adopt=True`, or it is refused and changes
  nothing.
- Nothing else is ever unlinked. A failed create is undone member for member: what was linked
  before stays linked, because create only links what was not linked yet.
- What the resource owned already (listed, or linked by its filter) is its own when it becomes
  exclusive owner: only others' members need `adopt=True`.
- An update or delete leaves linked what another resource of the same program declares
  (`declared_elsewhere`, from the checks of this deployment): a rename or a move.

The state records, per type, the members last seen linked (`flags`, `segments`, ...) and, for an
exclusive resource, which of those a refresh found that the program never declared
(`linked_by_others`). Those are owned while the resource is exclusive (the next `up` unlinks
them) and stop being owned when it switches to `exclusive=False`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .membership_filters import (
    filter_linked,
    filter_of,
    matches_map,
    owned_after,
    refreshed_matches_map,
)
from .membership_plan import (
    FILTER_LINKED,
    LINKED_BY_OTHERS,
    MATCHES_INPUTS,
    MEMBER_INPUTS,
    Member,
    TypeChange,
    managed_types,
    member_list,
    members_of,
    membership_outputs,
    normalise_key_list,
    normalise_segments,
    segment_id,
)

Members = frozenset[Member]


@dataclass(frozen=True)
class Refusal:
    """A type the operation would take exclusive ownership of, with members nobody declared."""

    input_name: str
    undeclared: tuple[Member, ...]


@dataclass(frozen=True)
class MembershipPlan:
    """What one operation does: changes to send, refusals that stop it, the outputs it records."""

    changes: tuple[TypeChange, ...] = ()
    refusals: tuple[Refusal, ...] = ()
    adopted: dict[str, Members] = field(default_factory=dict)
    # Owned members the program dropped that are no longer linked (deleted in LaunchDarkly, or
    # unlinked by someone else): nothing to send, but worth saying.
    already_gone: dict[str, Members] = field(default_factory=dict)
    # Members this update or delete would unlink that another resource of the same program
    # declares (a rename, or a member moved to another ViewMembership): left linked for it.
    kept_for_others: dict[str, Members] = field(default_factory=dict)
    outputs: dict[str, Any] | None = None


def _is_exclusive(props: Mapping[str, Any] | None) -> bool:
    return bool(props and props.get("exclusive"))


def linked_by_others(recorded: Mapping[str, Any], input_name: str) -> Members:
    """Members a refresh of an exclusive resource found linked but never declared."""
    others = recorded.get(LINKED_BY_OTHERS) or {}
    return members_of(input_name, others.get(input_name))


def declared_before(recorded: Mapping[str, Any], input_name: str) -> Members:
    """What the program declared at the last successful `up`, as far as the state knows."""
    return members_of(input_name, recorded.get(input_name)) - linked_by_others(recorded, input_name)


def takes_ownership(
    declared: Mapping[str, Any], recorded: Mapping[str, Any] | None, input_name: str
) -> bool:
    """True when this operation makes the resource exclusive owner of `input_name`'s members."""
    if not _is_exclusive(declared) or input_name not in managed_types(declared):
        return False
    return (
        recorded is None or not _is_exclusive(recorded) or input_name not in managed_types(recorded)
    )


def types_to_read(
    declared: Mapping[str, Any] | None, recorded: Mapping[str, Any] | None
) -> list[str]:
    """The member types whose live membership the plan needs (each costs a `/linked` read).

    Create reads every type it lists: it must know what was linked before, so that it links
    only what is missing and a rollback leaves those members alone. Update reads every type it
    lists or listed: afterwards the view holds every declared member even if someone unlinked
    one since the last refresh (and, exclusive, nothing else), it never sends an unlink for a
    member that is gone, and the adopt check sees what it takes over. Delete reads where it
    owns everything (exclusive); otherwise it unlinks what it declared, forgiving the gone.
    No-op `up` and `preview` call none of these, so they read nothing.
    """
    if recorded is None:
        return managed_types(declared or {})
    if declared is None:
        return managed_types(recorded) if _is_exclusive(recorded) else []
    listed = managed_types(declared)
    return listed + [name for name in managed_types(recorded) if name not in listed]


def plan_membership(
    declared: Mapping[str, Any] | None,
    recorded: Mapping[str, Any] | None,
    live: Mapping[str, Any],
    matches: Mapping[str, frozenset[Member]] | None = None,
    declared_elsewhere: Callable[[str, Member], bool] | None = None,
) -> MembershipPlan:
    """The plan for create (`recorded` None), update, or delete (`declared` None).

    `declared` are the checked inputs, `recorded` the state's outputs, `live` LaunchDarkly's
    members for (at least) the types `types_to_read` named, shaped like the inputs, and
    `matches` what each declared filter matches now. `declared_elsewhere(type, member)` says
    whether another resource of this program declares a member: an update or delete keeps it.
    """
    matches = matches or {}
    changes: list[TypeChange] = []
    refusals: list[Refusal] = []
    adopted: dict[str, Members] = {}
    kept: dict[str, Members] = {}
    filter_outputs: dict[str, Any] = {}
    for name, resource_type in MEMBER_INPUTS.items():
        to_link, to_unlink, undeclared = _plan_type(name, declared, recorded, live, matches)
        if recorded is not None and declared_elsewhere is not None:
            kept[name] = frozenset(m for m in to_unlink if declared_elsewhere(name, m))
            to_unlink -= kept[name]
        if declared is not None and filter_of(declared, name) is not None:
            previously_owned = owned_before(recorded, name) if recorded is not None else frozenset()
            if declared.get("adopt"):  # take over matches already linked (README: adopting)
                previously_owned |= members_of(name, live.get(name))
            filter_outputs[FILTER_LINKED[name]] = owned_after(
                previously_owned,
                to_link,
                matches.get(name, frozenset()),
                members_of(name, declared.get(name)),
            )
            filter_outputs[MATCHES_INPUTS[name]] = matches_map(matches.get(name, frozenset()))
        if undeclared and declared is not None and not declared.get("adopt"):
            refusals.append(Refusal(name, tuple(sorted(undeclared))))
        elif undeclared:
            adopted[name] = undeclared
        if to_link or to_unlink:
            changes.append(
                TypeChange(name, resource_type, tuple(sorted(to_link)), tuple(sorted(to_unlink)))
            )
    if refusals:
        return MembershipPlan(refusals=tuple(refusals))
    outputs = None if declared is None else membership_outputs({**declared, **filter_outputs})
    gone = {name: _already_gone(name, declared, recorded, live, matches) for name in MEMBER_INPUTS}
    return MembershipPlan(
        changes=tuple(changes),
        adopted=adopted,
        outputs=outputs,
        already_gone={name: m for name, m in gone.items() if m},
        kept_for_others={name: m for name, m in kept.items() if m},
    )


def _already_gone(
    name: str,
    declared: Mapping[str, Any] | None,
    recorded: Mapping[str, Any] | None,
    live: Mapping[str, Any],
    matches: Mapping[str, frozenset[Member]],
) -> Members:
    if declared is None or recorded is None or name not in live or _is_exclusive(recorded):
        return frozenset()
    return (
        owned_before(recorded, name)
        - _wanted(name, declared, matches)
        - members_of(name, live.get(name))
    )


def _wanted(
    name: str, declared: Mapping[str, Any], matches: Mapping[str, frozenset[Member]]
) -> Members:
    """The members the program wants of one type: those listed, and its filter's matches."""
    want = members_of(name, declared.get(name))
    if filter_of(declared, name) is not None:
        want |= matches.get(name, frozenset())
    return want


def owned_before(recorded: Mapping[str, Any], name: str) -> Members:
    """What a non-exclusive resource owned of a type: what it listed and what its filter linked."""
    return declared_before(recorded, name) | filter_linked(recorded, name)


def _plan_type(
    name: str,
    declared: Mapping[str, Any] | None,
    recorded: Mapping[str, Any] | None,
    live: Mapping[str, Any],
    matches: Mapping[str, frozenset[Member]],
) -> tuple[Members, Members, Members]:
    """(to link, to unlink, undeclared members an exclusive takeover unlinks) for one type."""
    none: Members = frozenset()
    declares = declared is not None and name in managed_types(declared)
    recorded_it = recorded is not None and name in managed_types(recorded)
    if not declares and not recorded_it:
        return none, none, none
    if not declares:  # delete, or a type the program no longer lists: unlink what it owned
        assert recorded is not None
        if _is_exclusive(recorded):
            return none, members_of(name, live.get(name)), none
        owned = owned_before(recorded, name)
        return none, owned & members_of(name, live.get(name)) if name in live else owned, none
    assert declared is not None
    want = _wanted(name, declared, matches)
    if recorded is None or takes_ownership(declared, recorded, name):
        have = members_of(name, live.get(name))
        dropped = have - want if _is_exclusive(declared) else none
        # What the resource owned already (listed before, or linked by its filter) it may drop
        # without adopt=True: only others' members need the take-over.
        own = owned_before(recorded, name) if recorded is not None and recorded_it else none
        return want - have, dropped, dropped - own
    if _is_exclusive(declared):  # exclusive before and now: it owns everything linked
        have = members_of(name, live.get(name))
        return want - have, have - want, none
    # Non-exclusive: link what is missing, unlink only what it owned, no longer wants and
    # is still linked.
    have = members_of(name, live.get(name))
    owned = owned_before(recorded, name) if recorded_it else none
    return want - have, (owned - want) & have, none


def refreshed_outputs(
    recorded: Mapping[str, Any],
    live: Mapping[str, Any],
    matches: Mapping[str, frozenset[Member]] | None = None,
) -> dict[str, Any]:
    """The state a refresh records, from the old state, LaunchDarkly's members per type and
    what each filter matches now.

    Exclusive: every linked member, and which of them the program never declared. Otherwise:
    the declared members that are still linked; what others linked is none of its business.
    A filter records which matches are linked, and owned members that stopped matching.
    """
    matches = matches or {}
    refreshed = dict(recorded)
    others: dict[str, Any] = {}
    for name in managed_types(recorded):
        linked = members_of(name, live.get(name))
        matched = matches.get(name, frozenset())
        if _is_exclusive(recorded):
            # Everything linked is owned, but the filter's matches (and owned members that
            # stopped matching) are recorded in the matches map, as an up records them: in the
            # member map too, the next preview would show them as removals no up carries out.
            listed = declared_before(recorded, name)
            extra = linked - listed - matched - filter_linked(recorded, name)
            keep = (linked & listed) | extra
            if extra:
                others[name] = _as_input(name, extra, recorded, live)
        else:
            keep = members_of(name, recorded.get(name)) & linked
        if recorded.get(name) is not None:
            refreshed[name] = _as_input(name, keep, recorded, live)
        if filter_of(recorded, name) is not None:
            owned = filter_linked(recorded, name) & linked
            refreshed[FILTER_LINKED[name]] = sorted(
                m[1] if isinstance(m, tuple) else m for m in owned
            )
            refreshed[MATCHES_INPUTS[name]] = refreshed_matches_map(matched, linked, owned)
    outputs = membership_outputs(refreshed)
    outputs[LINKED_BY_OTHERS] = others or None
    return outputs


def _as_input(
    name: str, members: Iterable[Member], recorded: Mapping[str, Any], live: Mapping[str, Any]
) -> Any:
    """Members shaped as the input is: sorted keys, or segment dicts keeping environment keys."""
    if name != "segments":
        return normalise_key_list(members)
    wanted = set(members)
    recorded_segments = member_list(name, recorded.get(name)) or []
    # Both sources, merged field by field: the state may lack an environment key that
    # LaunchDarkly's answer names (a segment written by `environment_id`, then by key in an
    # `up` with no change, keeps its old outputs), and losing it would make the next check
    # ask for the environment again.
    return normalise_segments(
        [s for s in recorded_segments if segment_id(s) in wanted]
        + [s for s in (live.get(name) or []) if segment_id(s) in wanted]
    )


def outstanding_unlinks(
    failed: Iterable[tuple[str, Member]], live: Mapping[str, Any]
) -> set[tuple[str, Member]]:
    """Of the (type, member) unlinks that failed, those still linked: the goal of the others
    (deleted in LaunchDarkly, or unlinked by someone else meanwhile) is met."""
    return {(name, m) for name, m in failed if m in members_of(name, live.get(name))}


def unowned_filter_links(
    declared: Mapping[str, Any], maybe_linked: Mapping[str, Iterable[Member]]
) -> list[TypeChange]:
    """The unlinks that undo what a failed update linked (or perhaps linked: no clean answer)
    through a filter. The state keeps no record of a failed update, so the next up would take
    those matches for someone else's and never unlink them; undone, it links them again as its
    own."""
    changes = []
    for name, members in sorted(maybe_linked.items()):
        matched = frozenset(members) - members_of(name, declared.get(name))
        if filter_of(declared, name) is not None and matched:
            changes.append(TypeChange(name, MEMBER_INPUTS[name], (), tuple(sorted(matched))))
    return changes
