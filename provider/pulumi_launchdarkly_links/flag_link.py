"""`FlagLink`: an external link (ticket, runbook, dashboard) attached to a LaunchDarkly flag."""

from __future__ import annotations

import weakref
from collections.abc import Mapping, Sequence
from typing import Any

import pulumi
from pulumi import dynamic

from ._pickler_guard import unwrap_pulumi_pickler
from ._provider_reference import FLAG_LINK_PROVIDER
from .providers.flag_link_claims import FlagLinkClaims
from .providers.flag_link_plan import OUTPUT_NAMES

# One registry per program run, keyed by its root stack resource: an Automation API process
# runs many programs, and a link declared by the last run is free for the next.
_claims_by_run: weakref.WeakKeyDictionary[pulumi.Resource, FlagLinkClaims] = (
    weakref.WeakKeyDictionary()
)


def _claims_of_this_run() -> FlagLinkClaims | None:
    root = pulumi.runtime.get_root_resource()
    if root is None:
        return None  # no program is running: nothing to register with
    return _claims_by_run.setdefault(root, FlagLinkClaims())


def _claimed_key(
    resource_name: str,
    project_key: pulumi.Input[str],
    flag_key: pulumi.Input[str],
    key: pulumi.Input[str],
) -> pulumi.Input[str]:
    """`key`, as an Output that fails (naming every claimant) if another FlagLink of this
    program declares the same link; the resource is then never registered, so never created.

    Plain strings are declared at once, so by the time the event loop settles any key every
    FlagLink of a synchronous program is known and all the claimants fail, not just the later
    one. Outputs are declared when they resolve (an unknown in preview is checked at `up`).
    """
    claims = _claims_of_this_run()
    if claims is None:
        return key
    known_now = all(isinstance(value, str) for value in (project_key, flag_key, key))
    if known_now:
        claims.declare((str(project_key), str(flag_key), str(key)), resource_name)

    def settle(values: Sequence[Any]) -> str:
        identity = (str(values[0]), str(values[1]), str(values[2]))
        if not known_now:
            claims.declare(identity, resource_name)
        conflict = claims.conflict(identity)
        if conflict is not None:
            # RunError: the CLI prints the message alone, without a program traceback.
            raise pulumi.RunError(conflict)
        return identity[2]

    return pulumi.Output.all(project_key, flag_key, key).apply(settle)


def _refuse_key_change_by_rename(
    resource_name: str, key: pulumi.Input[str] | None, opts: pulumi.ResourceOptions | None
) -> None:
    """A rename with `aliases` keeps the resource, but a key defaulting to the resource name
    would change with it, and a new key replaces the link: refuse that at once, in preview."""
    aliases = (opts.aliases if opts else None) or []
    if key is not None or not aliases:
        return
    old_names = [a.name for a in aliases if isinstance(a, pulumi.Alias) and isinstance(a.name, str)]
    keep = f"key={old_names[0]!r}" if old_names else "key=<the old resource name>"
    raise pulumi.RunError(
        f"FlagLink '{resource_name}' has `aliases` but no `key`: its key defaults to the "
        "resource name, so this rename would delete the existing link and create another. "
        f"Pass {keep} to keep the link as it is."
    )


class FlagLink(dynamic.Resource, module="launchdarkly", name="FlagLink"):
    """A flag link. `title` and `description` change in place; other changes replace it.

    It owns exactly one link: the one it created, or, with `adopt=True`, an existing link with
    the same key and the same attributes, which it takes over. Two FlagLinks of one program may
    not declare the same project, flag and key: the program fails, naming both, before either
    is created.
    """

    project_key: pulumi.Output[str]
    flag_key: pulumi.Output[str]
    key: pulumi.Output[str]
    deep_link: pulumi.Output[str | None]
    title: pulumi.Output[str | None]
    description: pulumi.Output[str | None]
    integration_key: pulumi.Output[str | None]
    metadata: pulumi.Output[dict[str, str] | None]
    timestamp: pulumi.Output[int]
    link_id: pulumi.Output[str]
    created_at: pulumi.Output[int]
    created_by: pulumi.Output[dict[str, str] | None]

    def __init__(
        self,
        resource_name: str,
        *,
        project_key: pulumi.Input[str],
        flag_key: pulumi.Input[str],
        deep_link: pulumi.Input[str] | None = None,
        title: pulumi.Input[str] | None = None,
        description: pulumi.Input[str] | None = None,
        key: pulumi.Input[str] | None = None,
        integration_key: pulumi.Input[str] | None = None,
        metadata: pulumi.Input[Mapping[str, pulumi.Input[str]]] | None = None,
        timestamp: pulumi.Input[int | str] | None = None,
        adopt: pulumi.Input[bool] = False,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """Declare one link on one flag.

        :param resource_name: the Pulumi resource name; also the link's `key` unless given.
        :param project_key: the flag's project key. Changing it replaces the link.
        :param flag_key: the flag's key. Changing it replaces the link.
        :param deep_link: an absolute http(s) URL (required unless `integration_key` is
            given). Changing it replaces the link.
        :param title: shown in LaunchDarkly; changes in place.
        :param description: shown in LaunchDarkly; changes in place.
        :param key: the link's key, unique per flag (letters, digits, `.`, `_`, `-`); defaults
            to `resource_name`. Changing it replaces the link. Give it explicitly before you
            rename the resource (with `aliases`), or the rename replaces the link.
        :param integration_key: for links backed by an integration (e.g. `jira`); replaces.
        :param metadata: string-to-string details, only with `integration_key`; replaces.
        :param timestamp: when the linked event happened: Unix milliseconds or an RFC 3339
            string such as `2026-11-23T19:30:00Z`; defaults to creation time; replaces.
        :param adopt: take over an existing link with this key and the declared attributes
            instead of failing (a later destroy deletes it). Without it, a create fails on an
            existing link, naming `aliases` (if you renamed this resource) and `adopt=True`.
        :param opts: Pulumi resource options.
        """
        _refuse_key_change_by_rename(resource_name, key, opts)
        props: dict[str, Any] = {
            "project_key": project_key,
            "flag_key": flag_key,
            "key": _claimed_key(
                resource_name, project_key, flag_key, key if key is not None else resource_name
            ),
            "deep_link": deep_link,
            "title": title,
            "description": description,
            "integration_key": integration_key,
            "metadata": metadata,
            "timestamp": timestamp,
            "adopt": adopt,
            # Outputs exist only for keys present in props, so the computed ones are seeded.
            "link_id": None,
            "created_at": None,
            "created_by": None,
        }
        unwrap_pulumi_pickler()  # else ~985 dynamic resources in one program overflow
        super().__init__(FLAG_LINK_PROVIDER, resource_name, props, opts)

    @staticmethod
    def get(
        resource_name: str, id: pulumi.Input[str], opts: pulumi.ResourceOptions | None = None
    ) -> FlagLink:
        """The live link with this ID, read at every run; Pulumi never changes or deletes a
        resource it only reads.

        :param resource_name: the Pulumi resource name.
        :param id: `project_key/flag_key/link_id` (the link's `_id`), as a FlagLink's ID is.
        :param opts: Pulumi resource options.
        """
        link = FlagLink.__new__(FlagLink)
        unwrap_pulumi_pickler()
        dynamic.Resource.__init__(
            link,
            FLAG_LINK_PROVIDER,
            resource_name,
            dict.fromkeys(OUTPUT_NAMES),
            pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(id=id)),
        )
        return link
