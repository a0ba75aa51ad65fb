"""Which FlagLink resources of one program declare each link (project, flag, key).

This runs in the program process, not the provider's. Keys are unique per flag, so two
FlagLinks with the same project, flag and key would both adopt the one link, and removing either
from the program would delete the link the other still declares. A program may therefore
declare each link once; `FlagLinkClaims` records the declarations of one program run and names
every resource involved when a link is declared twice.
"""

from __future__ import annotations

import threading

LinkIdentity = tuple[str, str, str]  # (project_key, flag_key, key)


class FlagLinkClaims:
    """The resource names that declared each link, in declaration order; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._declared_by: dict[LinkIdentity, list[str]] = {}

    def declare(self, identity: LinkIdentity, resource_name: str) -> None:
        with self._lock:
            names = self._declared_by.setdefault(identity, [])
            if resource_name not in names:
                names.append(resource_name)

    def conflict(self, identity: LinkIdentity) -> str | None:
        """A message naming every resource that declares `identity`, if more than one does."""
        with self._lock:
            names = list(self._declared_by.get(identity, ()))
        if len(names) < 2:
            return None
        project_key, flag_key, key = identity
        listed = " and ".join(f"'{name}'" for name in names)
        return (
            f"FlagLink resources {listed} declare the same link: key '{key}' on flag "
            f"'{flag_key}' in project '{project_key}'. A link has one owner: removing one of "
            "them from the program would delete the link another still declares. Give each "
            "FlagLink its own `key`, or declare the link once."
        )
