"""The certification process as rules: what must hold before a cycle leaves each stage, and
when a sheet may be scored. Reads only (models and nothing else), so services, queries and
views all ask the same functions (ADR 011).

- ``stage_blockers(cycle)``: every reason the cycle may not leave its stage now, each with the
  page where it is fixed. ``services.cycle_advance_stage`` refuses with exactly this list, and
  the cycle page shows it as a checklist before the button.
- ``scoring_blockers(assignment, item)``: why an evaluator may not score (or confirm) now.
- ``counted_basis(application_ids)``: a SHA-256 of each application's counted-sheet set; the
  인증위원회 decision stores it, and a different set today means the decision is stale.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import tally
from .models import (
    EVALUATED_STATUSES,
    OBJECTION_CLOSED,
    Application,
    Assignment,
    Cycle,
    Objection,
    RequestDecision,
    Result,
    Sheet,
    SheetReopening,
    Stage,
    WithdrawalRequest,
)

# Stages in which sheets are scored and confirmed.
SCORING_STAGES = (Stage.DOCUMENT_REVIEW, Stage.SITE_VISIT)
# Stages in which an evaluator may sign the cycle's pledge (not once scoring is over).
PLEDGE_STAGES = (Stage.APPLICATION, Stage.DOCUMENT_REVIEW, Stage.SITE_VISIT)
# Stages in which the 인증위원회 records or re-takes its decision.
COMMITTEE_STAGES = (Stage.COMMITTEE, Stage.APPEAL)


@dataclass(frozen=True)
class Blocker:
    """One reason a step may not be taken, and the page where it is fixed."""

    message: str
    url: str = ""

    def __str__(self):
        return self.message


def _when(moment: datetime) -> str:
    return date_format(timezone.localtime(moment), "Y-m-d H:i")


# --- counted sheets and the committee's basis ----------------------------------------------


def counted_sheets(application_ids) -> Q:
    """The counted sheets of ``application_ids``, as a filter over Sheet: the tally's rule
    (``tally.counted``, ADR 018), the one every result is computed with. (Only submitted
    applications can get a confirmed sheet: ``scoring_blockers``.)"""
    return tally.counted() & Q(assignment__application_id__in=application_ids)


def counted_basis(application_ids) -> dict[int, str]:
    """{application id: SHA-256 of its counted sheets (id and content hash, in id order)}. One
    query. Applications without a counted sheet get the hash of the empty set."""
    ids = list(application_ids)
    parts: dict[int, list[str]] = {app_id: [] for app_id in ids}
    for app_id, sheet_id, digest in (
        Sheet.objects.filter(counted_sheets(ids))
        .order_by("assignment__application_id", "pk")
        .values_list("assignment__application_id", "pk", "content_hash")
    ):
        parts[app_id].append(f"{sheet_id}:{digest}")
    return {
        app_id: hashlib.sha256(";".join(rows).encode()).hexdigest()
        for app_id, rows in parts.items()
    }


def stale_decisions(results: list[Result]) -> set[int]:
    """Ids of the results whose committee decision was taken on another counted-sheet set
    than today's (a sheet withdrawn, unlocked or re-confirmed since)."""
    decided = [r for r in results if r.committee_decision]
    basis = counted_basis(r.application_id for r in decided)
    return {r.pk for r in decided if r.committee_basis != basis[r.application_id]}


# --- scoring -----------------------------------------------------------------------------------


def reopened_items(sheet_id: int) -> set[int]:
    """Item ids of ``sheet_id`` reopened for 재심 by an objection still under re-review."""
    return set(
        SheetReopening.objects.filter(sheet_id=sheet_id, objection__status="rereview").values_list(
            "item_id", flat=True
        )
    )


def scoring_blockers(assignment: Assignment, item=None) -> list[str]:
    """Why ``assignment``'s sheet may not be scored (``item`` given) or confirmed now, in
    Korean; [] when it may. Scoring happens for submitted applications in 서류심사 and 현장실사,
    and in 이의신청 only on the items an accepted objection reopened."""
    # Read fresh: the stage may have moved since the caller loaded the assignment.
    application = Application.objects.select_related("cycle", "institution").get(
        pk=assignment.application_id
    )
    cycle = application.cycle
    problems = []
    if application.status not in EVALUATED_STATUSES:
        problems.append(
            _(
                "%(institution)s의 신청은 '%(status)s' 상태이므로 채점할 수 없습니다. "
                "제출된 신청만 평가합니다."
            )
            % {
                "institution": application.institution.name,
                "status": application.get_status_display(),
            }
        )
    if cycle.stage in SCORING_STAGES:
        return problems
    if cycle.stage == Stage.APPEAL:
        sheet = Sheet.objects.filter(assignment=assignment).first()
        open_items = reopened_items(sheet.pk) if sheet else set()
        if item is None and open_items:
            return problems
        if item is not None and item.pk in open_items:
            return problems
        message = _("이의신청 단계에서는 재심으로 다시 열린 항목만 채점할 수 있습니다.")
        problems.append(f"{item.code}: {message}" if item is not None else message)
        return problems
    problems.append(
        _(
            "'%(cycle)s' 평가 주기는 '%(stage)s' 단계입니다. 채점과 확정은 "
            "서류심사·현장실사 단계에서만 할 수 있습니다."
        )
        % {"cycle": cycle.title, "stage": cycle.get_stage_display()}
    )
    return problems


def pledge_blockers(cycle: Cycle) -> list[str]:
    if cycle.stage in PLEDGE_STAGES:
        return []
    return [
        _(
            "'%(cycle)s' 평가 주기는 '%(stage)s' 단계이므로 서약서에 새로 서명할 수 "
            "없습니다 (채점이 끝난 단계입니다)."
        )
        % {"cycle": cycle.title, "stage": cycle.get_stage_display()}
    ]


def committee_blockers(cycle: Cycle) -> list[str]:
    if cycle.stage in COMMITTEE_STAGES:
        return []
    return [
        _("인증위원회 결정은 인증위원회·이의신청 단계에서만 할 수 있습니다 (현재 단계: %(stage)s).")
        % {"stage": cycle.get_stage_display()}
    ]


def freeze_blockers(cycle: Cycle, what: str) -> list[str]:
    if cycle.stage != Stage.FINAL:
        return []
    return [
        _("%(what)s: '%(cycle)s' 평가 주기가 확정되었으므로 바꿀 수 없습니다.")
        % {"what": what, "cycle": cycle.title}
    ]


# --- objections window -----------------------------------------------------------------------


def notified_at(cycle: Cycle) -> datetime | None:
    """When the cycle entered 결과통보 (None before)."""
    advance = cycle.advances.filter(to_stage=Stage.NOTIFICATION).first()
    return advance.advanced_at if advance else None


def objection_deadline(cycle: Cycle) -> datetime | None:
    start = notified_at(cycle)
    return start + timedelta(days=cycle.objection_days) if start else None


def objection_window_open(cycle: Cycle, now: datetime | None = None) -> bool:
    deadline = objection_deadline(cycle)
    now = now or timezone.now()
    return (
        cycle.stage in (Stage.NOTIFICATION, Stage.APPEAL)
        and deadline is not None
        and now <= deadline
    )


def result_visible_to_institution(application: Application) -> bool:
    """From 결과통보 on, an evaluated application's members see its result."""
    return (
        application.cycle.reached(Stage.NOTIFICATION) and application.status in EVALUATED_STATUSES
    )


# --- stage gates -------------------------------------------------------------------------------


def _evaluated(cycle: Cycle):
    return Application.objects.filter(cycle=cycle, status__in=EVALUATED_STATUSES)


def _leave_application(cycle: Cycle, now: datetime, early_reason: str) -> list[Blocker]:
    if now > cycle.evidence_deadline or early_reason.strip():
        return []
    return [
        Blocker(
            _(
                "신청 마감(%(deadline)s) 전입니다. 마감 전에 신청을 닫으려면 단계 진행 "
                "화면에서 조기 마감 사유를 입력하십시오."
            )
            % {"deadline": _when(cycle.evidence_deadline)}
        )
    ]


def _pending_withdrawals(cycle: Cycle) -> list[Blocker]:
    rows = WithdrawalRequest.objects.filter(
        assignment__application__cycle=cycle, decision=RequestDecision.PENDING
    ).select_related("assignment__application__institution", "assignment__evaluator")
    return [
        Blocker(
            _("%(institution)s: 평가위원 %(evaluator)s의 확정 후 회피 요청을 결정하지 않았습니다.")
            % {
                "institution": w.assignment.application.institution.name,
                "evaluator": w.assignment.evaluator.display_name,
            },
            reverse("evaluation:withdrawal_decide", args=[w.pk]),
        )
        for w in rows
    ]


def _leave_site_visit(cycle: Cycle) -> list[Blocker]:
    blockers = []
    apps = (
        _evaluated(cycle)
        .select_related("institution")
        .annotate(
            n_active=Count("assignments", filter=Q(assignments__exclusion=""), distinct=True),
            n_excluded=Count("assignments", filter=~Q(assignments__exclusion=""), distinct=True),
            n_confirmed=Count(
                "assignments",
                filter=Q(assignments__exclusion="", assignments__sheet__status="confirmed"),
                distinct=True,
            ),
        )
        .order_by("institution__name")
    )
    required = cycle.evaluators_per_application
    for app in apps:
        where = reverse("evaluation:application_result", args=[app.pk])
        name = app.institution.name
        if app.n_confirmed < app.n_active:
            blockers.append(
                Blocker(
                    _(
                        "%(name)s: 확정하지 않은 평가표가 %(open)s개 있습니다 "
                        "(확정 %(confirmed)s/%(active)s)."
                    )
                    % {
                        "name": name,
                        "open": app.n_active - app.n_confirmed,
                        "confirmed": app.n_confirmed,
                        "active": app.n_active,
                    },
                    where,
                )
            )
        elif app.n_confirmed == 0:
            blockers.append(
                Blocker(_("%(name)s: 확정된 평가표가 없습니다.") % {"name": name}, where)
            )
        elif app.n_confirmed < required and app.n_confirmed + app.n_excluded < required:
            blockers.append(
                Blocker(
                    _(
                        "%(name)s: 평가위원 %(required)s명이 필요하지만 확정된 평가표는 "
                        "%(confirmed)s개입니다. 평가위원을 추가로 배정하십시오."
                    )
                    % {"name": name, "required": required, "confirmed": app.n_confirmed},
                    reverse("evaluation:assignment_board", args=[cycle.slug]),
                )
            )
    return blockers + _pending_withdrawals(cycle)


def _decision_blockers(cycle: Cycle) -> list[Blocker]:
    apps = list(
        _evaluated(cycle).select_related("institution", "result").order_by("institution__name")
    )
    results = [a.result for a in apps if hasattr(a, "result")]
    stale = stale_decisions(results)
    blockers = []
    for app in apps:
        where = reverse("evaluation:application_result", args=[app.pk])
        result = getattr(app, "result", None)
        if result is None or not result.committee_decision:
            blockers.append(
                Blocker(
                    _("%(name)s: 인증위원회 결정이 없습니다.") % {"name": app.institution.name},
                    where,
                )
            )
        elif result.pk in stale:
            blockers.append(
                Blocker(
                    _(
                        "%(name)s: 인증위원회 결정 뒤 반영 평가표가 바뀌었습니다. 결정을 다시 하십시오."
                    )
                    % {"name": app.institution.name},
                    where,
                )
            )
    return blockers


def _leave_appeal(cycle: Cycle, now: datetime) -> list[Blocker]:
    blockers = []
    deadline = objection_deadline(cycle)
    if deadline is not None and now <= deadline:
        blockers.append(
            Blocker(
                _("이의신청 기간이 %(until)s까지입니다. 기간이 끝난 뒤 확정할 수 있습니다.")
                % {"until": _when(deadline)},
                reverse("evaluation:objection_list", args=[cycle.slug]),
            )
        )
    for objection in (
        Objection.objects.filter(application__cycle=cycle)
        .exclude(status__in=OBJECTION_CLOSED)
        .select_related("application__institution")
    ):
        blockers.append(
            Blocker(
                _("%(name)s: 이의신청이 '%(status)s' 상태입니다. 결정을 마치십시오.")
                % {
                    "name": objection.application.institution.name,
                    "status": objection.get_status_display(),
                },
                reverse("evaluation:objection_detail", args=[objection.pk]),
            )
        )
    return blockers + _decision_blockers(cycle) + _pending_withdrawals(cycle)


def stage_blockers(
    cycle: Cycle, *, now: datetime | None = None, early_reason: str = ""
) -> list[Blocker]:
    """Every reason ``cycle`` may not leave its current stage now; [] when it may."""
    now = now or timezone.now()
    stage = cycle.stage
    if stage == Stage.FINAL:
        return [
            Blocker(_("'%(cycle)s' 평가 주기는 마지막 단계(확정)입니다.") % {"cycle": cycle.title})
        ]
    if stage == Stage.APPLICATION:
        return _leave_application(cycle, now, early_reason)
    if stage == Stage.SITE_VISIT:
        return _leave_site_visit(cycle)
    if stage == Stage.COMMITTEE:
        return _decision_blockers(cycle) + _pending_withdrawals(cycle)
    if stage == Stage.APPEAL:
        return _leave_appeal(cycle, now)
    return []


# What cannot be undone when the cycle leaves each stage (shown beside the confirmation).
CONSEQUENCES: dict[str, str] = {
    Stage.ANNOUNCEMENT: gettext_lazy("신청 접수가 시작됩니다."),
    Stage.APPLICATION: gettext_lazy(
        "신청이 마감됩니다. 작성 중인 신청은 '미제출'이 되어 평가·채점·순위에서 영구히 제외됩니다."
    ),
    Stage.DOCUMENT_REVIEW: gettext_lazy(
        "현장실사 단계로 넘어갑니다. 평가위원은 계속 채점할 수 있습니다."
    ),
    Stage.SITE_VISIT: gettext_lazy(
        "채점이 끝납니다. 이후에는 평가표를 저장하거나 확정할 수 없습니다."
    ),
    Stage.COMMITTEE: gettext_lazy("인증위원회 결정이 기관에 통보될 준비가 됩니다."),
    Stage.NOTIFICATION: gettext_lazy(
        "기관이 결과를 볼 수 있게 되고 이의신청을 받습니다. 결과통보는 되돌릴 수 없습니다."
    ),
    Stage.APPEAL: gettext_lazy(
        "평가 주기가 확정됩니다. 점수·평가표·결과·결정을 더 이상 바꿀 수 없고, 인증 기관에 "
        "인증서가 발급됩니다."
    ),
}
