"""Middleware that sits above every app.

``CookieLanguageMiddleware``: the page language is the one the switcher stored in the
``django_language`` cookie (``django.views.i18n.set_language``), else ``LANGUAGE_CODE``
(Korean). Unlike Django's ``LocaleMiddleware`` it never reads ``Accept-Language`` nor a URL
prefix: a browser set to English still gets the Korean interface until its user switches.
See docs/decisions/020-languages.md.

``DatabaseUnavailableMiddleware``: when a view fails because the database cannot be reached
(PostgreSQL restarting, a failover, a dropped connection) the user gets a handled **503** with
a Korean message and ``Retry-After`` -- for an htmx request a one-line fragment the page shows
in place, otherwise a small page -- instead of a 500 (a traceback in DEBUG). The transaction the
error broke was rolled back. Other server errors get ``templates/500.html`` (Korean).
See docs/decisions/010-broker-outage.md.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _

log = logging.getLogger(__name__)

# What the driver raises when the server went away or refuses connections: "connection
# refused", "server closed the connection unexpectedly", "terminating connection due to
# administrator command", "connection already closed". Lock and statement timeouts are
# OperationalErrors too, and are just as worth retrying.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 5


def database_unavailable_response(request) -> HttpResponse:
    """The 503 answer. It renders without a request context: the context processors (and
    ``request.user``) would need the database that is not there."""
    message = _(
        "데이터베이스에 잠시 연결할 수 없어 요청을 처리하지 못했습니다. 잠시 후 다시 시도하십시오."
    )
    htmx = request.headers.get("HX-Request") == "true"
    template = "errors/_unavailable.html" if htmx else "errors/503.html"
    response = HttpResponse(render_to_string(template, {"message": message}), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, DATABASE_UNAVAILABLE):
            return None
        log.warning(
            "database unavailable during %s %s: answered 503",
            request.method,
            request.path,
            exc_info=exception,
        )
        return database_unavailable_response(request)


def request_language(request) -> str:
    """The language of this request: the cookie's if it names one of ``LANGUAGES``, else the
    default. Accept-Language is deliberately ignored (Korean is the default, ADR 020)."""
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    for code in (chosen, settings.LANGUAGE_CODE):
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    return settings.LANGUAGE_CODE


class CookieLanguageMiddleware:
    """Activate the switcher's language (cookie) for the request, else Korean."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = request_language(request)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        try:
            response = self.get_response(request)
        finally:
            # Nothing after the response (an eager task, the next request on this thread)
            # inherits the page's language by accident.
            translation.deactivate()
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", language)
        return response
