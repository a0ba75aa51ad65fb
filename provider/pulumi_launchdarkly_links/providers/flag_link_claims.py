"""Which FlagLink and FlagLinks resources of one program declare each link (project, flag, key).

This runs in the program process, not the provider's. Keys are unique per flag, so two
resources declaring the same project, flag and key would both adopt the one link, and removing
either from the program would delete the link the other still declares. A program may therefore
declare each link once, whether in a `FlagLink` or among the links of a `FlagLinks`;
`FlagLinkClaims` records the declarations of one program run and names every resource involved
when a link is declared twice.
"""

from __future__ import annotations

import threading

LinkIdentity = tuple[str, str, str]  # (project_key, flag_key, key)
Claimant = tuple[str, str]  # (resource kind, resource name), e.g. ("FlagLinks", "tickets")


class FlagLinkClaims:
    """The resources that declared each link, in declaration order; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._declared_by: dict[LinkIdentity, list[Claimant]] = {}

    def declare(self, identity: LinkIdentity, resource_name: str, kind: str = "FlagLink") -> None:
        with self._lock:
            claimants = self._declared_by.setdefault(identity, [])
            if (kind, resource_name) not in claimants:
                claimants.append((kind, resource_name))

    def conflict(self, identity: LinkIdentity) -> str | None:
        """A message naming every resource that declares `identity`, if more than one does."""
        with self._lock:
            claimants = list(self._declared_by.get(identity, ()))
        if len(claimants) < 2:
            return None
        project_key, flag_key, key = identity
        kinds = {kind for kind, _name in claimants}
        if len(kinds) == 1:
            names = " and ".join(f"'{name}'" for _kind, name in claimants)
            listed = f"{kinds.pop()} resources {names}"
        else:
            listed = " and ".join(f"{kind} '{name}'" for kind, name in claimants)
        return (
            f"{listed} declare the same link: key '{key}' on flag "
            f"'{flag_key}' in project '{project_key}'. A link has one owner: removing one of "
            "them from the program would delete the link another still declares. Give each "
            "declaration its own `key`, or declare the link in one resource only."
        )
