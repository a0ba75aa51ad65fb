"""The plugin's Pulumi schema: every resource, function and setting, typed and described.

Input descriptions come from the Python API's docstrings (`:param name:` of each resource's
`__init__`), so the dynamic face and the plugin say the same thing; where a docstring has no
entry, the text here is used. Token: `ldlinks:index:<Name>`.
"""

from __future__ import annotations

import inspect
import json
import re
from collections.abc import Callable, Mapping
from functools import cache
from typing import Any

from .._version import __version__
from . import PACKAGE

Property = dict[str, Any]


def _string(description: str) -> Property:
    return {"type": "string", "description": description}


def _integer(description: str) -> Property:
    return {"type": "integer", "description": description}


def _boolean(description: str) -> Property:
    return {"type": "boolean", "description": description}


def _strings(description: str) -> Property:
    return {"type": "array", "items": {"type": "string"}, "description": description}


def _ref(type_name: str, description: str) -> Property:
    return {"$ref": f"#/types/{PACKAGE}:index:{type_name}", "description": description}


def _array_of(type_name: str, description: str) -> Property:
    return {
        "type": "array",
        "items": {"$ref": f"#/types/{PACKAGE}:index:{type_name}"},
        "description": description,
    }


def _string_map(description: str) -> Property:
    return {
        "type": "object",
        "additionalProperties": {"type": "string"},
        "description": description,
    }


def _secret(prop: Property) -> Property:
    return {**prop, "secret": True}


_TIMESTAMP_INPUT: Property = {
    "oneOf": [{"type": "integer"}, {"type": "string"}],
    "description": "When the linked event happened: Unix milliseconds or an RFC 3339 string such "
    "as `2026-11-23T19:30:00Z`; defaults to creation time. Changing it replaces the link.",
}

_LINK_ATTRIBUTES: dict[str, Property] = {
    "deepLink": _string(
        "An absolute http(s) URL (required unless `integrationKey` is given). Changing it "
        "replaces the link."
    ),
    "title": _string("Shown in LaunchDarkly; changes in place."),
    "description": _string("Shown in LaunchDarkly; changes in place."),
    "integrationKey": _string(
        "For links backed by an integration (e.g. `jira`). Changing it replaces the link."
    ),
    "metadata": _string_map(
        "String-to-string details, only with `integrationKey`. Changing it replaces the link."
    ),
}

TYPES: dict[str, dict[str, Any]] = {
    "SegmentRef": {
        "description": "A segment in one environment: give `environmentKey` or `environmentId`.",
        "properties": {
            "segmentKey": _string("The segment's key."),
            "environmentKey": _string("The segment's environment, by key."),
            "environmentId": _string("Or the environment's `_id` (exactly one of the two)."),
        },
        "required": ["segmentKey"],
    },
    "Segment": {
        "description": "A segment linked to a view, as LaunchDarkly reports it.",
        "properties": {
            "segmentKey": _string("The segment's key."),
            "environmentKey": _string("The segment's environment key, where known."),
            "environmentId": _string("The environment's `_id`."),
        },
        "required": ["segmentKey", "environmentId"],
    },
    "FlagLinkSpec": {
        "description": "One link of a `FlagLinks`, with FlagLink's inputs (its project is the "
        "resource's). A change to anything but `title` and `description` replaces that link.",
        "properties": {
            "flagKey": _string("The flag's key."),
            "key": _string("The link's key, unique per flag. With `flagKey` it names the link."),
            **_LINK_ATTRIBUTES,
            "timestamp": _TIMESTAMP_INPUT,
        },
        "required": ["flagKey", "key"],
    },
    "FlagLinkState": {
        "description": "One link of a `FlagLinks` as recorded: the declared attributes as "
        "LaunchDarkly reports them, and the link's `_id`.",
        "properties": {
            **_LINK_ATTRIBUTES,
            "timestamp": _integer("When the linked event happened, Unix milliseconds."),
            "linkId": _string("The link's `_id` in LaunchDarkly."),
        },
        "required": ["linkId"],
    },
    "CreatedBy": {
        "description": "The LaunchDarkly member who created a link.",
        "properties": {
            "memberId": _string("The member's ID."),
            "firstName": _string("First name."),
            "lastName": _string("Last name."),
        },
    },
    "LinkedByOthers": {
        "description": "Exclusive memberships only: members a refresh found linked that the "
        "program does not declare (the next `pulumi up` unlinks them).",
        "properties": {
            "flags": _strings("Flag keys."),
            "segments": _array_of("Segment", "Segments."),
            "aiConfigs": _strings("AI config keys."),
            "metrics": _strings("Metric keys."),
        },
    },
}
for _type in TYPES.values():
    _type["type"] = "object"

_VIEW_INPUTS: dict[str, Property] = {
    "projectKey": _string("The view's project key. Changing it replaces the view."),
    "key": _string("The view's key, lowercase. Changing it replaces the view."),
    "name": _string("The view's name as the UI shows it."),
    "description": _string(
        'The view\'s description. Left out, it is unmanaged; "" manages it as empty.'
    ),
    "tags": _strings("Tags, a set. Left out, they are unmanaged; [] manages them as none."),
    "maintainerId": _string("The maintaining member's ID (24 hexadecimal characters)."),
    "maintainerTeamKey": _string("The maintaining team's key (at most one maintainer input)."),
    "adopt": _boolean("Take over an existing, different view with this key."),
    "forceDestroy": _boolean("Delete the view even when it still has members linked."),
}
_VIEW_OUTPUTS: dict[str, Property] = {
    "viewId": _string("The view's `id` in LaunchDarkly (Pulumi's own ID is `projectKey/key`)."),
    "projectId": _string("The project's `_id`."),
    "version": _integer("The view's version."),
    "createdAt": _integer("Creation time, Unix milliseconds."),
    "updatedAt": _integer("Last change, Unix milliseconds."),
    "affectsSdkPayload": _boolean("Whether the view affects SDK payloads."),
}

_MEMBERSHIP_INPUTS: dict[str, Property] = {
    "projectKey": _string("The view's project key. Changing it replaces the resource."),
    "viewKey": _string("The view's key, lowercase. Changing it replaces the resource."),
    "flags": _strings("Flag keys, a set. Left out: flags are not managed."),
    "segments": _array_of("SegmentRef", "Segments, each by environment key or `_id`."),
    "aiConfigs": _strings("AI config keys."),
    "metrics": _strings("Metric keys."),
    "exclusive": _boolean(
        "False: own only the listed members. True: own every member of each listed type."
    ),
    "adopt": _boolean("With `exclusive`, take over members the program does not list."),
    "comment": _string("Sent with LaunchDarkly link requests."),
    "flagFilter": _string("Also link every flag matching this flag list filter."),
    "segmentFilter": _string("Also link every segment matching this segment query filter."),
    "segmentFilterEnvironmentKey": _string("The environment `segmentFilter` searches."),
    "segmentFilterEnvironmentId": _string("Or its `_id` (exactly one of the two)."),
}
_MEMBERSHIP_OUTPUTS: dict[str, Property] = {
    "segments": _array_of(
        "Segment", "Segments linked, with environment `_id`, key and segment key."
    ),
    "flagCount": _integer("Number of flags recorded."),
    "segmentCount": _integer("Number of segments recorded."),
    "aiConfigCount": _integer("Number of AI configs recorded."),
    "metricCount": _integer("Number of metrics recorded."),
    "flagFilterMatches": _string_map(
        "What `flagFilter` matches: each flag's status (`linked`, `not linked`, "
        "`no longer matches`)."
    ),
    "segmentFilterMatches": _string_map("What `segmentFilter` matches, each segment's status."),
    "flagFilterLinked": _strings("The flag matches this resource linked itself, and owns."),
    "segmentFilterLinked": _strings("The segment matches this resource linked itself."),
    "linkedByOthers": _ref("LinkedByOthers", "Exclusive only: members linked by others."),
}

_FLAG_LINK_INPUTS: dict[str, Property] = {
    "projectKey": _string("The flag's project key. Changing it replaces the link."),
    "flagKey": _string("The flag's key. Changing it replaces the link."),
    "key": _string(
        "The link's key, unique per flag; defaults to the resource name. Changing it replaces "
        "the link."
    ),
    **_LINK_ATTRIBUTES,
    "timestamp": _TIMESTAMP_INPUT,
    "adopt": _boolean("Take over an existing link with this key even if its attributes differ."),
}
_FLAG_LINK_OUTPUTS: dict[str, Property] = {
    "timestamp": _integer("When the linked event happened, Unix milliseconds."),
    "linkId": _string("The link's `_id` in LaunchDarkly."),
    "createdAt": _integer("Creation time, Unix milliseconds."),
    "createdBy": _ref("CreatedBy", "Who created the link, where LaunchDarkly says."),
}

_FLAG_LINKS_INPUTS: dict[str, Property] = {
    "projectKey": _string("The flags' project key. Changing it replaces every link."),
    "links": _array_of(
        "FlagLinkSpec", "One entry per link; each flag and key at most once; order is free."
    ),
    "parallelism": _integer("Requests in flight at once inside one provider call (1-16)."),
    "adopt": _boolean("Take over existing links with a declared key even if they differ."),
}
_FLAG_LINKS_OUTPUTS: dict[str, Property] = {
    "links": {
        "type": "object",
        "additionalProperties": {"$ref": f"#/types/{PACKAGE}:index:FlagLinkState"},
        "description": "`flagKey/key` -> the link as LaunchDarkly reports it, with its `_id`.",
    },
    "linkCount": _integer("Number of links recorded."),
}

_VIEW_INFO: dict[str, Property] = {
    "projectKey": _string("The view's project key."),
    "key": _string("The view's key."),
    "name": _string("The view's name."),
    "description": _string("The view's description."),
    "tags": _strings("The view's tags, sorted."),
    "maintainerId": _string("The maintaining member's ID."),
    "maintainerTeamKey": _string("The maintaining team's key."),
    "viewId": _string("The view's `id`."),
    "version": _integer("The view's version."),
    "createdAt": _integer("Creation time, Unix milliseconds."),
    "updatedAt": _integer("Last change, Unix milliseconds."),
    "flags": _strings("Keys of the flags linked to the view, sorted."),
    "segments": _array_of("Segment", "Segments linked to the view."),
}

CONFIG: dict[str, Property] = {
    "accessToken": _secret(
        _string("LaunchDarkly API access token (not an SDK key). Else LAUNCHDARKLY_ACCESS_TOKEN.")
    ),
    "apiHost": _string(
        "API base URL (default https://app.launchdarkly.com). Else LAUNCHDARKLY_API_HOST."
    ),
    "linkBatchSize": _integer("Keys or segments per link/unlink request (1-100, default 10)."),
    "linkParallelism": _integer("Link/unlink batches in flight per resource (1-16, default 16)."),
}


def _docstring_params(function: Callable[..., Any] | None) -> dict[str, str]:
    """`:param name: text` of a docstring, keyed by the camelCase name."""
    from .values import to_camel

    doc = inspect.getdoc(function) if function is not None else None
    if not doc:
        return {}
    found = re.findall(r":param (\w+):(.*?)(?=\n\s*:param |\n\s*:return|\Z)", doc, re.S)
    return {to_camel(name): " ".join(text.split()) for name, text in found}


def _facade_docs(class_name: str) -> dict[str, str]:
    try:
        import pulumi_launchdarkly_links as facades

        return _docstring_params(getattr(getattr(facades, class_name), "__init__", None))
    except Exception:  # the schema never depends on the Python face importing
        return {}


def _described(properties: Mapping[str, Property], docs: Mapping[str, str]) -> dict[str, Property]:
    return {
        name: {**prop, "description": docs.get(name, prop.get("description", ""))}
        for name, prop in properties.items()
    }


def _resource(
    class_name: str,
    description: str,
    inputs: dict[str, Property],
    outputs: dict[str, Property],
    required_inputs: list[str],
    required_outputs: list[str],
) -> dict[str, Any]:
    docs = _facade_docs(class_name)
    described_inputs = _described(inputs, docs)
    return {
        "description": description,
        "inputProperties": described_inputs,
        "requiredInputs": required_inputs,
        "properties": {**described_inputs, **outputs},
        "required": required_outputs,
    }


@cache
def schema() -> dict[str, Any]:
    index = f"{PACKAGE}:index"
    return {
        "name": PACKAGE,
        "displayName": "LaunchDarkly views and flag links",
        "version": __version__,
        "description": "LaunchDarkly views, view membership and flag links, with ownership "
        "rules: a resource changes only what it declares or created.",
        "keywords": ["launchdarkly", "feature-flags", "category/utility"],
        "license": "Apache-2.0",
        "config": {"variables": CONFIG},
        "provider": {
            "description": "The ldlinks provider: one API client and rate-limit gate for the "
            "whole deployment.",
            "inputProperties": CONFIG,
            "properties": CONFIG,
        },
        "types": {f"{index}:{name}": spec for name, spec in TYPES.items()},
        "resources": {
            f"{index}:View": _resource(
                "View",
                "One LaunchDarkly view (its name, description, tags, maintainer), never its "
                "members. ID and import ID: `projectKey/key`.",
                _VIEW_INPUTS,
                _VIEW_OUTPUTS,
                ["projectKey", "key", "name"],
                ["projectKey", "key", "name", "viewId"],
            ),
            f"{index}:ViewMembership": _resource(
                "ViewMembership",
                "Members (flags, segments, AI configs, metrics) of one view. ID and import ID: "
                "`projectKey/viewKey`; an import takes every member linked now, non-exclusive, "
                "and owning them means a destroy unlinks them.",
                _MEMBERSHIP_INPUTS,
                {**_MEMBERSHIP_INPUTS, **_MEMBERSHIP_OUTPUTS},
                ["projectKey", "viewKey"],
                ["projectKey", "viewKey"],
            ),
            f"{index}:FlagLink": _resource(
                "FlagLink",
                "One external link on a flag. ID: `projectKey/flagKey/linkId`; import ID "
                "`projectKey/flagKey/key` (or the link's `_id` as the last part).",
                _FLAG_LINK_INPUTS,
                _FLAG_LINK_OUTPUTS,
                ["projectKey", "flagKey"],
                ["projectKey", "flagKey", "key", "linkId"],
            ),
            f"{index}:FlagLinks": _resource(
                "FlagLinks",
                "Many links across the flags of one project, in one resource. Not importable "
                "(its ID is chosen at create): declare it, and identical links are adopted.",
                _FLAG_LINKS_INPUTS,
                _FLAG_LINKS_OUTPUTS,
                ["projectKey", "links"],
                ["projectKey", "links", "linkCount"],
            ),
        },
        "functions": {
            f"{index}:getView": {
                "description": "A view now, with its linked flags and segments (nothing is "
                "recorded in the state).",
                "inputs": {
                    "properties": {
                        "projectKey": _string("The view's project key."),
                        "viewKey": _string("The view's key."),
                    },
                    "required": ["projectKey", "viewKey"],
                },
                "outputs": {
                    "properties": _VIEW_INFO,
                    "required": ["projectKey", "key", "name", "flags", "segments"],
                },
            }
        },
        "language": {
            "python": {"packageName": f"pulumi_{PACKAGE}"},
            "nodejs": {"packageName": f"@pulumi/{PACKAGE}"},
        },
    }


def schema_json() -> str:
    return json.dumps(schema(), indent=2, sort_keys=True)
