"""Pages anyone may open: institution registration, e-mail confirmation, invitations."""

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from . import ratelimit, services, subject_access
from .common import client_ip, error_messages
from .forms import EmailForm, InvitationAcceptForm, RegistrationForm


def _consent_context() -> dict:
    return {
        "consent_version": settings.PRIVACY_CONSENT_VERSION,
        "retention_rejected_days": settings.RETENTION["rejected_registration"],
        "retention_account_days": settings.RETENTION["inactive_account"],
        "support_email": settings.SUPPORT_EMAIL,
    }


def register(request):
    if request.user.is_authenticated:
        return redirect("home")
    form = RegistrationForm(request.POST or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.registration_submit(**{k: v for k, v in data.items() if k != "password_again"})
        except ValidationError as exc:
            errors = error_messages(exc)
        else:
            return redirect("people:register_sent")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "institutions/register.html",
        {"form": form, "errors": errors, **_consent_context()},
        status=status,
    )


def register_sent(request):
    return render(request, "institutions/register_sent.html")


def _link_problem(request, exc, *, title, again_url, again_label, status=400):
    return render(
        request,
        "institutions/link_problem.html",
        {
            "title": title,
            "message": error_messages(exc)[0],
            "code": exc.code,
            "again_url": again_url,
            "again_label": again_label,
        },
        status=status,
    )


def register_confirm(request, token):
    """GET shows the confirm button (a GET never changes a row); POST confirms."""
    try:
        registration = services.registration_for_token(token)
        if request.method == "POST":
            services.registration_confirm_email(token=token)
            return render(request, "institutions/register_confirmed.html")
    except services.LinkProblem as exc:
        return _link_problem(
            request,
            exc,
            title=_("이메일 확인"),
            again_url="people:register_resend",
            again_label=_("새 확인 링크 받기"),
            status=200 if request.method == "GET" else 400,
        )
    return render(request, "institutions/register_confirm.html", {"registration": registration})


def register_resend(request):
    form = EmailForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        limit, window = settings.PASSWORD_RESET_RATE_LIMIT
        if ratelimit.hit("confirm-email", email, limit=limit, window=window) and ratelimit.hit(
            "confirm-ip", client_ip(request), limit=limit * 4, window=window
        ):
            services.registration_resend(email=email)
        # the same answer whether or not the address is known (or limited)
        messages.info(
            request,
            _("이메일 확인을 기다리는 가입 신청이 있는 주소라면 새 확인 링크를 보냈습니다."),
        )
        return redirect("people:register_sent")
    status = 400 if request.method == "POST" else 200
    return render(request, "institutions/register_resend.html", {"form": form}, status=status)


def invitation_accept(request, token):
    try:
        invitation = services.invitation_for_token(token)
    except services.LinkProblem as exc:
        return render(
            request,
            "institutions/link_problem.html",
            {
                "title": _("초대 수락"),
                "message": error_messages(exc)[0],
                "code": exc.code,
                "resend_token": token if exc.code == "expired" else "",
            },
            status=200 if request.method == "GET" else 400,
        )
    if request.user.is_authenticated:
        messages.info(request, _("초대를 수락하려면 먼저 로그아웃하십시오."))
        return redirect("home")
    form = InvitationAcceptForm(request.POST or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.invitation_accept(
                token=token,
                username=data["username"],
                name=data["name"],
                password=data["password"],
            )
        except ValidationError as exc:
            errors = error_messages(exc)
        else:
            messages.success(
                request, _("계정을 만들었습니다. 방금 정한 아이디와 비밀번호로 로그인하십시오.")
            )
            return redirect("login")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "institutions/invitation_accept.html",
        {"invitation": invitation, "form": form, "errors": errors},
        status=status,
    )


def invitation_resend(request, token):
    """POST only (``require_POST`` in urls): a new link for an expired invitation, sent to the
    address the invitation was for -- never to an address the requester chooses."""
    try:
        services.invitation_for_token(token, allow_expired=True)  # ours, unused
        if ratelimit.hit("invite-resend", token[-40:], limit=3, window=3600):
            services.invitation_resend(token=token)
    except services.LinkProblem as exc:
        return render(
            request,
            "institutions/link_problem.html",
            {"title": _("초대 수락"), "message": error_messages(exc)[0], "code": exc.code},
            status=400,
        )
    messages.info(request, _("초대받은 주소로 새 초대 링크를 보냈습니다. 메일을 확인하십시오."))
    return redirect("people:register_sent")


@login_required
@require_GET
def account(request):
    """The person's own page: what is held about them, and the 열람 청구 download."""
    return render(
        request,
        "institutions/account.html",
        {"retention": settings.RETENTION, "support_email": settings.SUPPORT_EMAIL},
    )


@login_required
@require_GET
def account_data(request):
    """열람 청구: a JSON of everything the system holds about the requesting person."""
    data = subject_access.subject_data(request.user)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json"
    )
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="my-data-{stamp}.json"'
    response["Cache-Control"] = "no-store"
    return response
