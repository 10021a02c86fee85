"""이의신청 and 재심 (ADR 011).

1. ``objection_file``: a member of the institution contests items of its notified result
   within the window (``process.objection_window_open``), each with a reason.
2. An admin decides: ``objection_dismiss`` (기각, with a reason) or ``objection_rereview``
   (재심: the chosen items of every counted sheet reopen, audited with the objection as the
   reason; the evaluators re-score exactly those items and confirm again).
3. ``objection_conclude``: once every reopened sheet is confirmed again, the result has been
   recomputed; the committee confirms the outcome (인용, 일부 인용, or 재심 후 기각) and
   re-takes its decision on the new counted-sheet set.

The institution sees the decision, the reason and the points of each item before and after.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from indicators.models import Item

from .. import notices, process, queries
from ..models import (
    Application,
    Assignment,
    AuditAction,
    Objection,
    ObjectionItem,
    ObjectionStatus,
    Result,
    ScoreAudit,
    Sheet,
    SheetReopening,
    SheetStatus,
    Stage,
)
from .results import (
    application_result_recompute,
    compute,
    cycle_rules,
    result_committee_decide,
)

MAX_REASON_CHARS = 4000
OUTCOMES = (ObjectionStatus.UPHELD, ObjectionStatus.PARTLY_UPHELD, ObjectionStatus.UNCHANGED)


def _clean(text: str, label: str) -> tuple[str, list[str]]:
    text = (text or "").strip()
    if not text:
        return text, [_("%(label)s: 내용을 입력하십시오.") % {"label": label}]
    if "\x00" in text:
        return text, [_("%(label)s에 허용되지 않는 문자(NUL)가 있습니다.") % {"label": label}]
    if len(text) > MAX_REASON_CHARS:
        return text, [
            _("%(label)s: 내용이 너무 깁니다 (%(n)s자, 최대 %(max)s자).")
            % {"label": label, "n": len(text), "max": MAX_REASON_CHARS}
        ]
    return text, []


def item_points(application: Application) -> dict[str, Decimal]:
    """{item code: the application's aggregated points on it (rounded)} from today's counted
    sheets; penalty items included (negative)."""
    cycle = application.cycle
    computed, _problems = compute(cycle, cycle_rules(cycle), [application.pk])
    pure = computed.get(application.pk)
    if pure is None or pure.result is None:
        return {}
    return {i.code: i.score.rounded for i in pure.result.items + pure.result.penalties}


@transaction.atomic
def objection_file(*, application: Application, by, reasons: dict[int, str]) -> Objection:
    """File an objection: ``reasons`` maps item ids of the application's rubric to the
    institution's reason for each. Every problem is named at once; nothing is written then."""
    application = Application.objects.select_related("cycle", "institution").get(pk=application.pk)
    if not queries.is_member_of(by, application):
        raise PermissionDenied
    cycle = application.cycle
    problems: list[str] = []
    if not process.result_visible_to_institution(application):
        problems.append(_("결과가 통보되지 않은 신청에는 이의신청을 할 수 없습니다."))
    elif not process.objection_window_open(cycle):
        deadline = process.objection_deadline(cycle)
        if deadline:
            problems.append(
                _("이의신청 기간 (%(until)s까지)이 아닙니다.")
                % {"until": f"{timezone.localtime(deadline):%Y-%m-%d %H:%M}"}
            )
        else:
            problems.append(_("이의신청 기간이 아닙니다."))
    if Objection.objects.filter(application=application).exists():
        problems.append(
            _("%(name)s 기관은 이미 이의신청을 했습니다.") % {"name": application.institution.name}
        )
    items = {
        i.pk: i for i in Item.objects.filter(version_id=cycle.rubric_version_id, pk__in=reasons)
    }
    cleaned: dict[int, str] = {}
    for item_id, text in reasons.items():
        item = items.get(item_id)
        if item is None:
            problems.append(_("항목(%(id)s)은 이 신청의 평가지표에 없습니다.") % {"id": item_id})
            continue
        text, errors = _clean(text, _("%(code)s 이의 사유") % {"code": item.code})
        problems += errors
        cleaned[item_id] = text
    if not reasons:
        problems.append(_("이의를 신청할 항목을 하나 이상 고르고 사유를 입력하십시오."))
    if problems:
        raise ValidationError(problems)
    result = Result.objects.filter(application=application).first()
    before = item_points(application)
    objection = Objection.objects.create(
        application=application,
        filed_by=by,
        total_before=result.total if result else None,
    )
    ObjectionItem.objects.bulk_create(
        ObjectionItem(
            objection=objection,
            item=items[item_id],
            reason=text,
            points_before=before.get(items[item_id].code),
        )
        for item_id, text in cleaned.items()
    )
    notices.objection_received(objection)
    return objection


def _locked(objection: Objection) -> Objection:
    return (
        Objection.objects.select_for_update()
        .select_related("application__cycle", "application__institution")
        .get(pk=objection.pk)
    )


def _decision_problems(objection: Objection, reason: str) -> tuple[str, list[str]]:
    reason, problems = _clean(reason, _("결정 사유"))
    problems = process.freeze_blockers(objection.application.cycle, _("이의신청")) + problems
    if objection.status != ObjectionStatus.PENDING:
        problems.append(
            _("이미 '%(status)s' 상태인 이의신청입니다.")
            % {"status": objection.get_status_display()}
        )
    return reason, problems


@transaction.atomic
def objection_dismiss(*, objection: Objection, by, reason: str) -> Objection:
    """기각: the objection is dismissed with a reason; nothing is re-scored."""
    if not queries.is_admin(by):
        raise PermissionDenied
    objection = _locked(objection)
    reason, problems = _decision_problems(objection, reason)
    if problems:
        raise ValidationError(problems)
    objection.status = ObjectionStatus.DISMISSED
    objection.decision_reason = reason
    objection.decided_by, objection.decided_at = by, timezone.now()
    objection.save(update_fields=["status", "decision_reason", "decided_by", "decided_at"])
    notices.objection_decided(objection)
    return objection


@transaction.atomic
def objection_rereview(*, objection: Objection, by, reason: str, item_ids) -> Objection:
    """재심: reopen the chosen contested items on every counted sheet of the application.
    Each sheet goes back to 작성 중 with a ``reopen`` audit row per item naming the objection;
    the evaluators may then re-score exactly those items (``process.scoring_blockers``)."""
    if not queries.is_admin(by):
        raise PermissionDenied
    objection = _locked(objection)
    application = objection.application
    reason, problems = _decision_problems(objection, reason)
    if application.cycle.stage != Stage.APPEAL:
        problems.append(
            _("재심은 이의신청 단계에서만 결정할 수 있습니다 (현재 단계: %(stage)s).")
            % {"stage": application.cycle.get_stage_display()}
        )
    contested = {oi.item_id: oi for oi in objection.items.select_related("item")}
    chosen = {int(i) for i in item_ids}
    if not chosen:
        problems.append(_("재심할 항목을 하나 이상 고르십시오."))
    for item_id in sorted(chosen - contested.keys()):
        problems.append(_("항목(%(id)s)은 이 이의신청의 대상 항목이 아닙니다.") % {"id": item_id})
    sheets = list(
        Sheet.objects.select_for_update()
        .filter(process.counted_sheets([application.pk]))
        .order_by("pk")
    )
    if not sheets:
        problems.append(_("재심할 반영 평가표가 없습니다."))
    if problems:
        raise ValidationError(problems)
    now = timezone.now()
    for sheet in sheets:
        old = {"status": SheetStatus.CONFIRMED, "content_hash": sheet.content_hash}
        sheet.status, sheet.confirmed_at, sheet.content_hash = SheetStatus.DRAFT, None, ""
        sheet.save(update_fields=["status", "confirmed_at", "content_hash"])
        for item_id in sorted(chosen):
            SheetReopening.objects.create(
                sheet=sheet, item_id=item_id, objection=objection, reopened_at=now
            )
            ScoreAudit.objects.create(
                sheet=sheet,
                item_id=item_id,
                actor=by,
                at=now,
                action=AuditAction.REOPEN,
                old=old,
                new={"status": SheetStatus.DRAFT, "objection": objection.pk},
                reason=f"이의신청 재심: {reason}",
            )
    ObjectionItem.objects.filter(objection=objection, item_id__in=chosen).update(reopened=True)
    objection.status = ObjectionStatus.REREVIEW
    objection.decision_reason = reason
    objection.decided_by, objection.decided_at = by, now
    objection.save(update_fields=["status", "decision_reason", "decided_by", "decided_at"])
    application_result_recompute(application=application)
    notices.objection_decided(objection)
    reopened = Assignment.objects.filter(sheet__in=sheets).select_related(
        "evaluator", "application__cycle", "application__institution"
    )  # one query for the notices, not three per sheet
    notices.sheets_reopened(objection, list(reopened))
    return objection


def conclude_blockers(objection: Objection) -> list[str]:
    """Why the re-review cannot be concluded yet (Korean), or []."""
    if objection.status != ObjectionStatus.REREVIEW:
        return [
            _("재심 중인 이의신청이 아닙니다 (상태: %(status)s).")
            % {"status": objection.get_status_display()}
        ]
    pending = (
        Sheet.objects.filter(reopenings__objection=objection)
        .exclude(status=SheetStatus.CONFIRMED)
        .select_related("assignment__evaluator")
        .distinct()
    )
    names = sorted(s.assignment.evaluator.display_name for s in pending)
    if names:
        return [
            _("재심 평가표를 다시 확정하지 않은 평가위원이 있습니다: %(names)s")
            % {"names": ", ".join(names)}
        ]
    return []


@transaction.atomic
def objection_conclude(
    *, objection: Objection, by, outcome: str, reason: str, decision: str = ""
) -> Objection:
    """The committee confirms the re-review's outcome (인용 / 일부 인용 / 재심 후 기각) once
    every reopened sheet is confirmed again, records the points after, and re-takes its
    decision on the new counted-sheet set (``decision`` defaults to the computed one)."""
    if not queries.is_admin(by):
        raise PermissionDenied
    objection = _locked(objection)
    application = objection.application
    reason, problems = _clean(reason, _("재심 결론 사유"))
    problems = process.freeze_blockers(application.cycle, _("이의신청")) + problems
    problems += conclude_blockers(objection)
    if outcome not in OUTCOMES:
        problems.append(_("재심 결과는 인용, 일부 인용, 재심 후 기각 중 하나여야 합니다."))
    if problems:
        raise ValidationError(problems)
    after = item_points(application)
    rows = list(objection.items.select_related("item"))
    for row in rows:
        row.points_after = after.get(row.item.code)
    ObjectionItem.objects.bulk_update(rows, ["points_after"])
    result = Result.objects.get(application=application)
    result_committee_decide(
        result=result,
        by=by,
        decision=decision,
        reason=reason if decision and decision != result.decision else "",
    )
    objection.status = outcome
    objection.total_after = result.total
    objection.decision_reason = reason
    objection.concluded_by, objection.concluded_at = by, timezone.now()
    objection.save(
        update_fields=["status", "total_after", "decision_reason", "concluded_by", "concluded_at"]
    )
    notices.objection_decided(objection)
    return objection


__all__ = [
    "conclude_blockers",
    "item_points",
    "objection_conclude",
    "objection_dismiss",
    "objection_file",
    "objection_rereview",
]
