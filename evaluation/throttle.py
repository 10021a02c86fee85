"""A small fixed-window rate limit on Django's cache, per scope and client address.

The cache is the project's default cache: local memory per process unless ``CACHES`` names a
shared one (Redis), so without a shared cache the limit holds per process -- enough to make
walking verification codes pointless from one client; with a shared cache it is exact."""

from __future__ import annotations

import hashlib

from django.core.cache import cache


def allow(scope: str, client: str | None, *, limit: int, window: int) -> bool:
    """Count one request of ``client`` in ``scope``; False once more than ``limit`` came in
    the current window of ``window`` seconds."""
    digest = hashlib.sha256((client or "-").encode()).hexdigest()[:32]
    key = f"throttle:{scope}:{digest}"
    if cache.add(key, 1, timeout=window):
        return limit >= 1
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window)
        count = 1
    return count <= limit
