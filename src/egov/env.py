"""Small typed readers of environment variables, used only by ``egov.settings``.

Every setting egov reads from the environment goes through one of these helpers, which
also records the variable's name, type and default in ``REGISTRY`` so that
``docs/configuration.md`` can be checked against the code (see ``tests/test_configuration.py``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class EnvVar:
    name: str
    kind: str
    default: object
    help: str


REGISTRY: dict[str, EnvVar] = {}


def _register(name: str, kind: str, default: object, help: str) -> str | None:
    REGISTRY[name] = EnvVar(name, kind, default, help)
    return os.environ.get(name)


def get_str(name: str, default: str = "", help: str = "") -> str:
    raw = _register(name, "str", default, help)
    return default if raw is None else raw


def get_bool(name: str, default: bool = False, help: str = "") -> bool:
    raw = _register(name, "bool", default, help)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ValueError(f"{name} must be a boolean (1/0, true/false), got {raw!r}")


def get_int(name: str, default: int = 0, help: str = "") -> int:
    raw = _register(name, "int", default, help)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"{name} must be an integer, got {raw!r}") from None


def get_list(name: str, default: list[str] | None = None, help: str = "") -> list[str]:
    default = list(default or [])
    raw = _register(name, "list", ",".join(default), help)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]
