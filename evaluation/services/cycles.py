"""Writes for cycles: create, advance the stage."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from indicators.models import Area, RubricVersion, VersionStatus

from ..models import (
    STAGE_ORDER,
    AggregationRule,
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
    stage_dates: dict[str, date] | None = None,
    area_minimums: dict[str, Decimal] | None = None,
) -> Cycle:
    """Create a cycle in the 공고 stage. Every problem is reported at once (Korean)."""
    errors: list[str] = []
    rubric_version = RubricVersion.objects.select_related("rubric").get(pk=rubric_version.pk)
    if rubric_version.status != VersionStatus.PUBLISHED:
        errors.append(
            f"평가지표 {rubric_version}: 게시된 버전만 평가 주기에 사용할 수 있습니다 "
            f"(현재 상태: {rubric_version.get_status_display()})."
        )
    if Cycle.objects.filter(slug=slug).exists():
        errors.append(f"주소 이름 '{slug}'은(는) 이미 다른 평가 주기가 쓰고 있습니다.")
    if pass_threshold < 0 or pass_threshold > rubric_version.total_points:
        errors.append(
            f"인증 기준 점수 {pass_threshold}은(는) 0 이상 총점 "
            f"{rubric_version.total_points} 이하여야 합니다."
        )
    if not Decimal(0) <= disagreement_ratio <= Decimal(1):
        errors.append(f"점수 편차 경고 비율 {disagreement_ratio}은(는) 0과 1 사이여야 합니다.")
    if evaluators_per_application < 1:
        errors.append("신청기관당 평가위원 수는 1명 이상이어야 합니다.")
    stage_dates = {Stage(k): v for k, v in (stage_dates or {}).items() if v}
    errors += _stage_date_errors(stage_dates)
    areas = {a.code: a for a in Area.objects.filter(version=rubric_version)}
    for code, ratio in (area_minimums or {}).items():
        if code not in areas:
            errors.append(f"영역 '{code}'은(는) 평가지표 {rubric_version}에 없습니다.")
        elif not Decimal(0) <= ratio <= Decimal(1):
            errors.append(f"영역 {code}: 최소 득점 비율 {ratio}은(는) 0과 1 사이여야 합니다.")
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
    return cycle


def _stage_date_errors(stage_dates: dict[Stage, date]) -> list[str]:
    errors = []
    ordered = [(s, stage_dates[s]) for s in map(Stage, STAGE_ORDER) if s in stage_dates]
    for (prev, prev_day), (stage, day) in zip(ordered, ordered[1:], strict=False):
        if day < prev_day:
            errors.append(
                f"단계 일정: {stage.label} 시작일 {day}이(가) 앞 단계 {prev.label} 시작일 "
                f"{prev_day}보다 빠릅니다."
            )
    return errors


@transaction.atomic
def cycle_advance_stage(*, cycle: Cycle, by, expected_stage: str) -> Cycle:
    """Move the cycle to the next stage. ``expected_stage`` is the stage the admin saw: a
    second click (or two admins at once) does not advance twice."""
    locked = Cycle.objects.select_for_update().get(pk=cycle.pk)
    if locked.stage != expected_stage:
        raise ValidationError(
            f"평가 주기 '{locked.title}'은(는) 이미 '{locked.get_stage_display()}' 단계입니다. "
            "화면을 새로 고친 뒤 다시 확인하십시오."
        )
    target = locked.next_stage
    if target is None:
        raise ValidationError(
            f"평가 주기 '{locked.title}'은(는) 마지막 단계({locked.get_stage_display()})입니다."
        )
    CycleStageAdvance.objects.create(
        cycle=locked, from_stage=locked.stage, to_stage=target, advanced_by=by
    )
    locked.stage = target
    locked.save(update_fields=["stage"])
    return locked
