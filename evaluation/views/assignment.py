"""Assignment, pledge and conflict-of-interest pages.

Admins assign (one by one, in bulk, automatically), decide 기피 requests and exclude (제척);
managers read the boards. Evaluators sign the cycle's pledge and declare conflicts.
Institution members ask for an evaluator's exclusion (기피). Everyone else gets 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from .. import queries
from ..forms.assignment import (
    AssignOneForm,
    AutoAssignForm,
    BulkAssignForm,
    ChallengeDecisionForm,
    ChallengeRequestForm,
    DeclarationForm,
    PledgeForm,
    ReasonForm,
)
from ..models import Application, Assignment, ChallengeDecision, Cycle, Declaration
from ..queries import assignment as aq
from ..services import assignment as services
from .common import client_ip, error_messages, form_data, require


def _staff_cycle(request, slug) -> Cycle:
    require(aq.can_view_assignments(request.user))
    return get_object_or_404(queries.visible_cycles(request.user), slug=slug)


def _admin_cycle(request, slug) -> Cycle:
    require(aq.can_assign(request.user))
    return get_object_or_404(queries.visible_cycles(request.user), slug=slug)


def _safe_next(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _shortfall_message(request, application: Application) -> None:
    messages.warning(
        request,
        _("%(inst)s: 배정된 평가위원이 부족합니다. 재배정하십시오.")
        % {"inst": application.institution.name},
    )


# --- admin: the cycle board ----------------------------------------------------------------


@login_required
def board(request, slug):
    cycle = _staff_cycle(request, slug)
    rows = aq.cycle_board(cycle)
    pool = list(aq.evaluator_pool())
    loads = aq.cycle_loads(cycle)
    return render(
        request,
        "evaluation/assignment/board.html",
        {
            "cycle": cycle,
            "rows": rows,
            "short": [r for r in rows if r.needs_staff and r.short_by],
            "n_pending": sum(r.pending_challenges for r in rows),
            "loads": [(u, loads.get(u.pk, 0)) for u in pool],
            "can_assign": aq.can_assign(request.user),
        },
    )


@login_required
def application_assignments(request, pk):
    require(aq.can_view_assignments(request.user))
    application = get_object_or_404(
        queries.visible_applications(request.user).select_related("institution", "cycle"), pk=pk
    )
    can_assign = aq.can_assign(request.user)
    candidates = aq.evaluator_pool_for(application)
    form = AssignOneForm(
        form_data(request),
        evaluators=aq.evaluator_pool().filter(pk__in=[u.pk for u in candidates]),
    )
    errors: list[str] = []
    if request.method == "POST":
        require(can_assign)
        if form.is_valid():
            try:
                assignment = services.assignment_create(
                    application=application,
                    evaluator=form.cleaned_data["evaluator"],
                    by=request.user,
                )
            except ValidationError as exc:
                errors = error_messages(exc)
            else:
                messages.success(
                    request,
                    _("%(who)s 위원을 %(inst)s에 배정했습니다. 안내 메일을 보냅니다.")
                    % {
                        "who": assignment.evaluator.display_name,
                        "inst": application.institution.name,
                    },
                )
                return redirect("evaluation:application_assignments", pk=application.pk)
    assignments = aq.application_assignment_rows(application)
    active = [a for a in assignments if a.is_active]
    return render(
        request,
        "evaluation/assignment/application.html",
        {
            "application": application,
            "cycle": application.cycle,
            "active": active,
            "excluded": [a for a in assignments if not a.is_active],
            "short_by": max(0, application.cycle.evaluators_per_application - len(active)),
            "form": form,
            "errors": errors,
            "can_assign": can_assign,
            "has_candidates": bool(candidates),
            "reason_form": ReasonForm(),
            "challenges": aq.application_challenges(application),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
def bulk(request, slug):
    cycle = _admin_cycle(request, slug)
    applications = (
        cycle.applications.filter(status__in=aq.ASSIGNABLE_STATUSES)
        .select_related("institution")
        .order_by("institution__name", "pk")
    )
    form = BulkAssignForm(
        form_data(request), applications=applications, evaluators=aq.evaluator_pool()
    )
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            outcome = services.assignments_create_bulk(
                applications=list(form.cleaned_data["applications"]),
                evaluators=list(form.cleaned_data["evaluators"]),
                by=request.user,
            )
        except ValidationError as exc:
            errors = error_messages(exc)
        else:
            messages.success(
                request,
                ngettext("%(n)d건을 배정했습니다.", "%(n)d건을 배정했습니다.", len(outcome.created))
                % {"n": len(outcome.created)},
            )
            if outcome.skipped:
                messages.info(
                    request,
                    _("이미 배정되어 건너뛴 조합: %(list)s") % {"list": ", ".join(outcome.skipped)},
                )
            return redirect("evaluation:assignment_board", slug=cycle.slug)
    return render(
        request,
        "evaluation/assignment/bulk.html",
        {"cycle": cycle, "form": form, "errors": errors},
        status=400 if request.method == "POST" else 200,
    )


def _default_cap(cycle: Cycle, n_evaluators: int) -> int:
    """The smallest even share: (active assignments + seats still to fill) / evaluators."""
    active = sum(aq.cycle_loads(cycle).values())
    missing = sum(
        cycle.evaluators_per_application - a.n_active for a in aq.short_applications(cycle)
    )
    return max(1, -(-(active + missing) // max(1, n_evaluators)))


@login_required
def auto(request, slug):
    """GET: the form. POST action=preview: the plan, nothing written. POST action=apply: the
    previewed plan is applied if nothing changed since (fingerprint)."""
    cycle = _admin_cycle(request, slug)
    pool = aq.evaluator_pool()
    initial = {}
    if request.method != "POST":
        members = list(pool)
        initial = {"cap": _default_cap(cycle, len(members)), "evaluators": members}
    form = AutoAssignForm(
        form_data(request),
        evaluators=pool,
        initial=initial,
    )
    plan, errors = None, []
    action = request.POST.get("action", "preview")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if action == "apply":
                created = services.assignment_auto_apply(
                    cycle=cycle,
                    evaluators=list(data["evaluators"]),
                    cap=data["cap"],
                    fingerprint=data["fingerprint"],
                    by=request.user,
                )
            else:
                plan = services.assignment_auto_plan(
                    cycle=cycle, evaluators=list(data["evaluators"]), cap=data["cap"]
                )
        except ValidationError as exc:
            errors = error_messages(exc)
        else:
            if action == "apply":
                messages.success(
                    request,
                    ngettext(
                        "자동 배정 %(n)d건을 적용했습니다.",
                        "자동 배정 %(n)d건을 적용했습니다.",
                        len(created),
                    )
                    % {"n": len(created)},
                )
                return redirect("evaluation:assignment_board", slug=cycle.slug)
    return render(
        request,
        "evaluation/assignment/auto.html",
        {"cycle": cycle, "form": form, "plan": plan, "errors": errors},
        status=400 if errors or (request.method == "POST" and not form.is_valid()) else 200,
    )


# --- admin: 제척, 기피 decisions, the conflict register -------------------------------------


@login_required
@require_POST
def disqualify(request, pk):
    assignment = get_object_or_404(
        aq.visible_assignments(request.user, action="decide").select_related(
            "application__institution", "evaluator"
        ),
        pk=pk,
    )
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(
            request,
            _("%(inst)s · %(who)s: 제척 사유를 입력하십시오.")
            % {
                "inst": assignment.application.institution.name,
                "who": assignment.evaluator.display_name,
            },
        )
    else:
        try:
            services.assignment_disqualify(
                assignment=assignment, reason=form.cleaned_data["reason"], by=request.user
            )
        except ValidationError as exc:
            for message in error_messages(exc):
                messages.error(request, message)
        else:
            messages.success(
                request,
                _("%(who)s 위원을 %(inst)s 평가에서 제척했습니다.")
                % {
                    "who": assignment.evaluator.display_name,
                    "inst": assignment.application.institution.name,
                },
            )
            _shortfall_message(request, assignment.application)
    return redirect("evaluation:application_assignments", pk=assignment.application_id)


@login_required
def conflicts(request, slug):
    cycle = _staff_cycle(request, slug)
    return render(
        request,
        "evaluation/assignment/conflicts.html",
        {
            "cycle": cycle,
            "pending": aq.pending_challenges(cycle),
            "challenges": aq.cycle_challenges(cycle).exclude(decision=ChallengeDecision.PENDING),
            "exclusions": aq.cycle_exclusions(cycle),
            "affiliation_bars": aq.affiliation_bars(cycle),
            "short": [
                {"application": a, "short_by": cycle.evaluators_per_application - a.n_active}
                for a in aq.short_applications(cycle)
            ],
            "can_assign": aq.can_assign(request.user),
            "decision_form": ChallengeDecisionForm(),
        },
    )


@login_required
@require_POST
def challenge_decide(request, pk):
    challenge = get_object_or_404(
        aq.visible_challenges(request.user, action="decide").select_related(
            "assignment__application__cycle", "assignment__application__institution"
        ),
        pk=pk,
    )
    application = challenge.assignment.application
    form = ChallengeDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(
            request,
            _("%(inst)s: 기피 신청 결정과 결정 사유를 모두 입력하십시오.")
            % {"inst": application.institution.name},
        )
    else:
        upheld = form.cleaned_data["decision"] == "upheld"
        try:
            services.challenge_decide(
                challenge=challenge,
                upheld=upheld,
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except ValidationError as exc:
            for message in error_messages(exc):
                messages.error(request, message)
        else:
            messages.success(
                request,
                _("기피 신청을 %(decision)s했습니다.")
                % {"decision": _("인용") if upheld else _("기각")},
            )
            if upheld:
                _shortfall_message(request, application)
    return redirect("evaluation:conflicts", slug=application.cycle.slug)


# --- institutions: 기피 신청 ----------------------------------------------------------------


@login_required
def challenge_request(request, pk):
    application = get_object_or_404(
        queries.visible_applications(request.user).select_related("institution", "cycle"), pk=pk
    )
    require(queries.is_member_of(request.user, application))
    assignments = (
        aq.counted_assignments(application)
        .select_related("evaluator")
        .order_by("assigned_at", "pk")
    )
    form = ChallengeRequestForm(form_data(request), assignments=assignments)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            services.challenge_request(
                assignment=form.cleaned_data["assignment"],
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except ValidationError as exc:
            errors = error_messages(exc)
        else:
            messages.success(request, _("기피 신청을 접수했습니다. 관리자가 검토한 뒤 결정합니다."))
            return redirect("evaluation:challenge_request", pk=application.pk)
    return render(
        request,
        "evaluation/assignment/challenge_request.html",
        {
            "application": application,
            "assignments": assignments,
            "form": form,
            "errors": errors,
            "challenges": aq.application_challenges(application),
        },
        status=400 if request.method == "POST" else 200,
    )


# --- evaluators: pledge, declaration, the way in -------------------------------------------


@login_required
def pledge(request, slug):
    cycle = get_object_or_404(queries.visible_cycles(request.user, action="pledge"), slug=slug)
    signed = cycle.pledges.filter(evaluator=request.user).first()
    home = reverse("home")
    form = PledgeForm(form_data(request))
    if request.method == "POST" and signed is None and form.is_valid():
        services.pledge_sign(cycle=cycle, evaluator=request.user, ip=client_ip(request))
        messages.success(request, _("서약서에 서명했습니다."))
        return redirect(_safe_next(request, home))
    return render(
        request,
        "evaluation/assignment/pledge.html",
        {
            "cycle": cycle,
            "form": form,
            "signed": signed,
            "next": _safe_next(request, ""),
            "text_version": services.PLEDGE_TEXT_VERSION,
        },
        status=400 if request.method == "POST" and signed is None else 200,
    )


def _way_in(assignment: Assignment) -> str:
    """Where a cleared evaluator works: the score sheet (evidence is linked from there)."""
    return reverse("evaluation:sheet", args=[assignment.pk])


@login_required
def declare(request, pk):
    assignment = aq.scorable_assignment(request.user, pk)
    here = reverse("evaluation:declare", args=[assignment.pk])
    if not aq.has_signed_pledge(request.user, assignment.application.cycle):
        pledge_url = reverse("evaluation:pledge", args=[assignment.application.cycle.slug])
        return redirect(f"{pledge_url}?{urlencode({'next': here})}")
    form = DeclarationForm(form_data(request))
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        conflict = form.cleaned_data["declaration"] == "conflict"
        try:
            services.conflict_declare(
                assignment=assignment,
                conflict=conflict,
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except ValidationError as exc:
            errors = error_messages(exc)
        else:
            if conflict:
                messages.info(
                    request,
                    _("%(inst)s 평가에서 회피했습니다. 이 신청은 더 이상 열람할 수 없습니다.")
                    % {"inst": assignment.application.institution.name},
                )
                return redirect("home")
            messages.success(request, _("이해충돌 없음으로 신고했습니다."))
            return redirect(_safe_next(request, _way_in(assignment)))
    return render(
        request,
        "evaluation/assignment/declare.html",
        {
            "assignment": assignment,
            "application": assignment.application,
            "form": form,
            "errors": errors,
            "next": _safe_next(request, ""),
            "declared_none": assignment.declaration == Declaration.NONE,
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
def open_assignment(request, pk):
    """The evaluator's way in: pledge first, then the declaration, then the sheet."""
    assignment = aq.scorable_assignment(request.user, pk)
    gate = aq.entry_redirect(assignment, next_url=request.path)
    return redirect(gate or _way_in(assignment))
