"""The built-in `demo` seed and loading/merging of seed data (JSON file or dict).

The format is SEED_FORMAT below (also shown by `--help`). Merging is additive: existing records
are kept, missing ones are created.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from . import entities
from .flag_filters import FLAG_STATUSES
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
gets a generated one (GET /api/v2/projects/{key}/environments/{env} shows it).

A flag object may also give "description", "tags", "temporary" (default true), "maintainerId"
(default: the emulator's member) or "maintainerTeamKey", "archived", "deprecated",
"creationDate" (Unix ms) and "status" ("new", "inactive", "active" or "launched", or an object
mapping environment keys to one of those); a segment object "description", "tags",
"unbounded" and "creationDate". Filters (`filter=` on the flag and segment lists and in view
link bodies) match on these fields."""

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
            # A few tags, one team-maintained flag and one permanent flag, so filters match.
            "flags": [
                {"key": "new-checkout", "tags": ["checkout", "web"]},
                {"key": "pay-later", "tags": ["checkout"], "maintainerTeamKey": "payments"},
                {"key": "dark-mode", "tags": ["web"], "temporary": False},
                "search-v2",
                "onboarding-tour",
            ],
            "segments": {
                "production": [{"key": "beta-users", "tags": ["beta"]}, "internal-staff"],
                "test": [{"key": "beta-users", "tags": ["beta"]}, "internal-staff"],
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


def _flag_statuses(key: str, extra: dict[str, Any], project: dict[str, Any]) -> dict[str, str]:
    """A seed flag's "status": one for every environment, or a map of environment to status."""
    status = extra.get("status")
    if status is None:
        return {}
    wanted = status if isinstance(status, dict) else dict.fromkeys(project["environments"], status)
    for env_key, value in wanted.items():
        if value not in FLAG_STATUSES:
            raise SeedError(f"flag {key!r}: status {value!r} is not one of {FLAG_STATUSES}")
        if env_key not in project["environments"]:
            raise SeedError(f"flag {key!r}: status names unknown environment {env_key!r}")
    return dict(wanted)


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
            fextra = {**fextra, "statuses": _flag_statuses(fkey, fextra, project)}
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
