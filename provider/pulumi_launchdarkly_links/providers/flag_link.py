"""The FlagLink dynamic provider: one external link (ticket, runbook, dashboard) on a flag.

A FlagLink owns exactly one link: the one its create made, or an existing link with the
declared key and every declared attribute that it took over, which it does only with
`adopt=True` or when another resource of this deployment hands the link over
(`flag_link_plan.may_take_over`). It finds that link again by `_id` (LaunchDarkly has no GET
for one link, so read lists the flag's links), and it leaves the state only when LaunchDarkly
confirms the link is gone (`flag_link_lookup`). Creates and patches whose answer may be lost
look before they write again (`flag_link_writes`).

Every check tells the deployment record (`deployment_declarations`) which link the resource
declares and which it has in its state: that is how a delete knows that the link moved to
another resource of the program, and a create knows that a link is moving to it.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from pulumi.dynamic import (
    CheckResult,
    CreateResult,
    DiffResult,
    ReadResult,
    UpdateResult,
)

from ..api import ConflictError, NotFoundError
from ._inputs import without_engine_keys
from ._session import LaunchDarklyProvider
from .deployment_declarations import current_deployment
from .errors import ProviderError
from .flag_link_lookup import find_flag_link, match_link
from .flag_link_moves import MovesHere
from .flag_link_plan import (
    INPUT_NAMES,
    PATCHABLE_INPUTS,
    REPLACE_INPUTS,
    LinkItem,
    changed_inputs,
    flag_link_input_problems,
    flag_link_outputs,
    link_attributes,
    link_item,
    may_take_over,
    mismatched_attributes,
    normalise_flag_link_inputs,
    patch_operations,
    takeover_advice,
)
from .flag_link_writes import create_flag_link, flag_link_post, patch_flag_link
from .lookups import split_flag_link_id

if TYPE_CHECKING:
    from ..api import FlagLink


def flag_link_id(project_key: str, flag_key: str, link_id: str) -> str:
    return f"{project_key}/{flag_key}/{link_id}"


class FlagLinkProvider(LaunchDarklyProvider):
    """check/diff/create/read/update/delete for `FlagLink`; ID is `project/flag/link_id`."""

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        refused = self.refused_inputs(news, flag_link_input_problems)
        if refused is not None:
            return refused
        inputs = normalise_flag_link_inputs(news)
        current_deployment().record_check(
            declared=_items_of(inputs), owned_in_state=_items_of(without_engine_keys(olds))
        )
        return CheckResult(inputs, [])

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        changed = changed_inputs(without_engine_keys(olds), without_engine_keys(news))
        replaces = [name for name in changed if name in REPLACE_INPUTS]
        # Keys are unique per flag: a replacement that keeps the key must delete first.
        same_place = not {"project_key", "flag_key", "key"} & set(changed)
        if replaces and same_place:
            # The delete of this replace must go ahead although this check declares the link.
            current_deployment().record_replacing(
                link_item(news["project_key"], news["flag_key"], news["key"])
            )
        return DiffResult(
            changes=bool(changed),
            replaces=replaces,
            delete_before_replace=bool(replaces) and same_place,
        )

    def create(self, props: dict[str, Any]) -> CreateResult:
        inputs = without_engine_keys(props)
        project_key, flag_key = inputs["project_key"], inputs["flag_key"]
        request = flag_link_post(inputs["key"], inputs)
        try:
            created = create_flag_link(self.client, project_key, flag_key, request)
        except NotFoundError as error:
            raise self._not_found(project_key, flag_key, error) from None
        except ConflictError:
            link = self._take_over_existing(inputs)
        else:
            if created.existed_before:  # a 409 whose answer was lost
                link = self._take_over_existing(inputs, created.link)
            elif created.found_existing:  # made by this create, whose answer was lost
                link = self._adoptable(created.link, inputs)
            else:
                link = created.link
        return CreateResult(
            flag_link_id(project_key, flag_key, link.id), flag_link_outputs(inputs, link)
        )

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        state = without_engine_keys(props)
        if "flag_key" not in state:  # `FlagLink.get(name, id)`: only the ID is known
            project_key, flag_key, link_id = split_flag_link_id(id_)
            state = {"project_key": project_key, "flag_key": flag_key, "link_id": link_id}
        link = find_flag_link(
            self.client,
            state["project_key"],
            state["flag_key"],
            link_id=state.get("link_id"),
            key=state.get("key"),
        )
        if link is None:
            return ReadResult(None, {})  # LaunchDarkly confirmed it is gone
        outputs = flag_link_outputs(state, link)
        inputs = {name: outputs[name] for name in INPUT_NAMES if outputs.get(name) is not None}
        return ReadResult(
            flag_link_id(state["project_key"], state["flag_key"], link.id), outputs, inputs=inputs
        )

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        state, inputs = without_engine_keys(olds), without_engine_keys(news)
        operations = patch_operations(state, inputs)
        if not operations:
            return UpdateResult({**state, **{k: inputs.get(k) for k in PATCHABLE_INPUTS}})
        link = patch_flag_link(
            self.client,
            inputs["project_key"],
            inputs["flag_key"],
            state["link_id"],
            recorded=state,
            declared=inputs,
        )
        if link is None:
            raise ProviderError(
                f"flag link '{state.get('key')}' ({state['link_id']}) on flag "
                f"'{inputs['flag_key']}' in project '{inputs['project_key']}' no longer exists; "
                "run `pulumi refresh` and then `pulumi up` to recreate it"
            )
        return UpdateResult(flag_link_outputs(inputs, link))

    def delete(self, _id: str, props: dict[str, Any]) -> None:
        state = without_engine_keys(props)
        project_key, flag_key, link_id = state["project_key"], state["flag_key"], state["link_id"]
        item = link_item(project_key, flag_key, state["key"])
        if current_deployment().taken_over_elsewhere(item):
            print(
                f"FlagLink '{state['key']}' on flag '{flag_key}': another resource of this "
                "program took the link over; it is left in place",
                file=sys.stderr,
            )
            return
        try:
            self.client.delete_flag_link(project_key, flag_key, link_id)
        except NotFoundError as error:
            # Gone already (a retried DELETE whose first answer was lost) or a wrong route:
            # only a confirmed absence lets the resource leave the state.
            still_there = find_flag_link(
                self.client, project_key, flag_key, link_id=link_id, key=None
            )
            if still_there is not None:
                raise ProviderError(
                    f"could not delete flag link '{state.get('key')}' ({link_id}) on flag "
                    f"'{flag_key}' in project '{project_key}': {error.method} "
                    f"{self.client.base_url}{error.path} answered 404, yet the flag's link "
                    "list still holds it. Check launchdarkly:apiHost and run `pulumi destroy` "
                    "(or `up`) again."
                ) from None

    def _take_over_existing(
        self, inputs: dict[str, Any], existing: FlagLink | None = None
    ) -> FlagLink:
        """After a 409 for the key: the existing link (listed here unless a look found it
        already), which this create did not make. Taken over only with adopt=True or when it
        moves here from another resource of this deployment, and only if it has the declared
        attributes."""
        project_key, flag_key, key = inputs["project_key"], inputs["flag_key"], inputs["key"]
        if existing is None:
            existing = match_link(
                self.client.list_flag_links(project_key, flag_key), link_id=None, key=key
            )
        if existing is None:
            raise ProviderError(
                f"LaunchDarkly answered 409 Conflict creating flag link '{key}' on flag "
                f"'{flag_key}' in project '{project_key}', but no link with that key exists; "
                "run `pulumi up` again"
            )
        adopt = bool(inputs.get("adopt"))
        moving_here = not adopt and MovesHere().moving_here(link_item(project_key, flag_key, key))
        if not may_take_over(adopt=adopt, owned_in_state_elsewhere=moving_here):
            raise ProviderError(
                f"flag link '{key}' already exists on flag '{flag_key}' in project "
                f"'{project_key}' (_id {existing.id}), and this FlagLink did not create it. "
                + takeover_advice("FlagLink")
            )
        return self._adoptable(existing, inputs)

    def _adoptable(self, existing: FlagLink, inputs: dict[str, Any]) -> FlagLink:
        """`existing` if every declared attribute matches; else the conflict, named."""
        project_key, flag_key, key = inputs["project_key"], inputs["flag_key"], inputs["key"]
        mismatched = mismatched_attributes(existing, inputs)
        if mismatched:
            current = link_attributes(existing)
            details = ", ".join(f"{name}={current[name]!r}" for name in mismatched)
            raise ProviderError(
                f"flag '{flag_key}' in project '{project_key}' already has a link with key "
                f"'{key}' (_id {existing.id}) whose {details} differ from this resource. "
                "To take it over, declare the same values; otherwise give this FlagLink "
                "another `key`, or delete the existing link first."
            )
        return existing

    def _not_found(self, project_key: str, flag_key: str, error: NotFoundError) -> ProviderError:
        try:
            self.client.get_project(project_key)
        except NotFoundError:
            return ProviderError(
                f"project '{project_key}' was not found in LaunchDarkly; check project_key"
            )
        return ProviderError(
            f"flag '{flag_key}' was not found in project '{project_key}' "
            f"(LaunchDarkly said: {error.message}); create the flag first or fix flag_key"
        )


def _items_of(inputs: dict[str, Any]) -> list[LinkItem]:
    """The link these inputs name, once every part of its name is known."""
    project_key, flag_key, key = (inputs.get(name) for name in ("project_key", "flag_key", "key"))
    if isinstance(project_key, str) and isinstance(flag_key, str) and isinstance(key, str):
        return [link_item(project_key, flag_key, key)]
    return []  # not known yet (a preview of an Output)
