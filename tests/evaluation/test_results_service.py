"""Results: recompute from confirmed sheets, substitution, ranks, bulk recompute of a cycle,
the 인증위원회 decision. Figures are hand-computed from the 19-item test rubric (areas A–D of
4 items, E of 3; 10 points each; grades S 1.0, A 0.8, B 0.6, C 0.4, D 0.2)."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from evaluation import scoring
from evaluation.models import (
    AreaSubstitution,
    CycleAreaMinimum,
    ItemScore,
    Result,
    SheetStatus,
    Stage,
)
from evaluation.services import results as svc
from institutions.models import Certificate
from institutions.roles import Role

from ..factories import score_application
from ..process import set_stage

pytestmark = pytest.mark.django_db


@pytest.fixture
def third_evaluator(make_user):
    return make_user("evaluator3", Role.EVALUATOR)


@pytest.fixture
def panel(evaluator, other_evaluator, third_evaluator):
    return [evaluator, other_evaluator, third_evaluator]


def _result(application) -> Result:
    return Result.objects.get(application=application)


def test_mean_of_three_confirmed_sheets_is_stored_rounded(application, panel):
    score_application(application, dict(zip(panel, "SAB", strict=True)))
    stored = svc.application_result_recompute(application=application)
    # S: 190, A: 152, B: 114 → mean 152; areas A–D 40×(1+.8+.6)/3 = 32, E 30×.8 = 24.
    assert stored.total == Decimal("152.00")
    assert stored.areas == {"A": "32.00", "B": "32.00", "C": "32.00", "D": "32.00", "E": "24.00"}
    assert stored.penalties == 0
    assert (stored.decision, stored.reasons, stored.rank) == ("pass", [], 1)
    assert stored.sheets_counted == 3
    # S vs B differ by 4 points on every 10-point item: spread 4 ≤ 0.40 × 10, not flagged.
    assert stored.disagreement == {}
    assert _result(application).total == Decimal("152")


def test_trimmed_mean_drops_the_lowest_and_highest_sheet(application, panel):
    cycle = application.cycle
    cycle.aggregation_rule = "trimmed_mean"
    cycle.save(update_fields=["aggregation_rule"])
    score_application(application, dict(zip(panel, "SAD", strict=True)))
    stored = svc.application_result_recompute(application=application)
    assert stored.total == Decimal("152.00")  # only the A sheet is kept
    # spread S−D = 8 > 4 on every item: flagged; population sd of 10, 8, 2 = 3.40
    assert len(stored.disagreement) == 19
    assert stored.disagreement["A.1.1"] == {"sd": "3.40", "spread": "8", "flagged": True}


def test_only_confirmed_sheets_of_active_assignments_count(application, panel):
    ev1, ev2, ev3 = panel
    score_application(
        application,
        {ev1: "B", ev2: "S", ev3: "D"},
        confirmed={ev1, ev2},
        excluded=(ev2,),  # confirmed, but recused: never counts
    )
    stored = svc.application_result_recompute(application=application)
    assert stored.total == Decimal("114.00")  # ev1's B sheet alone
    assert stored.sheets_counted == 1


def test_unlocking_the_last_sheet_empties_the_result(application, evaluator):
    (sheet,) = score_application(application, {evaluator: "A"})
    assert svc.application_result_recompute(application=application).total == Decimal("152")
    sheet.status, sheet.confirmed_at, sheet.content_hash = SheetStatus.DRAFT, None, ""
    sheet.save()
    stored = svc.application_result_recompute(application=application)
    assert stored.total is None and stored.decision == "" and stored.rank is None
    assert stored.sheets_counted == 0 and stored.areas == {}


def test_nothing_counted_and_nothing_stored_writes_no_row(application, evaluator):
    score_application(application, {evaluator: "A"}, confirmed=False)
    assert svc.application_result_recompute(application=application) is None
    assert not Result.objects.exists()


def test_threshold_and_area_minimum_reasons_are_stored(application, panel):
    cycle = application.cycle
    CycleAreaMinimum.objects.create(
        cycle=cycle, area=cycle.rubric_version.areas.get(code="E"), ratio=Decimal("0.5")
    )
    grades = {code: "D" for code in ("E.1.1", "E.1.2", "E.1.3")}
    score_application(application, dict.fromkeys(panel, grades))
    stored = svc.application_result_recompute(application=application)
    # A–D 16 × 6 = 96 … E 3 × 2 = 6: total 102 < 140; E rate 20 % < 50 %.
    assert stored.total == Decimal("102.00")
    assert stored.decision == "fail"
    assert stored.reasons == [
        "총점 102.00점이 합격 기준 140점에 미달",
        "E 영역 득점률 20.00%가 최소 기준 50%에 미달",
    ]


def _substitute(
    application, admin_user, *, kind="ISMS", valid=(date(2025, 1, 1), date(2027, 1, 1))
):
    cert = Certificate.objects.create(
        institution=application.institution,
        kind=kind,
        number=f"{kind}-{application.pk}",
        issuer="KISA",
        valid_from=valid[0],
        valid_until=valid[1],
    )
    area = application.cycle.rubric_version.areas.get(code="D")
    return cert, area


def test_substituted_area_scores_its_award_and_ignores_sheet_points(application, panel, admin_user):
    score_application(application, dict.fromkeys(panel, "B"))
    assert svc.application_result_recompute(application=application).areas["D"] == "24.00"
    cert, area = _substitute(application, admin_user)
    sub = svc.area_substitution_confirm(
        application=application, area=area, certificate=cert, by=admin_user
    )
    assert (sub.confirmed_by, sub.certificate) == (admin_user, cert)
    stored = _result(application)
    assert stored.areas["D"] == "40.00"  # 40 × award ratio 1.0, the sheets' 24 left out
    assert stored.total == Decimal("130")  # 114 − 24 + 40


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"kind": "ISO27001"}, "D 영역은 ISMS, ISMS-P 인증으로만 대체할 수 있습니다"),
        (
            {"valid": (date(2023, 1, 1), date(2025, 12, 31))},
            "유효기간(2023-01-01~2025-12-31)이 기준일(2026-01-01)을 포함하지 않습니다",
        ),
    ],
)
def test_substitution_refuses_a_wrong_or_expired_certificate(
    application, admin_user, change, message
):
    cert, area = _substitute(application, admin_user, **change)
    with pytest.raises(ValidationError) as exc:
        svc.area_substitution_confirm(
            application=application, area=area, certificate=cert, by=admin_user
        )
    assert any(message in m for m in exc.value.messages)
    assert not AreaSubstitution.objects.exists()


def test_substitution_refuses_another_institutions_certificate_an_area_without_substitution_and_a_second_time(
    application, other_application, admin_user, member
):
    cert, area = _substitute(other_application, admin_user)
    with pytest.raises(ValidationError) as exc:
        svc.area_substitution_confirm(
            application=application, area=area, certificate=cert, by=admin_user
        )
    assert exc.value.messages == [f"인증서(ISMS {cert.number})는 한빛잡정보의 인증서가 아닙니다."]
    own, area = _substitute(application, admin_user)
    area_a = application.cycle.rubric_version.areas.get(code="A")
    with pytest.raises(ValidationError) as exc:
        svc.area_substitution_confirm(
            application=application, area=area_a, certificate=own, by=admin_user
        )
    assert exc.value.messages == ["A 영역은 인증서로 대체할 수 없는 영역입니다."]
    with pytest.raises(PermissionDenied):
        svc.area_substitution_confirm(
            application=application, area=area, certificate=own, by=member
        )
    svc.area_substitution_confirm(
        application=application, area=area, certificate=own, by=admin_user
    )
    with pytest.raises(ValidationError) as exc:
        svc.area_substitution_confirm(
            application=application, area=area, certificate=own, by=admin_user
        )
    assert exc.value.messages == ["D 영역은 이미 대체 인정되었습니다."]
    assert AreaSubstitution.objects.count() == 1


def test_ranks_follow_rounded_totals_across_the_cycle(
    application, other_application, panel, make_institution, make_user, admin_user
):
    from evaluation import services

    third_inst = make_institution("세번째기관")
    third_member = make_user("member3", Role.INSTITUTION)
    from institutions.services import membership_add

    membership_add(user=third_member, institution=third_inst)
    third = services.application_create(
        cycle=application.cycle, institution=third_inst, by=third_member
    )
    score_application(application, dict.fromkeys(panel, "B"))
    score_application(other_application, dict.fromkeys(panel, "S"))
    score_application(third, dict.fromkeys(panel, "B"))
    for app in (application, other_application, third):
        svc.application_result_recompute(application=app)
    ranks = {r.application_id: r.rank for r in Result.objects.all()}
    assert ranks == {other_application.pk: 1, application.pk: 2, third.pk: 2}


def test_a_broken_sheet_is_refused_naming_application_and_item(application, panel):
    score_application(application, dict.fromkeys(panel, "A"))
    svc.application_result_recompute(application=application)
    before = _result(application)
    ItemScore.objects.filter(item__code="B.1.2", sheet__assignment__evaluator=panel[0]).delete()
    with pytest.raises(scoring.SheetError) as exc:
        svc.application_result_recompute(application=application)
    assert exc.value.errors == (
        f"신청 {application.pk} (한빛잡정보): B.1.2: 점수가 없습니다 (평가위원 evaluator1)",
    )
    with pytest.raises(scoring.SheetError):
        svc.cycle_results_recompute(cycle=application.cycle)
    after = _result(application)
    assert (after.total, after.computed_at) == (before.total, before.computed_at)


# --- bulk ------------------------------------------------------------------------------------


def _cycle_with(n, cycle, make_institution, make_user, panel):
    from evaluation import services
    from institutions.services import membership_add

    apps = []
    for i in range(n):
        inst = make_institution(f"벌크기관{i:03d}")
        user = make_user(f"bulk{i:03d}", Role.INSTITUTION)
        membership_add(user=user, institution=inst)
        app = services.application_create(cycle=cycle, institution=inst, by=user)
        score_application(app, dict(zip(panel, ["SAB", "ABC", "BCD"][i % 3], strict=True)))
        apps.append(app)
    return apps


# Two sizes far enough apart to show a per-application query; every sheet is scored through
# the real services (19 items × 3 evaluators an application), so the larger is kept modest.
@pytest.mark.parametrize("n", [3, 15])
def test_cycle_recompute_runs_a_constant_number_of_queries(
    n, cycle, make_institution, make_user, panel
):
    _cycle_with(n, cycle, make_institution, make_user, panel)
    Result.objects.filter(application__cycle=cycle).delete()  # stored at each 확정; again here
    with CaptureQueriesContext(connection) as first:
        outcome = svc.cycle_results_recompute(cycle=cycle)
    assert outcome == {"created": n, "updated": 0, "reranked": 0}
    # savepoint, locked cycle, minimums, items, substitutions, scores, sheets, results, one
    # insert, release: the same for 3 and 15 applications
    assert len(first.captured_queries) == 10
    with CaptureQueriesContext(connection) as again:
        assert svc.cycle_results_recompute(cycle=cycle) == {
            "created": 0,
            "updated": 0,
            "reranked": 0,
        }
    assert len(again.captured_queries) == 9  # nothing changed: no write at all
    assert Result.objects.filter(application__cycle=cycle).count() == n


def test_bulk_and_one_by_one_store_the_same_results(cycle, make_institution, make_user, panel):
    apps = _cycle_with(7, cycle, make_institution, make_user, panel)
    svc.cycle_results_recompute(cycle=cycle)
    fields = ["application_id", "total", "areas", "decision", "reasons", "rank", "disagreement"]
    bulk = list(Result.objects.order_by("application_id").values(*fields))
    Result.objects.all().delete()
    for app in apps:
        svc.application_result_recompute(application=app)
    assert list(Result.objects.order_by("application_id").values(*fields)) == bulk
    # SAB → 152, ABC → 114, BCD → 76 (fails 140)
    assert {r["total"] for r in bulk} == {Decimal("152"), Decimal("114"), Decimal("76")}
    assert sorted(r["rank"] for r in bulk) == [1, 1, 1, 4, 4, 6, 6]


def test_recompute_only_touches_what_changed(cycle, make_institution, make_user, panel):
    apps = _cycle_with(3, cycle, make_institution, make_user, panel)
    svc.cycle_results_recompute(cycle=cycle)
    stamps = dict(Result.objects.values_list("application_id", "computed_at"))
    # the SAB application's B sheet becomes a D sheet: (190 + 152 + 38) / 3 = 126.666…
    ItemScore.objects.filter(
        sheet__assignment__application=apps[0], sheet__assignment__evaluator=panel[2]
    ).update(grade="D", points=Decimal("2"))
    outcome = svc.cycle_results_recompute(cycle=cycle)
    assert outcome == {"created": 0, "updated": 1, "reranked": 0}
    after = {r.application_id: r for r in Result.objects.all()}
    assert after[apps[0].pk].total == Decimal("126.67")
    assert after[apps[0].pk].computed_at > stamps[apps[0].pk]
    assert after[apps[1].pk].computed_at == stamps[apps[1].pk]
    assert [after[a.pk].rank for a in apps] == [1, 2, 3]


# --- 인증위원회 ------------------------------------------------------------------------------


@pytest.fixture
def scored(application, panel):
    score_application(application, dict.fromkeys(panel, "A"))
    result = svc.application_result_recompute(application=application)
    set_stage(application.cycle, Stage.COMMITTEE)  # where the committee decides (ADR 011)
    return result


def test_committee_decision_defaults_to_the_computed_one(scored, admin_user):
    decided = svc.result_committee_decide(result=scored, by=admin_user)
    assert (decided.committee_decision, decided.committee_reason) == ("pass", "")
    assert decided.committee_by == admin_user and decided.committee_at is not None
    assert _result(scored.application).final_decision == "pass"


def test_committee_override_needs_a_reason(scored, admin_user):
    with pytest.raises(ValidationError) as exc:
        svc.result_committee_decide(result=scored, by=admin_user, decision="fail", reason="  ")
    assert exc.value.messages == [
        "인증위원회 결정(미인증)이 계산된 판정(인증)과 다르므로 사유를 입력해야 합니다."
    ]
    assert _result(scored.application).committee_decision == ""
    decided = svc.result_committee_decide(
        result=scored, by=admin_user, decision="fail", reason="현장실사 결과 허위 자료 확인"
    )
    assert (decided.committee_decision, decided.final_decision) == ("fail", "fail")
    assert decided.committee_reason == "현장실사 결과 허위 자료 확인"


def test_committee_refuses_non_admins_unknown_decisions_and_incomplete_results(
    application, panel, admin_user, manager
):
    ev1, ev2, ev3 = panel
    score_application(application, {ev1: "A", ev2: "A", ev3: "A"}, confirmed={ev1, ev2})
    result = svc.application_result_recompute(application=application)
    set_stage(application.cycle, Stage.COMMITTEE)
    with pytest.raises(PermissionDenied):
        svc.result_committee_decide(result=result, by=manager)
    with pytest.raises(ValidationError) as exc:
        svc.result_committee_decide(result=result, by=admin_user, decision="maybe")
    assert exc.value.messages == [
        "아직 확정하지 않은 평가위원이 있습니다: evaluator3",
        "인증위원회 결정('maybe')은 인증 또는 미인증이어야 합니다.",
    ]
    assert _result(application).committee_at is None
