"""The ViewMembership dynamic provider: links flags, segments, AI configs and metrics to a view.

It gathers facts (the checked inputs, the state, and LaunchDarkly's members where
`types_to_read` says the decision needs them), lets `membership_ownership.plan_membership` decide,
and carries the plan out with `MembershipWriter`. A failed create is undone; a failed update
reports per member and the next `pulumi up` converges, because linking is idempotent.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from typing import Any

from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    CreateResult,
    DiffResult,
    ReadResult,
    UpdateResult,
)

from ..api import NotFoundError
from ._inputs import is_unknown, without_engine_keys
from ._session import LaunchDarklyProvider
from .deployment_declarations import current_deployment
from .errors import ProviderError, describe_failures
from .lookups import read_membership_by_id
from .membership_declarations import declared_elsewhere_in, member_item, member_items
from .membership_filters import filter_of, matches_map, wanted_matches
from .membership_inputs import membership_input_problems, normalise_membership_inputs
from .membership_ownership import (
    MembershipPlan,
    Refusal,
    outstanding_unlinks,
    plan_membership,
    refreshed_outputs,
    takes_ownership,
    types_to_read,
    unowned_filter_links,
)
from .membership_plan import (
    COUNT_OUTPUTS,
    FILTER_INPUTS,
    INPUT_NAMES,
    MATCHES_INPUTS,
    REPLACE_INPUTS,
    SEGMENT_FILTER_ENVIRONMENT,
    SINGULAR,
    Member,
    changed_inputs,
    managed_types,
    member_counts,
    member_list,
    members_of,
)
from .membership_reader import MembershipReader, ViewGone
from .membership_writer import (
    ApplyReport,
    FailedMember,
    MembershipWriter,
    describe_member,
)


class ViewMembershipProvider(LaunchDarklyProvider):
    """check/diff/create/read/update/delete for `ViewMembership`; ID is `project_key/view_key`."""

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        refused = self.refused_inputs(news, membership_input_problems)
        if refused is not None:
            return refused
        try:
            inputs = normalise_membership_inputs(
                news, olds, self._environment_id, self._environment_key
            )
        except ProviderError as error:
            # Not attached to `segments`: the engine would print the whole list before it.
            return CheckResult(news, [CheckFailure("", str(error))])
        old_inputs = without_engine_keys(olds) or None
        filter_failures = self._settle_filter_matches(inputs, old_inputs)
        if filter_failures:
            return CheckResult(inputs, filter_failures)
        current_deployment().record_check(
            declared=member_items(inputs), owned_in_state=member_items(old_inputs)
        )
        if not any(is_unknown(value) for value in inputs.values()):
            # Shown by a preview as the planned outputs, so the counts mean there what they mean
            # after the up (`member_counts`).
            inputs.update(member_counts(inputs, planned=True))
        refusals = self._refusals_at_preview(inputs, old_inputs)
        # Attached to `exclusive`, whose value is short: the engine prints the property's value
        # before the message, and `flags` may hold thousands of keys.
        return CheckResult(
            inputs, [CheckFailure("exclusive", self._refusal_message(inputs, r)) for r in refusals]
        )

    def _environment_key(self, project_key: str, environment_id: str) -> str:
        for environment in self.client.list_environments(project_key):
            if environment.id == environment_id:
                return environment.key
        raise ProviderError(
            f"segment_filter_environment_id {environment_id!r}: no environment in project "
            f"{project_key!r} has that _id; check it, or give segment_filter_environment_key"
        )

    def _settle_filter_matches(
        self, inputs: dict[str, Any], old_inputs: dict[str, Any] | None
    ) -> list[CheckFailure]:
        """The matches a filter wants, kept in the checked inputs for the preview's diff: the
        last resolution while the filter is unchanged (no request), else resolved now."""
        failures = []
        for name, filter_input in FILTER_INPUTS.items():
            matches_input = MATCHES_INPUTS[name]
            if filter_of(inputs, name) is None:
                inputs.pop(matches_input, None)
                continue
            if any(is_unknown(value) for value in inputs.values()):
                continue
            unchanged = old_inputs is not None and all(
                old_inputs.get(key) == inputs.get(key)
                for key in (filter_input, *SEGMENT_FILTER_ENVIRONMENT, "project_key")
            )
            if unchanged and isinstance((old_inputs or {}).get(matches_input), Mapping):
                inputs[matches_input] = matches_map(wanted_matches(old_inputs or {}, name))
                continue
            try:
                found = self._reader(inputs).matches(inputs, [name])
            except ProviderError as error:
                failures.append(CheckFailure(filter_input, str(error)))
                continue
            inputs[matches_input] = matches_map(found[name])
        return failures

    def _environment_id(self, project_key: str, environment_key: str) -> str:
        try:
            return self.client.get_environment(project_key, environment_key).id
        except NotFoundError:
            raise ProviderError(
                f"environment_key {environment_key!r}: no such environment in project "
                f"{project_key!r}; check the key, or give environment_id (the environment's _id)"
            ) from None

    def _refusals_at_preview(
        self, inputs: dict[str, Any], old_inputs: dict[str, Any] | None
    ) -> tuple[Refusal, ...]:
        """The adopt check, at preview: only where this step takes exclusive ownership of a
        type without adopt=True, so an ordinary preview still makes no request."""
        if inputs.get("adopt") or any(is_unknown(value) for value in inputs.values()):
            return ()
        taking = [n for n in managed_types(inputs) if takes_ownership(inputs, old_inputs, n)]
        if not taking:
            return ()
        try:
            live = self._reader(inputs, old_inputs).read(taking)
        except (ViewGone, ProviderError):
            return ()  # the view may come later in this program; create says what is wrong
        matches = {name: wanted_matches(inputs, name) for name in taking}
        return plan_membership(inputs, old_inputs, live, matches).refusals

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        changed = changed_inputs(olds, news)
        replaces = [name for name in changed if name in REPLACE_INPUTS]
        # Another resource of this deployment unlinked a member this one declares (the two
        # halves of a move landed in different runs, and this resource registers after the
        # other's update): the state says linked, so an update must read and link it again.
        unlinked_by_another = not changed and any(
            current_deployment().unlinked_here(item) for item in member_items(news)
        )
        return DiffResult(
            changes=bool(changed) or unlinked_by_another,
            replaces=replaces,
            delete_before_replace=False,
        )

    def create(self, props: dict[str, Any]) -> CreateResult:
        inputs = without_engine_keys(props)
        project_key, view_key = inputs["project_key"], inputs["view_key"]
        reader = self._reader(inputs)
        try:
            live = reader.read(types_to_read(inputs, None))
        except ViewGone:
            raise ProviderError(
                f"view '{view_key}' was not found in project '{project_key}'; create the view "
                "first or fix project_key/view_key"
            ) from None
        matches = reader.matches(inputs, managed_types(inputs))
        plan = self._carry_out_checks(inputs, plan_membership(inputs, None, live, matches))
        writer = self._writer(inputs)
        report = writer.apply(plan.changes)
        if report.refused:
            writer.apply(report.inverse())
            raise ProviderError(str(report.refused))
        if report.failures:
            # Read before the rollback, while the view still shows which links succeeded.
            failures = self._failures_that_matter(inputs, report) or report.failures
            rollback = writer.apply(report.inverse())
            raise ProviderError(
                f"could not link {len(failures)} member(s) to view '{view_key}' in "
                f"project '{project_key}':\n"
                f"{describe_failures([f.as_member_failure() for f in failures])}\n"
                + self._rollback_note(inputs, rollback)
            )
        assert plan.outputs is not None
        return CreateResult(f"{project_key}/{view_key}", plan.outputs)

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        inputs, recorded = without_engine_keys(news), without_engine_keys(olds)
        reader = self._reader(inputs, recorded)
        try:
            live = reader.read(types_to_read(inputs, recorded))
        except ViewGone as gone:
            raise ProviderError(f"{gone}; run `pulumi refresh` to update the state") from None
        matches = reader.matches(inputs, managed_types(inputs))
        plan = self._carry_out_checks(
            inputs,
            plan_membership(inputs, recorded, live, matches, self._declared_elsewhere(inputs)),
        )
        writer = self._writer(inputs)
        report = writer.apply(plan.changes)
        self._record_unlinked(inputs, report)
        if report.refused:
            raise ProviderError(str(report.refused))
        failures = self._failures_that_matter(inputs, report)
        if failures:
            # A failed update records nothing, so a filter match it linked would look like
            # someone else's to the next up, which would then never unlink it: undo those.
            undone = writer.apply(unowned_filter_links(inputs, report.maybe_linked()))
            raise ProviderError(
                f"could not change {len(failures)} member(s) of view "
                f"'{inputs['view_key']}' in project '{inputs['project_key']}':\n"
                f"{describe_failures([f.as_member_failure() for f in failures])}\n"
                "The other changes were made"
                + (
                    " (filter matches this update linked were unlinked again, so that the next "
                    "`pulumi up` links them as this resource's)"
                    if undone.unlinked
                    else ""
                )
                + "; fix the members above and run `pulumi up` again."
            )
        assert plan.outputs is not None
        return UpdateResult(plan.outputs)

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        recorded = without_engine_keys(props)
        if "project_key" not in recorded:  # `ViewMembership.get(name, id)`: only the ID
            return read_membership_by_id(self.client, id_)
        reader = self._reader(recorded)
        try:
            live = reader.read(managed_types(recorded))
        except ViewGone:
            return ReadResult(None, {})  # LaunchDarkly confirmed the view is gone
        outputs = refreshed_outputs(
            recorded, live, reader.matches(recorded, managed_types(recorded))
        )
        # The inputs as LaunchDarkly has them, with the counts a check adds (`member_counts`),
        # so that the next preview shows the count changing with the members.
        inputs = {
            name: outputs[name]
            for name in (*INPUT_NAMES, *COUNT_OUTPUTS.values())
            if outputs.get(name) is not None
        }
        return ReadResult(id_, outputs, inputs=inputs)

    def delete(self, _id: str, props: dict[str, Any]) -> None:
        recorded = without_engine_keys(props)
        try:
            live = self._reader(recorded).read(types_to_read(None, recorded))
        except ViewGone:
            return  # the view is gone, and its links with it
        plan = plan_membership(
            None, recorded, live, declared_elsewhere=self._declared_elsewhere(recorded)
        )
        self._say_kept(recorded, plan)
        report = self._writer(recorded).apply(plan.changes)
        self._record_unlinked(recorded, report)
        if report.refused:
            raise ProviderError(str(report.refused))
        failures = self._failures_that_matter(recorded, report)
        if failures:
            raise ProviderError(
                f"could not unlink {len(failures)} member(s) from view "
                f"'{recorded['view_key']}' in project '{recorded['project_key']}':\n"
                f"{describe_failures([f.as_member_failure() for f in failures])}\n"
                "The resource stays in the state; run `pulumi destroy` again once LaunchDarkly "
                "accepts the change."
            )

    # -- carrying a plan out ------------------------------------------------------------------

    def _carry_out_checks(self, inputs: Mapping[str, Any], plan: MembershipPlan) -> MembershipPlan:
        """Stop on a refusal (nothing was changed yet); say what an adoption will unlink."""
        if plan.refusals:
            raise ProviderError(
                "\n".join(self._refusal_message(inputs, refusal) for refusal in plan.refusals)
            )
        for name, members in plan.already_gone.items():
            print(
                f"ViewMembership '{inputs['view_key']}': skipped unlinking "
                + ", ".join(f"{SINGULAR[name]} {describe_member(m)}" for m in sorted(members))
                + ": no longer linked (deleted in LaunchDarkly or unlinked by someone else)",
                file=sys.stderr,
            )
        for name, members in plan.adopted.items():
            print(
                f"ViewMembership adopting view '{inputs['view_key']}': unlinking "
                f"{len(members)} undeclared {SINGULAR[name]}(s)",
                file=sys.stderr,
            )
        self._say_kept(inputs, plan)
        return plan

    @staticmethod
    def _declared_elsewhere(props: Mapping[str, Any]) -> Callable[[str, Member], bool]:
        return declared_elsewhere_in(props, current_deployment().declared_elsewhere)

    @staticmethod
    def _record_unlinked(props: Mapping[str, Any], report: ApplyReport) -> None:
        current_deployment().record_unlinked(
            member_item(props, name, member)
            for name, members in report.unlinked.items()
            for member in members
        )

    @staticmethod
    def _say_kept(props: Mapping[str, Any], plan: MembershipPlan) -> None:
        for name, members in plan.kept_for_others.items():
            shown = sorted(members)
            print(
                f"ViewMembership '{props['view_key']}': kept {len(shown)} {SINGULAR[name]}(s) "
                "linked that another resource of this program declares: "
                + ", ".join(describe_member(m) for m in shown[:20])
                + (f" and {len(shown) - 20} more" if len(shown) > 20 else ""),
                file=sys.stderr,
            )

    def _failures_that_matter(
        self, props: Mapping[str, Any], report: ApplyReport
    ) -> list[FailedMember]:
        """Failures, less unlinks whose goal is met anyway: the member was deleted in
        LaunchDarkly, or someone else unlinked it meanwhile. Those are reported as skipped.
        An ambiguous link failure (a segment named without its environment) is settled by the
        same read: a candidate that is linked did not fail."""
        failed_unlinks = [(f.input_name, f.member) for f in report.failures if f.action == "unlink"]
        ambiguous = [f for f in report.failures if f.ambiguous and f.action == "link"]
        if not failed_unlinks and not ambiguous:
            return report.failures
        types = sorted(
            {name for name, _member in failed_unlinks} | {f.input_name for f in ambiguous}
        )
        try:
            live = self._reader(props).read(types)
        except ViewGone:
            return [f for f in report.failures if f.action == "link"]
        linked_now = {
            f.member
            for f in ambiguous
            if f.member in members_of(f.input_name, live.get(f.input_name))
        }
        failures = [f for f in report.failures if not (f.ambiguous and f.member in linked_now)]
        outstanding = outstanding_unlinks(failed_unlinks, live)
        skipped = [(n, m) for n, m in failed_unlinks if (n, m) not in outstanding]
        if skipped:
            print(
                f"ViewMembership '{props['view_key']}': skipped unlinking "
                + ", ".join(f"{SINGULAR[n]} {describe_member(m)}" for n, m in skipped)
                + ": no longer linked (deleted in LaunchDarkly or unlinked by someone else)",
                file=sys.stderr,
            )
        return [
            f for f in failures if f.action == "link" or (f.input_name, f.member) in outstanding
        ]

    def _reader(
        self, props: Mapping[str, Any], other: Mapping[str, Any] | None = None
    ) -> MembershipReader:
        known = [
            *(member_list("segments", props.get("segments")) or []),
            *(member_list("segments", (other or {}).get("segments")) or []),
        ]
        return MembershipReader(
            self.client, props["project_key"], props["view_key"], known_segments=known
        )

    def _writer(self, inputs: Mapping[str, Any]) -> MembershipWriter:
        settings = self.settings
        return MembershipWriter(
            self.client,
            inputs["project_key"],
            inputs["view_key"],
            batch_size=settings.link_batch_size,
            parallel_batches=settings.max_parallel_batches,
            comment=inputs.get("comment"),
        )

    @staticmethod
    def _refusal_message(inputs: Mapping[str, Any], refusal: Refusal) -> str:
        name, extra = refusal.input_name, refusal.undeclared
        shown = ", ".join(describe_member(m) for m in extra[:20])
        more = f" and {len(extra) - 20} more" if len(extra) > 20 else ""
        return (
            f"view '{inputs['view_key']}' in project '{inputs['project_key']}' already has "
            f"{len(extra)} {SINGULAR[name]}(s) linked that `{name}` does not list: {shown}{more}. "
            "exclusive=True would unlink them: add them to "
            f"`{name}`, or set adopt=True to take the view over, or use exclusive=False."
        )

    def _rollback_note(self, inputs: Mapping[str, Any], rollback: ApplyReport) -> str:
        failures = self._failures_that_matter(inputs, rollback)
        if failures:
            return (
                "Undoing this create also failed for:\n"
                f"{describe_failures([f.as_member_failure() for f in failures])}\n"
                "Unlink or relink those by hand, or run `pulumi up` again."
            )
        return (
            "This create was undone: what it linked was unlinked again, and members that were "
            "linked before it are still linked. Fix the members above and run `pulumi up` again."
        )
