"""Create something when LaunchDarkly's answer to the POST may have been lost: look, then post.

The API client does not repeat a POST after a 5xx, a timeout after sending or a dropped
connection: LaunchDarkly may have carried it out (`may_have_been_applied`), and a blind repeat
could make a second one with the same key (the spec does not promise a 409 for it). So after
such a failure `post_unless_found` looks for what the POST would have made and posts again only
when it is not there, at most MAX_WRITE_ATTEMPTS times in all; the last failure is looked at
too, since it may have worked. What the look finds may be this create's or someone else's, so it
comes back marked as found and the caller decides whether to take it: `existed_before` tells
them apart by LaunchDarkly's creation time. A lost 409 (the POST reached LaunchDarkly, which
refused it because the key was taken, and the answer was lost on the way back) finds the object
that was already there, and that one is not this create's to take.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TypeVar

from ..api import LaunchDarklyError

logger = logging.getLogger("pulumi_launchdarkly_links.providers")

# Writes (POSTs here, PATCHes in the callers' own loops) one create or update may send in all.
MAX_WRITE_ATTEMPTS = 4

CreatedT = TypeVar("CreatedT")


def post_unless_found(
    post: Callable[[], CreatedT],
    look: Callable[[LaunchDarklyError], CreatedT | None],
    *,
    describe: str,
) -> tuple[CreatedT, bool]:
    """`post()`; after a failure that may have been applied, `look(failure)` before posting
    again. Returns what was made and whether the look found it (`found_existing`).

    `look` answers None when the thing is not there; it gets the POST's failure so that it can
    report that one rather than its own. A failure that surely was not applied (a 4xx, or a
    429 the client already retried) reaches the caller unchanged. `describe` names the thing
    in the log line (e.g. `view 'checkout'`).
    """
    attempt = 1
    while True:
        try:
            return post(), False
        except LaunchDarklyError as error:
            if not error.may_have_been_applied:
                raise
            existing = look(error)
            if existing is not None:
                return existing, True
            if attempt >= MAX_WRITE_ATTEMPTS:
                raise
            logger.info("creating %s: %s; not created, posting again", describe, error)
        attempt += 1


def epoch_ms() -> int:
    """Now, in the Unix milliseconds LaunchDarkly's `createdAt` / `_createdAt` use."""
    return int(time.time() * 1000)


def existed_before(created_at_ms: int | None, first_post_at_ms: int) -> bool:
    """Was an object that a look found made before this create sent its first POST?

    Compared against this machine's clock: if it runs ahead of LaunchDarkly's, an object this
    create made can look older and is then refused like someone else's, naming adopt=True.
    That is the safe side; the other would take over, and later delete, another's object.
    """
    return created_at_ms is not None and created_at_ms < first_post_at_ms
