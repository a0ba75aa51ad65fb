"""API representations: turn stored records into the JSON shapes of the LaunchDarkly spec.

Field names follow /work/shared/launchdarkly/openapi.yaml (v23); every schema-required field is
filled so responses validate and the strict official client models parse them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from .entities import MEMBER_ID, stable_id
from .store import ACCOUNT_ID

JSON = "application/json"

__all__ = ["MEMBER_ID"]  # re-exported: the member every token acts as (flag links, maintainers)
MEMBER = {"firstName": "Emulator", "lastName": "Admin", "email": "admin@emulator.invalid"}

# resourceType path segment -> singular enum used in ViewLinkedResource / FailedResourceLink.
SINGULAR = {"flags": "flag", "segments": "segment", "aiConfigs": "aiConfig", "metrics": "metric"}


def link(href: str) -> dict[str, str]:
    return {"href": href, "type": JSON}


def page_links(base: str, offset: int, limit: int, total: int, **query: str) -> dict[str, Any]:
    """`ViewsPaginatedLinks`: self/first/last always, next/prev when they exist."""

    def href(off: int) -> str:
        return f"{base}?{urlencode({**query, 'limit': limit, 'offset': off})}"

    links = {"self": link(href(offset)), "first": link(href(0))}
    last = max(0, ((total - 1) // limit) * limit) if limit > 0 and total > 0 else 0
    links["last"] = link(href(last))
    if limit > 0 and offset + limit < total:
        links["next"] = link(href(offset + limit))
    if offset > 0:
        links["prev"] = link(href(max(0, offset - limit)))
    return links


def member_rep() -> dict[str, Any]:
    return {
        "_id": MEMBER_ID,
        "_links": {"self": link(f"/api/v2/members/{MEMBER_ID}")},
        "firstName": MEMBER["firstName"],
        "lastName": MEMBER["lastName"],
    }


# -- catalog ------------------------------------------------------------------------------------
def environment_rep(project_key: str, env: dict[str, Any]) -> dict[str, Any]:
    base = f"/api/v2/projects/{project_key}/environments"
    # apiKey/mobileKey are obviously fake placeholders derived from the id, never real secrets.
    return {
        "_id": env["_id"],
        "_links": {"self": link(f"{base}/{env['key']}"), "parent": link(base)},
        "key": env["key"],
        "name": env["name"],
        "apiKey": f"sdk-emulator-{env['_id']}",
        "mobileKey": f"mob-emulator-{env['_id']}",
        "color": env["color"],
        "defaultTtl": 0,
        "secureMode": False,
        "defaultTrackEvents": False,
        "requireComments": False,
        "confirmChanges": False,
        "tags": list(env["tags"]),
        "critical": False,
    }


def project_rep(project: dict[str, Any], with_environments: bool = False) -> dict[str, Any]:
    rep: dict[str, Any] = {
        "_id": project["_id"],
        "_links": {
            "self": link(f"/api/v2/projects/{project['key']}"),
            "environments": link(f"/api/v2/projects/{project['key']}/environments"),
        },
        "key": project["key"],
        "name": project["name"],
        "tags": list(project["tags"]),
        "includeInSnippetByDefault": False,
        # Only `environments` is behind `expand`; this is in every real answer.
        "defaultClientSideAvailability": {"usingMobileKey": True, "usingEnvironmentId": False},
    }
    if with_environments:
        rep["environments"] = [
            environment_rep(project["key"], e) for e in project["environments"].values()
        ]
    return rep


def flag_rep(project_key: str, flag: dict[str, Any]) -> dict[str, Any]:
    return {
        "_links": {
            "self": link(f"/api/v2/flags/{project_key}/{flag['key']}"),
            "parent": link(f"/api/v2/flags/{project_key}"),
        },
        "_version": flag["version"],
        "key": flag["key"],
        "name": flag["name"],
        "description": flag["description"],
        "kind": "boolean",
        "creationDate": flag["createdAt"],
        "archived": flag.get("archived", False),
        "deprecated": flag.get("deprecated", False),
        "temporary": flag["temporary"],
        "tags": list(flag["tags"]),
        "customProperties": {},
        "experiments": {"baselineIdx": 0, "items": []},
        "variations": [
            {"_id": stable_id("var", flag["key"], "true"), "value": True},
            {"_id": stable_id("var", flag["key"], "false"), "value": False},
        ],
        "includeInSnippet": False,
        **_flag_maintainer_rep(flag),
    }


def _flag_maintainer_rep(flag: dict[str, Any]) -> dict[str, Any]:
    """`maintainerId` + `_maintainer` (MemberSummary) and/or `maintainerTeamKey` +
    `_maintainerTeam`, as FeatureFlag has them; nothing for a flag without a maintainer."""
    rep: dict[str, Any] = {}
    member_id = flag.get("maintainerId")
    if member_id:
        known = member_id == MEMBER_ID
        rep["maintainerId"] = member_id
        rep["_maintainer"] = {
            "_id": member_id,
            "_links": {"self": link(f"/api/v2/members/{member_id}")},
            "email": MEMBER["email"] if known else f"{member_id}@emulator.invalid",
            "role": "admin" if known else "writer",
            **({"firstName": MEMBER["firstName"], "lastName": MEMBER["lastName"]} if known else {}),
        }
    team = flag.get("maintainerTeamKey")
    if team:
        rep["maintainerTeamKey"] = team
        rep["_maintainerTeam"] = {
            "key": team,
            "name": team,
            "_links": {"self": link(f"/api/v2/teams/{team}")},
        }
    return rep


def segment_rep(project_key: str, env: dict[str, Any], seg: dict[str, Any]) -> dict[str, Any]:
    return {
        "_links": {"self": link(f"/api/v2/segments/{project_key}/{env['key']}/{seg['key']}")},
        "key": seg["key"],
        "name": seg["name"],
        "description": seg["description"],
        "tags": list(seg["tags"]),
        "creationDate": seg["createdAt"],
        "lastModifiedDate": seg["createdAt"],
        "deleted": False,
        "generation": 1,
        "version": seg["version"],
        "rules": [],
        "unbounded": seg["unbounded"],
        "included": [],
        "excluded": [],
    }


def metric_rep(project_key: str, metric: dict[str, Any]) -> dict[str, Any]:
    return {
        "_id": metric["_id"],
        "_versionId": stable_id("metricVersion", metric["_id"]),
        "_links": {"self": link(f"/api/v2/metrics/{project_key}/{metric['key']}")},
        "_creationDate": metric["createdAt"],
        "key": metric["key"],
        "name": metric["name"],
        "kind": metric["kind"],
        "eventKey": metric["eventKey"],
        "isNumeric": metric["isNumeric"],
        "description": metric["description"],
        "tags": list(metric["tags"]),
        "dataSource": {"key": "launchdarkly"},
    }


def ai_config_rep(project_key: str, cfg: dict[str, Any]) -> dict[str, Any]:
    return {
        "_links": {
            "self": link(f"/api/v2/projects/{project_key}/ai-configs/{cfg['key']}"),
            "parent": link(f"/api/v2/projects/{project_key}/ai-configs"),
        },
        "key": cfg["key"],
        "name": cfg["name"],
        "description": cfg["description"],
        "tags": list(cfg["tags"]),
        "createdAt": cfg["createdAt"],
        "updatedAt": cfg["updatedAt"],
        "version": cfg["version"],
        "variations": [],
    }


# -- views --------------------------------------------------------------------------------------
def _flag_self(project_key: str, key: str) -> dict[str, Any]:
    return {"self": link(f"/api/v2/flags/{project_key}/{key}")}


def _split_segment(link_key: str) -> tuple[str, str]:
    env_id, _, seg_key = link_key.partition("/")
    return env_id, seg_key


def view_rep(project: dict[str, Any], view: dict[str, Any], expand: list[str]) -> dict[str, Any]:
    pkey = project["key"]
    base = f"/api/v2/projects/{pkey}/views"
    links = view["links"]
    rep: dict[str, Any] = {
        "_links": {"self": link(f"{base}/{view['key']}"), "parent": link(base)},
        "id": view["id"],
        "accountId": ACCOUNT_ID,
        "projectId": project["_id"],
        "projectKey": pkey,
        "key": view["key"],
        "name": view["name"],
        "description": view["description"],
        "_affectsSdkPayload": False,
        "generateSdkKeys": False,
        "version": view["version"],
        "tags": list(view["tags"]),
        "createdAt": view["createdAt"],
        "updatedAt": view["updatedAt"],
        # `archived` is required by the v23 spec though R24 dropped it; sending false fits both.
        "archived": False,
        "deleted": False,
    }
    envs_by_id = {e["_id"]: e for e in project["environments"].values()}
    flag_keys = list(links["flags"])
    seg_keys = list(links["segments"])
    maintainer = _maintainer_rep(view)
    if maintainer is not None:
        # Present with or without expand=maintainer: LaunchDarkly's Terraform provider reads
        # maintainer_id / maintainer_team_key back from a plain GET (acceptance-tested).
        rep["maintainer"] = maintainer
    if "flagsSummary" in expand:
        items = [
            {
                "key": k,
                "name": project["flags"].get(k, {}).get("name", k),
                "links": _flag_self(pkey, k),
            }
            for k in flag_keys
        ]
        rep["flagsSummary"] = {
            "count": len(items),
            "linkedFlags": {"items": items, "totalCount": len(items)},
        }
    if "segmentsSummary" in expand:
        seg_items = []
        for lk in seg_keys:
            env_id, skey = _split_segment(lk)
            env = envs_by_id.get(env_id, {"key": "?"})
            seg_items.append(
                {
                    "key": skey,
                    "name": project["segments"].get(env["key"], {}).get(skey, {}).get("name", skey),
                    "environmentId": env_id,
                    "links": {"self": link(f"/api/v2/segments/{pkey}/{env['key']}/{skey}")},
                }
            )
        rep["segmentsSummary"] = {
            "count": len(seg_items),
            "linkedSegments": {"items": seg_items, "totalCount": len(seg_items)},
        }
    if "metricsSummary" in expand:
        rep["metricsSummary"] = {"count": len(links["metrics"])}
    if "aiConfigsSummary" in expand:
        rep["aiConfigsSummary"] = {"count": len(links["aiConfigs"])}
    if "resourceSummary" in expand:
        rep["resourceSummary"] = {
            "flagCount": len(flag_keys),
            "segmentCount": len(seg_keys),
            "totalCount": len(flag_keys) + len(seg_keys),
        }
    flags_expanded = {
        "items": [_expanded_flag(pkey, project["flags"].get(k), k) for k in flag_keys],
        "totalCount": len(flag_keys),
    }
    segs_expanded = {
        "items": [_expanded_segment(project, envs_by_id, lk) for lk in seg_keys],
        "totalCount": len(seg_keys),
    }
    if "allFlags" in expand:
        rep["flagsExpanded"] = flags_expanded
    if "allSegments" in expand:
        rep["segmentsExpanded"] = segs_expanded
    if "allAIConfigs" in expand:
        rep["aiConfigsExpanded"] = {
            "items": [
                {"key": k, "name": project["aiConfigs"].get(k, {}).get("name", k)}
                for k in links["aiConfigs"]
            ],
            "totalCount": len(links["aiConfigs"]),
        }
    if "allMetrics" in expand:
        rep["metricsExpanded"] = {
            "items": [
                {"key": k, "name": project["metrics"].get(k, {}).get("name", k)}
                for k in links["metrics"]
            ],
            "totalCount": len(links["metrics"]),
        }
    if "allResources" in expand:
        rep["resourcesExpanded"] = {
            "items": {"flags": flags_expanded, "segments": segs_expanded},
            "totalCount": len(flag_keys) + len(seg_keys),
        }
    return rep


def _maintainer_rep(view: dict[str, Any]) -> dict[str, Any] | None:
    """`Maintainer`: the team when a team key is set, else the member; None when neither is."""
    team = view.get("maintainerTeamKey")
    if team:
        return {
            "id": stable_id("team", team),
            "kind": "team",
            "maintainerTeam": {"id": stable_id("team", team), "key": team, "name": team},
        }
    member_id = view.get("maintainerId")
    if member_id:
        return {
            "id": member_id,
            "kind": "member",
            "maintainerMember": {"id": member_id, "role": "admin", **MEMBER},
        }
    return None


def _expanded_flag(project_key: str, flag: dict[str, Any] | None, key: str) -> dict[str, Any]:
    if flag is None:  # the flag vanished after linking; still report the link
        return {"key": key, "name": key}
    return {
        "key": key,
        "name": flag["name"],
        "description": flag["description"],
        "creationDate": flag["createdAt"],
        "_version": flag["version"],
        "archived": flag.get("archived", False),
        "tags": list(flag["tags"]),
        "temporary": flag["temporary"],
        "includeInSnippet": False,
        "_links": {
            "self": link(f"/api/v2/flags/{project_key}/{key}"),
            "parent": link(f"/api/v2/flags/{project_key}"),
        },
    }


def _expanded_segment(
    project: dict[str, Any], envs_by_id: dict[str, Any], link_key: str
) -> dict[str, Any]:
    env_id, skey = _split_segment(link_key)
    env = envs_by_id.get(env_id)
    seg = project["segments"].get(env["key"], {}).get(skey) if env else None
    if env is None or seg is None:
        return {"key": skey, "name": skey, "environmentId": env_id}
    return {
        "key": skey,
        "name": seg["name"],
        "environmentId": env_id,
        "environmentKey": env["key"],
        "description": seg["description"],
        "creationDate": seg["createdAt"],
        "lastModifiedDate": seg["createdAt"],
        "deleted": False,
        "tags": list(seg["tags"]),
        "unbounded": seg["unbounded"],
        "version": seg["version"],
        "generation": 1,
    }


def linked_resource_rep(
    project: dict[str, Any], view_key: str, resource_type: str, link_key: str, linked_at: int
) -> dict[str, Any]:
    pkey = project["key"]
    parent = link(f"/api/v2/projects/{pkey}/views/{view_key}/linked/{resource_type}")
    item: dict[str, Any] = {
        "resourceType": SINGULAR[resource_type],
        "linkedAt": linked_at,
    }
    if resource_type == "segments":
        env_id, skey = _split_segment(link_key)
        env_key = next(
            (e["key"] for e in project["environments"].values() if e["_id"] == env_id), env_id
        )
        item.update(resourceKey=skey, environmentId=env_id, environmentKey=env_key)
        self_href = f"/api/v2/segments/{pkey}/{env_key}/{skey}"
    else:
        item["resourceKey"] = link_key
        self_href = {
            "flags": f"/api/v2/flags/{pkey}/{link_key}",
            "aiConfigs": f"/api/v2/projects/{pkey}/ai-configs/{link_key}",
            "metrics": f"/api/v2/metrics/{pkey}/{link_key}",
        }[resource_type]
    item["_links"] = {"self": link(self_href), "parent": parent}
    return item


# -- flag links ---------------------------------------------------------------------------------
def timestamp_rep(ms: int) -> dict[str, Any]:
    when = dt.datetime.fromtimestamp(ms / 1000, tz=dt.timezone.utc)
    return {
        "milliseconds": ms,
        "seconds": ms // 1000,
        "rfc3339": when.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "simple": when.strftime("%Y-%m-%d %H:%M:%S"),
    }


def flag_link_rep(project_key: str, flag_key: str, fl: dict[str, Any]) -> dict[str, Any]:
    base = f"/api/v2/flag-links/projects/{project_key}/flags/{flag_key}"
    rep: dict[str, Any] = {
        "_links": {"self": link(f"{base}/{fl['_id']}"), "parent": link(base)},
        "_id": fl["_id"],
        "_deepLink": fl["deepLink"],
        "_timestamp": timestamp_rep(fl["timestamp"]),
        "_createdAt": fl["createdAt"],
        "_member": member_rep(),
    }
    if fl.get("key") is not None:
        rep["_key"] = fl["key"]
    if fl.get("integrationKey") is not None:
        rep["_integrationKey"] = fl["integrationKey"]
    for name in ("title", "description"):
        if fl.get(name) is not None:
            rep[name] = fl[name]
    if fl.get("metadata"):
        rep["_metadata"] = dict(fl["metadata"])
    return rep
