"""Removing a flag, segment, metric or AI config together with everything that points at it.

LaunchDarkly has no dangling references after a delete: the entity leaves every view it was
linked to (so `/linked/{resourceType}` and `/view-associations/...` stop listing it) and a flag's
flag links go with the flag. Re-creating an entity with the same key therefore starts clean.

Callers hold the store's write lock and have already looked the entity up (to answer 404).
"""

from __future__ import annotations

from typing import Any

from .entities import segment_link_key

Project = dict[str, Any]


def _unlink_from_every_view(project: Project, resource_type: str, link_key: str) -> None:
    for view in project["views"].values():
        view["links"].get(resource_type, {}).pop(link_key, None)


def remove_flag(project: Project, flag_key: str) -> None:
    del project["flags"][flag_key]
    project["flagLinks"].pop(flag_key, None)
    _unlink_from_every_view(project, "flags", flag_key)


def remove_segment(project: Project, env: dict[str, Any], segment_key: str) -> None:
    # A segment lives in one environment; its namesakes in other environments stay linked.
    del project["segments"][env["key"]][segment_key]
    _unlink_from_every_view(project, "segments", segment_link_key(env["_id"], segment_key))


def remove_metric(project: Project, metric_key: str) -> None:
    del project["metrics"][metric_key]
    _unlink_from_every_view(project, "metrics", metric_key)


def remove_ai_config(project: Project, config_key: str) -> None:
    del project["aiConfigs"][config_key]
    _unlink_from_every_view(project, "aiConfigs", config_key)
