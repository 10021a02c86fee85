"""The client's address, as the access logs and django-axes record it (issue 15, finding 5).

Behind ``TRUSTED_PROXY_COUNT`` reverse proxies that each append the address of their peer to
``X-Forwarded-For`` (nginx: ``proxy_add_x_forwarded_for``), the client is the address that the
outermost trusted proxy saw: counting from the right of ``X-Forwarded-For`` + ``REMOTE_ADDR``,
the entry after the trusted proxies. Whatever a client writes into the header itself sits to the
left of that and is never taken. With no trusted proxy (the default) only ``REMOTE_ADDR`` counts.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings


def _valid(address: str) -> bool:
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return False
    return True


def client_ip_from(remote_addr: str | None, forwarded_for: str | None, trusted: int) -> str | None:
    """The pure rule, for tests and for ``client_ip``."""
    remote = (remote_addr or "").strip() or None
    if trusted <= 0 or not remote:
        return remote
    hops = [part.strip() for part in (forwarded_for or "").split(",") if part.strip()]
    chain = [*hops, remote]
    candidate = chain[max(0, len(chain) - 1 - trusted)]
    return candidate if _valid(candidate) else remote


def client_ip(request) -> str | None:
    return client_ip_from(
        request.META.get("REMOTE_ADDR"),
        request.META.get("HTTP_X_FORWARDED_FOR"),
        getattr(settings, "TRUSTED_PROXY_COUNT", 0),
    )
