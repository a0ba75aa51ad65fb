"""Emulator knobs: one dataclass holding every setting the CLI, tests and admin API can change."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

# Resource types the link/unlink/linked routes know. `metrics` is beyond the v23 spec on purpose:
# older specs (v18-v21) and the docs page list it, so the emulator accepts it unless rejected.
RESOURCE_TYPES: tuple[str, ...] = ("flags", "segments", "aiConfigs", "metrics")

# Knobs that PATCH /_emulator/knobs may change while the server runs (and their types).
RUNTIME_KNOBS: dict[str, type] = {
    "route_limit": int,
    "global_limit": int,
    "retry_after": float,
    "latency_ms": float,
    "latency_jitter_ms": float,
    "fault_rate": float,
    "fault_seed": int,
    "linked_page_max": int,
    "link_batch_max": int,
    "reject_resource_types": list,
}


@dataclass
class EmulatorSettings:
    """Everything that shapes the emulator's behaviour; defaults match the CLI defaults."""

    host: str = "127.0.0.1"
    port: int = 8765
    token: str = "emulator-token"
    # "demo", a path to a seed JSON file, a seed dict, or None for an empty account.
    seed: str | dict[str, Any] | None = "demo"
    # JSON file loaded at start (if present) and rewritten atomically after every mutation.
    state_path: str | None = None
    linked_page_max: int = 100
    link_batch_max: int = 20
    # Requests per window; 0 means unlimited.
    route_limit: int = 0
    global_limit: int = 0
    window_seconds: float = 10.0
    # >0 switches 429s to IP-style: `Retry-After: <seconds>` and the bucket stays closed that long.
    retry_after: float = 0.0
    latency_ms: float = 0.0
    latency_jitter_ms: float = 0.0
    fault_rate: float = 0.0
    fault_seed: int | None = None
    reject_resource_types: list[str] = field(default_factory=list)

    def knobs(self) -> dict[str, Any]:
        """The runtime-changeable subset, as JSON-ready values."""
        data = asdict(self)
        return {name: data[name] for name in RUNTIME_KNOBS}

    def apply_knobs(self, changes: dict[str, Any]) -> None:
        """Validate and apply knob changes; raises ValueError naming the offending knob."""
        parsed: dict[str, Any] = {}
        for name, value in changes.items():
            kind = RUNTIME_KNOBS.get(name)
            if kind is None:
                raise ValueError(f"unknown knob {name!r}")
            parsed[name] = _coerce(name, kind, value)
        for name, value in parsed.items():
            setattr(self, name, value)


def _coerce(name: str, kind: type, value: Any) -> Any:
    """Turn a JSON value into the knob's type, rejecting nonsense early (bools are not numbers)."""
    if name == "fault_seed" and value is None:
        return None
    if kind is list:
        if isinstance(value, str):
            value = [v for v in (s.strip() for s in value.split(",")) if v]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValueError(f"knob {name!r} must be a list of strings")
        return list(value)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"knob {name!r} must be a number")
    if value < 0:
        raise ValueError(f"knob {name!r} must not be negative")
    if name == "fault_rate" and value > 1:
        raise ValueError("knob 'fault_rate' must be between 0 and 1")
    if kind is int:
        if int(value) != value:
            raise ValueError(f"knob {name!r} must be an integer")
        return int(value)
    return float(value)
