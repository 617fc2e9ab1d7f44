"""Fixed-window rate limits kept in the cache (Redis in production: shared by all web
processes). Used where guessing must be stopped: tracking codes + PINs, public lookups."""

from __future__ import annotations

import time

from django.core.cache import cache


def client_ip(request) -> str:
    """The client address (REMOTE_ADDR, set from the reverse proxy in production)."""
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def hit(scope: str, ident: str, *, limit: int, window: int) -> bool:
    """Count one attempt of ``ident`` in ``scope``; False once more than ``limit`` attempts
    were made in the current ``window`` seconds."""
    bucket = int(time.time() // window)
    key = f"rl:{scope}:{ident}:{bucket}"
    if cache.add(key, 1, timeout=window + 1):
        return True
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window + 1)
        return True
    return count <= limit


def retry_after(window: int) -> int:
    """Seconds until the current window ends."""
    return int(window - time.time() % window) + 1
