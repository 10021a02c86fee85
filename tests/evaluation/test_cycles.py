"""Cycles: creation rules, the published-rubric guard (service and model), stage advances."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db.models import ProtectedError
from django.utils import timezone

from evaluation import services
from evaluation.models import STAGE_ORDER, Cycle, CycleAreaMinimum, CycleStageAdvance, Stage
from indicators.models import FrozenRubricError, RubricVersion, VersionStatus

from ..factories import build_rubric

pytestmark = pytest.mark.django_db


def _create(admin, version, **overrides):
    fields = {
        "by": admin,
        "title": "2026 평가",
        "slug": "c-2026",
        "rubric_version": version,
        "reference_date": date(2026, 1, 1),
        "evidence_deadline": timezone.now() + timedelta(days=10),
        "pass_threshold": Decimal("140"),
    }
    fields.update(overrides)
    return services.cycle_create(**fields)


def test_cycle_is_created_in_the_announcement_stage_with_its_settings(admin_user, rubric_version):
    cycle = _create(
        admin_user,
        rubric_version,
        stage_dates={Stage.ANNOUNCEMENT: date(2026, 1, 5), Stage.APPLICATION: date(2026, 2, 1)},
        area_minimums={"B": Decimal("0.5")},
        aggregation_rule="item_trimmed_mean",
    )
    cycle.refresh_from_db()
    assert cycle.stage == Stage.ANNOUNCEMENT
    assert cycle.require_comment is True
    assert cycle.disagreement_ratio == Decimal("0.4000")
    assert cycle.aggregation_rule == "item_trimmed_mean"
    assert cycle.created_by == admin_user
    assert {d.stage: d.starts_on for d in cycle.stage_dates.all()} == {
        "announcement": date(2026, 1, 5),
        "application": date(2026, 2, 1),
    }
    assert [(m.area.code, m.ratio) for m in CycleAreaMinimum.objects.filter(cycle=cycle)] == [
        ("B", Decimal("0.5000"))
    ]


def test_every_problem_is_reported_at_once_and_nothing_is_created(admin_user, rubric_version):
    draft = build_rubric(code="draft-rubric", published=False)
    with pytest.raises(ValidationError) as caught:
        _create(
            admin_user,
            draft,
            pass_threshold=Decimal("999"),
            disagreement_ratio=Decimal("1.5"),
            stage_dates={Stage.ANNOUNCEMENT: date(2026, 3, 1), Stage.APPLICATION: date(2026, 2, 1)},
            area_minimums={"Z": Decimal("0.5"), "A": Decimal("2")},
        )
    assert caught.value.messages == [
        "평가지표 draft-rubric v1: 게시된 버전만 평가 주기에 사용할 수 있습니다 (현재 상태: 초안).",
        "인증 기준 점수(999)는 0 이상 총점 190.000 이하여야 합니다.",
        "점수 편차 경고 비율(1.5)은 0과 1 사이여야 합니다.",
        "단계 일정: 신청 시작일(2026-02-01)이 앞 단계 공고 시작일(2026-03-01)보다 빠릅니다.",
        "'Z' 영역은 평가지표 draft-rubric v1에 없습니다.",
        "영역 A: 최소 득점 비율(2)은 0과 1 사이여야 합니다.",
    ]
    assert not Cycle.objects.exists()


def test_model_level_check_refuses_a_draft_version_even_without_the_service(
    admin_user, rubric_version
):
    draft = build_rubric(code="draft-rubric", published=False)
    cycle = Cycle(
        title="x",
        slug="x",
        rubric_version=draft,
        reference_date=date(2026, 1, 1),
        evidence_deadline=timezone.now(),
        pass_threshold=Decimal("1"),
    )
    with pytest.raises(ValidationError) as caught:
        cycle.full_clean()
    assert "게시된 평가지표 버전만" in str(caught.value)
    with pytest.raises(ValidationError):
        cycle.save()
    assert not Cycle.objects.exists()
    # Pointing an existing cycle at a draft version is refused too.
    ok = _create(admin_user, rubric_version)
    ok.rubric_version = draft
    with pytest.raises(ValidationError):
        ok.save()
    assert Cycle.objects.get().rubric_version == rubric_version


def test_rubric_version_used_by_a_cycle_is_frozen_and_protected(admin_user, rubric_version):
    _create(admin_user, rubric_version)
    with pytest.raises(FrozenRubricError):
        rubric_version.items.first().delete()
    # Even retired, a version used by a cycle cannot be deleted: PROTECT.
    RubricVersion.objects.filter(pk=rubric_version.pk).update(
        status=VersionStatus.RETIRED, retired_at=timezone.now()
    )
    field = Cycle._meta.get_field("rubric_version")
    assert field.remote_field.on_delete.__name__ == "PROTECT"
    with pytest.raises((ProtectedError, FrozenRubricError)):
        RubricVersion.objects.get(pk=rubric_version.pk).delete()


def test_advancing_goes_one_stage_at_a_time_and_records_who_and_when(admin_user, rubric_version):
    cycle = _create(admin_user, rubric_version)
    before = timezone.now()
    # An empty cycle: only 신청 (closed early, with a reason) and 이의신청 (its window runs
    # from 결과통보) have something to wait for; the gates are tested in test_process.py.
    later = timezone.now() + timedelta(days=60)
    for expected, target in zip(STAGE_ORDER, STAGE_ORDER[1:], strict=False):
        cycle = services.cycle_advance_stage(
            cycle=cycle, by=admin_user, expected_stage=expected, reason="조기 마감", now=later
        )
        assert cycle.stage == target
    advances = list(CycleStageAdvance.objects.filter(cycle=cycle).order_by("advanced_at", "pk"))
    assert [(a.from_stage, a.to_stage) for a in advances] == list(
        zip(STAGE_ORDER, STAGE_ORDER[1:], strict=False)
    )
    assert all(a.advanced_by == admin_user and a.advanced_at >= before for a in advances)
    with pytest.raises(ValidationError, match="마지막 단계\\(확정\\)"):
        services.cycle_advance_stage(cycle=cycle, by=admin_user, expected_stage=Stage.FINAL)


def test_a_stale_advance_does_not_advance_twice(admin_user, rubric_version):
    cycle = _create(admin_user, rubric_version)
    services.cycle_advance_stage(cycle=cycle, by=admin_user, expected_stage=Stage.ANNOUNCEMENT)
    with pytest.raises(ValidationError, match="이미 '신청' 단계입니다"):
        services.cycle_advance_stage(cycle=cycle, by=admin_user, expected_stage=Stage.ANNOUNCEMENT)
    assert Cycle.objects.get().stage == Stage.APPLICATION
    assert CycleStageAdvance.objects.count() == 1
