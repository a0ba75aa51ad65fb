"""Carries out FlagLinks' link by link work in parallel, with each link's outcome reported.

A FlagLinks resource creates, patches and deletes many links in one provider call. Each link
goes through the same code as a FlagLink: `flag_link_writes` (a create or patch whose answer
was lost is looked up before it is written again; what that look finds is this create's own),
FlagLink's take-over rule (after a 409, an existing link is taken over only with `adopt=True`
or when it moves here from another resource of this deployment, and only with every declared
attribute) and `flag_link_lookup` (a 404 counts as "gone" only when LaunchDarkly confirms it).
Up to `parallelism` requests are in flight at once; the client's one `RateLimitGate` paces them
with every other call of the process.

A refused token or role (401, 403) fails every request alike: the first one stops the rest, and
it is reported once instead of once per link.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..api import (
    AuthenticationError,
    ConflictError,
    LaunchDarklyError,
    NotFoundError,
    PermissionDeniedError,
)
from .errors import MemberFailure, ProviderError
from .flag_link_lookup import (
    LinkPresenceUnknown,
    _doubt_that_flag_is_gone,  # the confirmation FlagLink's refresh uses, for a whole flag
    find_flag_link,
    match_link,
)
from .flag_link_moves import MovesHere
from .flag_link_plan import link_attributes, link_item, may_take_over, mismatched_attributes
from .flag_link_writes import create_flag_link, flag_link_post, patch_flag_link
from .flag_links_plan import LINK_ID, describe_link, recorded_link, split_link_name

if TYPE_CHECKING:
    from ..api import FlagLink, LaunchDarklyClient

Refusal = AuthenticationError | PermissionDeniedError


@dataclass(frozen=True)
class LinkFailure:
    """One link LaunchDarkly did not create, patch or delete, and why."""

    name: str
    reason: str
    # The flag (or project) was not found: the provider checks the project once for all.
    not_found: bool = False
    # No clean answer and the look that followed failed too: the link may have been created.
    uncertain: bool = False
    # A link with the key exists that this resource may not take over (see `may_take_over`).
    exists: bool = False

    def as_member_failure(self) -> MemberFailure:
        return MemberFailure("flag link", describe_link(self.name), self.reason)


@dataclass
class WriteReport:
    """What one batch of link work achieved, link by link."""

    # name -> the recorded link (attributes and `_id`) after a create, adoption or patch.
    links: dict[str, dict[str, Any]] = field(default_factory=dict)
    # name -> `_id` of links this call made: the only ones an undo deletes.
    created: dict[str, str] = field(default_factory=dict)
    # Existing links with the declared attributes that were adopted (never deleted by an undo).
    adopted: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    failures: list[LinkFailure] = field(default_factory=list)
    refused: Refusal | None = None

    @property
    def failed(self) -> bool:
        return bool(self.failures) or self.refused is not None

    def merge(self, other: WriteReport) -> None:
        self.links.update(other.links)
        self.created.update(other.created)
        self.adopted += other.adopted
        self.deleted += other.deleted
        self.failures += other.failures
        self.refused = self.refused or other.refused


@dataclass(frozen=True)
class _Done:
    name: str
    link: dict[str, Any] | None = None
    created_id: str | None = None
    adopted: bool = False


Job = Callable[[], _Done]


class FlagLinksWriter:
    """Creates, patches, deletes and reads the links of one project, `parallelism` at a time."""

    def __init__(
        self, client: LaunchDarklyClient, project_key: str, parallelism: int, *, adopt: bool = False
    ) -> None:
        self.client = client
        self.project_key = project_key
        self.parallelism = max(1, parallelism)
        self.adopt = adopt  # take over existing links with the declared attributes
        self._moves_here = MovesHere()  # one grace for the checks still to come, per call

    # -- the work -----------------------------------------------------------------------------

    def create(self, declared: Mapping[str, Mapping[str, Any]]) -> WriteReport:
        """Create (or adopt) each declared link; `declared` maps names to attributes."""
        return self.run(self.creators(declared))

    def patch(
        self,
        names: Sequence[str],
        recorded: Mapping[str, Mapping[str, Any]],
        declared: Mapping[str, Mapping[str, Any]],
    ) -> WriteReport:
        """Bring each link's title and description from `recorded` to `declared` (in place)."""
        return self.run(self.patchers(names, recorded, declared))

    def delete(self, recorded: Mapping[str, Mapping[str, Any]]) -> WriteReport:
        """Delete each recorded link by its `_id`; a 404 is done only once confirmed."""
        return self.run(self.deleters(recorded))

    def creators(self, declared: Mapping[str, Mapping[str, Any]]) -> dict[str, Job]:
        return {name: self._creator(name, attributes) for name, attributes in declared.items()}

    def patchers(
        self,
        names: Sequence[str],
        recorded: Mapping[str, Mapping[str, Any]],
        declared: Mapping[str, Mapping[str, Any]],
    ) -> dict[str, Job]:
        return {name: self._patcher(name, recorded, declared) for name in names}

    def deleters(self, recorded: Mapping[str, Mapping[str, Any]]) -> dict[str, Job]:
        return {name: self._deleter(name, link) for name, link in recorded.items()}

    def read(self, flags: Sequence[str]) -> dict[str, list[FlagLink] | None]:
        """Each flag's links, one GET per flag; None for a flag LaunchDarkly confirms is gone
        (its links went with it). Raises if any flag's answer proves nothing."""
        results: dict[str, list[FlagLink] | None] = {}
        errors: list[str] = []
        lock = threading.Lock()

        def read_one(flag_key: str) -> None:
            try:
                links = self._links_of_flag(flag_key)
            except (LaunchDarklyError, ProviderError) as error:
                with lock:
                    errors.append(str(error))
                return
            with lock:
                results[flag_key] = links

        with ThreadPoolExecutor(max_workers=min(self.parallelism, max(1, len(flags)))) as pool:
            list(pool.map(read_one, flags))
        if errors:
            more = f" (and {len(errors) - 1} more flag(s) alike)" if len(errors) > 1 else ""
            raise ProviderError(f"{errors[0]}{more}")
        return results

    # -- one link ------------------------------------------------------------------------------

    def _creator(self, name: str, attributes: Mapping[str, Any]) -> Job:
        def create() -> _Done:
            flag_key, key = split_link_name(name)
            request = flag_link_post(key, attributes)
            try:
                created = create_flag_link(self.client, self.project_key, flag_key, request)
            except ConflictError:
                listed = self.client.list_flag_links(self.project_key, flag_key)
                existing = match_link(listed, link_id=None, key=key)
                if existing is None:
                    raise _Failed(
                        "LaunchDarkly answered 409 Conflict, but the flag has no link with that "
                        "key; run `pulumi up` again"
                    ) from None
                return self._taken_over(name, existing, attributes)
            except NotFoundError as error:
                raise _Failed(
                    f"flag '{flag_key}' was not found in project '{self.project_key}' "
                    f"(LaunchDarkly said: {error.message}); create the flag first or fix its "
                    "flag_key",
                    not_found=True,
                ) from None
            except (AuthenticationError, PermissionDeniedError):
                raise  # every other request would be refused too: reported once
            except LaunchDarklyError as error:
                # A lost answer whose look failed as well: the link may exist now.
                uncertain = error.may_have_been_applied and error.__cause__ is not None
                raise _Failed(str(error), uncertain=uncertain) from None
            if created.existed_before:  # a 409 whose answer was lost
                return self._taken_over(name, created.link, attributes)
            if created.found_existing:
                # Found after this create's own POST lost its answer: this create made it, so
                # undoing the create deletes it (if it has the declared attributes).
                self._refuse_mismatch(created.link, attributes)
            link = recorded_link(created.link, attributes)
            return _Done(name, link, created_id=created.link.id)

        return create

    def _taken_over(self, name: str, existing: FlagLink, attributes: Mapping[str, Any]) -> _Done:
        """An existing link with the key that this create did not make: taken over only with
        adopt=True or when it moves here from another resource of this deployment."""
        flag_key, key = split_link_name(name)
        moving_here = not self.adopt and self._moves_here.moving_here(
            link_item(self.project_key, flag_key, key)
        )
        if not may_take_over(adopt=self.adopt, owned_in_state_elsewhere=moving_here):
            raise _Failed(
                f"the flag already has a link with this key (_id {existing.id}), which this "
                "resource did not create",
                exists=True,
            )
        return self._adopted(name, existing, attributes)

    def _adopted(self, name: str, existing: FlagLink, attributes: Mapping[str, Any]) -> _Done:
        """FlagLink's rule: an existing link is taken over only with every declared attribute;
        otherwise the conflict is named, and the link is left alone."""
        self._refuse_mismatch(existing, attributes)
        return _Done(name, recorded_link(existing, attributes), adopted=True)

    @staticmethod
    def _refuse_mismatch(existing: FlagLink, attributes: Mapping[str, Any]) -> None:
        mismatched = mismatched_attributes(existing, attributes)
        if mismatched:
            current = link_attributes(existing)
            details = ", ".join(f"{field}={current[field]!r}" for field in mismatched)
            raise _Failed(
                f"the flag already has a link with this key (_id {existing.id}) whose "
                f"{details} differ from the declared ones. To adopt it, declare the same "
                "values; otherwise give this link another key, or delete the existing one first"
            )

    def _patcher(
        self,
        name: str,
        recorded: Mapping[str, Mapping[str, Any]],
        declared: Mapping[str, Mapping[str, Any]],
    ) -> Job:
        def patch() -> _Done:
            flag_key, _key = split_link_name(name)
            link = patch_flag_link(
                self.client,
                self.project_key,
                flag_key,
                recorded[name][LINK_ID],
                recorded=recorded[name],
                declared=declared[name],
            )
            if link is None:
                raise _Failed(
                    f"link _id {recorded[name][LINK_ID]} no longer exists (deleted in "
                    "LaunchDarkly); run `pulumi refresh`, then `pulumi up` to create it again"
                )
            return _Done(name, recorded_link(link, declared[name]))

        return patch

    def _deleter(self, name: str, link: Mapping[str, Any]) -> Job:
        def delete() -> _Done:
            flag_key, _key = split_link_name(name)
            link_id = link[LINK_ID]
            try:
                self.client.delete_flag_link(self.project_key, flag_key, link_id)
            except NotFoundError as error:
                # Gone already, or a wrong route: only a confirmed absence counts as deleted.
                try:
                    still_there = find_flag_link(
                        self.client, self.project_key, flag_key, link_id=link_id, key=None
                    )
                except LinkPresenceUnknown as unknown:
                    raise _Failed(str(unknown)) from None
                if still_there is not None:
                    raise _Failed(
                        f"{error.method} {self.client.base_url}{error.path} answered 404, yet "
                        "the flag's link list still holds it. Check launchdarkly:apiHost"
                    ) from None
            return _Done(name)

        return delete

    def _links_of_flag(self, flag_key: str) -> list[FlagLink] | None:
        try:
            return self.client.list_flag_links(self.project_key, flag_key)
        except NotFoundError as listing_error:
            doubt = _doubt_that_flag_is_gone(self.client, self.project_key, flag_key)
            if doubt is None:
                return None
            raise LinkPresenceUnknown(
                f"cannot tell whether the links on flag '{flag_key}' in project "
                f"'{self.project_key}' still exist: {listing_error.method} "
                f"{self.client.base_url}{listing_error.path} answered 404 "
                f"({listing_error.message}), but {doubt}. The FlagLinks stays in the state "
                "unchanged. Check that launchdarkly:apiHost (or LAUNCHDARKLY_API_HOST) is the "
                "LaunchDarkly host only, e.g. https://app.launchdarkly.com."
            ) from None

    # -- running many ----------------------------------------------------------------------------

    def run(self, jobs: Mapping[str, Job]) -> WriteReport:
        """Run one job per link name, `parallelism` at a time; every outcome is reported."""
        report = WriteReport()
        if not jobs:
            return report
        lock = threading.Lock()
        refused = threading.Event()

        def run_one(item: tuple[str, Job]) -> None:
            name, job = item
            if refused.is_set():
                return  # the token or role is refused: every other request would be too
            try:
                done = job()
            except (AuthenticationError, PermissionDeniedError) as error:
                refused.set()
                with lock:
                    report.refused = report.refused or error
                return
            except _Failed as failure:
                outcome: LinkFailure | _Done = LinkFailure(
                    name, failure.reason, failure.not_found, failure.uncertain, failure.exists
                )
            except (LaunchDarklyError, ProviderError) as error:
                outcome = LinkFailure(name, str(error))
            else:
                outcome = done
            with lock:
                _record(report, outcome)

        with ThreadPoolExecutor(max_workers=min(self.parallelism, len(jobs))) as pool:
            list(pool.map(run_one, jobs.items()))
        report.failures.sort(key=lambda failure: failure.name)
        return report


def _record(report: WriteReport, outcome: LinkFailure | _Done) -> None:
    if isinstance(outcome, LinkFailure):
        report.failures.append(outcome)
        return
    if outcome.link is None:
        report.deleted.append(outcome.name)
        return
    report.links[outcome.name] = outcome.link
    if outcome.created_id is not None:
        report.created[outcome.name] = outcome.created_id
    if outcome.adopted:
        report.adopted.append(outcome.name)


class _Failed(Exception):
    """One link's failure, as the user reads it (raised inside a job, recorded per link)."""

    def __init__(
        self,
        reason: str,
        *,
        not_found: bool = False,
        uncertain: bool = False,
        exists: bool = False,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.not_found = not_found
        self.uncertain = uncertain
        self.exists = exists
