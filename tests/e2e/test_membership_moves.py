"""Renames and moves inside one `pulumi up` keep the members linked (issue 16, item 1).

A rename without `aliases` is a create of the new resource and, at the end of the run, a delete
of the old one; a member moved from one ViewMembership to another is two updates the engine may
run in either order. Neither may unlink what another resource of the same program declares.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pulumi

from pulumi_launchdarkly_links import ViewMembership

from .harness import Stack, linked

PROJECT = "default"
VIEW = "checkout"


def renamed(name: str, *, alias_of: str | None = None) -> Callable[[], None]:
    def program() -> None:
        aliases = [pulumi.Alias(name=alias_of)] if alias_of else None
        ViewMembership(
            name,
            project_key=PROJECT,
            view_key=VIEW,
            flags=["new-checkout", "pay-later"],
            opts=pulumi.ResourceOptions(aliases=aliases),
        )

    return program


def test_a_rename_without_aliases_keeps_the_members_linked(
    new_stack: Callable[..., Stack],
) -> None:
    stack = new_stack().program(renamed("old-name"))
    stack.up()

    stack.program(renamed("new-name"))
    stack.up()
    assert linked(stack.emulator, PROJECT, VIEW, "flags") == {"new-checkout", "pay-later"}
    assert any(
        "kept 2 flag(s) linked that another resource of this program declares: "
        "'new-checkout', 'pay-later'" in line
        for line in stack.output
    ), "\n".join(stack.output)
    assert stack.preview().change_summary == {"same": 2}

    stack.destroy()  # the new resource owns the members now
    assert linked(stack.emulator, PROJECT, VIEW, "flags") == set()


def test_a_rename_with_aliases_shows_no_change(new_stack: Callable[..., Stack]) -> None:
    stack = new_stack().program(renamed("old-name"))
    stack.up()

    stack.program(renamed("new-name", alias_of="old-name"))
    assert stack.preview().change_summary == {"same": 2}
    stack.admin.reset_stats()
    assert stack.up().summary.resource_changes == {"same": 2}
    assert stack.requests() == 0
    assert linked(stack.emulator, PROJECT, VIEW, "flags") == {"new-checkout", "pay-later"}


def two_memberships(
    giver_flags: list[str], receiver_flags: list[str], *, receiver_first: bool
) -> Callable[[], None]:
    """Two ViewMemberships of one view; `depends_on` fixes which update the engine runs first."""

    def program() -> None:
        if receiver_first:
            receiver = ViewMembership(
                "receiver", project_key=PROJECT, view_key=VIEW, flags=receiver_flags
            )
            ViewMembership(
                "giver",
                project_key=PROJECT,
                view_key=VIEW,
                flags=giver_flags,
                opts=pulumi.ResourceOptions(depends_on=[receiver]),
            )
        else:
            giver = ViewMembership("giver", project_key=PROJECT, view_key=VIEW, flags=giver_flags)
            ViewMembership(
                "receiver",
                project_key=PROJECT,
                view_key=VIEW,
                flags=receiver_flags,
                opts=pulumi.ResourceOptions(depends_on=[giver]),
            )

    return program


def test_a_member_moved_between_memberships_stays_linked_receiver_first(
    new_stack: Callable[..., Stack],
) -> None:
    stack = new_stack().program(
        two_memberships(["new-checkout", "pay-later"], ["dark-mode"], receiver_first=True)
    )
    stack.up()

    stack.program(
        two_memberships(["new-checkout"], ["dark-mode", "pay-later"], receiver_first=True)
    )
    stack.up()
    assert linked(stack.emulator, PROJECT, VIEW, "flags") == {
        "new-checkout",
        "pay-later",
        "dark-mode",
    }
    assert stack.preview().change_summary == {"same": 3}


def test_a_member_moved_between_memberships_stays_linked_giver_first(
    new_stack: Callable[..., Stack],
) -> None:
    stack = new_stack().program(
        two_memberships(["new-checkout", "pay-later"], ["dark-mode"], receiver_first=False)
    )
    stack.up()

    stack.program(
        two_memberships(["new-checkout"], ["dark-mode", "pay-later"], receiver_first=False)
    )
    stack.up()
    assert linked(stack.emulator, PROJECT, VIEW, "flags") == {
        "new-checkout",
        "pay-later",
        "dark-mode",
    }
    stack.destroy()
    assert linked(stack.emulator, PROJECT, VIEW, "flags") == set()


def test_a_renamed_filter_membership_owns_the_matches_with_adopt(
    new_stack: Callable[..., Stack],
) -> None:
    def filtered(name: str, adopt: bool) -> Callable[[], None]:
        def program() -> None:
            ViewMembership(
                name, project_key=PROJECT, view_key=VIEW, flag_filter="tags:web", adopt=adopt
            )

        return program

    stack = new_stack().program(filtered("old-name", adopt=False))
    stack.up()
    stack.program(filtered("new-name", adopt=True))  # the README's step for a filter
    stack.up()
    assert linked(stack.emulator, PROJECT, VIEW, "flags") == {"new-checkout", "dark-mode"}
    (resource,) = stack.resources("ViewMembership")
    assert resource["outputs"]["flag_filter_linked"] == ["dark-mode", "new-checkout"]
    stack.destroy()
    assert linked(stack.emulator, PROJECT, VIEW, "flags") == set()


def urn_of(stack: Stack, name: str) -> str:
    (urn,) = [r["urn"] for r in stack.resources("ViewMembership") if r["urn"].endswith(name)]
    return str(urn)


def test_a_move_split_by_target_converges_as_the_readme_says(
    new_stack: Callable[..., Stack],
) -> None:
    def before(receiver_first: bool) -> Callable[[], None]:
        return two_memberships(
            ["new-checkout", "pay-later"], ["dark-mode"], receiver_first=receiver_first
        )

    def after(receiver_first: bool) -> Callable[[], None]:
        return two_memberships(
            ["new-checkout"], ["dark-mode", "pay-later"], receiver_first=receiver_first
        )

    def flags() -> set[Any]:
        return linked(stack.emulator, PROJECT, VIEW, "flags")

    stack = new_stack().program(before(receiver_first=False))
    stack.up()
    giver, receiver = urn_of(stack, "::giver"), urn_of(stack, "::receiver")
    everything = {"new-checkout", "pay-later", "dark-mode"}

    # The giver alone first: it unlinks pay-later; the next full up links it for the receiver.
    stack.program(after(receiver_first=False)).up(target=[giver])
    assert flags() == everything - {"pay-later"}
    stack.up()
    assert flags() == everything

    # The receiver alone first, then a full up whose program checks the receiver before the
    # giver's update runs: the giver keeps pay-later linked.
    stack.program(before(receiver_first=True)).up()
    stack.program(after(receiver_first=True)).up(target=[receiver])
    stack.up()
    assert flags() == everything

    # The receiver alone first, then a full up that updates the giver before the receiver is
    # even registered (it depends on the giver): nothing checked yet declares pay-later, so the
    # giver unlinks it; the receiver's diff then sees that another resource of this up unlinked
    # a member it declares, and its update links it again. No refresh needed.
    stack.program(before(receiver_first=False)).up()
    stack.program(after(receiver_first=False)).up(target=[receiver])
    stack.up()
    assert flags() == everything
    assert set(stack.preview().change_summary) == {"same"}
