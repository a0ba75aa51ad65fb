"""What LaunchDarkly has linked to one view, per member type, shaped like ViewMembership inputs.

A 404 is only taken to mean "the view is gone" once LaunchDarkly confirms it: a `/linked/{type}`
page can also 404 for a type the account does not support, and a resource must never leave the
state because of that.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, NoReturn

from ..api import BadRequestError, NotFoundError
from .errors import ProviderError
from .membership_filters import as_members, filter_of
from .membership_plan import FILTER_INPUTS, MEMBER_INPUTS
from .membership_writer import unsupported_type_reason

if TYPE_CHECKING:
    from ..api import LaunchDarklyClient, LinkedResource


class ViewGone(Exception):
    """LaunchDarkly confirmed that the view (or its project) no longer exists."""


class MembershipReader:
    def __init__(
        self,
        client: LaunchDarklyClient,
        project_key: str,
        view_key: str,
        *,
        known_segments: Iterable[Mapping[str, Any]] = (),
    ) -> None:
        self.client = client
        self.project_key = project_key
        self.view_key = view_key
        # environment_key -> environment _id, from segments the program or state already named.
        self._environment_ids = {
            segment["environment_key"]: segment["environment_id"]
            for segment in known_segments
            if isinstance(segment, Mapping)
            and isinstance(segment.get("environment_key"), str)
            and isinstance(segment.get("environment_id"), str)
        }

    def read(self, input_names: Iterable[str]) -> dict[str, Any]:
        """Members per input name; raises ViewGone, or ProviderError for an unexplained 404.

        Types are read at the same time (a create of flags and segments waits for one round
        trip, not two); each read pages in parallel too (`api._pages`).
        """
        names = list(input_names)
        if len(names) <= 1:
            return {name: self._read_type(name) for name in names}
        with ThreadPoolExecutor(max_workers=len(names)) as pool:
            return dict(zip(names, pool.map(self._read_type, names), strict=True))

    def _read_type(self, name: str) -> Any:
        try:
            items = self.client.list_linked_resources(
                self.project_key, self.view_key, MEMBER_INPUTS[name]
            )
        except NotFoundError as error:
            self._explain_not_found(name, error)
        except BadRequestError as error:
            if name in ("flags", "segments"):
                raise
            raise ProviderError(
                f"{unsupported_type_reason(name, error.message)}. Nothing was changed."
            ) from None
        return self._segments(items) if name == "segments" else [i.resource_key for i in items]

    def matches(self, props: Mapping[str, Any], input_names: Iterable[str]) -> dict[str, Any]:
        """What each named type's filter (`flag_filter`, `segment_filter`) matches now."""
        found: dict[str, Any] = {}
        for name in input_names:
            query = filter_of(props, name)
            if query is None:
                continue
            try:
                if name == "segments":
                    environment_key = str(props["segment_filter_environment_key"])
                    keys = self.client.list_segment_keys(self.project_key, environment_key, query)
                else:
                    keys = self.client.list_flag_keys(self.project_key, query)
            except BadRequestError as error:
                raise ProviderError(
                    f"{FILTER_INPUTS[name]} {query!r} was refused by LaunchDarkly: "
                    f"{error.message}. Write it in LaunchDarkly's "
                    f"{'segment query-filter' if name == 'segments' else 'flag list filter'} "
                    "syntax (README, membership by filter)."
                ) from None
            found[name] = as_members(name, keys, props)
        return found

    def _explain_not_found(self, input_name: str, error: NotFoundError) -> NoReturn:
        try:
            self.client.get_view(self.project_key, self.view_key)
        except NotFoundError:
            raise ViewGone(
                f"view '{self.view_key}' in project '{self.project_key}' no longer exists"
            ) from None
        raise ProviderError(
            f"LaunchDarkly answered 404 to {error.method} {error.path} although view "
            f"'{self.view_key}' exists: "
            f"{unsupported_type_reason(input_name, error.message)}. Nothing was changed."
        )

    def _segments(self, items: list[LinkedResource]) -> list[dict[str, Any]]:
        segments = []
        for item in items:
            environment_id = item.environment_id or self._environment_id(item.environment_key)
            if environment_id is None:
                # environmentId is optional in the spec; without it (or a key to look it up)
                # the segment cannot be named in an unlink, so it is left alone, never guessed.
                print(
                    f"ViewMembership: segment '{item.resource_key}' is linked to view "
                    f"'{self.view_key}' without an environment; it is left as it is",
                    file=sys.stderr,
                )
                continue
            segment = {"environment_id": environment_id, "segment_key": item.resource_key}
            if item.environment_key:
                segment["environment_key"] = item.environment_key
            segments.append(segment)
        return segments

    def _environment_id(self, environment_key: str | None) -> str | None:
        if not environment_key:
            return None
        if environment_key not in self._environment_ids:
            environment = self.client.get_environment(self.project_key, environment_key)
            self._environment_ids[environment_key] = environment.id
        return self._environment_ids[environment_key]
