"""The 사용자·역할 pages for admins: users and their roles, audited grants and revocations, and
a password-reset link sent to the user (never a password set by someone else). ADR 014."""

from axes.handlers.proxy import AxesProxyHandler
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import PasswordChangeView
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from . import queries, services, sessions
from .forms_accounts import GuardedPasswordChangeForm, ReasonForm, RoleForm
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


def _detail(request, target, *, role_form=None, reason_form=None, status=200):
    return render(
        request,
        "institutions/user_detail.html",
        {
            "target": target,
            "held": target.role_set(),
            "role_form": role_form or RoleForm(),
            "reason_form": reason_form or ReasonForm(),
            "audit": queries.user_account_audit(target)[:100],
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
            messages.info(request, f"{target.display_name}: 바뀐 것이 없습니다 ({role.label}).")
    return redirect("institutions:user_detail", pk=target.pk)


@login_required
@require_POST
def user_role_grant(request, pk):
    return _role_change(
        request, pk, services.user_grant_role, "{user}에게 {role} 역할을 부여했습니다."
    )


@login_required
@require_POST
def user_role_revoke(request, pk):
    return _role_change(
        request, pk, services.user_revoke_role, "{user}의 {role} 역할을 해제했습니다."
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
            f"{target.display_name}에게 비밀번호 재설정 링크를 보냈습니다 ({target.email}).",
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
