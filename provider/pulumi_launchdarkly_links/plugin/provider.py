"""The plugin's `Provider`: each engine request, translated for the dynamic provider of its
resource (`faces.FACES`), run in a worker thread (the providers and the API client are
synchronous; the engine sends many requests at once), and the answer translated back.

One plugin process serves a whole deployment, for programs in every language, so the checks
that the Python face runs in the program process run here: two FlagLink or FlagLinks resources
declaring one link (`FlagLinkClaims`) fail their checks, naming both.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar, cast

from pulumi.dynamic import ConfigureRequest as DynamicConfigureRequest
from pulumi.provider.experimental import provider as rpc
from pulumi.provider.experimental.property_value import PropertyValue

from ..api._constants import MAX_PARALLEL_BATCHES
from ..lookups import read_view
from ..providers._session import CONFIG_KEYS, LaunchDarklyProvider
from ..providers.errors import ProviderError
from ..providers.flag_link_claims import FlagLinkClaims
from ..providers.flag_links_plan import split_link_name
from . import PACKAGE
from .faces import FACES, Face
from .schema import CONFIG, schema_json
from .values import secret_names, to_camel, to_plain, to_properties

T = TypeVar("T")

# The Python face's config keys, in the plugin's namespace: `launchdarkly:accessToken` is read
# from `ldlinks:accessToken`. Environment variables are the same for both faces.
_CONFIG_NAMES = {key: key.split(":", 1)[1] for key in CONFIG_KEYS}
_LINK_ID = re.compile(r"^[0-9a-f]{24}$")


class _Config:
    """What a dynamic provider's `configure` reads: `get("launchdarkly:accessToken")`."""

    def __init__(self, values: Mapping[str, str]) -> None:
        self._values = dict(values)

    def get(self, key: str) -> str | None:
        return self._values.get(key)


def _name_of(urn: str) -> str:
    return urn.split("::")[-1]


def _face_of(urn_or_type: str) -> Face:
    token = urn_or_type.split("::")[-2] if "::" in urn_or_type else urn_or_type
    try:
        return FACES[token.rsplit(":", 1)[-1]]
    except KeyError:
        raise ProviderError(f"{PACKAGE} has no resource type {token!r}") from None


def _config_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class LaunchDarklyLinksProvider(rpc.Provider):
    """Serves `ldlinks:index:{View,ViewMembership,FlagLink,FlagLinks}` and `getView`."""

    def __init__(self) -> None:
        self._config: dict[str, str] = {}
        self._claims = FlagLinkClaims()
        self._threads = ThreadPoolExecutor(
            max_workers=MAX_PARALLEL_BATCHES, thread_name_prefix="ldlinks"
        )

    async def _run(self, work: Callable[[], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._threads, work)

    def _provider(self, face: Face) -> LaunchDarklyProvider:
        provider = face.make_provider()
        provider.configure(DynamicConfigureRequest(cast(Any, _Config(self._config))))
        return provider

    # -- the package ----------------------------------------------------------------------------

    async def get_schema(self, request: rpc.GetSchemaRequest) -> rpc.GetSchemaResponse:
        return rpc.GetSchemaResponse(schema=schema_json())

    async def check_config(self, request: rpc.CheckRequest) -> rpc.CheckResponse:
        return rpc.CheckResponse(inputs=request.new_inputs, failures=[])

    async def diff_config(self, request: rpc.DiffRequest) -> rpc.DiffResponse:
        return rpc.DiffResponse(changes=False)

    async def configure(self, request: rpc.ConfigureRequest) -> rpc.ConfigureResponse:
        config: dict[str, str] = {}
        for key, name in _CONFIG_NAMES.items():
            value = request.args.get(name)
            text = _config_text(value.value if value is not None else None)
            if text is None:
                text = request.variables.get(f"{PACKAGE}:config:{name}") or request.variables.get(
                    f"{PACKAGE}:{name}"
                )
            if text:
                config[key] = text
        self._config = config
        return rpc.ConfigureResponse(accept_secrets=True, supports_preview=True)

    # -- resources ------------------------------------------------------------------------------

    async def check(self, request: rpc.CheckRequest) -> rpc.CheckResponse:
        face = _face_of(request.urn)
        olds = to_plain(request.old_inputs, face.data_paths)
        news = to_plain(request.new_inputs, face.data_paths)
        if face.name == "FlagLink" and "key" not in news:
            news["key"] = _name_of(request.urn)  # as in Python: the key defaults to the name
        provider = self._provider(face)
        result = await self._run(lambda: provider.check(olds, news))
        failures = [
            rpc.CheckFailure(to_camel(failure.property), failure.reason)
            for failure in result.failures or []
        ]
        inputs = dict(result.inputs or {})
        if not failures and face.name in ("FlagLink", "FlagLinks"):
            failures += self._claim(face, _name_of(request.urn), inputs)
        return rpc.CheckResponse(
            inputs=to_properties(inputs, face.data_paths, secret_names(request.new_inputs)),
            failures=failures,
        )

    def _identities(self, face: Face, inputs: Mapping[str, Any]) -> list[tuple[str, str, str]]:
        project_key = inputs.get("project_key")
        if not isinstance(project_key, str):
            return []
        if face.name == "FlagLink":
            flag_key, key = inputs.get("flag_key"), inputs.get("key")
            if isinstance(flag_key, str) and isinstance(key, str):
                return [(project_key, flag_key, key)]
            return []
        links = inputs.get("links")
        if not isinstance(links, Mapping):
            return []
        return [(project_key, *split_link_name(name)) for name in links]

    def _claim(self, face: Face, name: str, inputs: Mapping[str, Any]) -> list[rpc.CheckFailure]:
        """Declare this resource's links for the deployment; a link another resource declared
        fails this check, naming both (the other one fails when the engine checks it again)."""
        identities = self._identities(face, inputs)
        for identity in identities:
            self._claims.declare(identity, name, face.name)
        conflicts = [self._claims.conflict(identity) for identity in identities]
        property_name = "key" if face.name == "FlagLink" else "links"
        return [rpc.CheckFailure(property_name, text) for text in conflicts if text]

    async def diff(self, request: rpc.DiffRequest) -> rpc.DiffResponse:
        face = _face_of(request.urn)
        state = to_plain(request.old_state, face.data_paths)
        checked = to_plain(request.new_inputs, face.data_paths)
        provider = self._provider(face)
        result = await self._run(lambda: provider.diff(request.resource_id, state, checked))
        if not result.changes:
            return rpc.DiffResponse(changes=False)
        replaces = list(result.replaces or [])
        # A change the inputs do not show (another resource of this up unlinked a member this
        # one declares) has no property to name: no detailed diff, so the engine keeps the change.
        detailed = face.detailed_diff(state, checked, replaces)
        return rpc.DiffResponse(
            changes=True,
            replaces=[to_camel(name) for name in replaces],
            delete_before_replace=bool(result.delete_before_replace),
            detailed_diff=detailed or None,
        )

    async def create(self, request: rpc.CreateRequest) -> rpc.CreateResponse:
        face = _face_of(request.urn)
        inputs = to_plain(request.properties, face.data_paths)
        secrets = secret_names(request.properties)
        if request.preview:
            return rpc.CreateResponse(
                resource_id="",
                properties=to_properties(face.preview_create(inputs), face.data_paths, secrets),
            )
        if face.name in ("FlagLink", "FlagLinks"):
            # The other declaration may have been checked after this one passed its check.
            for identity in self._identities(face, inputs):
                conflict = self._claims.conflict(identity)
                if conflict:
                    raise ProviderError(conflict)
        provider = self._provider(face)
        result = await self._run(lambda: provider.create(inputs))
        return rpc.CreateResponse(
            resource_id=str(result.id),
            properties=to_properties(
                face.shape_outputs(result.outs or {}), face.data_paths, secrets
            ),
        )

    async def update(self, request: rpc.UpdateRequest) -> rpc.UpdateResponse:
        face = _face_of(request.urn)
        state = to_plain(request.olds, face.data_paths)
        checked = to_plain(request.news, face.data_paths)
        secrets = secret_names(request.news) | secret_names(request.olds)
        if request.preview:
            outputs = face.preview_update(state, checked)
        else:
            provider = self._provider(face)
            result = await self._run(lambda: provider.update(request.resource_id, state, checked))
            outputs = face.shape_outputs(result.outs or {})
        return rpc.UpdateResponse(properties=to_properties(outputs, face.data_paths, secrets))

    async def delete(self, request: rpc.DeleteRequest) -> None:
        face = _face_of(request.urn)
        state = to_plain(request.properties, face.data_paths)
        provider = self._provider(face)
        await self._run(lambda: provider.delete(request.resource_id, state))

    async def read(self, request: rpc.ReadRequest) -> rpc.ReadResponse:
        face = _face_of(request.urn)
        state = to_plain(request.properties, face.data_paths)
        importing = not state
        resource_id = request.resource_id
        if importing and face.name == "FlagLink":
            state = _flag_link_by_id(resource_id)
        provider = self._provider(face)
        result = await self._run(lambda: provider.read(resource_id, state))
        if not result.id:
            return rpc.ReadResponse(resource_id=None)
        outputs = face.shape_outputs(result.outs or {})
        if importing:
            inputs = face.import_inputs(result.inputs or {})
        elif result.inputs is not None:
            inputs = dict(result.inputs)
        else:
            inputs = to_plain(request.inputs, face.data_paths)
        secrets = secret_names(request.properties) | secret_names(request.inputs)
        return rpc.ReadResponse(
            resource_id=str(result.id),
            properties=to_properties(outputs, face.data_paths, secrets),
            inputs=to_properties(inputs, face.data_paths, secret_names(request.inputs)),
        )

    # -- functions ------------------------------------------------------------------------------

    async def invoke(self, request: rpc.InvokeRequest) -> rpc.InvokeResponse:
        if request.tok != f"{PACKAGE}:index:getView":
            raise ProviderError(f"{PACKAGE} has no function {request.tok!r}")
        args = to_plain(request.args, frozenset())
        provider = self._provider(FACES["View"])
        info = await self._run(
            lambda: read_view(provider.client, str(args["project_key"]), str(args["view_key"]))
        )
        return rpc.InvokeResponse(return_value=to_properties(info.as_dict(), frozenset()))


def _flag_link_by_id(resource_id: str) -> dict[str, Any]:
    """`project/flag/key` (an import names the link by its key) or `project/flag/_id`."""
    parts = resource_id.split("/")
    if len(parts) != 3 or not all(parts):
        raise ProviderError(
            f"{resource_id!r} is not a FlagLink import ID: write 'project_key/flag_key/key' "
            "(or the link's _id as the last part), e.g. 'default/new-checkout/ticket'"
        )
    project_key, flag_key, last = parts
    which = "link_id" if _LINK_ID.match(last) else "key"
    return {"project_key": project_key, "flag_key": flag_key, which: last}


def configured_names() -> list[str]:
    """The plugin's settings, for messages and docs."""
    return [f"{PACKAGE}:{name}" for name in CONFIG]


__all__ = ["LaunchDarklyLinksProvider", "PropertyValue", "configured_names"]
