"""The segment `filter` syntax (LaunchDarkly's "queryfilter") of the segment list and view links.

Grammar, as getSegments documents it (`,` is AND, `|` is OR, parentheses group)::

    filter  := any ('|' any)*             OR of ANDs: ',' binds tighter than '|'
    any     := term (',' term)*
    term    := '(' filter ')' | FIELD OPERATOR [VALUE]
    VALUE   := "JSON string" | true | false | number | '[' VALUE (',' VALUE)* ']'

Operators: `equals` (also written `=`, as LaunchDarkly's Terraform provider documents it),
`anyOf`, `exists`. The fields the emulator models, each with the operators it takes:

    query equals "text" | ["a", "b"]        text in the key, name or description, ignoring case
    tags anyOf ["a", "b"]                   has at least one of the tags
    keys anyOf [...] / includedKeys anyOf   only these segment keys (`keys` in view link docs)
    excludedKeys anyOf [...]                not these segment keys
    unbounded equals true|false             big segment (true) or standard segment (false)
    view equals "key" | view anyOf [...]    linked to (one of) these views in this environment

`external` and `type` (documented, not modelled) answer 400 "not supported by the emulator"; any
other field answers 400 "unknown"; so does an operator a field does not take.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .entities import segment_link_key
from .errors import filter_field_error as field_error
from .errors import filter_syntax_error as syntax_error

Record = dict[str, Any]


@dataclass(frozen=True)
class SegmentScope:
    """What a test may look at besides the segment: its project and environment."""

    project: Record
    env: Record


SegmentTest = Callable[[Record, SegmentScope], bool]

DOCUMENTED_FIELDS = frozenset(
    {
        "excludedKeys",
        "external",
        "includedKeys",
        "query",
        "tags",
        "unbounded",
        "view",
        "keys",
        "type",
    }
)
_TOKEN = re.compile(
    r"""\s*(?:
        (?P<string>"(?:[^"\\]|\\.)*")
      | (?P<number>-?\d+(?:\.\d+)?)
      | (?P<word>[A-Za-z_][A-Za-z0-9_.]*)
      | (?P<punct>[(),|\[\]=])
    )""",
    re.VERBOSE,
)


@dataclass(frozen=True)
class _Token:
    kind: str  # string, number, word, punct, end
    text: str
    at: int


def _tokens(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    at = 0
    while text[at:].strip():
        match = _TOKEN.match(text, at)
        if match is None:
            position = at + len(text[at:]) - len(text[at:].lstrip())
            hint = (
                ' (segments take queryfilter syntax such as tags anyOf ["a"], not field:value)'
                if text[position] == ":"
                else ""
            )
            raise syntax_error(text, f"unexpected {text[position]!r} at position {position}{hint}")
        kind = match.lastgroup or "punct"
        tokens.append(_Token(kind, match.group(kind), match.start(kind)))
        at = match.end()
    tokens.append(_Token("end", "", len(text)))
    return tokens


class _Parser:
    """Recursive descent over the tokens; builds one test per term."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokens(text)
        self.index = 0

    def peek(self) -> _Token:
        return self.tokens[self.index]

    def take(self) -> _Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def expect(self, punct: str) -> None:
        token = self.take()
        if token.text != punct or token.kind != "punct":
            self.fail(token, f"expected {punct!r}")

    def fail(self, token: _Token, problem: str) -> None:
        found = repr(token.text) if token.kind != "end" else "the end"
        raise syntax_error(self.text, f"{problem} at position {token.at}, found {found}")

    def parse(self) -> SegmentTest:
        test = self.any_of()
        if self.peek().kind != "end":
            self.fail(self.peek(), "expected ',' or '|'")
        return test

    def any_of(self) -> SegmentTest:
        parts = [self.all_of()]
        while self.peek().text == "|" and self.peek().kind == "punct":
            self.take()
            parts.append(self.all_of())
        return parts[0] if len(parts) == 1 else _or(parts)

    def all_of(self) -> SegmentTest:
        parts = [self.term()]
        while self.peek().text == "," and self.peek().kind == "punct":
            self.take()
            parts.append(self.term())
        return parts[0] if len(parts) == 1 else _and(parts)

    def term(self) -> SegmentTest:
        token = self.take()
        if token.kind == "punct" and token.text == "(":
            inner = self.any_of()
            self.expect(")")
            return inner
        if token.kind != "word":
            self.fail(token, "expected a field name or '('")
        field = token.text
        _check_field(field)
        op_token = self.take()
        if op_token.kind == "punct" and op_token.text == "=":
            operator = "equals"
        elif op_token.kind == "word":
            operator = op_token.text
        else:
            self.fail(op_token, f"expected an operator after {field!r}")
        value: Any = None
        if operator != "exists" or self.peek().kind in ("string", "number", "word"):
            value = self.value()
        return _term(field, operator, value)

    def value(self) -> Any:
        token = self.take()
        if token.kind == "punct" and token.text == "[":
            items: list[Any] = []
            if self.peek().text == "]" and self.peek().kind == "punct":
                self.take()
                return items
            items.append(self.value())
            while self.peek().text == "," and self.peek().kind == "punct":
                self.take()
                items.append(self.value())
            self.expect("]")
            return items
        if token.kind == "string":
            return json.loads(token.text)
        if token.kind == "number":
            return json.loads(token.text)
        if token.kind == "word" and token.text in ("true", "false"):
            return token.text == "true"
        self.fail(token, 'expected a value ("text", true, false, a number or [...])')
        return None  # unreachable: fail raises


def parse_segment_filter(text: str | None) -> SegmentTest | None:
    """Parse `text` (None or blank: no filter); raise a 400 ApiError naming what is wrong."""
    if text is None or not text.strip():
        return None
    return _Parser(text).parse()


def select_segments(
    test: SegmentTest | None, project: Record, env: Record, segments: list[Record]
) -> list[Record]:
    if test is None:
        return list(segments)
    scope = SegmentScope(project, env)
    return [segment for segment in segments if test(segment, scope)]


def _check_field(field: str) -> None:
    if field not in DOCUMENTED_FIELDS:
        raise field_error(
            field, f"is unknown for segments; fields: {', '.join(sorted(_OPERATORS))}"
        )
    if field not in _OPERATORS:
        raise field_error(
            field,
            "is documented by LaunchDarkly but not supported by the emulator; supported: "
            + ", ".join(sorted(_OPERATORS)),
        )


def _and(parts: list[SegmentTest]) -> SegmentTest:
    return lambda segment, scope: all(part(segment, scope) for part in parts)


def _or(parts: list[SegmentTest]) -> SegmentTest:
    return lambda segment, scope: any(part(segment, scope) for part in parts)


def _strings(field: str, value: Any, what: str) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return value
    raise field_error(field, f"takes {what}; got {json.dumps(value)}")


def _string_list(field: str, value: Any) -> list[str]:
    if not isinstance(value, list):
        raise field_error(field, f'takes a list such as ["a", "b"]; got {json.dumps(value)}')
    return _strings(field, value, 'a list of strings such as ["a", "b"]')


def _term(field: str, operator: str, value: Any) -> SegmentTest:
    allowed = _OPERATORS[field]
    if operator not in allowed:
        raise field_error(field, f"takes {' or '.join(allowed)}, not {operator!r}")
    return _BUILDERS[field](field, operator, value)


# -- one builder per field: (operator, value) -> test --------------------------------------------
def _query(field: str, operator: str, value: Any) -> SegmentTest:
    needles = [n.lower() for n in _strings(field, value, "a string or a list of strings")]

    def found(segment: Record, _: SegmentScope) -> bool:
        haystacks = [segment["key"], segment["name"], segment.get("description") or ""]
        return any(n in h.lower() for n in needles for h in haystacks)

    return found


def _tags(field: str, operator: str, value: Any) -> SegmentTest:
    wanted = set(_string_list(field, value))
    return lambda segment, _: bool(wanted & set(segment.get("tags", [])))


def _included_keys(field: str, operator: str, value: Any) -> SegmentTest:
    keys = set(_string_list(field, value))
    return lambda segment, _: segment["key"] in keys


def _excluded_keys(field: str, operator: str, value: Any) -> SegmentTest:
    keys = set(_string_list(field, value))
    return lambda segment, _: segment["key"] not in keys


def _unbounded(field: str, operator: str, value: Any) -> SegmentTest:
    if not isinstance(value, bool):
        raise field_error(field, f"takes true or false; got {json.dumps(value)}")
    return lambda segment, _: bool(segment.get("unbounded", False)) == value


def _view(field: str, operator: str, value: Any) -> SegmentTest:
    if operator == "equals" and not isinstance(value, str):
        raise field_error(field, f"equals takes one view key; got {json.dumps(value)}")
    view_keys = [k.lower() for k in _strings(field, value, 'a list such as ["a", "b"]')]

    def linked(segment: Record, scope: SegmentScope) -> bool:
        link_key = segment_link_key(scope.env["_id"], segment["key"])
        views = scope.project["views"]
        return any(
            link_key in views[k]["links"].get("segments", {}) for k in view_keys if k in views
        )

    return linked


_OPERATORS: dict[str, tuple[str, ...]] = {
    "query": ("equals",),
    "tags": ("anyOf",),
    "keys": ("anyOf",),
    "includedKeys": ("anyOf",),
    "excludedKeys": ("anyOf",),
    "unbounded": ("equals",),
    "view": ("equals", "anyOf"),
}
_BUILDERS: dict[str, Callable[[str, str, Any], SegmentTest]] = {
    "query": _query,
    "tags": _tags,
    "keys": _included_keys,
    "includedKeys": _included_keys,
    "excludedKeys": _excluded_keys,
    "unbounded": _unbounded,
    "view": _view,
}
