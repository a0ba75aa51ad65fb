"""Find a FlagLink's link, and call it gone only when LaunchDarkly confirms that it is.

LaunchDarkly has no GET for a single link, so the flag's links are listed and matched. A 404 on
that list proves nothing by itself: a wrong apiHost, a proxy or an API that does not know the
route answer 404 as well, some even with LaunchDarkly's `{code, message}` body. Dropping the
resource from the state on such an answer would forget a link that still exists, and the next
`up` would create a second one. So a link is gone only when

- the flag's link list answers and no longer holds it, or
- LaunchDarkly answers for the project (GET project succeeds) and says that the flag does not
  exist (GET flag answers a coded 404): the flag was deleted, and its links with it.

Anything else raises `LinkPresenceUnknown`, which names the URLs; the resource stays as it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..api import NotFoundError
from .errors import ProviderError

if TYPE_CHECKING:
    from ..api import FlagLink, LaunchDarklyClient


class LinkPresenceUnknown(ProviderError):
    """LaunchDarkly answered 404 without confirming that the link is gone."""


def match_link(
    links: Sequence[FlagLink], *, link_id: str | None, key: str | None
) -> FlagLink | None:
    """The link with `link_id`; by `key` only when no ID is known yet.

    A link with the same key but another ID is not the one this resource created or adopted:
    someone replaced it, and claiming it would let this resource patch or delete it.
    """
    if link_id:
        return next((link for link in links if link.id == link_id), None)
    if key:
        return next((link for link in links if link.key == key), None)
    return None


def find_flag_link(
    client: LaunchDarklyClient,
    project_key: str,
    flag_key: str,
    *,
    link_id: str | None,
    key: str | None,
) -> FlagLink | None:
    """The link, or None when LaunchDarkly confirms it is gone (see the module docstring)."""
    try:
        links = client.list_flag_links(project_key, flag_key)
    except NotFoundError as listing_error:
        doubt = _doubt_that_flag_is_gone(client, project_key, flag_key)
        if doubt is None:
            return None
        raise LinkPresenceUnknown(
            f"cannot tell whether flag link {_describe(link_id, key)} on flag '{flag_key}' in "
            f"project '{project_key}' still exists: {_answer(client, listing_error)}, but "
            f"{doubt}. "
            "The FlagLink stays in the state unchanged. Check that launchdarkly:apiHost "
            "(or LAUNCHDARKLY_API_HOST) is the LaunchDarkly host only, "
            "e.g. https://app.launchdarkly.com; if the project itself was deleted, remove "
            "this resource with `pulumi state delete`."
        ) from None
    return match_link(links, link_id=link_id, key=key)


def _doubt_that_flag_is_gone(
    client: LaunchDarklyClient, project_key: str, flag_key: str
) -> str | None:
    """None when LaunchDarkly confirms that the flag is gone, else what speaks against it.

    Errors other than 404 (401, 5xx, no connection) propagate: they confirm nothing either.
    """
    try:
        client.get_flag(project_key, flag_key)
    except NotFoundError:
        pass
    else:
        return f"GET {client.base_url}/api/v2/flags/{project_key}/{flag_key} finds the flag"
    try:
        client.get_project(project_key)
    except NotFoundError as project_error:
        return f"{_answer(client, project_error)} too, so the host may not be the LaunchDarkly API"
    return None


def _describe(link_id: str | None, key: str | None) -> str:
    if link_id and key:
        return f"'{key}' (_id {link_id})"
    return f"'{link_id or key}'"


def _answer(client: LaunchDarklyClient, error: NotFoundError) -> str:
    code = f" {error.code}" if error.code else ""
    return f"{error.method} {client.base_url}{error.path} answered 404{code} ({error.message})"
