"""The View dynamic provider: one LaunchDarkly view (its name, description, tags, maintainer).

Requests per operation: create 1 (POST) plus 1 GET at preview; update 1 (PATCH, none when only
`adopt`/`force_destroy` change); refresh 1 (GET); delete 2 (GET with the member counts, DELETE),
1 with `force_destroy=True`; check and diff of an existing View none. A view with the same key
costs a GET (and a PATCH when adopted with differences). A lost POST answer is looked up
before any second POST (view_writes); a PATCH is repeated like a GET.

A View never changes members. Deleting a view drops its links with it (LaunchDarkly's DELETE
has no "not empty" answer), so delete refuses a view that still has members, unless
`force_destroy=True`: those links belong to whoever made them.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    CreateResult,
    DiffResult,
    ReadResult,
    UpdateResult,
)

from ..api import BadRequestError, ConflictError, LaunchDarklyError, NotFoundError
from ._inputs import is_unknown, without_engine_keys
from ._session import LaunchDarklyProvider
from .deployment_declarations import DeclaredItem, current_deployment
from .errors import ProviderError
from .lookups import split_view_id
from .view_plan import (
    REPLACE_INPUTS,
    changed_inputs,
    differences_from_new,
    linked_counts_message,
    normalise_view_inputs,
    refreshed_inputs,
    view_id,
    view_input_problems,
    view_item,
    view_outputs,
    view_patch,
    view_post,
)
from .view_writes import create_view, patch_view

if TYPE_CHECKING:
    from ..api import ResourceType, View
    from ..api._models import ViewSummary

# Member counts of a view in one GET; types whose summary is missing are counted from /linked.
SUMMARY_EXPANDS: dict[ResourceType, str] = {
    "flags": "flagsSummary",
    "segments": "segmentsSummary",
    "aiConfigs": "aiConfigsSummary",
    "metrics": "metricsSummary",
}
# Types a view surely supports: without a summary they are counted from /linked instead.
_ALWAYS_COUNTED: tuple[ResourceType, ...] = ("flags", "segments")


class ViewProvider(LaunchDarklyProvider):
    """check/diff/create/read/update/delete for `View`; ID is `project_key/key`."""

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        refused = self.refused_inputs(news, view_input_problems)
        if refused is not None:
            return refused
        inputs = normalise_view_inputs(news)
        recorded = without_engine_keys(olds)
        current_deployment().record_check(
            declared=_items_of(inputs), owned_in_state=_items_of(recorded)
        )
        refusal = None if recorded else self._refusal_at_preview(inputs)
        return CheckResult(inputs, [CheckFailure("key", refusal)] if refusal else [])

    def _refusal_at_preview(self, inputs: dict[str, Any]) -> str | None:
        """Only before a create: an existing view with this key, which the create may take over
        only with adopt=True. Any trouble reading is left to create, which says what is wrong."""
        if inputs.get("adopt") or any(is_unknown(value) for value in inputs.values()):
            return None
        try:
            existing = self.client.get_view(inputs["project_key"], inputs["key"])
        except LaunchDarklyError:
            return None
        return self._exists_message(inputs, differences_from_new(existing, inputs))

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        changed = changed_inputs(without_engine_keys(olds), without_engine_keys(news))
        replaces = [name for name in changed if name in REPLACE_INPUTS]
        # A new project or key is another view: create it, then delete the old one.
        return DiffResult(changes=bool(changed), replaces=replaces, delete_before_replace=False)

    def create(self, props: dict[str, Any]) -> CreateResult:
        inputs = without_engine_keys(props)
        project_key, key = inputs["project_key"], inputs["key"]
        try:
            created = create_view(self.client, project_key, view_post(inputs))
        except ConflictError:
            outputs = self._take_over_existing(inputs, self._existing_after_409(inputs))
        except NotFoundError:
            raise ProviderError(
                f"project '{project_key}' was not found in LaunchDarkly, so view '{key}' "
                "cannot be created there; check project_key"
            ) from None
        except BadRequestError as error:
            raise self._refused(inputs, error) from None
        else:
            ours = not created.existed_before and not differences_from_new(created.view, inputs)
            if created.found_existing and ours:
                # The POST's answer was lost and the view, made since, is exactly what it
                # makes: this create made it.
                outputs = view_outputs(inputs, created.view)
            elif created.found_existing:  # someone else's view with the key (a lost 409)
                outputs = self._take_over_existing(inputs, created.view)
            else:
                outputs = view_outputs(inputs, created.view, written_over={})
        return CreateResult(view_id(project_key, outputs["key"]), outputs)

    def _existing_after_409(self, inputs: dict[str, Any]) -> View:
        try:
            return self.client.get_view(inputs["project_key"], inputs["key"])
        except NotFoundError:
            raise ProviderError(
                f"LaunchDarkly answered 409 Conflict creating view '{inputs['key']}' in project "
                f"'{inputs['project_key']}', but no view with that key exists now; run "
                "`pulumi up` again"
            ) from None

    def _take_over_existing(self, inputs: dict[str, Any], existing: View) -> dict[str, Any]:
        """An existing view with the declared key that this create did not make: taken over
        only with adopt=True (a create cannot tell a renamed resource from another stack's
        view, so looking the same is not enough). Declared fields that differ are patched."""
        project_key, key = inputs["project_key"], inputs["key"]
        differences = differences_from_new(existing, inputs)
        if not inputs.get("adopt"):
            raise ProviderError(self._exists_message(inputs, differences))
        state = view_outputs(inputs, existing)
        fields = sorted(view_patch(state, inputs).to_json_body())
        print(
            f"View '{key}': adopting the existing view in project '{project_key}'"
            + (f"; it differs: {'; '.join(differences)}" if differences else "")
            + (
                f". Updating {', '.join(fields)}."
                if fields
                else ". Nothing declared differs, so nothing is updated."
            ),
            file=sys.stderr,
        )
        return self._patch(state, inputs) if fields else state

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        recorded = without_engine_keys(props)
        if "project_key" not in recorded:  # `View.get(name, id)`: only the ID is known
            project_key, key = split_view_id(id_)
            recorded = {"project_key": project_key, "key": key}
        try:
            view = self.client.get_view(recorded["project_key"], recorded["key"])
        except NotFoundError:
            return ReadResult(None, {})  # LaunchDarkly confirmed the view is gone
        outputs = view_outputs(recorded, view)
        return ReadResult(
            view_id(recorded["project_key"], view.key), outputs, inputs=refreshed_inputs(outputs)
        )

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        state, inputs = without_engine_keys(olds), without_engine_keys(news)
        if view_patch(state, inputs).is_empty():
            flags = {name: bool(inputs.get(name)) for name in ("adopt", "force_destroy")}
            return UpdateResult({**state, **flags})
        return UpdateResult(self._patch(state, inputs))

    def _patch(self, recorded: dict[str, Any], inputs: dict[str, Any]) -> dict[str, Any]:
        project_key, key = inputs["project_key"], inputs["key"]
        try:
            view = patch_view(self.client, project_key, key, recorded=recorded, declared=inputs)
        except NotFoundError:
            raise ProviderError(
                f"view '{key}' in project '{project_key}' no longer exists; run "
                "`pulumi refresh` and then `pulumi up` to create it again"
            ) from None
        except BadRequestError as error:
            raise self._refused(inputs, error) from None
        return view_outputs(inputs, view, written_over=recorded)

    def delete(self, _id: str, props: dict[str, Any]) -> None:
        state = without_engine_keys(props)
        project_key, key = state["project_key"], state["key"]
        if current_deployment().taken_over_elsewhere(view_item(project_key, key)):
            # This View left the program (a rename) and another took the view over with
            # adopt=True. (A replace changes the project or key: it never declares this one.)
            print(
                f"View '{key}': another resource of this program took the view over; it is "
                "left in place",
                file=sys.stderr,
            )
            return
        if not state.get("force_destroy"):
            counts = self._linked_counts(project_key, key)
            if counts is None:
                return  # already gone: the goal of a delete is met
            if any(counts.values()):
                raise ProviderError(
                    f"view '{key}' in project '{project_key}' still has "
                    f"{linked_counts_message(counts)} linked, which no resource of this stack "
                    "unlinked; deleting the view would drop those links. Unlink them, or set "
                    "force_destroy=True on this View and run `pulumi up` to delete it with its "
                    "links, or keep the view: opts=pulumi.ResourceOptions(retain_on_delete=True) "
                    "and `pulumi up` before `pulumi destroy`. The View stays in the state."
                )
        try:
            self.client.delete_view(project_key, key)
        except NotFoundError:
            # A retried DELETE may answer 404 for a view its first attempt deleted: confirm.
            try:
                self.client.get_view(project_key, key)
            except NotFoundError:
                return
            raise ProviderError(
                f"LaunchDarkly answered 404 to deleting view '{key}' in project "
                f"'{project_key}', yet the view still exists; run `pulumi destroy` again"
            ) from None

    def _linked_counts(self, project_key: str, key: str) -> dict[str, int] | None:
        """The view's member counts; None when LaunchDarkly says the view is gone."""
        try:
            view = self.client.get_view_expanded(project_key, key, SUMMARY_EXPANDS.values())
        except NotFoundError:
            return None
        summaries: dict[ResourceType, ViewSummary | None] = {
            "flags": view.flags_summary,
            "segments": view.segments_summary,
            "aiConfigs": view.ai_configs_summary,
            "metrics": view.metrics_summary,
        }
        counts: dict[str, int] = {
            name: summary.count for name, summary in summaries.items() if summary
        }
        for name in _ALWAYS_COUNTED:
            if name not in counts:
                counts[name] = self._count_linked(project_key, key, name)
        return counts

    def _count_linked(self, project_key: str, key: str, resource_type: ResourceType) -> int:
        """Members of one type, from /linked. The view answered just now, so a 404 here says
        nothing about the view being gone: the delete stops, and the View stays."""
        try:
            return len(self.client.list_linked_resources(project_key, key, resource_type))
        except NotFoundError as error:
            raise ProviderError(
                f"cannot count the {resource_type} linked to view '{key}' in project "
                f"'{project_key}' before deleting it: {error.method} {self.client.base_url}"
                f"{error.path} answered 404 ({error.message}), though the view exists. The View "
                "stays in the state. Check launchdarkly:apiHost; or set force_destroy=True on "
                "this View and run `pulumi up` to delete it without counting (its links go "
                "with it)."
            ) from None

    @staticmethod
    def _exists_message(inputs: Mapping[str, Any], differences: list[str]) -> str:
        how_it_differs = (
            f" It differs: {'; '.join(differences)}." if differences else " It looks the same."
        )
        return (
            f"view '{inputs['key']}' already exists in project '{inputs['project_key']}', and "
            f"this View did not create it.{how_it_differs} If you renamed this View, keep its "
            'old name as an alias: opts=pulumi.ResourceOptions(aliases=[pulumi.Alias(name="'
            '<old name>")]). To take the view over, set adopt=True (the inputs you declare are '
            "written to it, inputs you leave out keep its values, and a later destroy deletes "
            "it). Or give this View another key."
        )

    @staticmethod
    def _refused(inputs: Mapping[str, Any], error: BadRequestError) -> ProviderError:
        return ProviderError(
            f"LaunchDarkly refused view '{inputs['key']}' in project '{inputs['project_key']}' "
            f"(400): {error.message}. Fix the input it names and run `pulumi up` again."
        )


def _items_of(inputs: Mapping[str, Any]) -> list[DeclaredItem]:
    """The view these inputs name, once its project and key are known."""
    project_key, key = inputs.get("project_key"), inputs.get("key")
    if isinstance(project_key, str) and isinstance(key, str):
        return [view_item(project_key, key)]
    return []  # not known yet (a preview of an Output)
