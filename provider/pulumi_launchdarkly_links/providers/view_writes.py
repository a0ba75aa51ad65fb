"""Create or patch a view when LaunchDarkly's answer may have been lost: look, then write.

The API client does not repeat a POST or a PATCH after a 5xx, a timeout after sending or a
dropped connection (`may_have_been_applied`). So after such a failure these functions GET the
view and write again only when the view shows that the write did not happen, at most
MAX_WRITE_ATTEMPTS times in all; the last failure is looked at too, since it may have worked.
A view found after a lost POST answer is returned as `found_existing`: the caller takes it only
if it is exactly what the POST makes, as it does for a 409. The create's loop is
`look_then_post.post_unless_found`, shared with the FlagLink provider.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..api import LaunchDarklyError, NotFoundError
from .look_then_post import MAX_WRITE_ATTEMPTS, epoch_ms, existed_before, post_unless_found
from .view_plan import view_outputs, view_patch

if TYPE_CHECKING:
    from ..api import LaunchDarklyClient, View, ViewPost

logger = logging.getLogger("pulumi_launchdarkly_links.providers")


@dataclass(frozen=True)
class CreatedView:
    view: View
    # True: the POST's answer was lost and a view with the key exists.
    found_existing: bool
    # True: that view was made before this create's first POST (its answer, a 409, was lost):
    # someone else's, which the caller treats as after a 409. False: this create made it.
    existed_before: bool = False


def create_view(client: LaunchDarklyClient, project_key: str, post: ViewPost) -> CreatedView:
    """POST the view; after a failure that may have created it, GET it before posting again.
    ConflictError, NotFoundError and BadRequestError reach the caller unchanged; so does a
    failure of the GET itself (other than its 404)."""
    first_post_at = epoch_ms()
    view, found_existing = post_unless_found(
        lambda: client.post_view(project_key, post),
        lambda _post_error: _view_or_none(client, project_key, post.key),
        describe=f"view {post.key!r}",
    )
    return CreatedView(
        view,
        found_existing=found_existing,
        existed_before=found_existing and existed_before(view.created_at, first_post_at),
    )


def patch_view(
    client: LaunchDarklyClient,
    project_key: str,
    key: str,
    *,
    recorded: Mapping[str, Any],
    declared: Mapping[str, Any],
) -> View:
    """Bring the view's declared fields to `declared`. The first PATCH comes from the `recorded`
    state; after a failure that may have been applied, the next from the view as LaunchDarkly
    reports it, or none when that already matches. NotFoundError reaches the caller."""
    patch = view_patch(recorded, declared)
    attempt = 1
    while True:
        try:
            return client.update_view(project_key, key, patch)
        except LaunchDarklyError as error:
            if not error.may_have_been_applied:
                raise
            live = client.get_view(project_key, key)
            patch = view_patch(view_outputs(declared, live), declared)
            if patch.is_empty():
                return live
            if attempt >= MAX_WRITE_ATTEMPTS:
                raise
            logger.info("updating view %r: %s; not applied, patching again", key, error)
        attempt += 1


def _view_or_none(client: LaunchDarklyClient, project_key: str, key: str) -> View | None:
    try:
        return client.get_view(project_key, key)
    except NotFoundError:
        return None
