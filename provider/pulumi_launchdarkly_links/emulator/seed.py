"""The built-in `demo` seed and loading/merging of seed data (JSON file or dict).

The format is SEED_FORMAT below (also shown by `--help`). Merging is additive: existing records
are kept, missing ones are created.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from . import entities
from .store import State, empty_state

SEED_FORMAT = """\
A seed file is JSON; every list may be empty and every field but "key" may be left out:

  {"projects": [{"key": "default", "name": "Default",
                 "environments": [{"key": "production", "name": "Production",
                                   "_id": "<24 hex digits>"}],
                 "flags": ["new-checkout", {"key": "x", "name": "X"}],
                 "segments": {"production": ["beta-users"]},
                 "aiConfigs": ["checkout-assistant"],
                 "metrics": ["checkout-conversion"],
                 "views": [{"key": "checkout", "name": "Checkout"}]}]}

"segments" maps an environment key to the segment keys in it. An environment without "_id"
gets a generated one (GET /api/v2/projects/{key}/environments/{env} shows it)."""

# Fixed environment ids of the demo seed; tests and examples may hard-code them.
DEMO_PRODUCTION_ENV_ID = "65a1b2c3d4e5f60718293a01"
DEMO_TEST_ENV_ID = "65a1b2c3d4e5f60718293a02"
DEMO_MOBILE_PRODUCTION_ENV_ID = "65a1b2c3d4e5f60718293b01"

DEMO_SEED: dict[str, Any] = {
    "projects": [
        {
            "key": "default",
            "name": "Default",
            "environments": [
                {"key": "production", "name": "Production", "_id": DEMO_PRODUCTION_ENV_ID},
                {"key": "test", "name": "Test", "_id": DEMO_TEST_ENV_ID},
            ],
            "flags": ["new-checkout", "pay-later", "dark-mode", "search-v2", "onboarding-tour"],
            "segments": {
                "production": ["beta-users", "internal-staff"],
                "test": ["beta-users", "internal-staff"],
            },
            "aiConfigs": ["checkout-assistant"],
            "metrics": ["checkout-conversion"],
            "views": [
                {"key": "checkout", "name": "Checkout"},
                {"key": "platform", "name": "Platform"},
            ],
        },
        {
            "key": "mobile",
            "name": "Mobile",
            "environments": [
                {"key": "production", "name": "Production", "_id": DEMO_MOBILE_PRODUCTION_ENV_ID}
            ],
            "flags": ["mobile-dark-mode", "offline-sync"],
            "segments": {"production": ["ios-beta"]},
            "views": [{"key": "app", "name": "App"}],
        },
    ]
}


class SeedError(ValueError):
    """The seed data is malformed."""


def load_seed(seed: str | dict[str, Any] | None) -> dict[str, Any]:
    """Resolve `"demo"`, a JSON file path, a dict or None into seed data."""
    if seed is None:
        return {"projects": []}
    if isinstance(seed, dict):
        return seed
    if seed == "demo":
        return json.loads(json.dumps(DEMO_SEED))  # deep copy
    try:
        with open(seed, encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, ValueError) as exc:
        raise SeedError(f"cannot read seed file {seed}: {exc}") from exc
    if not isinstance(data, dict):
        raise SeedError(f"seed file {seed} must hold a JSON object")
    return data


def build_state(seed: str | dict[str, Any] | None, clock: Callable[[], int]) -> State:
    state = empty_state()
    apply_seed(state, load_seed(seed), clock)
    return state


def _key_name(item: Any, what: str) -> tuple[str, str, dict[str, Any]]:
    """Seed items may be a bare key or an object with key/name and extra fields."""
    if isinstance(item, str):
        return item, item, {}
    if isinstance(item, dict) and isinstance(item.get("key"), str):
        return item["key"], str(item.get("name") or item["key"]), item
    raise SeedError(f"bad {what} entry in seed: {item!r}")


def apply_seed(state: State, seed: dict[str, Any], clock: Callable[[], int]) -> None:
    """Merge seed data into `state` (the caller holds the store lock)."""
    projects = seed.get("projects", [])
    if not isinstance(projects, list):
        raise SeedError("seed 'projects' must be a list")
    for raw in projects:
        key, name, extra = _key_name(raw, "project")
        project = state["projects"].get(key)
        if project is None:
            project = entities.new_project(key, name, clock(), extra.get("tags"))
            state["projects"][key] = project
        for env_raw in extra.get("environments", []):
            env_key, env_name, env_extra = _key_name(env_raw, "environment")
            if env_key not in project["environments"]:
                entities.new_environment(
                    project, env_key, env_name, env_extra.get("_id"), env_extra.get("color")
                )
        for flag_raw in extra.get("flags", []):
            fkey, fname, fextra = _key_name(flag_raw, "flag")
            project["flags"].setdefault(fkey, entities.new_flag(fkey, fname, clock(), **fextra))
        segments = extra.get("segments", {})
        if not isinstance(segments, dict):
            raise SeedError("seed 'segments' must map environment keys to lists")
        for env_key, seg_list in segments.items():
            if env_key not in project["environments"]:
                raise SeedError(f"seed segments name unknown environment {env_key!r}")
            bucket = project["segments"].setdefault(env_key, {})
            for seg_raw in seg_list:
                skey, sname, sextra = _key_name(seg_raw, "segment")
                bucket.setdefault(skey, entities.new_segment(skey, sname, clock(), **sextra))
        for ai_raw in extra.get("aiConfigs", []):
            akey, aname, aextra = _key_name(ai_raw, "aiConfig")
            project["aiConfigs"].setdefault(
                akey, entities.new_ai_config(key, akey, aname, clock(), **aextra)
            )
        for metric_raw in extra.get("metrics", []):
            mkey, mname, mextra = _key_name(metric_raw, "metric")
            project["metrics"].setdefault(
                mkey, entities.new_metric(key, mkey, mname, clock(), **mextra)
            )
        for view_raw in extra.get("views", []):
            vkey, vname, vextra = _key_name(view_raw, "view")
            vkey = vkey.lower()
            project["views"].setdefault(
                vkey, entities.new_view(key, vkey, vname, clock(), **vextra)
            )
