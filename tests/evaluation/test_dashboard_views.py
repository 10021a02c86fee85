"""The cycle dashboard, its SVG charts, the result page, the 인증위원회 decision and the
substitution form: every persona; query counts for 5 vs 50 applications."""

import html
import re
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from evaluation import services
from evaluation.models import AreaSubstitution, Cycle, Result, Stage
from evaluation.services import results as svc
from institutions.models import Certificate, User
from institutions.roles import Role
from institutions.services import membership_add

from ..factories import score_application
from ..personas import PERSONAS, expect
from ..process import set_stage
from .helpers import without_data_marks

pytestmark = pytest.mark.django_db

READ = {"admin_user": 200, "manager": 200}


@pytest.fixture
def panel(evaluator, other_evaluator, make_user):
    return [evaluator, other_evaluator, make_user("evaluator3", Role.EVALUATOR)]


@pytest.fixture
def scored(application, other_application, panel):
    """Two applications scored by three evaluators: 한빛잡정보 S/A/B (152, pass) and
    누리커리어 B/D/S (flagged everywhere, 114, fail)."""
    score_application(application, dict(zip(panel, "SAB", strict=True)))
    score_application(other_application, dict(zip(panel, "BDS", strict=True)))
    svc.cycle_results_recompute(cycle=application.cycle)
    set_stage(application.cycle, Stage.COMMITTEE)  # where the committee decides (ADR 011)
    return application, other_application


def _text(response) -> str:
    return html.unescape(without_data_marks(response.content.decode()))


# --- personas --------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", ["cycle_dashboard", "chart_totals", "chart_areas", "result"])
def test_results_pages_per_persona(persona, persona_client, scored, name):
    application, _ = scored
    _user, client = persona_client
    slug = application.cycle.slug
    url = {
        "cycle_dashboard": reverse("evaluation:cycle_dashboard", args=[slug]),
        "chart_totals": reverse("evaluation:cycle_chart", args=[slug, "totals"]),
        "chart_areas": reverse("evaluation:cycle_chart", args=[slug, "areas"]),
        "result": reverse("evaluation:application_result", args=[application.pk]),
    }[name]
    response = client.get(url)
    expect(response, persona, READ)
    if persona == "anonymous":
        assert response.url.startswith("/accounts/login/")


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", ["cycle_recompute", "committee_decide", "substitution_confirm"])
def test_result_writes_per_persona(persona, persona_client, scored, name):
    application, _ = scored
    _user, client = persona_client
    arg = application.cycle.slug if name == "cycle_recompute" else application.pk
    response = client.post(reverse(f"evaluation:{name}", args=[arg]), {})
    if persona == "anonymous":
        assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    elif persona == "admin_user":
        # recompute redirects; the two forms, posted empty, are refused with 400
        assert response.status_code == (302 if name == "cycle_recompute" else 400)
    else:
        assert response.status_code == 404
    assert Result.objects.filter(committee_at__isnull=False).count() == 0
    assert not AreaSubstitution.objects.exists()


def test_unknown_cycle_chart_and_application_are_404(client_for, manager, scored):
    client = client_for(manager)
    slug = scored[0].cycle.slug
    assert client.get(reverse("evaluation:cycle_chart", args=[slug, "pie"])).status_code == 404
    assert client.get(reverse("evaluation:cycle_dashboard", args=["nope"])).status_code == 404
    assert client.get(reverse("evaluation:application_result", args=[999999])).status_code == 404


def test_the_dashboard_is_not_for_the_assigned_evaluator(client_for, scored, panel):
    """Evaluators are assigned to both applications, yet the dashboard and results are
    the staff's: 404."""
    client = client_for(panel[0])
    application = scored[0]
    assert (
        client.get(reverse("evaluation:application_result", args=[application.pk])).status_code
        == 404
    )
    url = reverse("evaluation:cycle_dashboard", args=[application.cycle.slug])
    assert client.get(url).status_code == 404


# --- what the dashboard shows ------------------------------------------------------------------


def test_dashboard_shows_progress_results_averages_and_flags(client_for, manager, scored):
    application, other = scored
    response = client_for(manager).get(
        reverse("evaluation:cycle_dashboard", args=[application.cycle.slug])
    )
    text = _text(response)
    assert 'data-testid="submitted">2 / 2<' in text  # both were submitted, then scored
    assert 'data-testid="confirmed-sheets">6 / 6<' in text
    assert "2건 (인증 1건)" in text
    # results table, ranked: 한빛잡정보 152.00 first, 누리커리어 114.00 second
    table = text[text.index('data-testid="results-table"') :]
    assert table.index("한빛잡정보") < table.index("누리커리어")
    assert "152.00" in table and "114.00" in table
    assert "✔ 인증" in table and "✖ 미인증" in table
    # averages per area: A–D (32 + 24) / 2 = 28.00 → 70.0 %; E (24 + 18) / 2 = 21.00 → 70.0 %
    averages = text[text.index('data-testid="area-averages"') :]
    assert "28.00" in averages and "70.0%" in averages and "21.00" in averages
    # 누리커리어 has every item flagged (B 6, D 2, S 10: spread 8 > 4)
    flags = text[text.index('data-testid="disagreement-flags"') :]
    assert "누리커리어" in flags and "A.1.1 차 8, 표준편차 3.27" in flags
    assert "한빛잡정보" not in flags.split("</ul>")[0]
    # the recompute button is the admin's
    assert "결과 다시 계산" not in text


@pytest.mark.parametrize(
    ("sort", "first"),
    [
        ("total", "누리커리어"),
        ("-total", "한빛잡정보"),
        ("-flags", "누리커리어"),
        ("rank", "한빛잡정보"),
        ("area:E", "누리커리어"),
        ("-area:E", "한빛잡정보"),
        ("institution", "누리커리어"),
        ("bogus", "한빛잡정보"),
    ],
)
def test_results_table_sorts_on_the_server(client_for, manager, scored, sort, first):
    slug = scored[0].cycle.slug
    text = _text(
        client_for(manager).get(reverse("evaluation:cycle_dashboard", args=[slug]), {"sort": sort})
    )
    body = text[text.index("<tbody", text.index('data-testid="results-table"')) :]
    names = re.findall(r"(한빛잡정보|누리커리어)</a></th>", body)
    assert names[0] == first
    if sort != "bogus":
        key = sort.lstrip("-")
        header = re.search(
            rf'aria-sort="(\w+)"><a class="sort-link" href="\?sort=-?{re.escape(key)}"', text
        )
        assert header and header.group(1) == ("descending" if sort.startswith("-") else "ascending")


def test_charts_are_inert_svg_with_korean_text(client_for, manager, scored):
    client = client_for(manager)
    slug = scored[0].cycle.slug
    for kind, words in [
        ("totals", ["총점 분포", "기준 이상", "기준 미달"]),
        ("areas", ["영역별 평균 득점률", "A 영역 A"]),
    ]:
        response = client.get(reverse("evaluation:cycle_chart", args=[slug, kind]))
        assert response["Content-Type"] == "image/svg+xml; charset=utf-8"
        svg = response.content.decode()
        assert svg.lstrip().startswith("<?xml") and "<svg" in svg
        assert "<script" not in svg and "javascript" not in svg.lower()
        assert "NanumGothic" in svg
        for word in words:
            assert word in svg
        csp = response["Content-Security-Policy"]
        assert "default-src 'none'" in csp and "script-src" not in csp


def test_dashboard_page_itself_keeps_the_strict_csp(client_for, manager, scored):
    response = client_for(manager).get(
        reverse("evaluation:cycle_dashboard", args=[scored[0].cycle.slug])
    )
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "<svg" not in response.content.decode()  # the charts are images


# --- the result page ---------------------------------------------------------------------------


def test_result_page_shows_figures_sheets_and_items(client_for, manager, scored):
    application, _ = scored
    User.objects.filter(username="evaluator1").update(name="김평가")  # columns show names
    text = _text(
        client_for(manager).get(reverse("evaluation:application_result", args=[application.pk]))
    )
    assert 'data-testid="result-total">152.00 / 190<' in text
    assert "✔ 인증" in text
    items = text[text.index('data-testid="result-items"') :]
    # A.1.1: evaluator1 S 10, evaluator3 B 6, evaluator9 A 8 → 8.00; spread 4, sd 1.63
    row = items[items.index(">A.1.1<") : items.index("</tr>", items.index(">A.1.1<"))]
    assert re.findall(r'text-end">([^<]+)</td>', row) == ["10", "10", "6", "8", "8.00", "4 / 1.63"]
    # Issue 14, item 17: item columns are headed by names, not log-in IDs; the count of
    # sheets says that the rule left some scores out.
    assert '<th scope="col" class="text-end" translate="no">김평가</th>' in items
    assert ">evaluator1</th>" not in items
    assert "집계 대상 평가표" in text
    assert 'data-testid="dropped-note"' not in text  # this rule leaves no sheet out
    # Issue 14, item 17: the way on to the audit trail and to the 결과보고서.
    links = text[text.index('data-testid="result-links"') :]
    assert reverse("evaluation:sheet_audit", args=[application.pk]) in links
    assert f'action="{reverse("reports:request_result", args=[application.pk])}"' in links
    assert "결정 기록" not in text  # managers read


def test_result_page_says_when_the_rule_leaves_scores_out(client_for, manager, scored):
    application, _ = scored
    Cycle.objects.filter(pk=application.cycle_id).update(aggregation_rule="trimmed_mean")
    text = _text(
        client_for(manager).get(reverse("evaluation:application_result", args=[application.pk]))
    )
    assert 'data-testid="dropped-note"' in text
    assert "평가표의 점수가 일부 항목에서 빠졌습니다" in text


def test_result_page_without_any_confirmed_sheet(client_for, admin_user, application):
    text = _text(
        client_for(admin_user).get(reverse("evaluation:application_result", args=[application.pk]))
    )
    assert "아직 확정된 평가표가 없어 계산된 결과가 없습니다." in text
    assert "결정 기록" not in text


# --- 인증위원회 decision through the page ----------------------------------------------------


def test_admin_records_the_committee_decision(client_for, admin_user, scored):
    application, _ = scored
    client = client_for(admin_user)
    url = reverse("evaluation:committee_decide", args=[application.pk])
    refused = client.post(url, {"decision": "fail", "reason": ""})
    assert refused.status_code == 400
    assert (
        "인증위원회 결정(미인증)이 계산된 판정(인증)과 다르므로 사유를 입력해야 합니다."
        in _text(refused)
    )
    assert Result.objects.get(application=application).committee_decision == ""
    done = client.post(url, {"decision": "fail", "reason": "허위 자료 제출 확인"})
    assert done.status_code == 302
    result = Result.objects.get(application=application)
    assert (result.committee_decision, result.committee_reason, result.committee_by) == (
        "fail",
        "허위 자료 제출 확인",
        admin_user,
    )
    page = _text(client.get(reverse("evaluation:application_result", args=[application.pk])))
    assert (
        "사유: 허위 자료 제출 확인" in page and "김" not in page.split("committee-decision")[0][-5:]
    )


def test_admin_confirms_a_substitution_through_the_page(client_for, admin_user, scored):
    application, _ = scored
    cert = Certificate.objects.create(
        institution=application.institution,
        kind="ISMS-P",
        number="ISMS-P-7",
        issuer="KISA",
        valid_from=date(2025, 6, 1),
        valid_until=date(2028, 5, 31),
    )
    expired = Certificate.objects.create(
        institution=application.institution,
        kind="ISMS",
        number="ISMS-OLD",
        issuer="KISA",
        valid_from=date(2020, 1, 1),
        valid_until=date(2023, 1, 1),
    )
    area = application.cycle.rubric_version.areas.get(code="D")
    client = client_for(admin_user)
    url = reverse("evaluation:substitution_confirm", args=[application.pk])
    refused = client.post(url, {"area": area.pk, "certificate": expired.pk})
    assert refused.status_code == 400
    assert "유효기간(2020-01-01~2023-01-01)이 기준일(2026-01-01)을 포함하지 않습니다" in _text(
        refused
    )
    assert not AreaSubstitution.objects.exists()
    assert client.post(url, {"area": area.pk, "certificate": cert.pk}).status_code == 302
    result = Result.objects.get(application=application)
    assert result.areas["D"] == "40.00" and result.total == Decimal("160")  # 152 − 32 + 40
    page = _text(client.get(reverse("evaluation:application_result", args=[application.pk])))
    assert "D 영역 D ← ISMS-P ISMS-P-7" in page


def test_admin_recomputes_the_cycle_from_the_dashboard(client_for, admin_user, scored):
    Result.objects.all().delete()
    client = client_for(admin_user)
    response = client.post(
        reverse("evaluation:cycle_recompute", args=[scored[0].cycle.slug]), follow=True
    )
    assert "결과를 다시 계산했습니다: 새 결과 2건, 변경 0건, 순위만 변경 0건." in _text(response)
    assert Result.objects.count() == 2


# --- query counts ----------------------------------------------------------------------------


def _applications(n, cycle, make_institution, make_user, panel):
    apps = []
    for i in range(n):
        inst = make_institution(f"기관{i:03d}")
        user = make_user(f"m{i:03d}", Role.INSTITUTION)
        membership_add(user=user, institution=inst)
        app = services.application_create(cycle=cycle, institution=inst, by=user)
        score_application(app, dict(zip(panel, ["SAB", "ABC", "BDS"][i % 3], strict=True)))
        apps.append(app)
    svc.cycle_results_recompute(cycle=cycle)
    return apps


def _count(client, url, params=None) -> int:
    client.get(url, params or {})
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("n", [5, 50])
def test_dashboard_query_count_does_not_grow(
    n, client_for, manager, cycle, make_institution, make_user, panel
):
    _applications(n, cycle, make_institution, make_user, panel)
    client = client_for(manager)
    dashboard = reverse("evaluation:cycle_dashboard", args=[cycle.slug])
    counts = {
        "dashboard": _count(client, dashboard),
        "sorted by an area": _count(client, dashboard, {"sort": "-area:B"}),
        "totals chart": _count(
            client, reverse("evaluation:cycle_chart", args=[cycle.slug, "totals"])
        ),
        "areas chart": _count(
            client, reverse("evaluation:cycle_chart", args=[cycle.slug, "areas"])
        ),
    }
    # session + user + roles, cycle, areas, table, substitutions, progress (2), the bell's
    # unread count (pages only, not the charts)
    assert counts == {
        "dashboard": 10,
        "sorted by an area": 10,
        "totals chart": 7,
        "areas chart": 7,
    }


@pytest.mark.parametrize("n_evaluators", [3, 9])
def test_result_page_query_count_does_not_grow(
    n_evaluators, client_for, admin_user, application, make_user
):
    evaluators = [make_user(f"ev{i}", Role.EVALUATOR) for i in range(n_evaluators)]
    score_application(application, {e: "SABCD"[i % 5] for i, e in enumerate(evaluators)})
    svc.application_result_recompute(application=application)
    Certificate.objects.create(  # so the substitution form (and its choices) renders too
        institution=application.institution,
        kind="ISMS",
        number="ISMS-1",
        issuer="KISA",
        valid_from=date(2025, 1, 1),
        valid_until=date(2027, 1, 1),
    )
    url = reverse("evaluation:application_result", args=[application.pk])
    assert _count(client_for(admin_user), url) == 18  # 17 + the bell's unread count


def test_an_empty_cycle_has_a_dashboard_and_charts(client_for, admin_user, cycle):
    client = client_for(admin_user)
    text = _text(client.get(reverse("evaluation:cycle_dashboard", args=[cycle.slug])))
    assert "신청한 기관이 없습니다." in text and "아직 배정된 평가위원이 없습니다." in text
    assert "편차 경고가 없습니다." in text
    for kind in ("totals", "areas"):
        svg = client.get(reverse("evaluation:cycle_chart", args=[cycle.slug, kind]))
        assert svg.status_code == 200 and b"<svg" in svg.content
