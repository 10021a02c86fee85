"""A second factor for the people who hold the data (issue 15; ADR 014).

With ``REQUIRE_2FA`` on, admins and managers -- and evaluators with ``REQUIRE_2FA_EVALUATORS``
-- are sent, after their password, to enter a code from their authenticator (TOTP, django-otp)
or a one-time recovery code; someone without a confirmed authenticator is sent to enrol one
first. Until then only those pages, log-out and the session-status calls answer. Anyone may
enrol voluntarily. An admin resets another user's second factor only through
``institutions.services.user_second_factor_reset`` (audited).
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from .roles import Role

RECOVERY_CODES = 10
RECOVERY_DEVICE = "복구 코드"
# Pages a user who still owes the second factor may reach.
OPEN_VIEWS = {
    "second_factor_verify",
    "second_factor_setup",
    "logout",
    "login",
    "session_status",
    "session_extend",
    "set_language",
    "healthz",
}


def second_factor_required(user) -> bool:
    if not (getattr(settings, "REQUIRE_2FA", False) and user.is_authenticated):
        return False
    roles = [Role.ADMIN, Role.MANAGER]
    if getattr(settings, "REQUIRE_2FA_EVALUATORS", False):
        roles.append(Role.EVALUATOR)
    return user.is_superuser or any(user.has_role(role) for role in roles)


def has_authenticator(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


PENDING_KEY = "otp:pending-key"


def pending_authenticator(request) -> TOTPDevice:
    """The authenticator being enrolled: its key is kept in the session (a GET writes no row),
    the row is made at the first code typed, which also keeps django-otp's throttling."""
    key = request.session.get(PENDING_KEY)
    if not key:
        key = request.session[PENDING_KEY] = random_hex(20)
    device = TOTPDevice(user=request.user, name="인증 앱", key=key, confirmed=False)
    if request.method == "POST":
        device, _ = TOTPDevice.objects.get_or_create(
            user=request.user, key=key, confirmed=False, defaults={"name": "인증 앱"}
        )
    return device


def authenticator_confirm(request, device: TOTPDevice) -> list[str]:
    """The typed code matched: keep this device, drop abandoned ones, issue recovery codes."""
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=request.user, confirmed=False).delete()
    request.session.pop(PENDING_KEY, None)
    return recovery_codes_issue(request.user)


def recovery_codes_issue(user) -> list[str]:
    """New recovery codes; the previous ones stop working. Shown once, stored by Django-otp."""
    device, _ = StaticDevice.objects.get_or_create(user=user, name=RECOVERY_DEVICE)
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def _view_name(request) -> str:
    try:
        return resolve(request.path_info).view_name
    except Resolver404:
        return ""


class SecondFactorMiddleware:
    """After django-otp's OTPMiddleware (which gives ``request.user.is_verified()``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is None
            or not second_factor_required(user)
            or user.is_verified()
            or request.path_info.startswith(settings.STATIC_URL)
            or _view_name(request) in OPEN_VIEWS
        ):
            return self.get_response(request)
        target = "second_factor_verify" if has_authenticator(user) else "second_factor_setup"
        url = reverse(target) + "?" + urlencode({"next": request.get_full_path()})
        if request.headers.get("HX-Request") == "true":
            response = HttpResponse(gettext("2단계 인증이 필요합니다."), status=401)
            response["HX-Redirect"] = url
            return response
        return redirect(url)
