"""Demo presets: plain Python data that ``egov.demo.loader`` turns into agencies, bridge points
and accounts through the services (so the audit log records them).

Each preset module defines ``NAME``, ``TITLE``, ``AGENCIES``, ``BRIDGE_POINTS``, ``OFFICERS``,
``CITIZENS`` and optionally ``REFORMS`` (merges and dissolutions applied once the agencies
they name exist). See docs/demo.md.
"""

from __future__ import annotations

from importlib import import_module
from types import ModuleType

#: One password for every demo account (passes Django's password validators).
DEMO_PASSWORD = "Egov@2026"

#: Base32 secret of the administrators' pre-enrolled authenticator (RFC 6238 TOTP). Public on
#: purpose: ``python manage.py demo_totp <username>`` prints the current code. Demo only.
DEMO_TOTP_SECRET = "EGOVDEMO2FATHANHBAPHUTHOQUANTRI7"

DEFAULT_PRESET = "thanh-ba-2021"

PRESETS: dict[str, str] = {
    "thanh-ba-2021": "egov.demo.presets.thanh_ba_2021",
    "phu-tho-2025": "egov.demo.presets.phu_tho_2025",
}


def get_preset(name: str) -> ModuleType:
    try:
        return import_module(PRESETS[name])
    except KeyError:
        raise KeyError(
            f"unknown demo preset {name!r}; choose one of: {', '.join(PRESETS)}"
        ) from None


def all_presets() -> list[ModuleType]:
    return [get_preset(name) for name in PRESETS]
