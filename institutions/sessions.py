"""Idle time-out for the people who hold the data (issue 15, finding 7; ADR 014).

Staff (관리자, 관리책임자) and evaluators are logged out after ``SESSION_IDLE_TIMEOUT`` minutes
without a request (default 30), and their session cookie lasts until the browser closes. The
server enforces it (``IdleTimeoutMiddleware``); ``static/js/idle.js`` warns a minute before and
offers to extend, reading the time left from the page and from ``session_status``.

The last-activity stamp is written at most once a minute, so ordinary requests do not each
save the session (the stamp is set at log-in). The deadline shown to the browser is computed
from the stored stamp, so it is never later than the server's.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.views import redirect_to_login
from django.dispatch import receiver
from django.http import HttpResponse, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy

from .roles import Role

LAST_ACTIVITY = "idle:last"
STAMP_EVERY = 60  # seconds: how stale the stored stamp may be
IDLE_ROLES = (Role.ADMIN, Role.MANAGER, Role.EVALUATOR)
LOGGED_OUT_MESSAGE = gettext_lazy(
    "{minutes}분 동안 사용하지 않아 자동으로 로그아웃되었습니다. 다시 로그인하십시오."
)


def now() -> int:
    """The clock, in whole seconds (tests move it)."""
    return int(time.time())


def idle_timeout_seconds() -> int:
    return max(0, int(getattr(settings, "SESSION_IDLE_TIMEOUT", 30))) * 60


def idle_policy_applies(user) -> bool:
    return bool(
        idle_timeout_seconds()
        and user.is_authenticated
        and any(user.has_role(role) for role in IDLE_ROLES)
    )


@receiver(user_logged_in, dispatch_uid="institutions.sessions.stamp_on_login")
def _stamp_on_login(sender, request, user, **kwargs):
    if request is None or not hasattr(request, "session") or not idle_policy_applies(user):
        return
    request.session[LAST_ACTIVITY] = now()
    request.session.set_expiry(0)  # until the browser closes


def _is_status_request(request) -> bool:
    return request.path == reverse("session_status")


class IdleTimeoutMiddleware:
    """After AuthenticationMiddleware and MessageMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not idle_policy_applies(user):
            return self.get_response(request)
        timeout, at = idle_timeout_seconds(), now()
        session = request.session
        last = session.get(LAST_ACTIVITY)
        if last is not None and at - last >= timeout:
            return self._logged_out(request, timeout)
        if not session.get_expire_at_browser_close():
            session.set_expiry(0)
        if last is None or (at - last >= STAMP_EVERY and not _is_status_request(request)):
            session[LAST_ACTIVITY] = last = at
        request.idle_remaining_seconds = max(0, timeout - (at - last))
        return self.get_response(request)

    @staticmethod
    def _logged_out(request, timeout: int):
        path = request.get_full_path()
        logout(request)
        text = LOGGED_OUT_MESSAGE.format(minutes=timeout // 60)
        messages.warning(request, text)  # shown on the log-in page, whoever asked
        if _is_status_request(request):
            return JsonResponse({"authenticated": False, "remaining": 0})
        if request.headers.get("HX-Request") == "true":
            response = HttpResponse(text, status=401)
            response["HX-Redirect"] = reverse(settings.LOGIN_URL)
            return response
        return redirect_to_login(path)
