"""The Pulumi engine's steps for one `ViewMembership`, simulated in-process, and the emulator.

`Engine` calls `ViewMembershipProvider` the way `pulumi up`, `pulumi refresh` and
`pulumi destroy` do (check, diff, create/update, create-then-delete on a replace, read, delete),
with every argument and result passed through the same gRPC (de)serialisation the dynamic
provider host uses, so `None` values vanish and numbers come back as floats, as in a real run.
Each provider call is recorded with the view membership and the request count around it.

`World` is everything outside the provider: the emulator's view membership (read through the
uncounted admin API), its request counter, fault injection, and "someone else" changing views
and flags through the public API.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

import httpx
from pulumi.dynamic import CheckResult, DiffResult
from pulumi.dynamic.dynamic import serialize_provider
from pulumi.runtime import rpc

from pulumi_launchdarkly_links.emulator import (
    DEMO_PRODUCTION_ENV_ID,
    DEMO_TEST_ENV_ID,
    EmulatorServer,
    EmulatorSettings,
)
from pulumi_launchdarkly_links.emulator.middleware import ApiMiddleware
from pulumi_launchdarkly_links.providers import deployment_declarations
from pulumi_launchdarkly_links.providers.view_membership import ViewMembershipProvider

# The emulator's "demo" seed, as far as these tests use it.
PROJECT = "default"
VIEWS = ("checkout", "platform")
ENVIRONMENT_IDS = {"production": DEMO_PRODUCTION_ENV_ID, "test": DEMO_TEST_ENV_ID}
# Few members, so that random steps keep meeting the same ones.
FLAGS = ("new-checkout", "pay-later", "dark-mode")
MISSING_FLAG = "ghost-flag"
SEGMENTS = (("production", "beta-users"), ("test", "beta-users"))  # one key, two environments
MISSING_SEGMENT = ("production", "ghost-segment")
MEMBER_TYPES = ("flags", "segments")

Member = str | tuple[str, str]  # a flag key, or (environment _id, segment key)
ViewMembers = dict[str, frozenset[Member]]  # member type -> linked members
Membership = dict[str, ViewMembers]  # view key -> its members

T = TypeVar("T")


# -- the program ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SegmentDecl:
    """A declared segment, written with `environment_key` or (by_id) with `environment_id`."""

    environment_key: str
    segment_key: str
    by_id: bool = False

    def __repr__(self) -> str:
        by_id = ", by_id=True" if self.by_id else ""
        return f"SegmentDecl({self.environment_key!r}, {self.segment_key!r}{by_id})"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))  # Hypothesis prints failing steps with this: keep them short

    @property
    def member(self) -> Member:
        return (ENVIRONMENT_IDS[self.environment_key], self.segment_key)

    def as_input(self) -> dict[str, str]:
        if self.by_id:
            return {
                "environment_id": ENVIRONMENT_IDS[self.environment_key],
                "segment_key": self.segment_key,
            }
        return {"environment_key": self.environment_key, "segment_key": self.segment_key}


Target = str | SegmentDecl  # a flag (its key) or a segment, as someone else names it


def member_type_of(target: Target) -> str:
    return "segments" if isinstance(target, SegmentDecl) else "flags"


def member_of(target: Target) -> Member:
    return target.member if isinstance(target, SegmentDecl) else target


@dataclass(frozen=True)
class Program:
    """What the Pulumi program declares: one ViewMembership. None: the type is not managed."""

    view: str = "checkout"
    flags: tuple[str, ...] | None = ()
    segments: tuple[SegmentDecl, ...] | None = None
    exclusive: bool = False
    adopt: bool = False

    def inputs(self) -> dict[str, Any]:
        """The resource's props as the Python SDK sends them (None values are dropped later)."""
        return {
            "project_key": PROJECT,
            "view_key": self.view,
            "flags": None if self.flags is None else list(self.flags),
            "segments": None
            if self.segments is None
            else [segment.as_input() for segment in self.segments],
            "exclusive": self.exclusive,
            "adopt": self.adopt,
        }

    def declared(self) -> ViewMembers:
        """Declared members per managed type."""
        declared: ViewMembers = {}
        if self.flags is not None:
            declared["flags"] = frozenset(self.flags)
        if self.segments is not None:
            declared["segments"] = frozenset(segment.member for segment in self.segments)
        return declared

    def with_flag(self, key: str) -> Program:
        flags = self.flags or ()
        return self if key in flags else replace(self, flags=(*flags, key))

    def without_flag(self, key: str) -> Program:
        if self.flags is None:
            return self
        return replace(self, flags=tuple(flag for flag in self.flags if flag != key))

    def with_segment(self, segment: SegmentDecl) -> Program:
        segments = self.segments or ()
        if any(s.member == segment.member for s in segments):
            return self
        return replace(self, segments=(*segments, segment))

    def without_segment(self, member: Member) -> Program:
        if self.segments is None:
            return self
        return replace(self, segments=tuple(s for s in self.segments if s.member != member))


# -- the emulator --------------------------------------------------------------------------------


class World:
    """The emulator as the tests see it: membership, request counts, faults, other people.

    Membership and the request counter are read from the in-process emulator's store and stats
    (what GET /_emulator/state and /_emulator/stats answer), without HTTP: they are read around
    every provider call, and shrinking replays thousands of steps. The admin API gets one
    long-lived client: `EmulatorAdmin` opens one (and loads the CA bundle) per call.
    """

    def __init__(self, emulator: EmulatorServer) -> None:
        self.emulator = emulator
        self.admin_api = httpx.Client(base_url=f"{emulator.url}/_emulator", timeout=30)
        self.api = httpx.Client(
            base_url=emulator.url,
            headers={"Authorization": emulator.token, "LD-API-Version": "beta"},
            timeout=30,
        )
        self._can_delete: dict[str, bool] = {}

    def _admin(self, method: str, path: str, body: Any = None) -> Any:
        response = self.admin_api.request(method, path, json=body)
        return response.raise_for_status().json()

    def set_knobs(self, **knobs: Any) -> None:
        self._admin("PATCH", "/knobs", knobs)

    def reset(self) -> None:
        """The "demo" seed, no faults, no limits, stats at zero."""
        self._admin("POST", "/reset", {"seed": "demo"})
        self.set_knobs(**EmulatorSettings().knobs())

    def membership(self) -> Membership:
        """Every view's linked flags and segments (segment links are "environment_id/key")."""
        membership: Membership = {}
        with self.emulator.store.read() as state:
            for view_key, view in state["projects"][PROJECT]["views"].items():
                links = view["links"]
                segments = (link.split("/", 1) for link in links.get("segments", {}))
                membership[view_key] = {
                    "flags": frozenset(links.get("flags", {})),
                    "segments": frozenset((env_id, key) for env_id, key in segments),
                }
        return membership

    def requests(self) -> int:
        """API requests the emulator has answered since the last reset (admin calls excluded)."""
        return int(self.emulator.runtime.stats.snapshot()["total"])

    @contextmanager
    def faults(self, fault_seed: int | None, rate: float = 0.2) -> Iterator[None]:
        """Inject faults into every API request of the block (nothing when fault_seed is None)."""
        if fault_seed is None:
            yield
            return
        self.set_knobs(fault_rate=rate, fault_seed=fault_seed)
        try:
            yield
        finally:
            self.set_knobs(fault_rate=0, fault_seed=None)

    @contextmanager
    def answer_lost(self, method: str, path_part: str) -> Iterator[None]:
        """Within the block, the first `method` request whose path contains `path_part` is
        carried out and its answer lost (a 503 instead): a deterministic lost answer, where
        seeded faults land wherever the request count puts them."""
        handle, pick_fault = ApiMiddleware._handle, ApiMiddleware._pick_fault
        armed = {"matched": False, "lose": False}

        async def matching_handle(middleware: Any, scope: Any, *rest: Any) -> None:
            if not armed["matched"] and scope["method"] == method and path_part in scope["path"]:
                armed["matched"] = armed["lose"] = True
            await handle(middleware, scope, *rest)

        def pick_lost_answer(middleware: Any) -> tuple[str | None, str]:
            if armed["lose"]:
                armed["lose"] = False
                return "503", "after"
            return pick_fault(middleware)

        ApiMiddleware._handle = matching_handle  # type: ignore[method-assign,assignment]
        ApiMiddleware._pick_fault = pick_lost_answer  # type: ignore[method-assign,assignment]
        try:
            yield
        finally:
            ApiMiddleware._handle = handle  # type: ignore[method-assign]
            ApiMiddleware._pick_fault = pick_fault  # type: ignore[method-assign]
        assert armed["matched"], f"no {method} request to a path with {path_part!r} was made"

    # Someone else, through LaunchDarkly's public API.

    def link(self, view: str, member_type: str, members: list[Member], *, link: bool) -> None:
        if member_type == "segments":
            body: dict[str, Any] = {
                "segmentIdentifiers": [
                    {"environmentId": member[0], "segmentKey": member[1]}
                    for member in members
                    if isinstance(member, tuple)
                ]
            }
        else:
            body = {"keys": list(members)}
        response = self.api.request(
            "POST" if link else "DELETE",
            f"/api/v2/projects/{PROJECT}/views/{view}/link/{member_type}",
            json=body,
        )
        response.raise_for_status()

    def delete_flag(self, key: str) -> bool:
        """Delete a flag; False if the emulator cannot delete flags (405)."""
        return self._delete(f"/api/v2/flags/{PROJECT}/{key}")

    def create_flag(self, key: str) -> None:
        self.api.post(f"/api/v2/flags/{PROJECT}", json={"key": key, "name": key}).raise_for_status()

    def delete_segment(self, segment: SegmentDecl) -> bool:
        """Delete a segment; False if the emulator cannot delete segments (405)."""
        return self._delete(
            f"/api/v2/segments/{PROJECT}/{segment.environment_key}/{segment.segment_key}"
        )

    def create_segment(self, segment: SegmentDecl) -> None:
        self.api.post(
            f"/api/v2/segments/{PROJECT}/{segment.environment_key}",
            json={"key": segment.segment_key, "name": segment.segment_key},
        ).raise_for_status()

    def _delete(self, path: str) -> bool:
        response = self.api.delete(path)
        if response.status_code == 405:
            return False
        response.raise_for_status()
        return True

    def can_delete(self, member_type: str) -> bool:
        """Whether the emulator deletes flags / segments (tried once, on a throwaway one)."""
        if member_type not in self._can_delete:
            if member_type == "flags":
                self.create_flag("model-probe")
                self._can_delete[member_type] = self.delete_flag("model-probe")
            else:
                probe = SegmentDecl("production", "model-probe")
                self.create_segment(probe)
                self._can_delete[member_type] = self.delete_segment(probe)
            self.reset()
        return self._can_delete[member_type]


# -- the engine ----------------------------------------------------------------------------------


def wire(props: Mapping[str, Any]) -> dict[str, Any]:
    """Props after a trip through the provider host's gRPC Struct, as the provider receives them."""
    loop = asyncio.new_event_loop()
    try:
        struct = loop.run_until_complete(rpc.serialize_properties(dict(props), {}))
    finally:
        loop.close()
    return dict(rpc.deserialize_properties(struct))


@functools.cache
def provider_blob() -> str:
    """`__provider`, serialized once: every serialize_provider call leaves one more wrapper on
    pickle's `_batch_setitems` (see `_pickler_guard`), and after ~1000 examples that recursed."""
    return serialize_provider(ViewMembershipProvider())


@dataclass
class ResourceState:
    """One resource in the Pulumi state: its ID, outputs and (checked) inputs."""

    id: str
    outputs: dict[str, Any]
    inputs: dict[str, Any]

    @property
    def view(self) -> str:
        return str(self.outputs["view_key"])


@dataclass
class Call:
    """One provider method call, with the view membership before and after it."""

    method: str
    before: Membership
    after: Membership
    error: BaseException | None = None


@dataclass
class Step:
    """What one `pulumi up` / `refresh` / `destroy` did, and the API requests it made."""

    outcome: str
    before: Membership
    after: Membership
    requests: int
    calls: list[Call] = field(default_factory=list)
    error: BaseException | str | None = None

    def call(self, method: str) -> Call | None:
        """The last call of `method` in this step."""
        return next((call for call in reversed(self.calls) if call.method == method), None)


# Step outcomes.
CHECK_FAILED = "check-failed"
DIFF_FAILED = "diff-failed"
CREATED = "created"
CREATE_FAILED = "create-failed"
UNCHANGED = "unchanged"
UPDATED = "updated"
UPDATE_FAILED = "update-failed"
REPLACED = "replaced"
REPLACE_DELETE_FAILED = "replace-delete-failed"
PENDING_DELETE_FAILED = "pending-delete-failed"
REFRESHED = "refreshed"
READ_FAILED = "read-failed"
GONE = "gone"
DELETED = "deleted"
DELETE_FAILED = "delete-failed"
NOTHING = "nothing"
SUCCEEDED = frozenset({CREATED, UNCHANGED, UPDATED, REPLACED, REFRESHED, GONE, DELETED, NOTHING})


class StepFailed(Exception):
    def __init__(self, outcome: str, error: BaseException | str) -> None:
        super().__init__(f"{outcome}: {error}")
        self.outcome = outcome
        self.error = error


class Engine:
    """The Pulumi engine for a stack holding (at most) one ViewMembership."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.provider = ViewMembershipProvider()
        self.provider_blob = provider_blob()
        self.state: ResourceState | None = None
        # The old resource of a replace whose delete failed: deleted by the next up or destroy.
        self.pending_delete: ResourceState | None = None
        self._calls: list[Call] = []
        self._membership: Membership = {}  # as the last provider call left it

    def _call(self, method: str, function: Callable[[], T]) -> T:
        before = self._membership
        error: BaseException | None = None
        try:
            return function()
        except Exception as raised:
            error = raised
            raise
        finally:
            self._membership = self.world.membership()
            self._calls.append(Call(method, before, self._membership, error))

    def _with_provider(self, props: Mapping[str, Any]) -> dict[str, Any]:
        return wire({**props, "__provider": self.provider_blob})

    def _check(self, olds: Mapping[str, Any], news: Mapping[str, Any]) -> dict[str, Any]:
        try:
            result: CheckResult = self._call(
                "check", lambda: self.provider.check(wire(olds), wire(news))
            )
        except Exception as error:
            raise StepFailed(CHECK_FAILED, error) from error
        if result.failures:
            reasons = "; ".join(f"{f.property}: {f.reason}" for f in result.failures)
            raise StepFailed(CHECK_FAILED, reasons)
        return self._with_provider(result.inputs)

    def _create(self, inputs: dict[str, Any]) -> ResourceState:
        try:
            result = self._call("create", lambda: self.provider.create(wire(inputs)))
        except Exception as error:
            raise StepFailed(CREATE_FAILED, error) from error
        return ResourceState(str(result.id), self._with_provider(result.outs or {}), inputs)

    def _delete(self, resource: ResourceState, failed: str) -> None:
        try:
            self._call("delete", lambda: self.provider.delete(resource.id, wire(resource.outputs)))
        except Exception as error:
            raise StepFailed(failed, error) from error

    def _run(self, operation: Callable[[], str]) -> Step:
        deployment_declarations.start_new_deployment()  # each deployment is a new process
        self._calls = []
        before, requests = self.world.membership(), self.world.requests()
        self._membership = before
        error: BaseException | str | None = None
        try:
            outcome = operation()
        except StepFailed as failure:
            outcome, error = failure.outcome, failure.error
        requests = self.world.requests() - requests
        return Step(outcome, before, self._membership, requests, self._calls, error)

    def up(self, program_inputs: Mapping[str, Any]) -> Step:
        news = self._with_provider(program_inputs)
        return self._run(lambda: self._up(news))

    def _up(self, news: dict[str, Any]) -> str:
        if self.state is None:
            self.state = self._create(self._check({}, news))
            outcome = CREATED
        else:
            outcome = self._up_existing(self.state, news)
        if self.pending_delete is not None:
            self._delete(self.pending_delete, PENDING_DELETE_FAILED)
            self.pending_delete = None
        return outcome

    def _up_existing(self, state: ResourceState, news: dict[str, Any]) -> str:
        inputs = self._check(state.inputs, news)
        try:
            diff: DiffResult = self._call(
                "diff", lambda: self.provider.diff(state.id, wire(state.outputs), wire(inputs))
            )
        except Exception as error:
            raise StepFailed(DIFF_FAILED, error) from error
        changes = diff.changes if diff.changes is not None else wire(state.inputs) != inputs
        if not changes:
            state.inputs = inputs  # a "same" step records the new inputs
            return UNCHANGED
        if diff.replaces:
            # The engine checks again without olds, creates the replacement, then deletes
            # the old resource (delete_before_replace is False).
            replacement = self._create(self._check({}, news))
            self.state = replacement
            self.pending_delete = state
            self._delete(state, REPLACE_DELETE_FAILED)
            self.pending_delete = None
            return REPLACED
        try:
            result = self._call(
                "update",
                lambda: self.provider.update(state.id, wire(state.outputs), wire(inputs)),
            )
        except Exception as error:
            raise StepFailed(UPDATE_FAILED, error) from error
        state.outputs = self._with_provider(result.outs or {})
        state.inputs = inputs
        return UPDATED

    def refresh(self) -> Step:
        return self._run(self._refresh)

    def _refresh(self) -> str:
        state = self.state
        if state is None:
            return NOTHING
        try:
            result = self._call("read", lambda: self.provider.read(state.id, wire(state.outputs)))
        except Exception as error:
            raise StepFailed(READ_FAILED, error) from error
        if not result.id:
            self.state = None
            return GONE
        inputs = state.inputs if result.inputs is None else self._with_provider(result.inputs)
        self.state = ResourceState(str(result.id), self._with_provider(result.outs or {}), inputs)
        return REFRESHED

    def destroy(self) -> Step:
        return self._run(self._destroy)

    def _destroy(self) -> str:
        if self.pending_delete is not None:
            self._delete(self.pending_delete, PENDING_DELETE_FAILED)
            self.pending_delete = None
        if self.state is None:
            return NOTHING
        self._delete(self.state, DELETE_FAILED)
        self.state = None
        return DELETED
