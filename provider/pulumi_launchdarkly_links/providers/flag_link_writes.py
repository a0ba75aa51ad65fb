"""Create or patch a flag link when LaunchDarkly's answer may have been lost: look, then write.

The API client does not repeat a POST or a PATCH after a 5xx, a timeout after sending or a
dropped connection: LaunchDarkly may have carried it out (`may_have_been_applied`), and a blind
repeat would make a second link with the same key or replay a JSON Patch `remove` (a 400). The
spec does not promise a 409 for a repeated key either. So after such a failure these functions
list the flag's links and write again only when the list shows that the write did not happen,
at most MAX_WRITE_ATTEMPTS times in all (the last failure is looked at too: it may have worked).
The create's loop is `look_then_post.post_unless_found`, shared with the View provider.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..api import BadRequestError, LaunchDarklyError, NotFoundError
from .flag_link_lookup import match_link
from .flag_link_plan import PATCHABLE_INPUTS, link_attributes, patch_operations
from .look_then_post import MAX_WRITE_ATTEMPTS, epoch_ms, existed_before, post_unless_found

if TYPE_CHECKING:
    from ..api import FlagLink, FlagLinkPost, LaunchDarklyClient

logger = logging.getLogger("pulumi_launchdarkly_links.providers")


@dataclass(frozen=True)
class CreatedFlagLink:
    link: FlagLink
    # True: the POST's answer was lost and the list already held a link with the key.
    found_existing: bool
    # True: that link was made before this create's first POST (its answer, a 409, was lost):
    # someone else's, which the caller treats as after a 409. False: this create made it.
    existed_before: bool = False


def flag_link_post(key: str | None, attributes: Mapping[str, Any]) -> FlagLinkPost:
    """The POST body for a link with this key and these declared attributes (input names)."""
    from ..api import FlagLinkPost

    return FlagLinkPost(
        key=key,
        deep_link=attributes.get("deep_link"),
        title=attributes.get("title"),
        description=attributes.get("description"),
        timestamp=attributes.get("timestamp"),
        integration_key=attributes.get("integration_key"),
        metadata=attributes.get("metadata"),
    )


def create_flag_link(
    client: LaunchDarklyClient, project_key: str, flag_key: str, request: FlagLinkPost
) -> CreatedFlagLink:
    """POST the link; after a failure that may have created it, look for its key first."""
    key = request.key
    if not key:
        # Without a key the list cannot tell this create's link from any other: no looking, and
        # so no second POST either; a failure reaches the caller as it is.
        return CreatedFlagLink(
            client.create_flag_link(project_key, flag_key, request), found_existing=False
        )

    def look(post_error: LaunchDarklyError) -> FlagLink | None:
        links = _links_after(client, project_key, flag_key, post_error)
        return match_link(links, link_id=None, key=key)

    first_post_at = epoch_ms()
    link, found_existing = post_unless_found(
        lambda: client.create_flag_link(project_key, flag_key, request),
        look,
        describe=f"flag link {key!r}",
    )
    return CreatedFlagLink(
        link,
        found_existing=found_existing,
        existed_before=found_existing and existed_before(link.created_at, first_post_at),
    )


def patch_flag_link(
    client: LaunchDarklyClient,
    project_key: str,
    flag_key: str,
    link_id: str,
    *,
    recorded: Mapping[str, Any],
    declared: Mapping[str, Any],
) -> FlagLink | None:
    """Bring the link's title and description to `declared`; None if the link is not there.

    The first PATCH is computed from the `recorded` state. After a failure that may have been
    applied, or a 400 that a stale state explains (an earlier run's PATCH went through but its
    answer was lost, so `remove` now targets a field that is already gone), the next PATCH is
    computed from the link as LaunchDarkly lists it, or skipped when that already matches.
    """
    from ..api import JsonPatchOperation

    current: Mapping[str, Any] = recorded
    attempt = 1
    while True:
        operations = patch_operations(current, declared)
        try:
            return client.update_flag_link(
                project_key,
                flag_key,
                link_id,
                [JsonPatchOperation(**operation) for operation in operations],
            )
        except NotFoundError:
            return None
        except LaunchDarklyError as error:
            stale_state_suspected = isinstance(error, BadRequestError) and attempt == 1
            if not (error.may_have_been_applied or stale_state_suspected):
                raise
            live = match_link(
                _links_after(client, project_key, flag_key, error), link_id=link_id, key=None
            )
            if live is None:
                return None
            live_attributes = link_attributes(live)
            if not patch_operations(live_attributes, declared):
                return live  # the lost PATCH was applied, or LaunchDarkly already matched
            if not error.may_have_been_applied and _same_patchable(live_attributes, current):
                raise  # the state was not stale: the 400 is LaunchDarkly's real answer
            if attempt >= MAX_WRITE_ATTEMPTS:
                raise
            logger.info("patching flag link %s: %s; patching the listed link", link_id, error)
            current = live_attributes
        attempt += 1


def _same_patchable(left: Mapping[str, Any], right: Mapping[str, Any]) -> bool:
    return all((left.get(name) or None) == (right.get(name) or None) for name in PATCHABLE_INPUTS)


def _links_after(
    client: LaunchDarklyClient, project_key: str, flag_key: str, write_error: LaunchDarklyError
) -> list[FlagLink]:
    """The flag's links, listed after a write failed; if the look fails as well, the write's
    own error is the one to report (the look's is kept as its cause)."""
    try:
        return client.list_flag_links(project_key, flag_key)
    except LaunchDarklyError as look_error:
        raise write_error from look_error
