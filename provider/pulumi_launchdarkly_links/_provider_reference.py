"""What a resource hands Pulumi as its provider in the program process: a reference, not the class.

`dynamic.Resource` pickles the provider it is given (`pulumi.dynamic.dynamic.serialize_provider`:
`dill.dumps(provider, recurse=True)`) into the `__provider` input, and the provider process
unpickles it before each call. A provider instance pickles as its class, by module path, but
building one means importing its module, and with it the API client, httpx and pydantic: the
program process would pay for an HTTP stack it never uses, on every preview and every up.

A `ProviderReference` names the provider class by module path and pickles as "call
`load_provider(module, name)`": pickling it imports nothing, and unpickling it in the provider
process imports that module there, where it is needed, and gives a real instance of the class.
The blob is about 150 bytes and holds no secret, like the instance's own pickle.
"""

from __future__ import annotations

import importlib
from typing import Any

from pulumi.dynamic import ResourceProvider

_PROVIDERS = "pulumi_launchdarkly_links.providers"


def load_provider(module: str, name: str) -> ResourceProvider:
    """A new instance of the provider class `name` of `module` (what a reference unpickles to)."""
    provider_class = getattr(importlib.import_module(module), name)
    if not (isinstance(provider_class, type) and issubclass(provider_class, ResourceProvider)):
        raise TypeError(f"{module}.{name} is not a dynamic resource provider")
    return provider_class()


class ProviderReference(ResourceProvider):
    """Stands in for the provider class `name` of `module` until the provider process loads it.

    Never called itself: Pulumi only pickles it (reading `serialize_as_secret_always` first).
    """

    # Like the providers themselves: nothing secret in the blob, so it need not be encrypted.
    serialize_as_secret_always = False

    def __init__(self, module: str, name: str) -> None:
        self.module = module
        self.name = name

    def __reduce__(self) -> tuple[Any, tuple[str, str]]:
        return load_provider, (self.module, self.name)

    def __repr__(self) -> str:
        return f"ProviderReference({self.module!r}, {self.name!r})"


# One per resource type; stateless, so every resource of a type shares its reference.
VIEW_PROVIDER = ProviderReference(f"{_PROVIDERS}.view", "ViewProvider")
VIEW_MEMBERSHIP_PROVIDER = ProviderReference(
    f"{_PROVIDERS}.view_membership", "ViewMembershipProvider"
)
FLAG_LINK_PROVIDER = ProviderReference(f"{_PROVIDERS}.flag_link", "FlagLinkProvider")
FLAG_LINKS_PROVIDER = ProviderReference(f"{_PROVIDERS}.flag_links", "FlagLinksProvider")
