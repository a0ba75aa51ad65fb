"""LaunchDarkly-style error bodies (`{"code", "message"}`) and small request-parsing helpers."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse


class ApiError(Exception):
    """Raised by route code; turned into a JSON error response by the app's exception handler."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def error_response(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"code": code, "message": message}, status_code=status)


def bad_request(message: str) -> ApiError:
    return ApiError(400, "invalid_request", message)


def filter_syntax_error(text: str, problem: str) -> ApiError:
    """A `filter` that does not parse, or is not allowed where it was sent."""
    return bad_request(f"invalid filter {text!r}: {problem}")


def filter_field_error(field: str, problem: str) -> ApiError:
    """A `filter` naming a field, operator or value LaunchDarkly documents differently, or not at
    all, or that the emulator does not model: never silently ignored (that would match all)."""
    return bad_request(f"filter field '{field}' {problem}")


def not_found(message: str) -> ApiError:
    return ApiError(404, "not_found", message)


def conflict(message: str) -> ApiError:
    return ApiError(409, "conflict", message)


async def read_json(request: Request) -> Any:
    """Parse the body as JSON; malformed or missing bodies are a 400 like the real API."""
    raw = await request.body()
    if not raw.strip():
        raise bad_request("request body is required")
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise bad_request(f"malformed JSON body: {exc}") from None


async def read_object(request: Request) -> dict[str, Any]:
    body = await read_json(request)
    if not isinstance(body, dict):
        raise bad_request("request body must be a JSON object")
    return body


def query_int(request: Request, name: str, default: int, minimum: int = 0) -> int:
    """Read a non-negative integer query parameter, 400 on garbage."""
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise bad_request(f"query parameter {name} must be an integer") from None
    if value < minimum:
        raise bad_request(f"query parameter {name} must be >= {minimum}")
    return value


def query_list(request: Request, name: str) -> list[str]:
    """Accept both `a,b` and repeated `x=a&x=b` forms (the spec uses both for `expand`)."""
    values: list[str] = []
    for raw in request.query_params.getlist(name):
        values.extend(v.strip() for v in raw.split(",") if v.strip())
    return values


def optional_str(body: dict[str, Any], name: str) -> str | None:
    value = body.get(name)
    if value is not None and not isinstance(value, str):
        raise bad_request(f"{name} must be a string")
    return value


def required_str(body: dict[str, Any], name: str) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value:
        raise bad_request(f"{name} is required and must be a non-empty string")
    return value


def optional_str_list(body: dict[str, Any], name: str) -> list[str] | None:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise bad_request(f"{name} must be an array of strings")
    return list(value)
