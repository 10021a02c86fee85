"""Small helpers shared by the evaluation views."""

from django.http import Http404


def require(condition: bool) -> None:
    """Outsiders get 404, never 403."""
    if not condition:
        raise Http404


def wants_json(request) -> bool:
    """The portal's own XHR upload asks for JSON; plain forms get pages."""
    return "application/json" in request.headers.get("Accept", "")


def client_ip(request) -> str | None:
    # REMOTE_ADDR only, as for django-axes: a proxy's X-Forwarded-For is not trusted here.
    return request.META.get("REMOTE_ADDR") or None


def error_messages(exc) -> list[str]:
    return list(getattr(exc, "messages", None) or [str(exc)])
