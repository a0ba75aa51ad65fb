"""The Terraform request model the benchmarks compare against (benchmarks/terraform_model.py)."""

from __future__ import annotations

import pytest
from benchmarks.terraform_model import terraform_requests


def test_create_of_25_flags_and_20_segments() -> None:
    # GET view + 3 flag chunks + 2 segment chunks + read back: 1 flag page + 1 segment page.
    assert terraform_requests("create", 25, 20) == 1 + 3 + 2 + 1 + 1


def test_every_plan_reads_the_view_and_pages_its_links() -> None:
    # GET view + 10 flag pages (1000 / 100) + 1 segment page.
    for operation in ("noop_up", "preview", "refresh"):
        assert terraform_requests(operation, 1000, 20) == 12  # type: ignore[arg-type]


def test_update_reads_then_unlinks_then_links_then_reads_back() -> None:
    # Read (1 + 1 + 1) + 1 unlink chunk + 2 link chunks + read back (2 flag pages + 1 segment).
    assert terraform_requests("update", 100, 20, flags_added=15, flags_removed=5) == 9


def test_destroy_reads_then_unlinks_everything() -> None:
    assert terraform_requests("destroy", 10, 20) == 3 + 1 + 2


def test_unknown_operation() -> None:
    with pytest.raises(ValueError):
        terraform_requests("import", 1, 1)  # type: ignore[arg-type]
