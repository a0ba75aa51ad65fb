"""What editors and programs see of `FlagLinks` and `FlagLinkSpec`, before any engine."""

from __future__ import annotations

import inspect
from dataclasses import fields

from pulumi_launchdarkly_links import FlagLinks, FlagLinkSpec
from pulumi_launchdarkly_links.providers.flag_links_plan import SPEC_FIELDS


def test_every_argument_is_documented() -> None:
    init = vars(FlagLinks)["__init__"]
    doc = inspect.getdoc(init) or ""
    arguments = list(inspect.signature(init).parameters)[1:]
    assert [name for name in arguments if f":param {name}:" not in doc] == []


def test_a_spec_has_every_field_the_provider_checks_and_documents_each() -> None:
    names = [field.name for field in fields(FlagLinkSpec)]
    assert tuple(names) == SPEC_FIELDS
    doc = inspect.getdoc(FlagLinkSpec) or ""
    assert [name for name in names if f":param {name}:" not in doc] == []


def test_a_spec_sends_only_what_is_given() -> None:
    spec = FlagLinkSpec(flag_key="new-checkout", key="ticket", deep_link="https://x.example/1")
    assert spec.as_input() == {
        "flag_key": "new-checkout",
        "key": "ticket",
        "deep_link": "https://x.example/1",
    }
