"""Constructors for the stored records (projects, environments, flags, ...) and their ids.

Stored records are internal; `reps.py` turns them into API representations. Ids are derived from
the keys with a hash, so the same seed always yields the same ids (handy for tests and reruns).
"""

from __future__ import annotations

import hashlib
from typing import Any

Record = dict[str, Any]

_COLORS = ("417505", "F5A623", "7B42BC", "0E7DB7")

# The member every token acts as: it maintains the flags it creates, like LaunchDarkly's creator.
MEMBER_ID = "5e6f7a8b9c0d1e2f3a4b5c6d"


def stable_id(*parts: str) -> str:
    """A 24-hex id (the shape of LaunchDarkly's Mongo-style ids) derived from `parts`."""
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:24]


def segment_link_key(environment_id: str, segment_key: str) -> str:
    """How a view stores its link to a segment: segment keys are only unique per environment."""
    return f"{environment_id}/{segment_key}"


def new_project(key: str, name: str, now: int, tags: list[str] | None = None) -> Record:
    return {
        "_id": stable_id("project", key),
        "key": key,
        "name": name,
        "tags": list(tags or []),
        "createdAt": now,
        "environments": {},
        "flags": {},
        "segments": {},
        "aiConfigs": {},
        "metrics": {},
        "views": {},
        "flagLinks": {},
    }


def new_environment(
    project: Record, key: str, name: str, env_id: str | None = None, color: str | None = None
) -> Record:
    index = len(project["environments"])
    env = {
        "_id": env_id or stable_id("env", project["key"], key),
        "key": key,
        "name": name,
        "color": color or _COLORS[index % len(_COLORS)],
        "tags": [],
    }
    project["environments"][key] = env
    project["segments"].setdefault(key, {})
    return env


def new_flag(key: str, name: str, now: int, /, **extra: Any) -> Record:
    """A flag. Records stored before a field existed lack it: readers use `.get` defaults
    (archived/deprecated False, no maintainer, no statuses)."""
    team = extra.get("maintainerTeamKey")
    return {
        "key": key,
        "name": name,
        "description": extra.get("description", ""),
        "tags": list(extra.get("tags") or []),
        "temporary": bool(extra.get("temporary", True)),
        "createdAt": int(extra.get("creationDate", now)),
        "version": 1,
        "maintainerId": extra.get("maintainerId") or (None if team else MEMBER_ID),
        "maintainerTeamKey": team,
        "archived": bool(extra.get("archived", False)),
        "deprecated": bool(extra.get("deprecated", False)),
        # environment key -> new|inactive|active|launched (flag statuses are per environment)
        "statuses": dict(extra.get("statuses") or {}),
    }


def new_segment(key: str, name: str, now: int, /, **extra: Any) -> Record:
    return {
        "key": key,
        "name": name,
        "description": extra.get("description", ""),
        "tags": list(extra.get("tags") or []),
        "unbounded": bool(extra.get("unbounded", False)),
        "createdAt": int(extra.get("creationDate", now)),
        "version": 1,
    }


def new_ai_config(project_key: str, key: str, name: str, now: int, /, **extra: Any) -> Record:
    return {
        "_id": stable_id("aiConfig", project_key, key),
        "key": key,
        "name": name,
        "description": extra.get("description", ""),
        "tags": list(extra.get("tags") or []),
        "createdAt": now,
        "updatedAt": now,
        "version": 1,
    }


def new_metric(project_key: str, key: str, name: str, now: int, /, **extra: Any) -> Record:
    return {
        "_id": stable_id("metric", project_key, key),
        "key": key,
        "name": name,
        "kind": extra.get("kind", "custom"),
        "eventKey": extra.get("eventKey", key),
        "isNumeric": bool(extra.get("isNumeric", False)),
        "description": extra.get("description", ""),
        "tags": list(extra.get("tags") or []),
        "createdAt": now,
    }


def new_view(project_key: str, key: str, name: str, now: int, /, **extra: Any) -> Record:
    return {
        "id": stable_id("view", project_key, key),
        "key": key,
        "name": name,
        "description": extra.get("description") or "",
        "tags": list(extra.get("tags") or []),
        "maintainerId": extra.get("maintainerId"),
        "maintainerTeamKey": extra.get("maintainerTeamKey"),
        "createdAt": now,
        "updatedAt": now,
        "version": 1,
        # resourceType -> {link key -> linkedAt}; segment link keys come from `segment_link_key`.
        "links": {"flags": {}, "segments": {}, "aiConfigs": {}, "metrics": {}},
    }
