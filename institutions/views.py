"""The 사용자·역할 pages for admins: users and their roles, audited grants and revocations, and
a password-reset link sent to the user (never a password set by someone else). ADR 014."""

import base64

import segno
from axes.handlers.proxy import AxesProxyHandler
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import PasswordChangeView
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_otp import login as otp_login
from django_otp import match_token

from . import queries, second_factor, services, sessions
from .forms_accounts import GuardedPasswordChangeForm, OneTimeCodeForm, ReasonForm, RoleForm
from .roles import Role

PAGE_SIZE = 50


def _require(condition: bool) -> None:
    """Outsiders get 404, never 403."""
    if not condition:
        raise Http404


def _errors(exc) -> list[str]:
    return list(getattr(exc, "messages", None) or [str(exc)])


@login_required
@require_GET
def user_list(request):
    _require(queries.can_manage_users(request.user))
    page = Paginator(queries.visible_users(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "institutions/user_list.html", {"page": page})


def _detail(request, target, *, role_form=None, reason_form=None, otp_form=None, status=200):
    return render(
        request,
        "institutions/user_detail.html",
        {
            "target": target,
            "held": target.role_set(),
            "role_form": role_form or RoleForm(),
            "reason_form": reason_form or ReasonForm(),
            "audit": queries.user_account_audit(target)[:100],
            "has_second_factor": second_factor.has_authenticator(target),
            "otp_form": otp_form or ReasonForm(prefix="otp"),
        },
        status=status,
    )


@login_required
@require_GET
def user_detail(request, pk):
    _require(queries.can_manage_users(request.user))
    return _detail(request, get_object_or_404(queries.visible_users(request.user), pk=pk))


def _role_change(request, pk, service, done: str):
    _require(queries.can_manage_users(request.user))
    target = get_object_or_404(queries.visible_users(request.user), pk=pk)
    form = RoleForm(request.POST)
    if not form.is_valid():
        return _detail(request, target, role_form=form, status=400)
    role = Role(form.cleaned_data["role"])
    try:
        changed = service(
            user=target, role=role, by=request.user, reason=form.cleaned_data["reason"]
        )
    except (ValidationError, PermissionDenied) as exc:
        for message in _errors(exc):
            messages.error(request, message)
    else:
        if changed:
            messages.success(request, done.format(user=target.display_name, role=role.label))
        else:
            messages.info(
                request,
                _("{user}: 바뀐 것이 없습니다 ({role}).").format(
                    user=target.display_name, role=role.label
                ),
            )
    return redirect("institutions:user_detail", pk=target.pk)


@login_required
@require_POST
def user_role_grant(request, pk):
    return _role_change(
        request, pk, services.user_grant_role, _("{user}에게 {role} 역할을 부여했습니다.")
    )


@login_required
@require_POST
def user_role_revoke(request, pk):
    return _role_change(
        request, pk, services.user_revoke_role, _("{user}의 {role} 역할을 해제했습니다.")
    )


@login_required
@require_POST
def user_password_reset(request, pk):
    _require(queries.can_manage_users(request.user))
    target = get_object_or_404(queries.visible_users(request.user), pk=pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        return _detail(request, target, reason_form=form, status=400)
    try:
        services.user_password_reset_send(
            user=target,
            by=request.user,
            reason=form.cleaned_data["reason"],
            domain=request.get_host(),
            use_https=request.is_secure(),
        )
    except (ValidationError, PermissionDenied) as exc:
        for message in _errors(exc):
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("%(name)s에게 비밀번호 재설정 링크를 보냈습니다 (%(email)s).")
            % {"name": target.display_name, "email": target.email},
        )
    return redirect("institutions:user_detail", pk=target.pk)


class GuardedPasswordChangeView(PasswordChangeView):
    """비밀번호 변경 whose wrong current passwords count as failed log-ins; at the limit the
    session ends and the account is locked out like after failed log-ins (the axes middleware
    answers with the lock-out page)."""

    form_class = GuardedPasswordChangeForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}

    def form_invalid(self, form):
        username = self.request.user.get_username()
        if AxesProxyHandler.is_locked(self.request, {"username": username}):
            logout(self.request)
        return super().form_invalid(form)


@require_GET
def session_status(request):
    """Seconds left before the idle log-out, without counting as activity (idle.js asks
    before it warns or logs out, so another tab's activity counts)."""
    remaining = getattr(request, "idle_remaining_seconds", None)
    return JsonResponse(
        {"authenticated": request.user.is_authenticated, "remaining": remaining},
        headers={"Cache-Control": "no-store"},
    )


@login_required
@require_POST
def session_extend(request):
    """The warning's 연장 button: this request is activity; the stamp is renewed now."""
    if sessions.idle_policy_applies(request.user):
        request.session[sessions.LAST_ACTIVITY] = sessions.now()
        request.idle_remaining_seconds = sessions.idle_timeout_seconds()
    return JsonResponse(
        {"authenticated": True, "remaining": getattr(request, "idle_remaining_seconds", None)},
        headers={"Cache-Control": "no-store"},
    )


# --- second factor (TOTP) ----------------------------------------------------------------------


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("home")


@login_required
def second_factor_verify(request):
    """After the password: a code from the authenticator, or a one-time recovery code.
    Wrong codes are throttled by django-otp (each failure doubles the wait)."""
    if not second_factor.has_authenticator(request.user):
        return redirect(f"{reverse('second_factor_setup')}?next={_next(request)}")
    form = OneTimeCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(request.user, form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            return redirect(_next(request))
        form.add_error(
            "code",
            _(
                "코드가 맞지 않습니다. 인증 앱의 현재 코드나 사용하지 않은 복구 코드를 "
                "입력하십시오. 연속해서 틀리면 잠시 입력이 제한됩니다."
            ),
        )
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "institutions/second_factor_verify.html",
        {"form": form, "next": _next(request)},
        status=status,
    )


@login_required
def second_factor_setup(request):
    """Enrol an authenticator: scan the QR code (or type the key), confirm with one code; the
    recovery codes are shown once, then."""
    if second_factor.has_authenticator(request.user):
        return render(request, "institutions/second_factor_enrolled.html")
    device = second_factor.pending_authenticator(request)
    form = OneTimeCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            codes = second_factor.authenticator_confirm(request, device)
            otp_login(request, device)
            return render(
                request,
                "institutions/second_factor_codes.html",
                {"codes": codes, "next": _next(request)},
            )
        form.add_error(
            "code", _("코드가 맞지 않습니다. 인증 앱에 지금 표시된 6자리 코드를 입력하십시오.")
        )
    qr = segno.make(device.config_url, error="m")
    return render(
        request,
        "institutions/second_factor_setup.html",
        {
            "form": form,
            "next": _next(request),
            "qr_svg": qr.svg_inline(scale=4, dark="#000", light="#fff", title="QR"),
            "secret": base64.b32encode(device.bin_key).decode("ascii"),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def user_second_factor_reset(request, pk):
    _require(queries.can_manage_users(request.user))
    target = get_object_or_404(queries.visible_users(request.user), pk=pk)
    form = ReasonForm(request.POST, prefix="otp")
    if not form.is_valid():
        return _detail(request, target, otp_form=form, status=400)
    try:
        services.user_second_factor_reset(
            user=target, by=request.user, reason=form.cleaned_data["reason"]
        )
    except (ValidationError, PermissionDenied) as exc:
        for message in _errors(exc):
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("%(name)s의 2단계 인증을 초기화했습니다. 다음 로그인 때 다시 등록합니다.")
            % {"name": target.display_name},
        )
    return redirect("institutions:user_detail", pk=target.pk)
