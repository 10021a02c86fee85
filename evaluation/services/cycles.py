"""Writes for cycles: create, advance the stage."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from indicators.models import Area, RubricVersion, VersionStatus

from .. import notices, process, queries
from ..models import (
    EVALUATED_STATUSES,
    STAGE_ORDER,
    AggregationRule,
    Application,
    ApplicationStatus,
    Cycle,
    CycleAreaMinimum,
    CycleStageAdvance,
    CycleStageDate,
    Stage,
)


@transaction.atomic
def cycle_create(
    *,
    by,
    title: str,
    slug: str,
    rubric_version: RubricVersion,
    reference_date: date,
    evidence_deadline: datetime,
    pass_threshold: Decimal,
    aggregation_rule: str = AggregationRule.MEAN,
    evaluators_per_application: int = 3,
    require_comment: bool = True,
    show_other_sheets_after_confirm: bool = False,
    disagreement_ratio: Decimal = Decimal("0.40"),
    show_rank: bool = False,
    publish_comments: bool = False,
    objection_days: int = 14,
    certificate_years: int = 3,
    stage_dates: dict[str, date] | None = None,
    area_minimums: dict[str, Decimal] | None = None,
) -> Cycle:
    """Create a cycle in the 공고 stage. Every problem is reported at once (Korean)."""
    errors: list[str] = []
    rubric_version = RubricVersion.objects.select_related("rubric").get(pk=rubric_version.pk)
    if rubric_version.status != VersionStatus.PUBLISHED:
        errors.append(
            _(
                "평가지표 %(version)s: 게시된 버전만 평가 주기에 사용할 수 있습니다 (현재 상태: %(status)s)."
            )
            % {"version": rubric_version, "status": rubric_version.get_status_display()}
        )
    if Cycle.objects.filter(slug=slug).exists():
        errors.append(
            _("'%(slug)s' 주소 이름은 이미 다른 평가 주기가 쓰고 있습니다.") % {"slug": slug}
        )
    if pass_threshold < 0 or pass_threshold > rubric_version.total_points:
        errors.append(
            _("인증 기준 점수(%(threshold)s)는 0 이상 총점 %(total)s 이하여야 합니다.")
            % {"threshold": pass_threshold, "total": rubric_version.total_points}
        )
    if not Decimal(0) <= disagreement_ratio <= Decimal(1):
        errors.append(
            _("점수 편차 경고 비율(%(ratio)s)은 0과 1 사이여야 합니다.")
            % {"ratio": disagreement_ratio}
        )
    if evaluators_per_application < 1:
        errors.append(_("신청기관당 평가위원 수는 1명 이상이어야 합니다."))
    if objection_days < 1:
        errors.append(_("이의신청 기간은 1일 이상이어야 합니다."))
    if certificate_years < 1:
        errors.append(_("인증서 유효기간은 1년 이상이어야 합니다."))
    stage_dates = {Stage(k): v for k, v in (stage_dates or {}).items() if v}
    errors += _stage_date_errors(stage_dates)
    areas = {a.code: a for a in Area.objects.filter(version=rubric_version)}
    for code, ratio in (area_minimums or {}).items():
        if code not in areas:
            errors.append(
                _("'%(code)s' 영역은 평가지표 %(version)s에 없습니다.")
                % {"code": code, "version": rubric_version}
            )
        elif not Decimal(0) <= ratio <= Decimal(1):
            errors.append(
                _("영역 %(code)s: 최소 득점 비율(%(ratio)s)은 0과 1 사이여야 합니다.")
                % {"code": code, "ratio": ratio}
            )
    if errors:
        raise ValidationError(errors)

    cycle = Cycle.objects.create(
        title=title,
        slug=slug,
        rubric_version=rubric_version,
        reference_date=reference_date,
        evidence_deadline=evidence_deadline,
        aggregation_rule=aggregation_rule,
        pass_threshold=pass_threshold,
        evaluators_per_application=evaluators_per_application,
        require_comment=require_comment,
        show_other_sheets_after_confirm=show_other_sheets_after_confirm,
        disagreement_ratio=disagreement_ratio,
        show_rank=show_rank,
        publish_comments=publish_comments,
        objection_days=objection_days,
        certificate_years=certificate_years,
        created_by=by,
    )
    CycleStageDate.objects.bulk_create(
        CycleStageDate(cycle=cycle, stage=stage, starts_on=day)
        for stage, day in stage_dates.items()
    )
    CycleAreaMinimum.objects.bulk_create(
        CycleAreaMinimum(cycle=cycle, area=areas[code], ratio=ratio)
        for code, ratio in (area_minimums or {}).items()
    )
    notices.cycle_announced(cycle)  # 공고: held in the outbox until an admin releases it
    return cycle


def _stage_date_errors(stage_dates: dict[Stage, date]) -> list[str]:
    errors = []
    ordered = [(s, stage_dates[s]) for s in map(Stage, STAGE_ORDER) if s in stage_dates]
    for (prev, prev_day), (stage, day) in zip(ordered, ordered[1:], strict=False):
        if day < prev_day:
            errors.append(
                _(
                    "단계 일정: %(stage)s 시작일(%(day)s)이 앞 단계 %(prev)s 시작일(%(prev_day)s)보다 빠릅니다."
                )
                % {"stage": stage.label, "day": day, "prev": prev.label, "prev_day": prev_day}
            )
    return errors


class GateBlocked(ValidationError):
    """A stage gate that does not hold: ``blockers`` names every reason, each with its page."""

    def __init__(self, cycle: Cycle, blockers: list[process.Blocker]):
        self.blockers = blockers
        super().__init__(
            [
                _("'%(cycle)s' 평가 주기를 '%(stage)s' 단계에서 넘길 수 없습니다 (%(n)s건):")
                % {"cycle": cycle.title, "stage": cycle.get_stage_display(), "n": len(blockers)},
                *[b.message for b in blockers],
            ]
        )


def _close_applications(cycle: Cycle, by, reason: str) -> None:
    """Leaving 신청: drafts become 미제출 (never evaluated, scored or ranked)."""
    from .applications import application_transition

    for application in Application.objects.filter(cycle=cycle, status=ApplicationStatus.DRAFT):
        application_transition(
            application=application,
            to=ApplicationStatus.NOT_SUBMITTED,
            by=by,
            reason="신청 마감 시 미제출",
        )
    if reason.strip():
        cycle.closed_early_reason = reason.strip()
        cycle.save(update_fields=["closed_early_reason"])


@transaction.atomic
def cycle_advance_stage(
    *, cycle: Cycle, by, expected_stage: str, reason: str = "", now=None
) -> Cycle:
    """Move the cycle to the next stage through the gate of the one it leaves
    (``process.stage_blockers``): a gate that does not hold raises ``GateBlocked`` naming
    every blocker, and nothing changes. ``expected_stage`` is the stage the admin saw: a
    second click (or two admins at once) does not advance twice. ``reason`` is the early
    closing reason when 신청 closes before its deadline."""
    if not queries.can_manage_cycles(by):
        raise PermissionDenied
    locked = Cycle.objects.select_for_update().get(pk=cycle.pk)
    if locked.stage != expected_stage:
        raise ValidationError(
            _(
                "'%(cycle)s' 평가 주기는 이미 '%(stage)s' 단계입니다. 화면을 새로 고친 뒤 다시 확인하십시오."
            )
            % {"cycle": locked.title, "stage": locked.get_stage_display()}
        )
    blockers = process.stage_blockers(locked, now=now, early_reason=reason)
    if blockers:
        raise GateBlocked(locked, blockers)
    target = locked.next_stage
    if locked.stage == Stage.APPLICATION:
        early = reason if (now or timezone.now()) <= locked.evidence_deadline else ""
        _close_applications(locked, by, early)
    CycleStageAdvance.objects.create(
        cycle=locked, from_stage=locked.stage, to_stage=target, advanced_by=by
    )
    locked.stage = target
    locked.save(update_fields=["stage"])
    if target == Stage.DOCUMENT_REVIEW:
        notices.evaluation_started(locked)
    elif target == Stage.NOTIFICATION:
        notices.result_notified(locked)  # held until an admin releases it (ADR 012)
    elif target == Stage.FINAL:
        _finalise(locked, by)
    return locked


def _finalise(cycle: Cycle, by) -> None:
    """Entering 확정: evaluated applications are decided, and passing ones certified."""
    from .applications import application_transition
    from .certification import certifications_issue_for_cycle

    for application in Application.objects.filter(cycle=cycle, status__in=EVALUATED_STATUSES):
        if application.status != ApplicationStatus.DECIDED:
            application_transition(
                application=application,
                to=ApplicationStatus.DECIDED,
                by=by,
                reason="평가 주기 확정",
            )
    notices.certifications_issued(certifications_issue_for_cycle(cycle=cycle, by=by))


def cycle_advance_to(*, cycle: Cycle, by, to: str, reason: str = "", now=None) -> Cycle:
    """Advance stage by stage to ``to``, through each gate; stops at the first that does not
    hold (raising ``GateBlocked``), with the stages already passed kept."""
    if to not in STAGE_ORDER:
        raise ValidationError(f"알 수 없는 단계 '{to}'입니다.")
    if STAGE_ORDER.index(to) <= STAGE_ORDER.index(cycle.stage):
        raise ValidationError(
            f"'{cycle.title}' 평가 주기는 이미 '{cycle.get_stage_display()}' 단계입니다."
        )
    while cycle.stage != to:
        cycle = cycle_advance_stage(
            cycle=cycle, by=by, expected_stage=cycle.stage, reason=reason, now=now
        )
    return cycle
