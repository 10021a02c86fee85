"""Admin cycle pages for every persona: admins manage, managers read, everyone else 404."""

import html
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from evaluation.models import Cycle, CycleStageAdvance, Stage

from ..personas import PERSONAS, expect
from .helpers import without_data_marks

pytestmark = pytest.mark.django_db

READ = {"admin_user": 200, "manager": 200}
MANAGE = {"admin_user": 200}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(
    ("name", "allowed"),
    [
        ("cycle_list", READ),
        ("cycle_detail", READ),
        ("cycle_applications", READ),
        ("cycle_create", MANAGE),
    ],
)
def test_cycle_pages_per_persona(persona, persona_client, cycle, application, name, allowed):
    _user, client = persona_client
    args = [] if name in ("cycle_list", "cycle_create") else [cycle.slug]
    response = client.get(reverse(f"evaluation:{name}", args=args))
    expect(response, persona, allowed)
    if persona == "anonymous":
        assert response.url.startswith("/accounts/login/")


def test_cycle_list_and_detail_show_the_cycle(client_for, manager, cycle, application):
    text = client_for(manager).get(reverse("evaluation:cycle_list")).content.decode()
    assert "2026 인증 평가" in text and "신청" in text
    detail = client_for(manager).get(reverse("evaluation:cycle_detail", args=[cycle.slug]))
    body = without_data_marks(detail.content.decode())
    assert "'서류심사' 단계로 진행" not in body  # managers read, they do not advance
    assert "admin1 진행" in body  # who advanced 공고 → 신청


def test_admin_creates_a_cycle(client_for, admin_user, rubric_version):
    deadline = (timezone.localtime() + timedelta(days=20)).strftime("%Y-%m-%dT%H:%M")
    response = client_for(admin_user).post(
        reverse("evaluation:cycle_create"),
        {
            "title": "2027 평가",
            "slug": "y2027",
            "rubric_version": rubric_version.pk,
            "reference_date": "2027-01-01",
            "evidence_deadline": deadline,
            "aggregation_rule": "median",
            "pass_threshold": "150",
            "area_minimums": "A=0.4\nC = 0.5",
            "evaluators_per_application": "5",
            "require_comment": "on",
            "disagreement_ratio": "0.3",
            "stage_application": "2027-02-01",
            "publish_comments": "on",
            "objection_days": "10",
        },
    )
    assert response.status_code == 302
    cycle = Cycle.objects.get(slug="y2027")
    assert (cycle.publish_comments, cycle.objection_days, cycle.certificate_years) == (
        True,
        10,
        3,  # left blank: the default
    )
    assert response.url == reverse("evaluation:cycle_detail", args=["y2027"])
    assert (cycle.aggregation_rule, cycle.evaluators_per_application, cycle.show_rank) == (
        "median",
        5,
        False,
    )
    assert sorted(cycle.area_minimums.values_list("area__code", flat=True)) == ["A", "C"]


def test_cycle_create_errors_are_korean_and_create_nothing(client_for, admin_user, rubric_version):
    response = client_for(admin_user).post(
        reverse("evaluation:cycle_create"),
        {
            "title": "잘못된 주기",
            "slug": "bad",
            "rubric_version": rubric_version.pk,
            "reference_date": "2027-01-01",
            "evidence_deadline": "2027-03-01T18:00",
            "aggregation_rule": "mean",
            "pass_threshold": "500",
            "area_minimums": "X=0.4\n엉망",
            "evaluators_per_application": "3",
            "disagreement_ratio": "0.4",
        },
    )
    assert response.status_code == 400
    text = html.unescape(response.content.decode())
    assert "2번째 줄 '엉망': '영역코드=비율' 형식이어야 합니다" in text
    assert not Cycle.objects.filter(slug="bad").exists()
    response = client_for(admin_user).post(
        reverse("evaluation:cycle_create"),
        {
            "title": "잘못된 주기",
            "slug": "bad",
            "rubric_version": rubric_version.pk,
            "reference_date": "2027-01-01",
            "evidence_deadline": "2027-03-01T18:00",
            "aggregation_rule": "mean",
            "pass_threshold": "500",
            "area_minimums": "X=0.4",
            "evaluators_per_application": "3",
            "disagreement_ratio": "0.4",
        },
    )
    assert response.status_code == 400
    text = html.unescape(response.content.decode())
    assert "인증 기준 점수(500)는 0 이상 총점 190.000 이하여야 합니다." in text
    assert "'X' 영역은 평가지표 test-rubric v1에 없습니다." in text
    assert not Cycle.objects.filter(slug="bad").exists()


@pytest.mark.parametrize("persona", PERSONAS)
def test_advance_per_persona(persona, persona_client, cycle):
    _user, client = persona_client
    response = client.post(
        reverse("evaluation:cycle_advance", args=[cycle.slug]),
        {"expected_stage": Stage.APPLICATION, "confirm": "on", "reason": "조기 마감"},
    )
    cycle.refresh_from_db()
    if persona == "admin_user":
        assert response.status_code == 302
        assert cycle.stage == Stage.DOCUMENT_REVIEW
        assert CycleStageAdvance.objects.filter(to_stage=Stage.DOCUMENT_REVIEW).exists()
    else:
        assert response.status_code == (302 if persona == "anonymous" else 404)
        assert cycle.stage == Stage.APPLICATION


def test_double_advance_click_shows_a_korean_message(client_for, admin_user, cycle):
    client = client_for(admin_user)
    url = reverse("evaluation:cycle_advance", args=[cycle.slug])
    data = {"expected_stage": Stage.APPLICATION, "confirm": "on", "reason": "조기 마감"}
    client.post(url, data)
    response = client.post(url, data, follow=True)
    assert "이미 &#x27;서류심사&#x27; 단계입니다" in response.content.decode()
    assert Cycle.objects.get().stage == Stage.DOCUMENT_REVIEW


def test_admin_application_list_shows_progress(client_for, admin_user, cycle, application, member):
    from evaluation import services

    from . import files as F

    item = cycle.rubric_version.items.get(code="B.1.1")
    services.evidence_files_add(
        application=application,
        item=item,
        uploads=[(F.upload("a.pdf", F.pdf_bytes()), "a.pdf")],
        by=member,
    )
    text = (
        client_for(admin_user)
        .get(reverse("evaluation:cycle_applications", args=[cycle.slug]))
        .content.decode()
    )
    assert "한빛잡정보" in text
    assert "1 / 19 항목" in text
