"""The Pulumi engine for a stack of several resources of every kind, simulated in-process.

`StackEngine` runs one stack's deployments the way the engine does, on the points that matter
for ownership of whole objects (issue 16):

- one provider process per deployment (each preview, up, refresh and destroy): the engine calls
  `deployment_declarations.start_new_deployment()` where a new process would start, and never
  interleaves two stacks' deployments inside one record;
- `check` runs for every resource the program registers before any step (create, update,
  replace) runs; a renamed resource (a new URN, no alias) is checked with no olds, like a new one;
- the steps run in an order the caller chooses (`order`, a `random.Random` Hypothesis draws):
  independent resources run in parallel in a real engine, so two updates that move a member
  or a link between resources may land either way round;
- deletes of resources the program no longer declares, and of the old halves of replacements
  (create-before-delete), come last; a failed step stops the deployment before them;
- an interrupted `up` loses one create's answer with the process: LaunchDarkly has the object,
  the state does not, and nothing after it runs.

Every provider call is recorded with a `Snapshot` of LaunchDarkly (view members, flag links,
views) around it, read from the in-process emulator's store without HTTP.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pulumi.dynamic import ResourceProvider
from pulumi.dynamic.dynamic import serialize_provider

from pulumi_launchdarkly_links.providers import deployment_declarations
from pulumi_launchdarkly_links.providers.flag_link import FlagLinkProvider
from pulumi_launchdarkly_links.providers.flag_links import FlagLinksProvider
from pulumi_launchdarkly_links.providers.view import ViewProvider
from pulumi_launchdarkly_links.providers.view_membership import ViewMembershipProvider

from .engine import PROJECT, World, wire

T = TypeVar("T")

VIEW_MEMBERSHIP = "ViewMembership"
FLAG_LINKS = "FlagLinks"
VIEW = "View"
FLAG_LINK = "FlagLink"
PROVIDER_CLASSES: dict[str, type[ResourceProvider]] = {
    VIEW_MEMBERSHIP: ViewMembershipProvider,
    FLAG_LINKS: FlagLinksProvider,
    VIEW: ViewProvider,
    FLAG_LINK: FlagLinkProvider,
}


@functools.cache
def provider_blob(kind: str) -> str:
    """`__provider` of a kind, serialized once (each serialization wraps pickle once more)."""
    return serialize_provider(PROVIDER_CLASSES[kind]())


# -- LaunchDarkly, as far as ownership goes ------------------------------------------------------


@dataclass(frozen=True)
class LiveLink:
    flag: str
    key: str | None
    deep_link: str
    title: str | None
    description: str | None
    integration_key: str | None


@dataclass(frozen=True)
class LiveView:
    name: str
    description: str
    tags: tuple[str, ...]


@dataclass(frozen=True)
class Snapshot:
    """View members (flags; segments as "environment_id/key"), flag links by `_id`, views."""

    members: Mapping[str, frozenset[str]]
    links: Mapping[str, LiveLink]
    views: Mapping[str, LiveView]
    flag_tags: Mapping[str, frozenset[str]]

    def link_by_key(self, flag: str, key: str) -> tuple[str, LiveLink] | None:
        for link_id, link in self.links.items():
            if link.flag == flag and link.key == key:
                return link_id, link
        return None


def snapshot(world: World) -> Snapshot:
    with world.emulator.store.read() as state:
        project = state["projects"][PROJECT]
        members: dict[str, frozenset[str]] = {}
        views: dict[str, LiveView] = {}
        for view_key, view in project["views"].items():
            links = view["links"]
            members[view_key] = frozenset(links.get("flags", {})) | frozenset(
                f"segment:{link}" for link in links.get("segments", {})
            )
            views[view_key] = LiveView(
                str(view.get("name")), str(view.get("description") or ""), tuple(view["tags"])
            )
        live_links: dict[str, LiveLink] = {}
        for flag_key, flag_links in project.get("flagLinks", {}).items():
            for link in flag_links:
                live_links[str(link["_id"])] = LiveLink(
                    flag_key,
                    link.get("key"),
                    str(link["deepLink"]),
                    link.get("title"),
                    link.get("description"),
                    link.get("integrationKey"),
                )
        tags = {key: frozenset(flag.get("tags", [])) for key, flag in project["flags"].items()}
    return Snapshot(members, live_links, views, tags)


# -- the engine ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Declaration:
    """One resource of the program: its kind and its props as the Python SDK sends them."""

    kind: str
    inputs: Mapping[str, Any]


Program = Mapping[str, Declaration]  # resource name (its URN) -> declaration, registration order


@dataclass
class Resource:
    """One resource in the stack's state."""

    kind: str
    id: str
    inputs: dict[str, Any]
    outputs: dict[str, Any]


@dataclass
class Call:
    """One provider call, with LaunchDarkly before and after it."""

    resource: str
    kind: str
    method: str
    before: Snapshot
    after: Snapshot
    recorded: dict[str, Any] | None  # the resource's state outputs before the call
    error: BaseException | None = None


# Deployment outcomes.
SUCCEEDED = "succeeded"
FAILED = "failed"
INTERRUPTED = "interrupted"

# Step kinds, as a preview names them.
CREATE = "create"
UPDATE = "update"
REPLACE = "replace"
DELETE = "delete"
SAME = "same"


@dataclass
class Deployment:
    """What one preview / up / refresh / destroy did."""

    operation: str
    outcome: str = SUCCEEDED
    steps: dict[str, str] = field(default_factory=dict)  # resource -> CREATE/UPDATE/...
    calls: list[Call] = field(default_factory=list)
    error: BaseException | str | None = None
    requests: int = 0

    @property
    def succeeded(self) -> bool:
        return self.outcome == SUCCEEDED

    @property
    def changes(self) -> dict[str, str]:
        return {name: step for name, step in self.steps.items() if step != SAME}

    def failed_call(self) -> Call | None:
        return next((call for call in self.calls if call.error is not None), None)

    def describe(self) -> str:
        failed = self.failed_call()
        where = f" in {failed.method} of {failed.resource}" if failed else ""
        return f"{self.operation} {self.outcome}{where}" + (f": {self.error}" if self.error else "")


class _Stop(Exception):
    """A step failed (or the process died): the deployment stops here."""

    def __init__(self, outcome: str, error: BaseException | str | None) -> None:
        super().__init__(str(error))
        self.outcome = outcome
        self.error = error


class StackEngine:
    """The engine and state of one stack; each deployment is a new provider process."""

    def __init__(self, world: World, name: str) -> None:
        self.world = world
        self.name = name
        self.providers = {kind: cls() for kind, cls in PROVIDER_CLASSES.items()}
        self.state: dict[str, Resource] = {}
        # Old halves of replacements whose delete has not happened yet (the next up or destroy).
        self.pending_deletes: list[tuple[str, Resource]] = []
        self._deployment = Deployment("none")
        self._live = snapshot(world)

    # -- calls ---------------------------------------------------------------------------------

    def _props(self, kind: str, props: Mapping[str, Any]) -> dict[str, Any]:
        return wire({**props, "__provider": provider_blob(kind)})

    def _call(
        self,
        resource: str,
        kind: str,
        method: str,
        function: Callable[[], T],
        recorded: Mapping[str, Any] | None = None,
    ) -> T:
        before = self._live
        error: BaseException | None = None
        try:
            return function()
        except Exception as raised:
            error = raised
            raise _Stop(FAILED, raised) from raised
        finally:
            self._live = snapshot(self.world)
            self._deployment.calls.append(
                Call(
                    resource,
                    kind,
                    method,
                    before,
                    self._live,
                    None if recorded is None else dict(recorded),
                    error,
                )
            )

    def _run(self, operation: str, body: Callable[[], None]) -> Deployment:
        deployment_declarations.start_new_deployment()  # a new provider process
        self._deployment = Deployment(operation)
        self._live = snapshot(self.world)
        requests = self.world.requests()
        try:
            body()
        except _Stop as stop:
            self._deployment.outcome = stop.outcome
            self._deployment.error = stop.error
        self._deployment.requests = self.world.requests() - requests
        return self._deployment

    def _check(
        self, name: str, declaration: Declaration, olds: Mapping[str, Any]
    ) -> dict[str, Any]:
        provider = self.providers[declaration.kind]
        news = self._props(declaration.kind, declaration.inputs)
        result = self._call(
            name, declaration.kind, "check", lambda: provider.check(wire(olds), wire(news))
        )
        if result.failures:
            reasons = "; ".join(f"{f.property}: {f.reason}" for f in result.failures)
            self._deployment.calls[-1].error = ValueError(reasons)
            raise _Stop(FAILED, reasons)
        return self._props(declaration.kind, result.inputs)

    def _create(self, name: str, kind: str, inputs: dict[str, Any]) -> Resource:
        provider = self.providers[kind]
        result = self._call(name, kind, "create", lambda: provider.create(wire(inputs)))
        return Resource(kind, str(result.id), inputs, self._props(kind, result.outs or {}))

    def _delete(self, name: str, resource: Resource) -> None:
        provider = self.providers[resource.kind]
        self._call(
            name,
            resource.kind,
            "delete",
            lambda: provider.delete(resource.id, wire(resource.outputs)),
            resource.outputs,
        )

    # -- preview and up ------------------------------------------------------------------------

    def _plan(
        self, program: Program, deletable: Collection[str] | None = None
    ) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
        """Check every resource, then diff the existing ones: (checked inputs, diff results).
        `deletable`: the resources of the state a delete may remove (all by default)."""
        checked: dict[str, dict[str, Any]] = {}
        for name, declaration in program.items():
            old = self.state.get(name)
            olds = old.inputs if old is not None and old.kind == declaration.kind else {}
            checked[name] = self._check(name, declaration, olds)
        diffs: dict[str, Any] = {}
        for name, declaration in program.items():
            old = self.state.get(name)
            if old is None or old.kind != declaration.kind:
                self._deployment.steps[name] = CREATE
                continue
            provider = self.providers[declaration.kind]
            inputs = checked[name]
            diff = self._call(
                name,
                declaration.kind,
                "diff",
                lambda p=provider, o=old, i=inputs: p.diff(o.id, wire(o.outputs), wire(i)),  # type: ignore[misc]
                old.outputs,
            )
            diffs[name] = diff
            changed = diff.changes if diff.changes is not None else wire(old.inputs) != inputs
            if not changed:
                self._deployment.steps[name] = SAME
            else:
                self._deployment.steps[name] = REPLACE if diff.replaces else UPDATE
        for name in self.state:
            if name not in program and (deletable is None or name in deletable):
                self._deployment.steps[name] = DELETE
        return checked, diffs

    def preview(self, program: Program) -> Deployment:
        def plan_only() -> None:
            self._plan(program)

        return self._run("preview", plan_only)

    def up(
        self,
        program: Program,
        order: random.Random | None = None,
        interrupt: int | None = None,
        targets: Collection[str] | None = None,
    ) -> Deployment:
        """`pulumi up`. `interrupt`: the process dies right after the n-th create (modulo the
        number of creates) has made its object, before its answer reaches the state.
        `targets`: `pulumi up --target` of these resources: only they are checked, created,
        updated or deleted; the others keep their state as it is."""
        if targets is not None:
            program = {name: decl for name, decl in program.items() if name in targets}
        return self._run(
            "up", lambda: self._up(program, order or random.Random(0), interrupt, targets)
        )

    def _up(
        self,
        program: Program,
        order: random.Random,
        interrupt: int | None,
        targets: Collection[str] | None,
    ) -> None:
        checked, diffs = self._plan(program, targets)
        steps = [name for name in program if self._deployment.steps[name] != SAME]
        for name in program:
            if self._deployment.steps[name] == SAME:
                self.state[name].inputs = checked[name]  # a "same" step records the new inputs
        order.shuffle(steps)
        creates = [name for name in steps if self._deployment.steps[name] in (CREATE, REPLACE)]
        interrupted = (
            None if interrupt is None or not creates else creates[interrupt % len(creates)]
        )
        for name in steps:
            declaration = program[name]
            step = self._deployment.steps[name]
            if step == UPDATE:
                self._update(name, declaration.kind, checked[name])
                continue
            if step == REPLACE and diffs[name].delete_before_replace:
                self._delete(name, self.state[name])
                del self.state[name]
            inputs = checked[name]
            if step == REPLACE:  # the engine checks the replacement again, without olds
                inputs = self._check(name, declaration, {})
            if name == interrupted:
                self._create(name, declaration.kind, inputs)  # its answer dies with the process
                raise _Stop(INTERRUPTED, f"interrupted after creating {name}")
            created = self._create(name, declaration.kind, inputs)
            old = self.state.get(name)
            if old is not None:
                self.pending_deletes.append((name, old))
            self.state[name] = created
        removed = [
            (name, self.state[name])
            for name in self.state
            if self._deployment.steps.get(name) == DELETE
        ]
        pending = [
            (name, old) for name, old in self.pending_deletes if targets is None or name in targets
        ]
        deletes = [*removed, *pending]
        order.shuffle(deletes)
        for name, resource in deletes:
            self._delete(name, resource)
            if self.state.get(name) is resource:
                del self.state[name]
            self.pending_deletes = [
                pair for pair in self.pending_deletes if pair[1] is not resource
            ]

    def _update(self, name: str, kind: str, inputs: dict[str, Any]) -> None:
        old = self.state[name]
        provider = self.providers[kind]
        result = self._call(
            name,
            kind,
            "update",
            lambda: provider.update(old.id, wire(old.outputs), wire(inputs)),
            old.outputs,
        )
        old.outputs = self._props(kind, result.outs or {})
        old.inputs = inputs

    # -- refresh and destroy -------------------------------------------------------------------

    def refresh(self) -> Deployment:
        return self._run("refresh", self._refresh)

    def _refresh(self) -> None:
        for name, resource in list(self.state.items()):
            provider = self.providers[resource.kind]
            result = self._call(
                name,
                resource.kind,
                "read",
                lambda p=provider, r=resource: p.read(r.id, wire(r.outputs)),  # type: ignore[misc]
                resource.outputs,
            )
            if not result.id:
                del self.state[name]
                continue
            inputs = (
                resource.inputs
                if result.inputs is None
                else self._props(resource.kind, result.inputs)
            )
            self.state[name] = Resource(
                resource.kind, str(result.id), inputs, self._props(resource.kind, result.outs or {})
            )

    def destroy(self, order: random.Random | None = None) -> Deployment:
        return self._run("destroy", lambda: self._destroy(order or random.Random(0)))

    def _destroy(self, order: random.Random) -> None:
        for name, resource in list(self.pending_deletes):
            self._delete(name, resource)
            self.pending_deletes.remove((name, resource))
        names = list(self.state)
        order.shuffle(names)
        for name in names:
            self._delete(name, self.state[name])
            del self.state[name]
