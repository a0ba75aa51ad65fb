"""The part of LaunchDarkly's OpenAPI spec that the emulator tests validate against, kept in-repo.

LaunchDarkly's official spec is one 3 MB document. The tests need only the paths the emulator
serves (every path the API client calls is among them: the end-to-end tests run the client
against the emulator) and the components those paths reference, transitively. `subset_spec` cuts
exactly that out of the full spec, verbatim; `render` writes it with a header that records where
the full spec came from and a hash of the body. `scripts/spec-subset` runs both and writes
SUBSET_FILE; test_spec_subset.py checks the committed file against its header always, and against
the script's output whenever the full spec is present.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
SUBSET_FILE = Path(__file__).with_name("launchdarkly-openapi-subset.yaml")
# Where this project's machines keep the full spec (outside the repository).
DEFAULT_FULL_SPEC = REPO_ROOT.parent / "shared" / "launchdarkly" / "openapi.yaml"
GENERATOR = "scripts/spec-subset"
HTTP_METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})


@dataclass(frozen=True)
class Source:
    """Where a full spec came from: the document itself records only `info.version: "2.0"`."""

    name: str
    repository: str
    path: str
    tag: str
    commit: str
    date: str

    def describe(self) -> str:
        return f"{self.name} ({self.repository} {self.path} at {self.tag}, {self.date})"


# Full specs this script knows, by the sha256 of the file. A new spec gets its entry here.
KNOWN_SOURCES: dict[str, Source] = {
    "7ca74198a45988de6bed214bb8ab217ea0cf30593ca2dae6083d897131350def": Source(
        name="LaunchDarkly REST API OpenAPI spec, as shipped in api-client-java v23.0.0",
        repository="https://github.com/launchdarkly/api-client-java",
        path="api/openapi.yaml",
        tag="v23.0.0",
        commit="e85832c80ad3901b0d88816fad5c6d1d6a98d65a",
        date="2026-07-06",
    ),
}


def served_paths() -> list[str]:
    """The path templates of every /api/ route the emulator serves, in route order."""
    from pulumi_launchdarkly_links.emulator import routes_catalog, routes_flag_links, routes_views

    paths: list[str] = []
    for route in routes_views.routes + routes_flag_links.routes + routes_catalog.routes:
        if route.path not in paths:
            paths.append(route.path)
    return paths


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


def _component(spec: dict[str, Any], ref: str) -> tuple[str, str]:
    match = re.fullmatch(r"#/components/([^/]+)/([^/]+)", ref)
    if match is None:
        raise ValueError(f"unsupported $ref {ref!r}: only #/components/<kind>/<name>")
    kind, name = match.groups()
    if name not in spec.get("components", {}).get(kind, {}):
        raise ValueError(f"$ref {ref!r} names no component of the spec")
    return kind, name


def subset_spec(full: dict[str, Any], paths: Iterable[str]) -> dict[str, Any]:
    """The spec cut down to `paths` (whole path items, verbatim) and what they reference.

    Components are followed through `$ref` transitively; the security schemes (named by the
    security requirements, not by `$ref`) and the tags of the kept operations come along.
    Everything keeps the full spec's order, so the same input always gives the same output.
    """
    wanted = list(paths)
    missing = [path for path in wanted if path not in full["paths"]]
    if missing:
        raise ValueError(f"paths not in the spec: {missing}")
    kept_paths = {path: item for path, item in full["paths"].items() if path in wanted}

    needed: set[tuple[str, str]] = set()
    pending = [_component(full, ref) for ref in _refs(kept_paths)]
    while pending:
        kind, name = pending.pop()
        if (kind, name) not in needed:
            needed.add((kind, name))
            pending.extend(_component(full, ref) for ref in _refs(full["components"][kind][name]))

    components: dict[str, Any] = {}
    for kind, entries in full.get("components", {}).items():
        if kind == "securitySchemes":
            components[kind] = entries
            continue
        kept = {name: value for name, value in entries.items() if (kind, name) in needed}
        if kept:
            components[kind] = kept

    used_tags = {
        tag
        for item in kept_paths.values()
        for method, operation in item.items()
        if method in HTTP_METHODS and isinstance(operation, dict)
        for tag in operation.get("tags", [])
    }
    info = {
        key: full["info"][key] for key in ("title", "version", "license") if key in full["info"]
    }
    subset: dict[str, Any] = {"openapi": full["openapi"], "info": info}
    for key in ("servers", "security"):
        if key in full:
            subset[key] = full[key]
    subset["tags"] = [tag for tag in full.get("tags", []) if tag.get("name") in used_tags]
    subset["paths"] = kept_paths
    subset["components"] = components
    return subset


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def render(subset: dict[str, Any], source: Source, full_sha256: str) -> str:
    """The subset as the committed file: a comment header, then the YAML body it describes.

    `info.x-subset-of` repeats the provenance inside the document, where tools can read it; the
    header adds the sha256 of the body, which the body cannot hold itself.
    """
    document = dict(subset)
    document["info"] = {
        **subset["info"],
        "description": (
            "A subset of LaunchDarkly's REST API spec: the paths the emulator in this repository "
            "serves and the components they reference. Generated by "
            f"{GENERATOR}; do not edit by hand."
        ),
        "x-subset-of": {
            "source": source.name,
            "repository": source.repository,
            "path": source.path,
            "tag": source.tag,
            "commit": source.commit,
            "date": source.date,
            "sha256": full_sha256,
            "paths": len(subset["paths"]),
        },
    }
    body = yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)
    header = [
        f"# Generated by {GENERATOR} from the full LaunchDarkly OpenAPI spec; do not edit by hand.",
        f"# source: {source.describe()}",
        f"# source-commit: {source.commit}",
        f"# source-sha256: {full_sha256}",
        f"# body-sha256: {sha256_text(body)}",
    ]
    return "\n".join(header) + "\n" + body


def split_header(text: str) -> tuple[dict[str, str], str]:
    """The `# key: value` header lines of a rendered subset, and the body after them."""
    header: dict[str, str] = {}
    lines = text.splitlines(keepends=True)
    count = 0
    for line in lines:
        if not line.startswith("#"):
            break
        count += 1
        key, sep, value = line[1:].strip().partition(": ")
        if sep:
            header[key] = value
    return header, "".join(lines[count:])


def load_full_spec(path: Path) -> tuple[dict[str, Any], str]:
    """The full spec as a dict, and the sha256 of its file."""
    raw = path.read_bytes()
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(raw, Loader=loader), hashlib.sha256(raw).hexdigest()  # noqa: S506 - safe


def build(full_spec_path: Path) -> str:
    """What scripts/spec-subset writes for the full spec at `full_spec_path`."""
    full, full_sha256 = load_full_spec(full_spec_path)
    source = KNOWN_SOURCES.get(full_sha256)
    if source is None:
        raise SystemExit(
            f"{full_spec_path} (sha256 {full_sha256}) is not a spec this script knows: add its "
            f"source (repository, tag, commit, date) to KNOWN_SOURCES in {__file__}"
        )
    return render(subset_spec(full, served_paths()), source, full_sha256)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog=GENERATOR,
        description="Cut the part of LaunchDarkly's OpenAPI spec the emulator tests use.",
    )
    parser.add_argument(
        "--full-spec",
        type=Path,
        default=DEFAULT_FULL_SPEC,
        help="the full spec (default: %(default)s)",
    )
    parser.add_argument(
        "--output", type=Path, default=SUBSET_FILE, help="where to write (default: %(default)s)"
    )
    parser.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if the output would change"
    )
    args = parser.parse_args(argv)
    text = build(args.full_spec)
    current = args.output.read_text(encoding="utf-8") if args.output.exists() else None
    if args.check:
        if current != text:
            print(f"{args.output} is out of date: run {GENERATOR}", file=sys.stderr)
            return 1
        print(f"{args.output} is up to date")
        return 0
    if current != text:
        args.output.write_text(text, encoding="utf-8")
    header, _ = split_header(text)
    print(f"wrote {args.output} ({len(text)} bytes, body-sha256 {header['body-sha256']})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
