"""The ViewMembership dynamic provider: links flags, segments, AI configs and metrics to a view.

The plan (what to link and unlink) comes from `membership_plan`; this module only turns it into
the fewest LaunchDarkly requests: batches per type, sent in parallel, failures collected per
member. Create is transactional (what it linked is unlinked again on failure); update reports
a partial failure and the next `pulumi up` converges because linking is idempotent.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    CreateResult,
    DiffResult,
    ReadResult,
    UpdateResult,
)

from ..api import (
    BadRequestError,
    LaunchDarklyClient,
    LaunchDarklyError,
    LinkRequest,
    NotFoundError,
    SegmentIdentifier,
)
from ._inputs import without_engine_keys
from ._session import LaunchDarklyProvider
from .errors import MemberFailure, ProviderError, describe_failures
from .membership_inputs import membership_input_problems, normalise_membership_inputs
from .membership_plan import (
    INPUT_NAMES,
    MEMBER_INPUTS,
    REPLACE_INPUTS,
    Member,
    TypeChange,
    changed_inputs,
    in_batches,
    managed_types,
    members_of,
    membership_outputs,
    plan_membership_change,
    refreshed_members,
)

_SINGULAR = {"flags": "flag", "segments": "segment", "ai_configs": "AI config", "metrics": "metric"}


def describe_member(input_name: str, member: Member) -> str:
    if isinstance(member, tuple):
        environment_id, segment_key = member
        return f"'{segment_key}' (environment {environment_id})"
    return f"'{member}'"


@dataclass
class ApplyReport:
    """What a set of link/unlink requests achieved, member by member."""

    linked: dict[str, set[Member]] = field(default_factory=dict)
    unlinked: dict[str, set[Member]] = field(default_factory=dict)
    failures: list[MemberFailure] = field(default_factory=list)

    def as_changes(self) -> list[TypeChange]:
        """The inverse of what succeeded, for a rollback."""
        names = set(self.linked) | set(self.unlinked)
        return [
            TypeChange(
                name,
                MEMBER_INPUTS[name],
                to_link=tuple(sorted(self.unlinked.get(name, set()))),
                to_unlink=tuple(sorted(self.linked.get(name, set()))),
            )
            for name in sorted(names)
        ]


class MembershipWriter:
    """Carries out TypeChanges on one view with batched, parallel link and unlink requests."""

    def __init__(
        self,
        client: LaunchDarklyClient,
        project_key: str,
        view_key: str,
        *,
        batch_size: int,
        parallel_batches: int,
        comment: str | None,
    ) -> None:
        self.client = client
        self.project_key = project_key
        self.view_key = view_key
        self.batch_size = batch_size
        self.parallel_batches = parallel_batches
        self.comment = comment

    def apply(self, changes: Iterable[TypeChange]) -> ApplyReport:
        report = ApplyReport()
        jobs = []
        # Unlinks go first, as Terraform does, so a move between types never overlaps.
        for change in changes:
            for batch in in_batches(change.to_unlink, self.batch_size):
                jobs.append((change.input_name, "unlink", batch))
        for change in changes:
            for batch in in_batches(change.to_link, self.batch_size):
                jobs.append((change.input_name, "link", batch))
        if not jobs:
            return report
        with ThreadPoolExecutor(max_workers=max(1, self.parallel_batches)) as pool:
            results = list(pool.map(lambda job: self._send(*job), jobs))
        for (input_name, action, _batch), (succeeded, failures) in zip(jobs, results, strict=True):
            target = report.linked if action == "link" else report.unlinked
            target.setdefault(input_name, set()).update(succeeded)
            report.failures.extend(failures)
        return report

    def _send(
        self, input_name: str, action: str, batch: list[Member]
    ) -> tuple[set[Member], list[MemberFailure]]:
        resource_type = MEMBER_INPUTS[input_name]
        request = self._request_for(input_name, batch)
        send = self.client.link_resources if action == "link" else self.client.unlink_resources
        singular = _SINGULAR[input_name]
        try:
            result = send(self.project_key, self.view_key, resource_type, request)
        except BadRequestError as error:
            if input_name in ("metrics", "ai_configs"):
                reason = (
                    f"LaunchDarkly refused resource type '{resource_type}' ({error.message}); "
                    f"this account's API may not support linking {singular}s to views yet: "
                    f"remove `{input_name}` from the resource"
                )
            else:
                reason = str(error)
            return set(), [
                MemberFailure(singular, describe_member(input_name, m), reason) for m in batch
            ]
        except LaunchDarklyError as error:
            return set(), [
                MemberFailure(singular, describe_member(input_name, m), str(error)) for m in batch
            ]
        failed: dict[Member, str] = {}
        for item in result.failed_resources:
            member: Member = (
                (item.environment_id or "", item.resource_key)
                if input_name == "segments"
                else item.resource_key
            )
            if input_name == "segments" and member not in batch:
                # Some answers omit environmentId; match by segment key alone then.
                member = next((m for m in batch if m[1] == item.resource_key), member)
            failed[member] = item.error_message or "refused without a reason"
        if result.failure_count and not failed:
            # Counts say something failed but no item was named: trust nothing in this batch.
            failed = {m: f"{action} failed (failureCount={result.failure_count})" for m in batch}
        failures = [
            MemberFailure(singular, describe_member(input_name, m), reason)
            for m, reason in failed.items()
        ]
        return {m for m in batch if m not in failed}, failures

    def _request_for(self, input_name: str, batch: list[Member]) -> LinkRequest:
        if input_name == "segments":
            identifiers = [
                SegmentIdentifier(environment_id=member[0], segment_key=member[1])
                for member in batch
                if isinstance(member, tuple)
            ]
            return LinkRequest(segment_identifiers=identifiers, comment=self.comment)
        return LinkRequest(keys=[str(m) for m in batch], comment=self.comment)


class ViewMembershipProvider(LaunchDarklyProvider):
    """check/diff/create/read/update/delete for `ViewMembership`; ID is `project_key/view_key`."""

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        self.check_configuration()
        problems = membership_input_problems(without_engine_keys(news))
        if problems:
            return CheckResult(news, [CheckFailure(name, reason) for name, reason in problems])
        try:
            inputs = normalise_membership_inputs(news, olds, self._environment_id)
        except ProviderError as error:
            return CheckResult(news, [CheckFailure("segments", str(error))])
        return CheckResult(inputs, [])

    def _environment_id(self, project_key: str, environment_key: str) -> str:
        try:
            return self.client.get_environment(project_key, environment_key).id
        except NotFoundError:
            raise ProviderError(
                f"environment_key {environment_key!r}: no such environment in project "
                f"{project_key!r}; check the key, or give environment_id (the environment's _id)"
            ) from None

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        changed = changed_inputs(olds, news)
        replaces = [name for name in changed if name in REPLACE_INPUTS]
        return DiffResult(changes=bool(changed), replaces=replaces, delete_before_replace=False)

    def create(self, props: dict[str, Any]) -> CreateResult:
        inputs = without_engine_keys(props)
        project_key, view_key = inputs["project_key"], inputs["view_key"]
        self._require_view(project_key, view_key)
        current: dict[str, Any] = {}
        if inputs.get("exclusive"):
            current = self._linked_members(inputs, exclusive=True)
            self._refuse_unadopted(inputs, current)
        writer = self._writer(inputs)
        report = writer.apply(plan_membership_change(current, inputs))
        if report.failures:
            rollback = writer.apply(report.as_changes())
            raise ProviderError(
                f"could not link {len(report.failures)} member(s) to view '{view_key}' in "
                f"project '{project_key}':\n{describe_failures(report.failures)}\n"
                + self._rollback_note(rollback)
            )
        return CreateResult(f"{project_key}/{view_key}", membership_outputs(inputs))

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        inputs = without_engine_keys(news)
        current = without_engine_keys(olds)
        if inputs.get("exclusive") and not current.get("exclusive"):
            # Becoming the owner: what others linked is only known by asking.
            current = {**current, **self._linked_members(inputs, exclusive=True)}
        report = self._writer(inputs).apply(plan_membership_change(current, inputs))
        if report.failures:
            raise ProviderError(
                f"could not change {len(report.failures)} member(s) of view "
                f"'{inputs['view_key']}' in project '{inputs['project_key']}':\n"
                f"{describe_failures(report.failures)}\n"
                "The other changes were made; fix the members above and run `pulumi up` again."
            )
        return UpdateResult(membership_outputs(inputs))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        state = without_engine_keys(props)
        if "project_key" not in state:
            raise ProviderError(
                f"cannot read {id_!r} without state: `pulumi import` is not supported for "
                "dynamic resources (pulumi/pulumi#16175); declare the resource with adopt=True"
            )
        try:
            refreshed = {
                **state,
                **self._linked_members(state, exclusive=bool(state.get("exclusive"))),
            }
        except NotFoundError:
            return ReadResult(None, {})  # the view (or project) is gone: drop from state
        outputs = membership_outputs(refreshed)
        inputs = {name: outputs[name] for name in INPUT_NAMES if outputs.get(name) is not None}
        return ReadResult(id_, outputs, inputs=inputs)

    def delete(self, _id: str, props: dict[str, Any]) -> None:
        state = without_engine_keys(props)
        try:
            current = (
                self._linked_members(state, exclusive=True) if state.get("exclusive") else state
            )
            report = self._writer(state).apply(plan_membership_change(current, {}))
            if report.failures:
                # A member deleted from the project can no longer be unlinked, and need not be.
                still_linked = self._linked_members(state, exclusive=True)
                remaining = [
                    failure
                    for failure in report.failures
                    if any(
                        failure.member == describe_member(name, m)
                        for name in managed_types(state)
                        for m in members_of(name, still_linked.get(name))
                    )
                ]
                if remaining:
                    raise ProviderError(
                        f"could not unlink {len(remaining)} member(s) from view "
                        f"'{state['view_key']}' in project '{state['project_key']}':\n"
                        f"{describe_failures(remaining)}\nThe resource stays in the state; "
                        "run `pulumi destroy` again once LaunchDarkly accepts the change."
                    )
        except NotFoundError:
            return  # the view is gone, and its links with it

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

    def _require_view(self, project_key: str, view_key: str) -> None:
        try:
            self.client.get_view(project_key, view_key)
        except NotFoundError as error:
            raise ProviderError(
                f"view '{view_key}' was not found in project '{project_key}' "
                f"(LaunchDarkly said: {error.message}); create the view first or fix "
                "project_key/view_key"
            ) from None

    def _linked_members(self, props: Mapping[str, Any], *, exclusive: bool) -> dict[str, Any]:
        """Per listed type, what LaunchDarkly reports as linked (all, or the declared part)."""
        linked: dict[str, Any] = {}
        for name in managed_types(props):
            items = self.client.list_linked_resources(
                props["project_key"], props["view_key"], MEMBER_INPUTS[name]
            )
            reported: list[Any] = (
                [
                    {
                        "environment_id": item.environment_id,
                        "environment_key": item.environment_key,
                        "segment_key": item.resource_key,
                    }
                    for item in items
                ]
                if name == "segments"
                else [item.resource_key for item in items]
            )
            linked[name] = refreshed_members(name, props.get(name), reported, exclusive=exclusive)
        return linked

    def _refuse_unadopted(self, inputs: Mapping[str, Any], current: Mapping[str, Any]) -> None:
        if inputs.get("adopt"):
            undeclared = {
                name: members_of(name, current.get(name)) - members_of(name, inputs.get(name))
                for name in managed_types(inputs)
            }
            for name, members in undeclared.items():
                if members:
                    print(
                        f"ViewMembership adopting view '{inputs['view_key']}': unlinking "
                        f"{len(members)} undeclared {_SINGULAR[name]}(s)",
                        file=sys.stderr,
                    )
            return
        for name in managed_types(inputs):
            extra = sorted(members_of(name, current.get(name)) - members_of(name, inputs.get(name)))
            if extra:
                shown = ", ".join(describe_member(name, m) for m in extra[:20])
                raise ProviderError(
                    f"view '{inputs['view_key']}' in project '{inputs['project_key']}' already "
                    f"has {len(extra)} {_SINGULAR[name]}(s) linked that `{name}` does not list: "
                    f"{shown}. exclusive=True would unlink them: add them to `{name}`, or set "
                    "adopt=True to take the view over, or use exclusive=False."
                )

    @staticmethod
    def _rollback_note(rollback: ApplyReport) -> str:
        if rollback.failures:
            return (
                "Rolling back this create also failed for:\n"
                f"{describe_failures(rollback.failures)}\n"
                "Those links remain in LaunchDarkly; unlink them by hand or rerun `pulumi up`."
            )
        return (
            "Nothing was left linked by this create; "
            "fix the members above and run `pulumi up` again."
        )
