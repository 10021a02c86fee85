from django.http import Http404


def require(condition: bool) -> None:
    """Outsiders get 404, never 403."""
    if not condition:
        raise Http404


def client_ip(request) -> str:
    # REMOTE_ADDR only, as for django-axes: a proxy's X-Forwarded-For is not trusted here.
    return request.META.get("REMOTE_ADDR") or ""


def error_messages(exc) -> list[str]:
    return list(getattr(exc, "messages", None) or [str(exc)])
