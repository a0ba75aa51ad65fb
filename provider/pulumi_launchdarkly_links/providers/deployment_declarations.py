"""What the resources of one deployment declare and own, as the engine's `check` calls show it.

The engine runs one provider process per deployment (one preview, one update, one destroy) and
calls `check(olds, news)` for every resource the program registers, before it creates, updates
or deletes it. A dynamic provider is never told a resource's URN, so no call can ask "is this
member or link also another resource's?" of the state. This record answers the two questions
that moves and renames inside one program need, from what the checks of this process saw:

- `declared_elsewhere(item)`: some resource of this program declares `item` (its `news`).
  A delete of a resource that left the program (a rename without `aliases`, or a member moved to
  another resource) never runs `check`, and an update drops only what its own `news` no longer
  declare; so if `item` was declared by a check, it was declared by *another* resource, and
  unlinking or deleting it would undo that resource's work.
- `owned_in_state_elsewhere(item)`: some resource of this program has `item` in its state
  (`olds`): a link that is moving from one resource to another in this `up`, which the receiver
  may take over without `adopt=True` because it is this stack's own.

A third record closes the gap that order leaves: `unlinked_here(item)`, some resource of this
deployment unlinked `item`. A resource registered after another's update (it depends on it)
may hold `item` in its state from an earlier `--target` run; its diff sees nothing changed, so
without this the member would stay unlinked while its state says linked. With it, that diff
reports a change and the update, which reads LaunchDarkly first, links the member again.

Items are plain tuples named by their kind, e.g. `("flag-link", project, flag, key)` or
`("member", project, view, resource_type, member)`. What the record cannot know: a resource the
engine has not checked yet (the program has not registered it, or `--target` left it out). The
callers treat "not known" as "not this program's", which is the safe answer: a delete goes
ahead (the receiver links or posts the member again, so nothing is lost) and a take-over is
refused with the message that names `aliases` and `adopt`.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Hashable, Iterable

DeclaredItem = Hashable


class DeploymentDeclarations:
    """Counts, per item, the checks of this process that declared it or had it in their state."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._declared: Counter[DeclaredItem] = Counter()
        self._owned_in_state: Counter[DeclaredItem] = Counter()
        self._unlinked: set[DeclaredItem] = set()
        self._replacing: set[DeclaredItem] = set()

    def record_check(
        self, *, declared: Iterable[DeclaredItem], owned_in_state: Iterable[DeclaredItem] = ()
    ) -> None:
        """One resource's check: what its `news` declare and what its `olds` (state) own."""
        declared_items = set(declared)
        owned_items = set(owned_in_state)
        with self._lock:
            self._declared.update(declared_items)
            self._owned_in_state.update(owned_items)

    def record_unlinked(self, items: Iterable[DeclaredItem]) -> None:
        """What one resource's update or delete unlinked (or deleted) in LaunchDarkly."""
        with self._lock:
            self._unlinked.update(items)

    def unlinked_here(self, item: DeclaredItem) -> bool:
        with self._lock:
            return item in self._unlinked

    def declared_elsewhere(self, item: DeclaredItem) -> bool:
        with self._lock:
            return self._declared[item] > 0

    def owned_in_state_elsewhere(self, item: DeclaredItem) -> bool:
        with self._lock:
            return self._owned_in_state[item] > 0

    def record_replacing(self, item: DeclaredItem) -> None:
        """A diff decided to replace the object `item` names by a new one of the same name
        (a FlagLink whose `deep_link` changed: delete, then create with the same key)."""
        with self._lock:
            self._replacing.add(item)

    def taken_over_elsewhere(self, item: DeclaredItem) -> bool:
        """For a delete: some check declared `item`, and no diff of this deployment is
        replacing it.

        A resource that left the program is never checked, so the declaring resource is
        another one, which took the object over (with `adopt=True`, in this run or in an
        earlier `--target` run): the delete leaves it. A replace that keeps the object's name
        declares it too, but its diff said so first (`record_replacing`): that delete goes
        ahead, before the create.
        """
        with self._lock:
            return self._declared[item] > 0 and item not in self._replacing


_current = DeploymentDeclarations()
_current_lock = threading.Lock()


def current_deployment() -> DeploymentDeclarations:
    """The record of this provider process: one process serves one deployment."""
    with _current_lock:
        return _current


def start_new_deployment() -> DeploymentDeclarations:
    """Forget every check seen so far. Tests that drive several deployments in one process
    (the model-based tests, the unit tests) call it where the engine would start a process."""
    global _current
    with _current_lock:
        _current = DeploymentDeclarations()
        return _current
