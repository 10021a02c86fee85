"""The z_mean rule through the results service: normalised totals stored next to the raw
ones, ranking by them, refusal with too few sheets, verify_results, the admin form, the
dashboard's column."""

import pytest
from django.urls import reverse

from evaluation import scoring, services
from evaluation.admin import CycleAdminForm
from evaluation.models import Cycle, Result
from evaluation.queries.results import results_differences
from evaluation.services import results as svc
from evaluation.services.z_mean import sheet_total
from institutions.roles import Role
from institutions.services import membership_add

from ..factories import score_application

pytestmark = pytest.mark.django_db

# six applications; kim is lenient, lee one grade stricter on the same order
KIM = "SSABBC"
LEE = "ABBCDD"


@pytest.fixture
def panel(make_user):
    return [make_user("kim", Role.EVALUATOR), make_user("lee", Role.EVALUATOR)]


def _z_cycle(cycle):
    Cycle.objects.filter(pk=cycle.pk).update(aggregation_rule="z_mean")
    cycle.refresh_from_db()
    return cycle


def _apps(cycle, n, make_institution, make_user, panel, grades=(KIM, LEE), start=0):
    apps = []
    for i in range(n):
        inst = make_institution(f"z기관{start + i:02d}")
        user = make_user(f"zm{start + i:02d}", Role.INSTITUTION)
        membership_add(user=user, institution=inst)
        app = services.application_create(cycle=cycle, institution=inst, by=user)
        score_application(app, {ev: g[i] for ev, g in zip(panel, grades, strict=True)})
        apps.append(app)
    return apps


def test_normalised_totals_are_stored_and_rank_the_cycle(cycle, make_institution, make_user, panel):
    cycle = _z_cycle(cycle)
    apps = _apps(cycle, 6, make_institution, make_user, panel)
    svc.cycle_results_recompute(cycle=cycle)
    rules = svc.cycle_rules(cycle)
    by_app, subs = svc.load_sheets(cycle, rules)
    totals = {}
    for app_id, sheets in by_app.items():
        totals[app_id] = {}
        for s in sheets:
            alone = scoring.aggregate(rules.rubric, [s], substituted_areas=subs.get(app_id, ()))
            assert sheet_total(rules.rubric, s, subs.get(app_id, ())) == alone.total.rounded
            totals[app_id][s.evaluator] = alone.total.rounded
    expected = scoring.z_mean(totals, rounding=rules.rounding)
    stored = {r.application_id: r for r in Result.objects.filter(application__cycle=cycle)}
    for app in apps:
        result = stored[app.pk]
        assert result.normalised_total == expected.totals[app.pk]
        assert result.total == expected.raw[app.pk]  # the raw mean stays the total
    ranked = svc.ranks({k: r.normalised_total for k, r in stored.items()})
    assert {k: r.rank for k, r in stored.items()} == ranked
    assert results_differences(cycle, check_hashes=False) == []

    Result.objects.filter(application=apps[0]).update(normalised_total=0)
    assert any("표준화 총점 저장값 0" in d for d in results_differences(cycle, check_hashes=False))


def test_recompute_refuses_the_rule_with_too_few_sheets_and_writes_nothing(
    cycle, make_institution, make_user, panel
):
    cycle = _z_cycle(cycle)
    _apps(cycle, 4, make_institution, make_user, panel)
    stored = Result.objects.filter(application__cycle=cycle).order_by("pk")
    before = list(stored.values())  # what each 확정 stored
    with pytest.raises(scoring.SheetError) as caught:
        svc.cycle_results_recompute(cycle=cycle)
    assert caught.value.errors == (
        "z 점수 표준화 평균을 쓸 수 없습니다: 평가위원 kim의 확정된 평가표가 4건뿐입니다 "
        "(z 점수 표준화에는 평가위원마다 5건 이상 필요합니다)",
        "z 점수 표준화 평균을 쓸 수 없습니다: 평가위원 lee의 확정된 평가표가 4건뿐입니다 "
        "(z 점수 표준화에는 평가위원마다 5건 이상 필요합니다)",
    )
    assert list(stored.values()) == before


def test_confirming_a_sheet_recomputes_the_whole_cycle_without_blocking(
    cycle, make_institution, make_user, panel
):
    cycle = _z_cycle(cycle)
    apps = _apps(cycle, 4, make_institution, make_user, panel)
    result = svc.application_result_recompute(application=apps[0])
    # too few sheets yet: raw figures and decision stored, no normalised total, no rank
    assert result.total is not None and result.normalised_total is None and result.rank is None
    apps += _apps(cycle, 1, make_institution, make_user, panel, grades=("A", "B"), start=9)
    svc.application_result_recompute(application=apps[-1])
    stored = Result.objects.filter(application__cycle=cycle)
    assert stored.count() == 5 and all(r.normalised_total is not None for r in stored)
    assert sorted(r.rank for r in stored) == sorted(
        svc.ranks({r.pk: r.normalised_total for r in stored}).values()
    )


def test_admin_refuses_switching_to_z_mean_with_too_few_assignments(
    cycle, make_institution, make_user, panel
):
    _apps(cycle, 3, make_institution, make_user, panel)
    data = {
        f.name: getattr(cycle, f.attname)
        for f in Cycle._meta.concrete_fields
        if f.name not in ("id", "stage")
    }
    data["aggregation_rule"] = "z_mean"
    form = CycleAdminForm(data=data, instance=cycle)
    assert not form.is_valid()
    assert form.errors["aggregation_rule"] == [
        "평가위원 kim의 배정이 3건뿐이라 z 점수 표준화 평균을 쓸 수 없습니다 (평가위원마다 확정된 평가표 5건 이상 필요)",
        "평가위원 lee의 배정이 3건뿐이라 z 점수 표준화 평균을 쓸 수 없습니다 (평가위원마다 확정된 평가표 5건 이상 필요)",
    ]


def test_dashboard_and_result_page_show_raw_and_normalised_totals(
    client_for, manager, cycle, make_institution, make_user, panel
):
    cycle = _z_cycle(cycle)
    apps = _apps(cycle, 6, make_institution, make_user, panel)
    svc.cycle_results_recompute(cycle=cycle)
    client = client_for(manager)
    text = client.get(reverse("evaluation:cycle_dashboard", args=[cycle.slug])).content.decode()
    assert "표준화 총점" in text and text.count('data-testid="normalised-total"') == 6
    result = Result.objects.get(application=apps[0])
    page = client.get(reverse("evaluation:application_result", args=[apps[0].pk]))
    assert 'data-testid="result-normalised-total"' in page.content.decode()
    assert f"{result.normalised_total:.2f}" in page.content.decode()


def test_the_summary_report_lists_a_z_mean_cycle_in_rank_order(
    cycle, make_institution, make_user, panel
):
    """Two panels: a lenient one on five applications, a strict one on five others. Raw totals
    put every lenient-panel institution first; normalised totals interleave them."""
    from reports.inputs import summary_inputs

    cycle = _z_cycle(cycle)
    lenient = [*panel[:1], make_user("park", Role.EVALUATOR)]
    strict = [panel[1], make_user("choi", Role.EVALUATOR)]
    _apps(cycle, 5, make_institution, make_user, lenient, grades=("SSAAB", "SAABB"))
    _apps(cycle, 5, make_institution, make_user, strict, grades=("ABBCD", "BBCDD"), start=5)
    svc.cycle_results_recompute(cycle=cycle)
    rows = summary_inputs(cycle)["rows"]
    ranks = [row["rank"] for row in rows]
    assert ranks == sorted(ranks)
    raw = {r.application_id: r.total for r in Result.objects.filter(application__cycle=cycle)}
    assert [raw[row["application_id"]] for row in rows] != sorted(raw.values(), reverse=True)
