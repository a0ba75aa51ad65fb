"""Requests LaunchDarkly's Terraform provider makes for the same change (`launchdarkly_view_links`).

Derived from its published algorithm: terraform-provider-launchdarkly v3.1.3
(`launchdarkly/resource_view_links_framework.go`, `launchdarkly/view_helper.go`), as summarised
in /work/shared/docs/launchdarkly-api.md section 3; and checked against what that provider was
measured sending to our emulator (`benchmarks.terraform_measured`, tests/unit/
test_terraform_model.py): every measured count at N = 10, 100 and 1000 flags, 20 segments.
"""

from __future__ import annotations

import math
from typing import Literal

Operation = Literal["create", "noop_up", "preview", "update", "refresh", "destroy"]

# view_helper.go: `maxKeysPerRequest = 10` / `maxSegmentsPerRequest = 10`, chunks sent one
# after another; `viewAssociationsPageLimit = 100` for GET .../linked/{resourceType}.
TERRAFORM_BATCH = 10
TERRAFORM_PAGE = 100


def linked_pages(count: int, page: int = TERRAFORM_PAGE) -> int:
    """GETs to page `/linked/{type}`: one per `page` items, and one even when nothing is linked."""
    return max(1, math.ceil(count / page))


def batches(count: int, size: int = TERRAFORM_BATCH) -> int:
    """Link or unlink requests for `count` explicit keys (or segment identifiers)."""
    return math.ceil(count / size)


def terraform_requests(
    operation: Operation,
    flags: int,
    segments: int,
    *,
    flags_added: int = 0,
    flags_removed: int = 0,
) -> int:
    """API requests `launchdarkly_view_links` makes for one operation on one view.

    `flags` and `segments` count the members before the operation (for `create`, the members
    created); `flags_added` / `flags_removed` describe an `update`.

    The algorithm (terraform-provider-launchdarkly v3.1.3, resource_view_links_framework.go and
    view_helper.go; docs/launchdarkly-api.md section 3):

    * Read = GET view (`viewExists`) + `readIntoModel`, which pages GET `/linked/flags` and
      `/linked/segments` at limit 100 (at least one GET each). Terraform runs Read for every
      resource already in state before each plan: `plan` (preview), `apply` (so also a no-op
      apply and the apply of an update), `refresh` and `destroy`. A new resource is not read.
    * Create = GET view (existence check) + link flags in chunks of 10 + link segments in
      chunks of 10, one after another, then `readIntoModel` again to set the state.
    * Update = unlink the removed members, then link the added ones, in chunks of 10, then
      `readIntoModel`.
    * Delete = unlink every flag and every segment in the state, in chunks of 10.
    """
    read = 1 + linked_pages(flags) + linked_pages(segments)
    if operation == "create":
        return 1 + batches(flags) + batches(segments) + linked_pages(flags) + linked_pages(segments)
    if operation in ("noop_up", "preview", "refresh"):
        return read
    if operation == "update":
        after = flags + flags_added - flags_removed
        write = batches(flags_removed) + batches(flags_added)
        return read + write + linked_pages(after) + linked_pages(segments)
    if operation == "destroy":
        return read + batches(flags) + batches(segments)
    raise ValueError(f"unknown operation {operation!r}")
