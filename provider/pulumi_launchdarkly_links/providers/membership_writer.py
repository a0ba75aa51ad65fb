"""Carries out a membership plan: batched link and unlink requests, sent in parallel, with every
member's outcome reported (LaunchDarkly answers partial failure as a 200 with `failedResources`).
"""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from ..api import (
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    LaunchDarklyError,
    PermissionDeniedError,
)
from .errors import MemberFailure
from .membership_plan import MEMBER_INPUTS, SINGULAR, Member, TypeChange, in_batches

if TYPE_CHECKING:
    from ..api import LaunchDarklyClient, LinkRequest

Action = Literal["link", "unlink"]


def unsupported_type_reason(input_name: str, detail: str) -> str:
    return (
        f"LaunchDarkly refused resource type '{MEMBER_INPUTS[input_name]}' ({detail}); this "
        f"account's API may not support linking {SINGULAR[input_name]}s to views yet: remove "
        f"`{input_name}` from the resource"
    )


def describe_member(member: Member) -> str:
    if isinstance(member, tuple):
        environment_id, segment_key = member
        return f"'{segment_key}' (environment {environment_id})"
    return f"'{member}'"


@dataclass(frozen=True)
class FailedMember:
    """One member LaunchDarkly did not link or unlink, and why."""

    input_name: str
    action: Action
    member: Member
    reason: str
    # False when no clean answer came back (timeout, 5xx): the change may have been made.
    certain: bool = True
    # True when LaunchDarkly named a failed segment by key alone and the batch holds that key in
    # more than one environment: one of them failed, each may have. A read tells which.
    ambiguous: bool = False

    def as_member_failure(self) -> MemberFailure:
        return MemberFailure(SINGULAR[self.input_name], describe_member(self.member), self.reason)


@dataclass
class ApplyReport:
    """What a set of link/unlink requests achieved, member by member."""

    linked: dict[str, set[Member]] = field(default_factory=dict)
    unlinked: dict[str, set[Member]] = field(default_factory=dict)
    failures: list[FailedMember] = field(default_factory=list)
    # A refused token or role fails every request alike: one error, not one per member.
    refused: AuthenticationError | PermissionDeniedError | None = None

    def maybe_linked(self) -> dict[str, set[Member]]:
        """Per type, what was linked or may have been (a link without a clean answer)."""
        return self._maybe("link", self.linked)

    def inverse(self) -> list[TypeChange]:
        """The changes that undo what succeeded or may have succeeded, for a rollback."""
        linked = self.maybe_linked()
        unlinked = self._maybe("unlink", self.unlinked)
        return [
            TypeChange(
                name,
                MEMBER_INPUTS[name],
                to_link=tuple(sorted(unlinked.get(name, set()))),
                to_unlink=tuple(sorted(linked.get(name, set()))),
            )
            for name in sorted(set(linked) | set(unlinked))
        ]

    def _maybe(self, action: Action, done: dict[str, set[Member]]) -> dict[str, set[Member]]:
        maybe = {name: set(members) for name, members in done.items()}
        for failure in self.failures:
            if failure.action == action and not failure.certain:
                maybe.setdefault(failure.input_name, set()).add(failure.member)
        return maybe

    def member_failures(self) -> list[MemberFailure]:
        return [failure.as_member_failure() for failure in self.failures]


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
        changes = list(changes)
        report = ApplyReport()
        jobs: list[tuple[str, Action, list[Member]]] = []
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
        for (input_name, action, _batch), outcome in zip(jobs, results, strict=True):
            if isinstance(outcome, AuthenticationError | PermissionDeniedError):
                report.refused = report.refused or outcome
                continue
            succeeded, failures = outcome
            target = report.linked if action == "link" else report.unlinked
            target.setdefault(input_name, set()).update(succeeded)
            report.failures.extend(failures)
        return report

    def _send(
        self, input_name: str, action: Action, batch: list[Member]
    ) -> tuple[set[Member], list[FailedMember]] | AuthenticationError | PermissionDeniedError:
        resource_type = MEMBER_INPUTS[input_name]
        request = self._request_for(input_name, batch)
        send = self.client.link_resources if action == "link" else self.client.unlink_resources
        try:
            result = send(self.project_key, self.view_key, resource_type, request)
        except (AuthenticationError, PermissionDeniedError) as error:
            return error
        except BadRequestError as error:
            reason = str(error)
            if input_name in ("metrics", "ai_configs"):
                reason = unsupported_type_reason(input_name, error.message)
            return set(), [FailedMember(input_name, action, m, reason) for m in batch]
        except LaunchDarklyError as error:
            certain = isinstance(error, APIStatusError) and error.status_code < 500
            return set(), [FailedMember(input_name, action, m, str(error), certain) for m in batch]
        failed: dict[Member, str] = {}
        ambiguous: set[Member] = set()
        for item in result.failed_resources:
            reason = item.error_message or "refused without a reason"
            if input_name != "segments":
                failed[item.resource_key] = reason
                continue
            if item.environment_id:
                failed[(item.environment_id, item.resource_key)] = reason
                continue
            # Some answers omit environmentId: the segment is known by key alone, and with that
            # key in several environments of this batch, any of them may be the one.
            candidates = [m for m in batch if isinstance(m, tuple) and m[1] == item.resource_key]
            for member in candidates or [("", item.resource_key)]:
                failed[member] = reason
            if len(candidates) > 1:
                ambiguous.update(candidates)
        if result.failure_count and not failed:
            # Counts say something failed but no item was named: trust nothing in this batch.
            failed = {m: f"{action} failed (failureCount={result.failure_count})" for m in batch}
        failures = [
            FailedMember(input_name, action, m, reason, m not in ambiguous, m in ambiguous)
            for m, reason in failed.items()
        ]
        return {m for m in batch if m not in failed}, failures

    def _request_for(self, input_name: str, batch: list[Member]) -> LinkRequest:
        from ..api import LinkRequest, SegmentIdentifier

        if input_name == "segments":
            identifiers = [
                SegmentIdentifier(environment_id=member[0], segment_key=member[1])
                for member in batch
                if isinstance(member, tuple)
            ]
            return LinkRequest(segment_identifiers=identifiers, comment=self.comment)
        return LinkRequest(keys=[str(m) for m in batch], comment=self.comment)
