"""Pages of the certification process: advancing a stage through its gate, 이의신청 and 재심,
and withdrawal requests after 확정 (ADR 011). Each view: policy → form → service → render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from institutions.roles import is_admin, is_staff_reader

from .. import process, queries
from ..forms.process import (
    AdvanceForm,
    ObjectionConclusionForm,
    ObjectionDecisionForm,
    ObjectionForm,
    WithdrawalDecisionForm,
)
from ..models import ObjectionStatus, Stage
from ..queries import process as pq
from ..queries.sheet import sheet_rubric
from ..services import objections as objection_services
from ..services.assignment import withdrawal_decide
from ..services.cycles import cycle_advance_stage
from .common import error_messages, form_data, require
from .cycles import _staff_cycle

# --- stage advance -------------------------------------------------------------------------


@login_required
def cycle_advance(request, slug):
    """The gate's checklist, what cannot be undone, and the confirmed advance (no JavaScript
    needed: the confirmation is a required checkbox)."""
    require(queries.can_manage_cycles(request.user))
    cycle = _staff_cycle(request, slug)
    form = AdvanceForm(form_data(request), initial={"expected_stage": cycle.stage})
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            cycle = cycle_advance_stage(
                cycle=cycle,
                by=request.user,
                expected_stage=form.cleaned_data["expected_stage"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            errors = error_messages(exc)
        else:
            messages.success(
                request,
                _("'%(title)s' 평가 주기를 '%(stage)s' 단계로 진행했습니다.")
                % {"title": cycle.title, "stage": cycle.get_stage_display()},
            )
            return redirect("evaluation:cycle_detail", slug=cycle.slug)
    return render(
        request,
        "evaluation/process/advance.html",
        {
            "cycle": cycle,
            "form": form,
            "errors": errors,
            "blockers": process.stage_blockers(cycle),
            "consequence": process.CONSEQUENCES.get(cycle.stage, ""),
            "needs_reason": cycle.stage == Stage.APPLICATION,
        },
        status=400 if request.method == "POST" else 200,
    )


# --- 이의신청 ----------------------------------------------------------------------------------


@login_required
def objection_file(request, pk):
    application = pq.objectable_application(request.user, pk)
    items = sheet_rubric(application.cycle.rubric_version)[0]
    form = ObjectionForm(form_data(request), items=items)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            objection = objection_services.objection_file(
                application=application, by=request.user, reasons=form.reasons()
            )
        except ValidationError as exc:
            errors = error_messages(exc)
        else:
            messages.success(
                request, _("이의신청을 접수했습니다. 결정은 이 화면에서 알려 드립니다.")
            )
            return redirect("evaluation:objection_detail", pk=objection.pk)
    return render(
        request,
        "evaluation/process/objection_form.html",
        {
            "application": application,
            "form": form,
            "errors": errors,
            "deadline": process.objection_deadline(application.cycle),
        },
        status=400 if request.method == "POST" else 200,
    )


def _objection_page(request, objection, *, decision_form=None, conclusion_form=None, status=200):
    can_decide = pq.visible_objections(request.user, action="decide").filter(pk=objection.pk)
    can_decide = can_decide.exists()
    if can_decide and decision_form is None and objection.status == ObjectionStatus.PENDING:
        decision_form = ObjectionDecisionForm(objection=objection)
    if can_decide and conclusion_form is None and objection.status == ObjectionStatus.REREVIEW:
        conclusion_form = ObjectionConclusionForm()
    return render(
        request,
        "evaluation/process/objection_detail.html",
        {
            "objection": objection,
            "application": objection.application,
            "items": objection.items.select_related("item"),
            "can_decide": can_decide,
            "is_staff": is_staff_reader(request.user),
            "decision_form": decision_form,
            "conclusion_form": conclusion_form,
            "conclude_blockers": (
                objection_services.conclude_blockers(objection)
                if objection.status == ObjectionStatus.REREVIEW
                else []
            ),
        },
        status=status,
    )


@login_required
def objection_detail(request, pk):
    return _objection_page(request, pq.objection_for(request.user, pk))


@login_required
@require_POST
def objection_decide(request, pk):
    objection = pq.objection_for(request.user, pk, action="decide")
    form = ObjectionDecisionForm(request.POST, objection=objection)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if data["action"] == "dismiss":
                objection_services.objection_dismiss(
                    objection=objection, by=request.user, reason=data["reason"]
                )
            else:
                objection_services.objection_rereview(
                    objection=objection,
                    by=request.user,
                    reason=data["reason"],
                    item_ids=data["items"],
                )
        except ValidationError as exc:
            for message in error_messages(exc):
                form.add_error(None, message)
        else:
            messages.success(request, _("이의신청을 결정했습니다."))
            return redirect("evaluation:objection_detail", pk=objection.pk)
    return _objection_page(request, objection, decision_form=form, status=400)


@login_required
@require_POST
def objection_conclude(request, pk):
    objection = pq.objection_for(request.user, pk, action="decide")
    form = ObjectionConclusionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            objection_services.objection_conclude(
                objection=objection,
                by=request.user,
                outcome=data["outcome"],
                reason=data["reason"],
                decision=data["decision"],
            )
        except ValidationError as exc:
            for message in error_messages(exc):
                form.add_error(None, message)
        else:
            messages.success(request, _("재심 결과를 기록했습니다."))
            return redirect("evaluation:objection_detail", pk=objection.pk)
    return _objection_page(request, objection, conclusion_form=form, status=400)


@login_required
def objection_list(request, slug):
    cycle = _staff_cycle(request, slug)
    return render(
        request,
        "evaluation/process/objection_list.html",
        {
            "cycle": cycle,
            "objections": pq.cycle_objections(cycle),
            "withdrawals": pq.cycle_withdrawals(cycle) if is_admin(request.user) else [],
            "deadline": process.objection_deadline(cycle),
        },
    )


# --- withdrawal requests after 확정 --------------------------------------------------------


@login_required
def withdrawal_decide_view(request, pk):
    withdrawal = get_object_or_404(pq.visible_withdrawals(request.user), pk=pk)
    form = WithdrawalDecisionForm(form_data(request))
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            withdrawal_decide(
                request=withdrawal,
                accept=form.cleaned_data["accept"],
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except ValidationError as exc:
            errors = error_messages(exc)
        else:
            messages.success(request, _("회피 요청을 결정했습니다."))
            cycle = withdrawal.assignment.application.cycle
            return redirect("evaluation:objection_list", slug=cycle.slug)
    return render(
        request,
        "evaluation/process/withdrawal.html",
        {"withdrawal": withdrawal, "form": form, "errors": errors},
        status=400 if request.method == "POST" else 200,
    )
