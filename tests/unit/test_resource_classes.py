"""What editors and programs see of the resource classes, before any engine is involved."""

from __future__ import annotations

import inspect

import pulumi
import pytest

from pulumi_launchdarkly_links import FlagLink, View, ViewMembership


@pytest.mark.parametrize("resource_class", [ViewMembership, FlagLink, View])
def test_every_argument_is_documented(resource_class: type) -> None:
    init = vars(resource_class)["__init__"]  # the class's own, not Pulumi's inherited one
    doc = inspect.getdoc(init) or ""
    arguments = [name for name in inspect.signature(init).parameters]
    assert arguments[0] == "self"
    missing = [name for name in arguments[1:] if f":param {name}:" not in doc]
    assert missing == []
    assert ":param str provider" not in doc  # not Pulumi's inherited docstring


def test_renaming_a_flag_link_without_a_key_is_refused_before_it_replaces_the_link() -> None:
    rename = pulumi.ResourceOptions(aliases=[pulumi.Alias(name="chk-1-ticket")])
    with pytest.raises(pulumi.RunError) as refused:
        FlagLink(
            "checkout-ticket",
            project_key="default",
            flag_key="new-checkout",
            deep_link="https://jira.example.com/browse/CHK-1",
            opts=rename,
        )
    assert "Pass key='chk-1-ticket' to keep the link" in str(refused.value)
