"""Views that sit above every app: the role-aware home page and the health check."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .home import home_sections


@login_required
def home(request):
    return render(request, "home.html", {"sections": home_sections(request.user)})


def _database_ok() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return True, connection.vendor
    except Exception as exc:  # any driver error means "down"
        return False, type(exc).__name__


def _broker_ok() -> tuple[bool, str]:
    url = settings.CELERY_BROKER_URL
    if not url:
        return True, "eager (no broker configured)"
    from kombu import Connection

    try:
        with Connection(url, connect_timeout=2) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True, "ok"
    except Exception as exc:
        return False, type(exc).__name__


@never_cache
@require_GET
def healthz(request):
    db_ok, db_detail = _database_ok()
    broker_ok, broker_detail = _broker_ok()
    ok = db_ok and broker_ok
    body = {
        "status": "ok" if ok else "error",
        "database": {"ok": db_ok, "detail": db_detail},
        "broker": {"ok": broker_ok, "detail": broker_detail},
    }
    return JsonResponse(body, status=200 if ok else 503)


def server_error(request):
    """handler500. A database outage met before any view ran (in a middleware that reads the
    session or the user) is answered like one met in a view: 503 in Korean with Retry-After
    (``DatabaseUnavailableMiddleware`` only sees exceptions raised by views). Anything else:
    the standalone 500 page, as Django's own handler renders it."""
    import sys

    from django.views.defaults import server_error as django_server_error

    from .middleware import DATABASE_UNAVAILABLE, database_unavailable_response

    if isinstance(sys.exc_info()[1], DATABASE_UNAVAILABLE):
        return database_unavailable_response(request)
    return django_server_error(request)
