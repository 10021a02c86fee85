"""Admin pages for registrations, institutions and their members (not Django admin), and the
members page of an institution's own members."""

import base64

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ..roles import Role
from . import bulk_import, panels, queries, services
from .common import error_messages, require
from .forms import (
    EmailForm,
    ImportForm,
    InstitutionFilterForm,
    InstitutionForm,
    ReasonForm,
    SanctionForm,
)

PAGE_SIZE = 50


def _refused(request, exc) -> None:
    for message in error_messages(exc):
        messages.error(request, message)


# --- registrations -------------------------------------------------------------------------


@login_required
def registration_list(request):
    require(queries.can_manage_people(request.user))
    status = request.GET.get("status", "pending")
    registrations = queries.visible_registrations(request.user)
    if status:
        registrations = registrations.filter(status=status)
    page = Paginator(registrations, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "institutions/registration_list.html", {"page": page, "status": status})


@login_required
def registration_detail(request, pk):
    registration = get_object_or_404(queries.visible_registrations(request.user), pk=pk)
    return render(
        request,
        "institutions/registration_detail.html",
        {"registration": registration, "reject_form": ReasonForm()},
    )


@login_required
@require_POST
def registration_approve(request, pk):
    registration = get_object_or_404(queries.visible_registrations(request.user), pk=pk)
    try:
        services.registration_approve(registration=registration, by=request.user)
    except ValidationError as exc:
        _refused(request, exc)
    else:
        messages.success(
            request,
            _("%(name)s의 가입을 승인했습니다. 담당자에게 알림 메일을 보냈습니다.")
            % {"name": registration.institution_name},
        )
    return redirect("people:registration_detail", pk=pk)


@login_required
@require_POST
def registration_reject(request, pk):
    registration = get_object_or_404(queries.visible_registrations(request.user), pk=pk)
    try:
        services.registration_reject(
            registration=registration, by=request.user, reason=request.POST.get("reason", "")
        )
    except ValidationError as exc:
        _refused(request, exc)
    else:
        messages.success(
            request,
            _("%(name)s의 가입을 반려했습니다. 사유를 담당자에게 보냈습니다.")
            % {"name": registration.institution_name},
        )
    return redirect("people:registration_detail", pk=pk)


# --- institutions --------------------------------------------------------------------------


@login_required
def institution_list(request):
    require(queries.can_manage_people(request.user))
    form = InstitutionFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    institutions = queries.institutions_for_list(
        request.user, **{k: v or "" for k, v in filters.items()}
    )
    extra = []  # filters other apps own (the 인증서 status, from evaluation)
    for list_filter in panels.list_filters():
        value = request.GET.get(list_filter.name, "")
        if value in dict(list_filter.choices):
            institutions = list_filter.apply(institutions, value)
        extra.append((list_filter, value))
    page = Paginator(institutions, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "institutions/institution_list.html",
        {"page": page, "form": form, "extra_filters": extra, "query": query.urlencode()},
    )


def _institution(request, pk):
    return get_object_or_404(queries.visible_institutions(request.user), pk=pk)


@login_required
def institution_detail(request, pk):
    institution = _institution(request, pk)
    return render(
        request,
        "institutions/institution_detail.html",
        {
            "institution": institution,
            "sanction_now": queries.sanction_on(institution, timezone.localdate()),
            "panels": panels.render_all(institution, request.user),
            "events": queries.institution_events(institution)[:100],
            "sanction_form": SanctionForm(),
            "invite_form": EmailForm(),
            "reason_form": ReasonForm(),
        },
    )


@login_required
def institution_edit(request, pk):
    institution = _institution(request, pk)
    form = InstitutionForm(request.POST or None, instance=institution)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.institution_update(
                institution=institution,
                by=request.user,
                **{f: form.cleaned_data[f] for f in services.EDITABLE_FIELDS},
            )
        except ValidationError as exc:
            errors = error_messages(exc)
        else:
            messages.success(
                request,
                _("기관 정보를 저장했습니다 (%(n)d개 항목 변경).") % {"n": len(changed)},
            )
            return redirect("people:institution_detail", pk=pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "institutions/institution_form.html",
        {"institution": institution, "form": form, "errors": errors},
        status=status,
    )


@login_required
@require_POST
def sanction_add(request, pk):
    institution = _institution(request, pk)
    form = SanctionForm(request.POST)
    if not form.is_valid():
        for field, errs in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for err in errs:
                messages.error(request, f"{label}: {err}" if label else err)
        return redirect("people:institution_detail", pk=pk)
    try:
        services.sanction_record(institution=institution, by=request.user, **form.cleaned_data)
    except ValidationError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("제재를 기록했습니다."))
    return redirect("people:institution_detail", pk=pk)


@login_required
@require_POST
def institution_invite(request, pk):
    institution = _institution(request, pk)
    try:
        services.invitation_create(
            email=request.POST.get("email", ""),
            role=Role.INSTITUTION,
            institution=institution,
            by=request.user,
        )
    except ValidationError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("초대 메일을 보냈습니다."))
    return redirect("people:institution_detail", pk=pk)


@login_required
@require_POST
def member_deactivate(request, pk):
    require(queries.can_manage_people(request.user))
    membership = get_object_or_404(queries.visible_members(request.user), pk=pk)
    try:
        services.member_deactivate(
            membership=membership, by=request.user, reason=request.POST.get("reason", "")
        )
    except ValidationError as exc:
        _refused(request, exc)
    else:
        messages.success(
            request,
            _("%(name)s의 계정을 비활성화했습니다. 즉시 접속할 수 없습니다.")
            % {"name": membership.user.display_name},
        )
    return redirect("people:institution_detail", pk=membership.institution_id)


# --- an institution's own members ----------------------------------------------------------


@login_required
def members(request):
    """A member's view of their own institution(s): colleagues and the invitation form."""
    require(queries.is_member(request.user))
    institutions = list(queries.own_institutions(request.user))
    memberships = queries.visible_members(request.user)
    form = EmailForm(request.POST or None)
    if request.method == "POST":
        institution = (
            get_object_or_404(
                queries.own_institutions(request.user), pk=request.POST.get("institution") or 0
            )
            if len(institutions) != 1
            else institutions[0]
        )
        if form.is_valid():
            try:
                services.invitation_create(
                    email=form.cleaned_data["email"],
                    role=Role.INSTITUTION,
                    institution=institution,
                    by=request.user,
                )
            except ValidationError as exc:
                _refused(request, exc)
            else:
                messages.success(
                    request,
                    _("%(email)s에 초대 메일을 보냈습니다.")
                    % {"email": form.cleaned_data["email"]},
                )
                return redirect("people:members")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "institutions/members.html",
        {"institutions": institutions, "memberships": memberships, "form": form},
        status=status,
    )


# --- bulk import -------------------------------------------------------------------------

_IMPORT_SESSION_KEY = "people_import"


@login_required
def institution_import(request):
    """Upload → preview (nothing written) → confirm. The previewed file waits in the session
    and is checked again when confirmed."""
    require(queries.can_manage_people(request.user))
    form = ImportForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    plan = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        content = upload.read(bulk_import.MAX_BYTES + 1)
        try:
            plan = bulk_import.plan_import(content, upload.name)
        except bulk_import.ImportInvalid as exc:
            problems = exc.problems
        else:
            request.session[_IMPORT_SESSION_KEY] = {
                "name": upload.name,
                "content": base64.b64encode(content).decode(),
            }
    status = 400 if request.method == "POST" and plan is None else 200
    return render(
        request,
        "institutions/institution_import.html",
        {"form": form, "problems": problems, "plan": plan},
        status=status,
    )


@login_required
@require_POST
def institution_import_confirm(request):
    require(queries.can_manage_people(request.user))
    stored = request.session.get(_IMPORT_SESSION_KEY)
    if not stored:
        messages.error(request, _("미리 본 파일이 없습니다. 파일을 다시 올려 주십시오."))
        return redirect("people:institution_import")
    try:
        plan = bulk_import.plan_import(base64.b64decode(stored["content"]), stored["name"])
        with transaction.atomic():
            bulk_import.apply_import(plan, by=request.user)
    except bulk_import.ImportInvalid as exc:
        for problem in exc.problems:
            messages.error(request, problem)
        return redirect("people:institution_import")
    del request.session[_IMPORT_SESSION_KEY]
    messages.success(request, _("가져왔습니다: %(summary)s") % {"summary": plan.summary()})
    return redirect("people:institution_list")


@login_required
def people_log(request):
    """Every recorded change about people and institutions (who, when, what), newest first."""
    require(queries.can_manage_people(request.user))
    page = Paginator(queries.people_events(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "institutions/people_log.html", {"page": page})
