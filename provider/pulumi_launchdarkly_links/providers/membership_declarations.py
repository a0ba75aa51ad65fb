"""A ViewMembership's part in the deployment's shared record (`deployment_declarations`). Pure.

Every check records, as `("member", project, view, resource_type, member)` items, the members
its inputs declare (listed, and the matches its filter resolved, where known) and those its old
inputs had. A delete or an update then keeps linked what another resource of the same program
declares: a rename without `aliases` (the new resource is created, then the old one deleted) or
a member moved from one ViewMembership to another, in whichever order the engine runs them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ._inputs import is_unknown
from .membership_filters import filter_of, wanted_matches
from .membership_plan import MEMBER_INPUTS, Member, managed_types, members_of

MemberItem = tuple[str, str, str, str, Member]


def member_item(props: Mapping[str, Any], input_name: str, member: Member) -> MemberItem:
    return ("member", props["project_key"], props["view_key"], MEMBER_INPUTS[input_name], member)


def member_items(props: Mapping[str, Any] | None) -> set[MemberItem]:
    """The members checked inputs declare, as record items; none where a value is unknown."""
    if not props or any(is_unknown(props.get(key)) for key in ("project_key", "view_key")):
        return set()
    items: set[MemberItem] = set()
    for name in managed_types(props):
        listed = props.get(name)
        if is_unknown(listed) or (isinstance(listed, list) and any(map(is_unknown, listed))):
            continue
        members = set(members_of(name, listed))
        if filter_of(props, name) is not None:
            members |= wanted_matches(props, name)
        items.update(member_item(props, name, member) for member in members)
    return items


def declared_elsewhere_in(
    props: Mapping[str, Any], is_declared: Callable[[MemberItem], bool]
) -> Callable[[str, Member], bool]:
    """The planner's question "does another resource of this program declare this member?",
    answered from the record for the view `props` name."""
    return lambda input_name, member: is_declared(member_item(props, input_name, member))
