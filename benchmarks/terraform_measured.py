"""Requests LaunchDarkly's Terraform provider was measured making against our emulator.

Source: terraform-provider-launchdarkly v3.1.3 (`launchdarkly_view_links`), run against this
repository's emulator, which counted the requests of each Terraform command (issue 13). One
resource per N: a view with N flags plus 20 segments, then, in this order, `apply` (create), a
no-op `plan`, add 10 flags, remove those 10 again, `refresh`, `destroy`.

These are facts, not a model: `benchmarks.terraform_model` must reproduce them
(tests/unit/test_terraform_model.py), and where it does not, the model is wrong.
"""

from __future__ import annotations

from typing import Final

SEGMENTS: Final = 20
CHANGE: Final = 10  # flags added, then removed again

# The steps in the order they were run; "noop_plan" is `terraform plan` with nothing to change.
STEPS: Final = ("create", "noop_plan", "add", "remove", "refresh", "destroy")

# N flags -> requests per step, in STEPS order.
MEASURED_REQUESTS: Final[dict[int, tuple[int, ...]]] = {
    10: (6, 3, 6, 6, 3, 6),
    100: (15, 3, 7, 7, 3, 15),
    1000: (114, 12, 25, 25, 12, 114),
}
