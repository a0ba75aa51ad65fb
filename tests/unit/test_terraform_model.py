"""The benchmark's model of Terraform (benchmarks/terraform_model.py) against what Terraform did.

The expected numbers are not written here: they are the requests LaunchDarkly's Terraform
provider v3.1.3 was measured making against our emulator (benchmarks/terraform_measured.py).
"""

from __future__ import annotations

import pytest
from benchmarks.terraform_measured import CHANGE, MEASURED_REQUESTS, SEGMENTS, STEPS
from benchmarks.terraform_model import terraform_requests


def modelled_requests(flags: int) -> tuple[int, ...]:
    """The model's count for each measured step, with the members in Terraform's state before
    the step (as benchmarks/requests_per_operation.py asks it): N, N, N, N + 10, N, N."""
    by_step = {
        "create": terraform_requests("create", flags, SEGMENTS),
        "noop_plan": terraform_requests("preview", flags, SEGMENTS),
        "add": terraform_requests("update", flags, SEGMENTS, flags_added=CHANGE),
        "remove": terraform_requests("update", flags + CHANGE, SEGMENTS, flags_removed=CHANGE),
        "refresh": terraform_requests("refresh", flags, SEGMENTS),
        "destroy": terraform_requests("destroy", flags, SEGMENTS),
    }
    return tuple(by_step[step] for step in STEPS)


@pytest.mark.parametrize("flags", sorted(MEASURED_REQUESTS))
def test_model_reproduces_the_measured_requests(flags: int) -> None:
    measured = dict(zip(STEPS, MEASURED_REQUESTS[flags], strict=True))
    modelled = dict(zip(STEPS, modelled_requests(flags), strict=True))
    assert modelled == measured


@pytest.mark.parametrize("flags", sorted(MEASURED_REQUESTS))
def test_a_noop_apply_is_modelled_as_the_measured_noop_plan(flags: int) -> None:
    # Not measured separately: `terraform apply` with nothing to change runs the same refresh
    # and plan as `terraform plan`, and the benchmark's "no-op up" row relies on that.
    noop_plan = MEASURED_REQUESTS[flags][STEPS.index("noop_plan")]
    assert terraform_requests("noop_up", flags, SEGMENTS) == noop_plan


def test_unknown_operation() -> None:
    with pytest.raises(ValueError, match="unknown operation 'import'"):
        terraform_requests("import", 1, 1)  # type: ignore[arg-type]
