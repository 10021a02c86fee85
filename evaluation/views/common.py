"""Small helpers shared by the evaluation views."""

from django.http import Http404

from institutions.client_ip import client_ip as institutions_client_ip


def require(condition: bool) -> None:
    """Outsiders get 404, never 403."""
    if not condition:
        raise Http404


def wants_json(request) -> bool:
    """The portal's own XHR upload asks for JSON; plain forms get pages."""
    return "application/json" in request.headers.get("Accept", "")


def client_ip(request) -> str | None:
    # One rule for the access logs and django-axes: X-Forwarded-For only through
    # TRUSTED_PROXY_COUNT proxies (institutions/client_ip.py).
    return institutions_client_ip(request)


def form_data(request):
    """The POST data, bound even when the POST is empty (``request.POST or None`` would leave
    the form unbound, so an empty submission would be ignored rather than refused)."""
    return request.POST if request.method == "POST" else None


def error_messages(exc) -> list[str]:
    return list(getattr(exc, "messages", None) or [str(exc)])
