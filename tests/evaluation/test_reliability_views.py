"""평가 신뢰도: the dashboard's section (its own request), the severity chart, an evaluator's
own severity after 확정; every persona; figures from the service; query counts 5 vs 50."""

import html
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from evaluation import services
from evaluation.models import ApplicationStatus, Cycle, Stage
from evaluation.services import reliability as service
from institutions.roles import Role
from institutions.services import membership_add

from ..conftest import PERSONAS
from ..factories import score_application

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def panel(evaluator, other_evaluator, make_user):
    return [evaluator, other_evaluator, make_user("evaluator3", Role.EVALUATOR)]


@pytest.fixture
def scored(application, other_application, panel):
    score_application(application, dict(zip(panel, "SAB", strict=True)))
    score_application(other_application, dict(zip(panel, "BDS", strict=True)))
    return application, other_application


def _text(response) -> str:
    return html.unescape(response.content.decode())


def _final(cycle):
    Cycle.objects.filter(pk=cycle.pk).update(stage=Stage.FINAL)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", ["cycle_reliability", "reliability_chart", "my_severity"])
@pytest.mark.parametrize("final", [False, True])
def test_reliability_pages_per_persona(persona, persona_client, scored, name, final):
    cycle = scored[0].cycle
    if final:
        _final(cycle)
    _user, client = persona_client
    response = client.get(reverse(f"evaluation:{name}", args=[cycle.slug]))
    if persona == "anonymous":
        assert response.status_code == 302 and response.url.startswith("/accounts/login/")
        return
    if name == "my_severity":
        # evaluator and other_evaluator both rated in this cycle; only after 확정
        allowed = final and persona in ("evaluator", "other_evaluator")
    else:
        allowed = persona in ("admin_user", "manager")
    assert response.status_code == (200 if allowed else 404)


def test_section_shows_alpha_areas_items_and_severity(client_for, manager, scored, panel):
    cycle = scored[0].cycle
    found = service.cycle_reliability(cycle)
    client = client_for(manager)
    full = _text(client.get(reverse("evaluation:cycle_reliability", args=[cycle.slug])))
    part = client.get(
        reverse("evaluation:cycle_reliability", args=[cycle.slug]), headers={"HX-Request": "true"}
    )
    assert "<html" in full and "<html" not in part.content.decode()
    # 2 applications × 19 items, 3 values each; uniform grades per sheet
    assert (found.overall.units, found.overall.pairable) == (38, 114)
    assert found.overall.value is not None
    assert f">{found.overall.value}<" in full
    assert f"{found.overall.low} ~ {found.overall.high}" in full
    assert found.overall.reading in full
    assert "Krippendorff 2004" in full and "0.667–0.800 잠정적 결론만" in full
    for code, a in found.areas.items():
        assert f'data-alpha="{code}"' in full
        assert a.value is not None and str(a.value) in full
    by = {s.evaluator: s for s in found.evaluators}
    # evaluator1 gave S then B; the others A/B then D/S (S 1, A 0.8, B 0.6, D 0.2):
    # S vs mean(A, B) = 1 − 0.7 = +30 %, B vs mean(D, S) = 0.6 − 0.6 = 0 → +15 % per unit
    assert by["evaluator1"].percent == D("15.0000")
    assert (by["evaluator1"].highest, by["evaluator1"].lowest) == (19, 0)
    assert by["evaluator1"].units == 38
    assert 'data-evaluator="evaluator1"' in full and "경계 초과" in full


def test_dashboard_loads_the_section_on_its_own_request(client_for, manager, scored):
    cycle = scored[0].cycle
    text = _text(client_for(manager).get(reverse("evaluation:cycle_dashboard", args=[cycle.slug])))
    url = reverse("evaluation:cycle_reliability", args=[cycle.slug])
    assert "평가 신뢰도" in text and f'hx-get="{url}"' in text and f'href="{url}"' in text


def test_severity_chart_is_inert_svg(client_for, admin_user, scored):
    cycle = scored[0].cycle
    response = client_for(admin_user).get(
        reverse("evaluation:reliability_chart", args=[cycle.slug])
    )
    assert response["Content-Type"].startswith("image/svg+xml")
    body = response.content.decode()
    assert "<script" not in body and "평가위원별 엄격도" in body and "경계 초과" in body


def test_cannot_compute_with_a_single_evaluator(client_for, admin_user, application, evaluator):
    score_application(application, {evaluator: "S"})
    text = _text(
        client_for(admin_user).get(
            reverse("evaluation:cycle_reliability", args=[application.cycle.slug])
        )
    )
    assert "계산할 수 없음" in text and "평가위원이 한 명뿐이라 비교할 수 없습니다" in text


def test_excluded_draft_and_withdrawn_sheets_do_not_count(
    application, other_application, panel, make_user
):
    late = make_user("evaluator4", Role.EVALUATOR)
    gone = make_user("evaluator5", Role.EVALUATOR)
    score_application(application, {panel[0]: "S", panel[1]: "A", late: "D"}, confirmed={*panel})
    score_application(other_application, {panel[0]: "B", gone: "D"}, excluded=(gone,))
    ratings = service.cycle_ratings(application.cycle)
    assert {r.evaluator for r in ratings} == {"evaluator1", "evaluator9"}
    assert len(ratings) == 3 * 19  # penalty-free rubric: 19 items per counted sheet
    type(application).objects.filter(pk=application.pk).update(status=ApplicationStatus.WITHDRAWN)
    assert {r.application for r in service.cycle_ratings(application.cycle)} == {
        other_application.pk
    }


def test_evaluator_sees_only_their_own_severity_after_final(client_for, scored, panel):
    cycle = scored[0].cycle
    _final(cycle)
    text = _text(client_for(panel[0]).get(reverse("evaluation:my_severity", args=[cycle.slug])))
    assert "15.0000" in text  # own severity in %
    assert "evaluator9" not in text and "evaluator3" not in text
    assert "3명" in text


# --- query counts ----------------------------------------------------------------------------


def _applications(n, cycle, make_institution, make_user, panel, start=0):
    for i in range(start, start + n):
        inst = make_institution(f"기관{i:03d}")
        user = make_user(f"m{i:03d}", Role.INSTITUTION)
        membership_add(user=user, institution=inst)
        app = services.application_create(cycle=cycle, institution=inst, by=user)
        score_application(app, dict(zip(panel, ["SAB", "ABC", "BDS"][i % 3], strict=True)))


def _count(client, url, **kwargs) -> int:
    client.get(url, **kwargs)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, **kwargs)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _counts(cycle, client, evaluator_client) -> dict:
    section = reverse("evaluation:cycle_reliability", args=[cycle.slug])
    counts = {
        "section": _count(client, section, headers={"HX-Request": "true"}),
        "page": _count(client, section),
        "chart": _count(client, reverse("evaluation:reliability_chart", args=[cycle.slug])),
    }
    Cycle.objects.filter(pk=cycle.pk).update(stage=Stage.FINAL)
    counts["mine"] = _count(evaluator_client, reverse("evaluation:my_severity", args=[cycle.slug]))
    Cycle.objects.filter(pk=cycle.pk).update(stage=cycle.stage)  # back to taking applications
    return counts


def test_reliability_query_count_does_not_grow(
    client_for, manager, cycle, make_institution, make_user, panel
):
    """The same counts for 5 and for 50 applications (the page's layout may add its own)."""
    client, evaluator_client = client_for(manager), client_for(panel[0])
    _applications(5, cycle, make_institution, make_user, panel, start=0)
    small = _counts(cycle, client, evaluator_client)
    _applications(45, cycle, make_institution, make_user, panel, start=5)
    assert _counts(cycle, client, evaluator_client) == small
    # session + user + roles, cycle; rubric minimums and items, withdrawn, sheets, scores,
    # substitutions; names; area titles
    assert small["section"] == 12


def test_evaluator_home_links_their_severity_once_the_cycle_is_final(client_for, scored, panel):
    cycle = scored[0].cycle
    url = reverse("evaluation:my_severity", args=[cycle.slug])
    client = client_for(panel[0])
    assert url not in _text(client.get("/"))
    _final(cycle)
    assert f'href="{url}"' in _text(client.get("/"))


def test_an_empty_cycle_cannot_compute_and_says_why(client_for, admin_user, cycle):
    client = client_for(admin_user)
    text = _text(client.get(reverse("evaluation:cycle_reliability", args=[cycle.slug])))
    assert "계산할 수 없음" in text and "확정된 평가표가 없습니다" in text
    assert "항목별 α를 계산할 수 없습니다." in text
    svg = client.get(reverse("evaluation:reliability_chart", args=[cycle.slug]))
    assert svg.status_code == 200 and b"<svg" in svg.content
