"""The admin's evaluator pool: profiles (expertise, qualifications, contact), affiliations
(which bar assignment: 제척), invitations."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ..roles import Role
from . import queries, services
from .common import error_messages, require
from .forms import AffiliationForm, EmailForm, EvaluatorProfileForm


def _refused(request, exc) -> None:
    for message in error_messages(exc):
        messages.error(request, message)


@login_required
def evaluator_list(request):
    require(queries.can_manage_people(request.user))
    form = EmailForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.invitation_create(
                email=form.cleaned_data["email"], role=Role.EVALUATOR, by=request.user
            )
        except ValidationError as exc:
            _refused(request, exc)
        else:
            messages.success(request, _("평가위원 초대 메일을 보냈습니다."))
            return redirect("people:evaluator_list")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "institutions/evaluator_list.html",
        {"evaluators": queries.evaluators_for_list(request.user), "form": form},
        status=status,
    )


@login_required
def evaluator_detail(request, pk):
    evaluator = get_object_or_404(queries.evaluators_for_list(request.user), pk=pk)
    profile = getattr(evaluator, "evaluator_profile", None)
    initial = (
        {
            "expertise": ", ".join(profile.expertise),
            "qualifications": profile.qualifications,
            "organisation": profile.organisation,
            "phone": profile.phone,
        }
        if profile
        else {}
    )
    form = EvaluatorProfileForm(request.POST or None, initial=initial)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            services.evaluator_profile_update(
                evaluator=evaluator,
                by=request.user,
                expertise=form.expertise_codes(),
                qualifications=form.cleaned_data["qualifications"],
                organisation=form.cleaned_data["organisation"],
                phone=form.cleaned_data["phone"],
            )
        except ValidationError as exc:
            errors = error_messages(exc)
        else:
            messages.success(request, _("평가위원 정보를 저장했습니다."))
            return redirect("people:evaluator_detail", pk=pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "institutions/evaluator_detail.html",
        {
            "evaluator": evaluator,
            "form": form,
            "errors": errors,
            "affiliation_form": AffiliationForm(),
        },
        status=status,
    )


@login_required
@require_POST
def affiliation_add(request, pk):
    evaluator = get_object_or_404(queries.evaluators_for_list(request.user), pk=pk)
    form = AffiliationForm(request.POST)
    if not form.is_valid():
        for field, errs in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for err in errs:
                messages.error(request, f"{label}: {err}" if label else err)
        return redirect("people:evaluator_detail", pk=pk)
    try:
        services.affiliation_add(evaluator=evaluator, by=request.user, **form.cleaned_data)
    except ValidationError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("소속 이력을 추가했습니다."))
    return redirect("people:evaluator_detail", pk=pk)
