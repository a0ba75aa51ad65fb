"""The FlagLinks dynamic provider: a set of links across the flags of one project, in one resource.

It owns exactly the links it records: the ones its creates made, and existing links with a
declared key and every declared attribute that it took over, with `adopt=True` or because
another resource of this deployment hands them over. Each link is handled as a FlagLink handles
its one (`flag_links_writer`), many at once inside one provider call.

Moves inside one `up`: every check tells the deployment record (`deployment_declarations`)
which links the resource declares and which it has in its state. A link that an update or
delete lets go of, and that another resource of the program declares, is left in place (it
leaves this state; the other resource takes it over), whichever of the two runs first.

A Python dynamic provider cannot hand the engine partial state with an error: a failed create
records nothing, a failed update or delete keeps the old state. So a failure leaves LaunchDarkly
as the state describes it, as far as that can be done:

- create: every link it made is deleted again (adopted links are left as they were);
- update: creates and patches come first, then deletes, then the creates of replaced links; on a
  failure every link this update created is deleted again and every patch is patched back. A
  delete cannot be undone (a link made again gets another `_id`), so links deleted before the
  failure stay recorded: the next `pulumi up` confirms them gone (the 404 is checked against the
  flag's link list) and carries on, and `pulumi refresh` drops them;
- delete: links deleted before the failure likewise stay recorded until the next attempt.
"""

from __future__ import annotations

import secrets
import sys
from collections.abc import Mapping, Sequence
from typing import Any

from pulumi.dynamic import (
    CheckResult,
    CreateResult,
    DiffResult,
    ReadResult,
    UpdateResult,
)

from ..api import NotFoundError
from ._inputs import without_engine_keys
from ._session import LaunchDarklyProvider
from .deployment_declarations import current_deployment
from .errors import ProviderError, describe_failures
from .flag_link_plan import link_item, takeover_advice
from .flag_links_plan import (
    DEFAULT_PARALLELISM,
    LINK_ID,
    changed_inputs_of,
    declared_attributes,
    declared_link_items,
    describe_link,
    flag_links_input_problems,
    flag_links_outputs,
    flags_of,
    normalise_flag_links_inputs,
    plan_links,
    recorded_link,
    split_link_name,
)
from .flag_links_writer import FlagLinksWriter, WriteReport


class FlagLinksProvider(LaunchDarklyProvider):
    """check/diff/create/read/update/delete for `FlagLinks`.

    ID: `project_key/flag-links-<12 hex digits>`, chosen at create (the links are in the state).
    """

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        refused = self.refused_inputs(news, flag_links_input_problems)
        if refused is not None:
            return refused
        inputs = normalise_flag_links_inputs(news)
        recorded = without_engine_keys(olds)
        current_deployment().record_check(
            declared=declared_link_items(inputs["project_key"], inputs["links"]),
            owned_in_state=declared_link_items(recorded.get("project_key"), recorded.get("links")),
        )
        return CheckResult(inputs, [])

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        changed = changed_inputs_of(without_engine_keys(olds), without_engine_keys(news))
        replaces = [name for name in changed if name == "project_key"]
        return DiffResult(changes=bool(changed), replaces=replaces, delete_before_replace=False)

    # -- create ---------------------------------------------------------------------------------

    def create(self, props: dict[str, Any]) -> CreateResult:
        inputs = without_engine_keys(props)
        declared: Mapping[str, Mapping[str, Any]] = inputs["links"]
        writer = self._writer(inputs)
        report = writer.create(declared)
        if report.failed:
            undo = writer.delete(_created_links(report))
            raise ProviderError(
                self._failure_text("create", len(declared), inputs["project_key"], report)
                + "\n"
                + _create_undo_text(report, undo)
            )
        project_key = inputs["project_key"]
        return CreateResult(
            f"{project_key}/flag-links-{secrets.token_hex(6)}",
            flag_links_outputs(inputs, report.links),
        )

    # -- update ---------------------------------------------------------------------------------

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        inputs, state = without_engine_keys(news), without_engine_keys(olds)
        recorded: Mapping[str, Mapping[str, Any]] = state.get("links") or {}
        declared: Mapping[str, Mapping[str, Any]] = inputs["links"]
        plan = plan_links(recorded, declared)
        writer = self._writer(inputs)
        done = WriteReport()
        patched_before: dict[str, Mapping[str, Any]] = {}
        changed = len(plan.create) + len(plan.patch) + len(plan.replace) + len(plan.delete)

        def fail(report: WriteReport) -> ProviderError:
            undo = writer.delete(_created_links(done))
            done_patches = {name: done.links[name] for name in patched_before}
            undo.merge(writer.patch(list(patched_before), done_patches, _attrs(patched_before)))
            return ProviderError(
                self._failure_text("change", changed, inputs["project_key"], report)
                + "\n"
                + _update_undo_text(done, undo)
            )

        # 1. What can be undone: new links, and title/description patches.
        first = writer.run(
            {
                **writer.creators({name: declared[name] for name in plan.create}),
                **writer.patchers(plan.patch, recorded, declared),
            }
        )
        patched_before.update({name: recorded[name] for name in plan.patch if name in first.links})
        done.merge(first)
        if first.failed:
            raise fail(first)
        # 2. Deletes: links no longer declared, and the old links of replaced ones; but not a
        # link another resource of this program declares now: it moves there.
        handed_over = self._handed_over(inputs["project_key"], plan.delete, by_delete=False)
        deleted = [name for name in plan.delete if name not in handed_over]
        removed = writer.delete({name: recorded[name] for name in (*deleted, *plan.replace)})
        done.merge(removed)
        if removed.failed:
            raise fail(removed)
        # 3. The replacements (their keys are free now).
        replacements = writer.create({name: declared[name] for name in plan.replace})
        done.merge(replacements)
        if replacements.failed:
            raise fail(replacements)

        links = {name: dict(recorded[name]) for name in plan.unchanged}
        links.update(done.links)
        return UpdateResult(flag_links_outputs(inputs, links))

    # -- read -----------------------------------------------------------------------------------

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        state = without_engine_keys(props)
        if "links" not in state:
            raise ProviderError(
                "FlagLinks cannot be read by ID alone (there is no `FlagLinks.get`); use "
                "`FlagLink.get` for one link"
            )
        recorded: Mapping[str, Mapping[str, Any]] = state["links"] or {}
        listed = self._writer(state).read(flags_of(list(recorded)))
        links: dict[str, dict[str, Any]] = {}
        for name, link in recorded.items():
            flag_key, _key = split_link_name(name)
            flag_links = listed.get(flag_key)
            live = next((item for item in flag_links or () if item.id == link[LINK_ID]), None)
            if live is not None:  # else LaunchDarkly confirmed that it is gone
                links[name] = recorded_link(live, link)
        outputs = flag_links_outputs(state, links)
        inputs: dict[str, Any] = {
            "project_key": state["project_key"],
            "links": {name: declared_attributes(link) for name, link in links.items()},
        }
        if state.get("parallelism") is not None:
            inputs["parallelism"] = state["parallelism"]
        return ReadResult(id_, outputs, inputs=inputs)

    # -- delete ---------------------------------------------------------------------------------

    def delete(self, _id: str, props: dict[str, Any]) -> None:
        state = without_engine_keys(props)
        links: Mapping[str, Mapping[str, Any]] = state.get("links") or {}
        handed_over = self._handed_over(state["project_key"], list(links), by_delete=True)
        recorded = {name: link for name, link in links.items() if name not in handed_over}
        report = self._writer(state).delete(recorded)
        if report.failed:
            raise ProviderError(
                self._failure_text("delete", len(recorded), state["project_key"], report)
                + f"\n{len(report.deleted)} other link(s) were deleted. The FlagLinks stays in "
                "the state (links already deleted count as done next time); run "
                "`pulumi destroy` again once LaunchDarkly accepts the change."
            )

    # -- helpers --------------------------------------------------------------------------------

    def _writer(self, props: Mapping[str, Any]) -> FlagLinksWriter:
        parallelism = props.get("parallelism") or DEFAULT_PARALLELISM
        return FlagLinksWriter(
            self.client, props["project_key"], int(parallelism), adopt=bool(props.get("adopt"))
        )

    @staticmethod
    def _handed_over(project_key: str, names: Sequence[str], *, by_delete: bool) -> set[str]:
        """Of the links this resource lets go of, those another resource of this deployment
        declares (its check said so): they stay in LaunchDarkly, for that resource.

        An update's own check declares only what it keeps, so any declaration is another
        resource's. A delete is checked only when it is half of a replace, and then the link
        is in its own state too: see `taken_over_elsewhere`.
        """
        deployment = current_deployment()
        handed_over = set()
        for name in names:
            item = link_item(project_key, *split_link_name(name))
            if by_delete:
                moves = deployment.taken_over_elsewhere(item)
            else:
                moves = deployment.declared_elsewhere(item)
            if moves:
                handed_over.add(name)
        if handed_over:
            shown = ", ".join(describe_link(name) for name in sorted(handed_over)[:10])
            print(
                f"FlagLinks: {len(handed_over)} link(s) moved to another resource of this "
                f"program are left in place: {shown}",
                file=sys.stderr,
            )
        return handed_over

    def _failure_text(self, action: str, total: int, project_key: str, report: WriteReport) -> str:
        if report.refused is not None:
            return f"could not {action} the flag links in project '{project_key}': {report.refused}"
        if any(failure.not_found for failure in report.failures):
            # Links on many missing flags may all be one missing project: say that once.
            try:
                self.client.get_project(project_key)
            except NotFoundError:
                return (
                    f"could not {action} the flag links: project '{project_key}' was not found "
                    "in LaunchDarkly; check project_key"
                )
        failures = [failure.as_member_failure() for failure in report.failures]
        text = (
            f"could not {action} {len(failures)} of {total} flag link(s) in project "
            f"'{project_key}':\n{describe_failures(failures)}"
        )
        if any(failure.exists for failure in report.failures):
            text += "\n" + takeover_advice("FlagLinks")
        return text


def _attrs(links: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    return {name: declared_attributes(link) for name, link in links.items()}


def _created_links(report: WriteReport) -> dict[str, dict[str, Any]]:
    return {name: {LINK_ID: link_id} for name, link_id in report.created.items()}


def _undo_failures_text(undo: WriteReport) -> str:
    if not undo.failed:
        return ""
    if undo.refused is not None:
        return f"\nUndoing it was refused as well: {undo.refused}"
    return "\nUndoing it failed for:\n" + describe_failures(
        [failure.as_member_failure() for failure in undo.failures]
    )


def _uncertain_text(report: WriteReport) -> str:
    uncertain = [failure.name for failure in report.failures if failure.uncertain]
    if not uncertain:
        return ""
    shown = ", ".join(describe_link(name) for name in uncertain[:10])
    return (
        f"\nLaunchDarkly may have created {shown} although the answer was lost; this resource "
        "does not own it: run the next `pulumi up` with adopt=True on this FlagLinks to take it "
        "over (while it is declared unchanged)."
    )


def _create_undo_text(report: WriteReport, undo: WriteReport) -> str:
    if report.created:
        text = f"This create was undone: the {len(undo.deleted)} link(s) it made were deleted again"
    else:
        text = "Nothing was created"
    if report.adopted:
        text += (
            f", the {len(report.adopted)} existing link(s) it would have adopted were left as "
            "they were"
        )
    text += ", and nothing was recorded. Fix what is named above and run `pulumi up` again."
    text += _uncertain_text(report) + _undo_failures_text(undo)
    if undo.failures:
        text += (
            "\nThose links stay in LaunchDarkly and in no state: delete them by hand, or keep "
            "them declared unchanged and set adopt=True for the next `pulumi up`, which takes "
            "them over."
        )
    return text


def _update_undo_text(done: WriteReport, undo: WriteReport) -> str:
    text = (
        "Nothing this update made was kept: "
        f"{len(undo.deleted)} link(s) it created were deleted again and "
        f"{len(undo.links)} patched link(s) were patched back."
    )
    if done.deleted:
        text += (
            f" {len(done.deleted)} link(s) were deleted before the failure; the state still "
            "records them until the next `pulumi up` (which confirms them gone) or "
            "`pulumi refresh`."
        )
    text += " Fix what is named above and run `pulumi up` again."
    return text + _uncertain_text(done) + _undo_failures_text(undo)
