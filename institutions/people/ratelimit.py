"""A small fixed-window rate limit on Django's cache (password reset, resend links, the public
certificate verification page).

Counts are per key (an address, an IP) in windows of ``window`` seconds. The cache is the
project's default cache (local memory per process unless ``CACHES`` names a shared one), so
without a shared cache a limit holds per process -- enough to stop a mail bomb from one
client; with a shared cache it is exact.
"""

from __future__ import annotations

import hashlib

from django.core.cache import cache


def _key(scope: str, value: str) -> str:
    digest = hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]
    return f"ratelimit:{scope}:{digest}"


def hit(scope: str, value: str, *, limit: int, window: int) -> bool:
    """Count one request for ``value`` in ``scope``; False once more than ``limit`` came in
    the current window (the request should be refused)."""
    if not value:
        return True
    key = _key(scope, value)
    if cache.add(key, 1, timeout=window):
        return limit >= 1
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window)
        count = 1
    return count <= limit
