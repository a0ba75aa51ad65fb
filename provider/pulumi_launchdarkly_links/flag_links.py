"""`FlagLinks` and `FlagLinkSpec`: many flag links (one ticket per flag, say) in one resource."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi import dynamic

from ._pickler_guard import unwrap_pulumi_pickler
from ._provider_reference import FLAG_LINKS_PROVIDER
from .flag_link import _claims_of_this_run
from .providers.flag_links_plan import SPEC_FIELDS

RESOURCE_KIND = "FlagLinks"


@dataclass(frozen=True)
class FlagLinkSpec:
    """One link of a `FlagLinks`, with FlagLink's inputs (its project is the resource's).

    :param flag_key: the flag's key.
    :param key: the link's key, unique per flag. With `flag_key` it names the link.
    :param deep_link: an absolute http(s) URL (required unless `integration_key` is given).
    :param title: shown in LaunchDarkly; changes in place.
    :param description: shown in LaunchDarkly; changes in place.
    :param integration_key: for links backed by an integration (e.g. `jira`).
    :param metadata: string-to-string details, only with `integration_key`.
    :param timestamp: Unix milliseconds or an RFC 3339 string; defaults to creation time.

    A change to anything but `title` and `description` replaces that one link.
    """

    flag_key: pulumi.Input[str]
    key: pulumi.Input[str]
    deep_link: pulumi.Input[str] | None = None
    title: pulumi.Input[str] | None = None
    description: pulumi.Input[str] | None = None
    integration_key: pulumi.Input[str] | None = None
    metadata: pulumi.Input[Mapping[str, pulumi.Input[str]]] | None = None
    timestamp: pulumi.Input[int | str] | None = None

    def as_input(self) -> dict[str, Any]:
        fields = {name: getattr(self, name) for name in SPEC_FIELDS}
        return {name: value for name, value in fields.items() if value is not None}


def _spec_inputs(links: Any) -> Any:
    def convert(items: Any) -> Any:
        if not isinstance(items, Sequence) or isinstance(items, str | bytes):
            return items  # the provider's check names the mistake at preview
        return [item.as_input() if isinstance(item, FlagLinkSpec) else item for item in items]

    if isinstance(links, pulumi.Output):
        return links.apply(convert)
    return convert(links)


def _is_known_now(value: Any) -> bool:
    """True when `value` holds no Output anywhere (plain values of a synchronous program)."""
    if isinstance(value, pulumi.Output):
        return False
    if isinstance(value, Mapping):
        return all(_is_known_now(item) for item in value.values())
    if isinstance(value, Sequence) and not isinstance(value, str | bytes):
        return all(_is_known_now(item) for item in value)
    return True


def _identities(project_key: Any, pairs: Any) -> list[tuple[str, str, str]]:
    """(project, flag, key) of each `[flag_key, key]` pair (malformed ones are check's job)."""
    if not isinstance(pairs, Sequence) or isinstance(pairs, str | bytes):
        return []
    return [
        (str(project_key), pair[0], pair[1])
        for pair in pairs
        if isinstance(pair, Sequence)
        and len(pair) == 2
        and isinstance(pair[0], str)
        and isinstance(pair[1], str)
    ]


def _claims_checked(
    resource_name: str, project_key: pulumi.Input[str], links: Any
) -> pulumi.Input[None]:
    """An Output of None that fails (naming every claimant) if a FlagLink or another FlagLinks
    of this program declares one of these links; the resource is then never registered, so
    never created. As with FlagLink's `_claimed_key`, links known now are declared at once, so
    every claimant fails, not just the later one; links from Outputs are declared when they
    resolve. It is carried by the output-only `link_count` input, so an identity unknown at
    preview leaves no declared input unknown."""
    claims = _claims_of_this_run()
    if claims is None:
        return None
    if isinstance(links, Sequence) and not isinstance(links, str | bytes):
        pairs: Any = [
            [spec.get("flag_key"), spec.get("key")] if isinstance(spec, Mapping) else None
            for spec in links
        ]
    else:
        pairs = links  # an Output of the whole list, or a mistake that check names

    def check(declared: list[tuple[str, str, str]]) -> None:
        for identity in declared:
            conflict = claims.conflict(identity)
            if conflict is not None:
                # RunError: the CLI prints the message alone, without a program traceback.
                raise pulumi.RunError(conflict)

    if _is_known_now(project_key) and _is_known_now(pairs):
        known = _identities(project_key, pairs)
        for identity in known:
            claims.declare(identity, resource_name, RESOURCE_KIND)
        # Checked once the event loop runs, when every resource of the program has declared.
        return pulumi.Output.from_input(None).apply(lambda _: check(known))

    def settle(values: Sequence[Any]) -> None:
        project, resolved = values
        if isinstance(resolved, Sequence) and not isinstance(resolved, str | bytes):
            resolved = [
                [spec.get("flag_key"), spec.get("key")] if isinstance(spec, Mapping) else spec
                for spec in resolved
            ]
        declared = _identities(project, resolved)
        for identity in declared:
            claims.declare(identity, resource_name, RESOURCE_KIND)
        check(declared)

    return pulumi.Output.all(project_key, pairs).apply(settle)


class FlagLinks(dynamic.Resource, module="launchdarkly", name="FlagLinks"):
    """A set of flag links across the flags of one project, created, changed and deleted link by
    link, many at once, in one resource (README, "FlagLinks").

    It owns exactly the links it records: those it created, and existing links with a declared
    key and every declared attribute that it took over (with `adopt=True`, or moved to it from
    another resource of this stack in the same `up`). A link (project, flag, key) may be
    declared once per program: a FlagLink or another FlagLinks declaring it too fails the
    program, naming both, before either is created.
    """

    project_key: pulumi.Output[str]
    # `"flag_key/key"` -> the link's attributes as LaunchDarkly reports them and `link_id` (its
    # `_id`). In a preview, the declared attributes without `link_id`, or the declared list
    # while a flag or key is still unknown; hence `Any`, which the SDK's output check accepts.
    links: pulumi.Output[Any]
    parallelism: pulumi.Output[int | None]
    link_count: pulumi.Output[int]

    def __init__(
        self,
        resource_name: str,
        *,
        project_key: pulumi.Input[str],
        links: pulumi.Input[Sequence[FlagLinkSpec | Mapping[str, Any]]],
        parallelism: pulumi.Input[int] | None = None,
        adopt: pulumi.Input[bool] = False,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """Declare links on the flags of one project.

        :param resource_name: the Pulumi resource name.
        :param project_key: the flags' project key. Changing it replaces every link.
        :param links: `FlagLinkSpec(flag_key=..., key=..., deep_link=..., title=...)` (or dicts
            with the same fields), one per link; each flag and key at most once. Order does not
            matter. Adding, removing or changing one link touches that link only.
        :param parallelism: requests in flight at once inside one provider call (1-16,
            default 16); the provider's shared rate-limit gate paces them.
        :param adopt: take over existing links with a declared key and every declared
            attribute instead of failing on them (a later destroy deletes them). Without it,
            a create fails on an existing link, naming `aliases` and `adopt=True`; a link that
            moves here from another resource of this stack in the same `up` needs neither.
        :param opts: Pulumi resource options.
        """
        spec_inputs = _spec_inputs(links)
        props: dict[str, Any] = {
            "project_key": project_key,
            "links": spec_inputs,
            "parallelism": parallelism,
            "adopt": adopt,
            # Outputs exist only for keys present in props, so the computed one is seeded
            # (with the claim check, which resolves to None).
            "link_count": _claims_checked(resource_name, project_key, spec_inputs),
        }
        unwrap_pulumi_pickler()  # else ~985 dynamic resources in one program overflow
        super().__init__(FLAG_LINKS_PROVIDER, resource_name, props, opts)
