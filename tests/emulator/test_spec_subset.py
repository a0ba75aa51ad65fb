"""The in-repo spec subset is what scripts/spec-subset makes, untouched, from a known full spec."""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Any

import pytest
import yaml

from .spec_subset import (
    DEFAULT_FULL_SPEC,
    GENERATOR,
    KNOWN_SOURCES,
    SUBSET_FILE,
    build,
    served_paths,
    sha256_text,
    split_header,
)


@functools.lru_cache(maxsize=1)
def committed() -> tuple[dict[str, str], str, dict[str, Any]]:
    """The committed file's header, body and parsed body (read once: the tests do not edit it)."""
    header, body = split_header(SUBSET_FILE.read_text(encoding="utf-8"))
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return header, body, yaml.load(body, Loader=loader)  # noqa: S506 - a safe loader


def full_spec_path() -> Path:
    return Path(os.environ.get("LD_OPENAPI_FULL_SPEC") or DEFAULT_FULL_SPEC)


def test_the_subset_is_unedited_and_records_its_source() -> None:
    header, body, document = committed()
    assert header["body-sha256"] == sha256_text(body), f"edited by hand? run {GENERATOR}"
    source = KNOWN_SOURCES[header["source-sha256"]]
    assert header["source"] == source.describe()
    assert header["source-commit"] == source.commit
    recorded = document["info"]["x-subset-of"]
    assert recorded == {
        "source": source.name,
        "repository": source.repository,
        "path": source.path,
        "tag": source.tag,
        "commit": source.commit,
        "date": source.date,
        "sha256": header["source-sha256"],
        "paths": len(document["paths"]),
    }


def test_the_subset_holds_exactly_the_paths_the_emulator_serves() -> None:
    _, _, document = committed()
    assert sorted(document["paths"]) == sorted(served_paths()), f"run {GENERATOR}"


def test_every_reference_in_the_subset_resolves_inside_it() -> None:
    _, _, document = committed()
    unresolved = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str):
                _, _, kind, name = ref.split("/", 3)
                if name not in document["components"].get(kind, {}):
                    unresolved.append(ref)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(document)
    assert unresolved == []
    assert "ApiKey" in document["components"]["securitySchemes"]


@pytest.mark.skipif(
    not full_spec_path().exists(),
    reason=f"no full spec at {full_spec_path()} (set LD_OPENAPI_FULL_SPEC)",
)
def test_the_subset_is_what_the_script_makes_from_the_full_spec() -> None:
    made = build(full_spec_path())
    assert made == SUBSET_FILE.read_text(encoding="utf-8"), (
        f"{SUBSET_FILE.name} differs from what {GENERATOR} makes from {full_spec_path()}: "
        f"run {GENERATOR}"
    )
