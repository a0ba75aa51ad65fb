"""ClientSettings.resolve: where the token, host and batch size come from, and bad values."""

from __future__ import annotations

import pickle
from collections.abc import Callable

import pytest

from pulumi_launchdarkly_links.api import DEFAULT_BASE_URL, ClientSettings, ConfigurationError


def config_of(values: dict[str, str]) -> Callable[[str], str | None]:
    return values.get


def test_config_beats_environment() -> None:
    settings = ClientSettings.resolve(
        config_of(
            {"launchdarkly:accessToken": "api-config", "launchdarkly:apiHost": "https://a.test/"}
        ),
        {"LAUNCHDARKLY_ACCESS_TOKEN": "api-env", "LAUNCHDARKLY_API_HOST": "https://b.test"},
    )
    assert settings.access_token == "api-config"
    assert settings.base_url == "https://a.test"


def test_environment_is_the_fallback_and_defaults_apply() -> None:
    settings = ClientSettings.resolve(config_of({}), {"LAUNCHDARKLY_ACCESS_TOKEN": " api-env\n"})
    assert settings.access_token == "api-env"
    assert settings.base_url == DEFAULT_BASE_URL
    assert (settings.link_batch_size, settings.max_parallel_batches) == (10, 16)


def test_environment_host_is_used_without_config_host() -> None:
    settings = ClientSettings.resolve(
        config_of({"launchdarkly:accessToken": "api-x"}),
        {"LAUNCHDARKLY_API_HOST": "http://localhost:8080"},
    )
    assert settings.base_url == "http://localhost:8080"


@pytest.mark.parametrize("environ", [{}, {"LAUNCHDARKLY_ACCESS_TOKEN": ""}])
def test_missing_token_says_how_to_set_it(environ: dict[str, str]) -> None:
    with pytest.raises(ConfigurationError) as caught:
        ClientSettings.resolve(config_of({"launchdarkly:accessToken": ""}), environ)
    assert str(caught.value) == (
        "No LaunchDarkly access token: set it with "
        "`pulumi config set --secret launchdarkly:accessToken <token>` "
        "or the LAUNCHDARKLY_ACCESS_TOKEN environment variable."
    )


def test_bad_host_names_the_setting_and_value() -> None:
    with pytest.raises(ConfigurationError) as caught:
        ClientSettings.resolve(
            config_of(
                {
                    "launchdarkly:accessToken": "api-x",
                    "launchdarkly:apiHost": "app.launchdarkly.com",
                }
            ),
            {},
        )
    assert "launchdarkly:apiHost='app.launchdarkly.com'" in str(caught.value)
    assert "https://app.launchdarkly.com" in str(caught.value)


def test_bad_env_host_names_the_variable() -> None:
    with pytest.raises(ConfigurationError, match="LAUNCHDARKLY_API_HOST='nope'"):
        ClientSettings.resolve(
            config_of({}), {"LAUNCHDARKLY_ACCESS_TOKEN": "api-x", "LAUNCHDARKLY_API_HOST": "nope"}
        )


@pytest.mark.parametrize("raw", ["0", "101", "-3", "ten", "2.5"])
def test_bad_batch_size_names_key_and_value(raw: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        ClientSettings.resolve(
            config_of({"launchdarkly:accessToken": "api-x", "launchdarkly:linkBatchSize": raw}), {}
        )
    assert f"launchdarkly:linkBatchSize={raw!r}" in str(caught.value)
    assert "1 to 100" in str(caught.value)


@pytest.mark.parametrize(("raw", "expected"), [("1", 1), (" 20 ", 20), ("100", 100)])
def test_batch_size_in_range(raw: str, expected: int) -> None:
    settings = ClientSettings.resolve(
        config_of({"launchdarkly:accessToken": "api-x", "launchdarkly:linkBatchSize": raw}), {}
    )
    assert settings.link_batch_size == expected


def test_sdk_key_in_config_is_refused_naming_the_source() -> None:
    with pytest.raises(ConfigurationError) as caught:
        ClientSettings.resolve(config_of({"launchdarkly:accessToken": "sdk-abc"}), {})
    assert "launchdarkly:accessToken" in str(caught.value)
    assert "sdk-abc" not in str(caught.value)


def test_repr_hides_the_token_and_pickling_is_refused() -> None:
    settings = ClientSettings(access_token="api-very-secret")
    assert "api-very-secret" not in repr(settings)
    assert "base_url" in repr(settings)
    with pytest.raises(TypeError):
        pickle.dumps(settings)


@pytest.mark.parametrize(
    ("config", "environ", "setting", "host"),
    [
        (
            {"launchdarkly:apiHost": "https://app.launchdarkly.com/api/v2"},
            {},
            "launchdarkly:apiHost",
            "https://app.launchdarkly.com",
        ),
        (
            {},
            {"LAUNCHDARKLY_API_HOST": "http://127.0.0.1:8765/foo"},
            "LAUNCHDARKLY_API_HOST",
            "http://127.0.0.1:8765",
        ),
    ],
)
def test_host_with_a_path_is_refused_saying_to_set_the_host_only(
    config: dict[str, str], environ: dict[str, str], setting: str, host: str
) -> None:
    with pytest.raises(ConfigurationError) as caught:
        ClientSettings.resolve(config_of({"launchdarkly:accessToken": "api-x", **config}), environ)
    message = str(caught.value)
    assert f"{setting}=" in message
    assert "set the host only" in message
    assert f"{setting}={host!r}" in message


def test_host_with_only_a_trailing_slash_is_fine() -> None:
    settings = ClientSettings.resolve(
        config_of({"launchdarkly:accessToken": "api-x", "launchdarkly:apiHost": "https://x.test/"}),
        {},
    )
    assert settings.base_url == "https://x.test"
