from django.http import Http404

from ..client_ip import client_ip as trusted_client_ip


def require(condition: bool) -> None:
    """Outsiders get 404, never 403."""
    if not condition:
        raise Http404


def client_ip(request) -> str:
    # The one rule of the access logs and django-axes: X-Forwarded-For only through
    # TRUSTED_PROXY_COUNT proxies (institutions/client_ip.py), so behind a proxy the rate
    # limits count per client, not for everyone at once.
    return trusted_client_ip(request) or ""


def error_messages(exc) -> list[str]:
    return list(getattr(exc, "messages", None) or [str(exc)])
