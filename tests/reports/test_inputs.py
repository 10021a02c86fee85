"""What reports show: the inputs snapshots (no rendering here)."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from evaluation.models import Result, SheetStatus
from indicators.models import Area
from reports import inputs

from ..factories import add_application, make_institution, score_seeded


def test_result_inputs_headline_is_the_stored_result(scored):
    data = inputs.result_inputs(scored.app)
    result = scored.result
    assert data["institution"]["name"] == "한빛잡정보"
    assert data["summary"]["total"] == str(result.total.quantize(Decimal("0.01")))
    assert data["summary"]["total_points"] == "1000"
    assert data["summary"]["decision_label"] == ("인증" if result.decision == "pass" else "미인증")
    assert data["summary"]["rank"] == result.rank  # the cycle shows ranks
    assert data["summary"]["n_ranked"] == 2
    assert data["summary"]["sheets_counted"] == 3


def test_rank_is_left_out_when_the_cycle_hides_it(scored):
    scored.cycle.show_rank = False
    scored.cycle.save(update_fields=["show_rank"])
    assert inputs.result_inputs(scored.app)["summary"]["rank"] is None


def test_areas_indicators_and_items_add_up_to_the_total(scored):
    data = inputs.result_inputs(scored.app)
    titles = list(
        Area.objects.filter(version=scored.cycle.rubric_version).values_list("title", flat=True)
    )
    assert [a["title"] for a in data["areas"]] == titles
    total = sum(Decimal(a["score"]) for a in data["areas"])
    assert total == Decimal(data["summary"]["total"])
    for area in data["areas"]:
        indicator_sum = sum(Decimal(i["score"]) for i in area["indicators"])
        # rounded figures: each level is within a rounding step of the sum of its parts
        assert abs(indicator_sum - Decimal(area["score"])) <= Decimal("0.01") * len(
            area["indicators"]
        )
        assert area["average_rate"]  # the cycle average is there for the chart


def test_comments_are_consolidated_and_anonymised(scored):
    data = inputs.result_inputs(scored.app)
    first = data["areas"][0]["indicators"][0]["items"][0]
    assert [who for who, _ in first["strengths"]] == ["평가위원 A", "평가위원 B", "평가위원 C"]
    assert [who for who, _ in first["improvements"]] == ["평가위원 A", "평가위원 B", "평가위원 C"]
    flat = str(data)
    for user in scored.evaluators:  # no evaluator's name or account reaches the report
        assert user.username not in flat
        assert user.name not in flat


def test_substitution_is_noted_with_its_certificate(scored):
    data = inputs.result_inputs(scored.other_app)
    area_d = next(a for a in data["areas"] if a["code"] == "D")
    assert area_d["substituted"] is True
    assert area_d["score"] == "150.00" and area_d["rate"] == "100.00"
    [sub] = data["substitutions"]
    assert sub["area"] == "D" and sub["certificate"].startswith("ISMS ")
    assert sub["awarded"] == "150.00"


def test_an_application_without_result_is_refused_by_name(scored, admin_user):
    app = add_application(scored.cycle, make_institution("결과없는기관", 91), admin_user)
    with pytest.raises(ValidationError) as caught:
        inputs.result_inputs(app)
    assert "결과없는기관(rpt-test): 평가 결과가 없습니다" in caught.value.messages[0]


def test_a_stored_total_that_the_sheets_do_not_give_is_refused(scored):
    Result.objects.filter(pk=scored.result.pk).update(total=Decimal("1.00"))
    with pytest.raises(ValidationError) as caught:
        inputs.result_inputs(scored.app)
    assert "저장된 총점 1점" in caught.value.messages[0]
    assert "다시 계산" in caught.value.messages[0]


def test_sheet_inputs_show_the_evaluators_own_entries(scored):
    data = inputs.sheet_inputs(scored.assignment)
    sheet = scored.assignment.sheet
    assert data["evaluator"]["name"] == scored.evaluators[0].display_name
    assert data["content_hash"] == sheet.content_hash
    assert data["confirmed_at"]
    items = [item for area in data["areas"] for item in area["items"]]
    assert len(items) == 19
    first = items[0]
    assert first["entered"][0] in "SABCD" and "(" in first["entered"]  # "A (우수)"
    assert first["strength"] and first["improvement"]
    total = sum(Decimal(i["score"]) for i in items if i["score"])
    assert Decimal(data["total"]) == total


def test_an_unconfirmed_sheet_is_refused(scored):
    sheet = scored.assignment.sheet
    sheet.status, sheet.confirmed_at, sheet.content_hash = SheetStatus.DRAFT, None, ""
    sheet.save()
    with pytest.raises(ValidationError) as caught:
        inputs.sheet_inputs(scored.assignment)
    assert "평가표가 확정되지 않았습니다" in caught.value.messages[0]
    assert "한빛잡정보" in caught.value.messages[0]


def test_summary_ranks_totals_and_averages(scored):
    data = inputs.summary_inputs(scored.cycle)
    assert data["count"] == 2
    assert [r["institution"] for r in data["rows"]] == sorted(
        ["한빛잡정보", "누리커리어"],
        key=lambda n: -(scored.result.total if n == "한빛잡정보" else scored.other_result.total),
    )
    assert [r["rank"] for r in data["rows"]] == [1, 2]
    mean = (scored.result.total + scored.other_result.total) / 2
    assert data["mean_total"] == str(mean.quantize(Decimal("0.01")))
    assert sum(b["count"] for b in data["distribution"]) == 2


def test_summary_of_a_cycle_without_results_is_refused(scored):
    Result.objects.all().delete()
    with pytest.raises(ValidationError) as caught:
        inputs.summary_inputs(scored.cycle)
    assert "계산된 평가 결과가 없어 집계표를 만들 수 없습니다" in caught.value.messages[0]


def test_competition_ranking_shares_ranks():
    totals = {1: Decimal("90"), 2: Decimal("80"), 3: Decimal("80"), 4: Decimal("70")}
    assert inputs.scoring_rank(totals) == {1: 1, 2: 2, 3: 2, 4: 4}


def test_distribution_puts_the_maximum_in_the_last_band():
    bins = inputs.distribution([Decimal("0"), Decimal("99.99"), Decimal("1000")], Decimal("1000"))
    assert [b["count"] for b in bins] == [2, 0, 0, 0, 0, 0, 0, 0, 0, 1]
    assert bins[0]["label"] == "0~100" and bins[-1]["label"] == "900~1000"


@pytest.mark.parametrize("n_apps", [2, 8])
def test_result_inputs_for_a_cycle_run_constant_queries(
    scored, n_apps, admin_user, django_assert_max_num_queries
):
    for i in range(n_apps - 2):
        app = add_application(scored.cycle, make_institution(f"추가기관{i}", 200 + i), admin_user)
        score_seeded(app, scored.evaluators, seed=10 + i)
    apps = list(scored.cycle.applications.all())
    inputs.scoring_rubric(scored.cycle.rubric_version)  # the per-process cache, warm
    # 15: the tally's own reads (the cycle's rules: 2; its sheets and substitutions: 2) replace
    # the copy of the rule the inputs held (ADR 018). Constant in the number of applications.
    with django_assert_max_num_queries(15):
        data = inputs.result_inputs_many(scored.cycle, apps)
    assert len(data) == n_apps


@pytest.mark.parametrize("rule", ["mean", "median", "trimmed_mean", "item_trimmed_mean"])
def test_reports_agree_with_the_results_service(scored, rule):
    """The stored results as the results service computes them (every rule): the report's
    figures add up to them and nothing is refused."""
    from evaluation.services.results import cycle_results_recompute

    scored.cycle.aggregation_rule = rule
    scored.cycle.save(update_fields=["aggregation_rule"])
    cycle_results_recompute(cycle=scored.cycle)
    for app in (scored.app, scored.other_app):
        stored = Result.objects.get(application=app)
        data = inputs.result_inputs(app)
        assert data["summary"]["total"] == str(stored.total.quantize(Decimal("0.01")))
        assert [a["score"] for a in data["areas"]] == [
            str(Decimal(stored.areas[a["code"]]).quantize(Decimal("0.01"))) for a in data["areas"]
        ]
        assert data["summary"]["rank"] == stored.rank
