"""A Hypothesis state machine for `FlagLinks` (issue 12): random programs, ups with faults,
refreshes, destroys and other people's edits, against the in-process emulator over real HTTP.

The provider is called as the Pulumi engine calls it (check, diff, create or update, read,
delete; a failed step keeps the state it had), and after every step the machine checks the
promises that hold whatever happened:

- links that are not the program's (other keys, made by someone else or seeded) are never
  changed or deleted by any provider call, faults or not;
- after a fault-free refresh and `up`, LaunchDarkly holds exactly the declared links with the
  declared URL and title, and the state records each by the `_id` LaunchDarkly gave it;
- after a fault-free destroy of a converged stack, none of the program's links is left.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    precondition,
    rule,
    run_state_machine_as_test,
)
from pulumi.dynamic.dynamic import serialize_provider

from pulumi_launchdarkly_links.providers import deployment_declarations
from pulumi_launchdarkly_links.providers.flag_links import FlagLinksProvider

from .conftest import hypothesis_profile
from .engine import World, wire

PROJECT = "default"
FLAGS = ("new-checkout", "pay-later", "dark-mode")  # in the emulator's "demo" seed
OUR_KEYS = ("ticket", "runbook")
URLS = ("https://jira.example.com/A-1", "https://jira.example.com/A-2")
TITLES = ("Ticket", "Runbook", None)

LinkName = str  # "flag/key", as the FlagLinks names its links
Live = dict[str, dict[str, Any]]  # every link of FLAGS in LaunchDarkly: "flag/key@id" -> link

T = TypeVar("T")


@dataclass(frozen=True)
class Declared:
    deep_link: str
    title: str | None

    def as_spec(self, name: LinkName) -> dict[str, Any]:
        flag_key, key = name.split("/")
        spec: dict[str, Any] = {"flag_key": flag_key, "key": key, "deep_link": self.deep_link}
        if self.title is not None:
            spec["title"] = self.title
        return spec


@functools.cache
def provider_blob() -> str:
    """`__provider`, serialized once (each serialization wraps pickle once more: engine.py)."""
    return serialize_provider(FlagLinksProvider())


class FlagLinksStack:
    """A stack holding (at most) one FlagLinks, driven as the engine drives a provider."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.provider = FlagLinksProvider()
        self.blob = provider_blob()
        self.id: str | None = None
        self.inputs: dict[str, Any] = {}
        self.outputs: dict[str, Any] = {}

    def _props(self, props: Mapping[str, Any]) -> dict[str, Any]:
        return wire({**props, "__provider": self.blob})

    def up(self, program: Mapping[LinkName, Declared]) -> bool:
        deployment_declarations.start_new_deployment()  # each deployment is a new process
        news = self._props(
            {"project_key": PROJECT, "links": [d.as_spec(n) for n, d in sorted(program.items())]}
        )
        checked = self.provider.check(wire(self.inputs), news)
        assert not checked.failures, checked.failures
        inputs = self._props(checked.inputs)
        return _succeeds(lambda: self._apply(inputs))

    def _apply(self, inputs: dict[str, Any]) -> None:
        if self.id is None:
            created = self.provider.create(wire(inputs))
            self.id, self.outputs, self.inputs = str(created.id), dict(created.outs or {}), inputs
            return
        diff = self.provider.diff(self.id, wire(self.outputs), wire(inputs))
        if not diff.changes:
            self.inputs = inputs
            return
        assert not diff.replaces, diff.replaces  # the project never changes here
        updated = self.provider.update(self.id, wire(self.outputs), wire(inputs))
        self.outputs, self.inputs = dict(updated.outs or {}), inputs

    def refresh(self) -> bool:
        deployment_declarations.start_new_deployment()
        if self.id is None:
            return True

        def read() -> None:
            assert self.id is not None
            result = self.provider.read(self.id, wire(self.outputs))
            assert result.id, "a FlagLinks is never read as gone"
            self.outputs = dict(result.outs or {})
            if result.inputs is not None:
                self.inputs = self._props(result.inputs)

        return _succeeds(read)

    def destroy(self) -> bool:
        deployment_declarations.start_new_deployment()
        if self.id is None:
            return True

        def delete() -> None:
            assert self.id is not None
            self.provider.delete(self.id, wire(self.outputs))
            self.id, self.inputs, self.outputs = None, {}, {}

        return _succeeds(delete)

    def recorded(self) -> dict[LinkName, str]:
        """Each link the state records, by name: its `_id`."""
        links = self.outputs.get("links") or {}
        return {name: str(link["link_id"]) for name, link in links.items()}


def _succeeds(step: Callable[[], None]) -> bool:
    """Run a provider step; a failure (as the engine sees it: any exception) keeps the state."""
    try:
        step()
    except Exception:  # noqa: BLE001 - the engine reports it; the machine checks what is left
        return False
    return True


def live_links(world: World) -> Live:
    links: Live = {}
    for flag_key in FLAGS:
        response = world.api.get(f"/api/v2/flag-links/projects/{PROJECT}/flags/{flag_key}")
        response.raise_for_status()
        for item in response.json()["items"]:
            links[f"{flag_key}/{item.get('_key')}@{item['_id']}"] = item
    return links


def ours(live: Live) -> dict[LinkName, list[dict[str, Any]]]:
    found: dict[LinkName, list[dict[str, Any]]] = {}
    for name, link in live.items():
        flag_and_key = name.split("@")[0]
        if flag_and_key.split("/")[1] in OUR_KEYS:
            found.setdefault(flag_and_key, []).append(link)
    return found


def theirs(live: Live) -> Live:
    return {
        name: link
        for name, link in live.items()
        if name.split("@")[0].split("/")[1] not in OUR_KEYS
    }


class FlagLinksMachine(RuleBasedStateMachine):
    def __init__(self, world: World) -> None:
        super().__init__()
        self.world = world
        self.stack = FlagLinksStack(world)
        self.program: dict[LinkName, Declared] = {}
        self.converged = False  # the last provider step left LaunchDarkly as declared
        self.someone = itertools.count()

    @initialize()
    def fresh_world(self) -> None:
        self.world.reset()

    # -- the program -------------------------------------------------------------------------

    @rule(
        flag=st.sampled_from(FLAGS),
        key=st.sampled_from(OUR_KEYS),
        url=st.sampled_from(URLS),
        title=st.sampled_from(TITLES),
    )
    def declare(self, flag: str, key: str, url: str, title: str | None) -> None:
        self.program[f"{flag}/{key}"] = Declared(url, title)

    @precondition(lambda self: bool(self.program))
    @rule(data=st.data())
    def undeclare(self, data: st.DataObject) -> None:
        del self.program[data.draw(st.sampled_from(sorted(self.program)))]

    # -- provider steps ------------------------------------------------------------------------

    @rule(fault_seed=st.none() | st.integers(0, 2**16))
    def up(self, fault_seed: int | None) -> None:
        self._provider_step(lambda: self.stack.up(self.program), fault_seed)
        self.converged = False

    @rule(fault_seed=st.none() | st.integers(0, 2**16))
    def refresh(self, fault_seed: int | None) -> None:
        self._provider_step(self.stack.refresh, fault_seed)
        self.converged = False

    @rule()
    def refresh_then_up(self) -> None:
        """Without faults, a refresh and an `up` converge whatever came before."""
        assert self._provider_step(self.stack.refresh, None), "a fault-free refresh failed"
        assert self._provider_step(lambda: self.stack.up(self.program), None), (
            "a fault-free up after a refresh failed"
        )
        found = ours(live_links(self.world))
        declared = {name: (d.deep_link, d.title) for name, d in self.program.items()}
        live = {
            name: [(link["_deepLink"], link.get("title")) for link in links]
            for name, links in found.items()
        }
        assert live == {name: [attrs] for name, attrs in declared.items()}, (live, declared)
        recorded = self.stack.recorded()
        assert recorded == {name: links[0]["_id"] for name, links in found.items()}
        self.converged = True

    @rule(fault_seed=st.none() | st.integers(0, 2**16))
    def destroy(self, fault_seed: int | None) -> None:
        converged = self.converged
        destroyed = self._provider_step(self.stack.destroy, fault_seed)
        if destroyed and converged and fault_seed is None:
            assert ours(live_links(self.world)) == {}, "destroy left links of the program"
        self.converged = False

    def _provider_step(self, step: Callable[[], bool], fault_seed: int | None) -> bool:
        before = theirs(live_links(self.world))
        with self.world.faults(fault_seed):
            succeeded = step()
        after = theirs(live_links(self.world))
        assert after == before, (
            f"a provider step changed links it does not own: {before} -> {after}"
        )
        return succeeded

    # -- someone else ---------------------------------------------------------------------------

    @rule(flag=st.sampled_from(FLAGS))
    def someone_adds_their_link(self, flag: str) -> None:
        body = {"key": f"theirs-{next(self.someone)}", "deepLink": "https://wiki.example.com/x"}
        response = self.world.api.post(
            f"/api/v2/flag-links/projects/{PROJECT}/flags/{flag}", json=body
        )
        assert response.status_code == 201, response.text
        self.converged = False

    @rule(data=st.data(), delete=st.booleans())
    def someone_edits_or_deletes_ours(self, data: st.DataObject, delete: bool) -> None:
        found = ours(live_links(self.world))
        if not found:
            return
        name = data.draw(st.sampled_from(sorted(found)))
        link = found[name][0]
        path = f"/api/v2/flag-links/projects/{PROJECT}/flags/{name.split('/')[0]}/{link['_id']}"
        if delete:
            response = self.world.api.delete(path)
        else:
            edit = [{"op": "replace", "path": "/title", "value": "edited by hand"}]
            response = self.world.api.patch(path, json=edit)
        assert response.status_code in (200, 204), response.text
        self.converged = False


def test_flag_links_keep_their_promises(world: World) -> None:
    profile = hypothesis_profile()
    # A third of the membership machine's examples: each FlagLinks step reads every flag's
    # links around it, and CI's time is shared.
    bounded = settings(profile, max_examples=max(1, profile.max_examples // 3))

    class Machine(FlagLinksMachine):
        def __init__(self) -> None:
            super().__init__(world)

    run_state_machine_as_test(Machine, settings=bounded)
