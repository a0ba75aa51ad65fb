"""`EmulatorAdmin`: a tiny httpx client for the /_emulator/ admin API, for tests and scripts."""

from __future__ import annotations

from typing import Any

import httpx


class EmulatorAdmin:
    def __init__(self, url: str, timeout: float = 10.0) -> None:
        self.url = url.rstrip("/")
        self._timeout = timeout

    def _call(self, method: str, path: str, body: Any = None) -> Any:
        kwargs: dict[str, Any] = {"timeout": self._timeout}
        if body is not None:
            kwargs["json"] = body
        response = httpx.request(method, f"{self.url}/_emulator{path}", **kwargs)
        response.raise_for_status()
        return response.json()

    def stats(self) -> dict[str, Any]:
        return self._call("GET", "/stats")  # type: ignore[no-any-return]

    def reset_stats(self) -> None:
        self._call("POST", "/stats/reset")

    def reset(self, seed: str | dict[str, Any] | None = "demo") -> None:
        """Clear state and stats, then apply `seed` ("demo", a file path, a dict, or None)."""
        self._call("POST", "/reset", {"seed": seed})

    def seed(self, data: dict[str, Any]) -> None:
        """Merge seed data into the current state."""
        self._call("POST", "/seed", data)

    def knobs(self) -> dict[str, Any]:
        return self._call("GET", "/knobs")  # type: ignore[no-any-return]

    def set_knobs(self, **knobs: Any) -> dict[str, Any]:
        return self._call("PATCH", "/knobs", knobs)  # type: ignore[no-any-return]

    def state(self) -> dict[str, Any]:
        return self._call("GET", "/state")  # type: ignore[no-any-return]
