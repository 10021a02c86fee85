"""Conflicts of interest per persona: 회피 declarations, 기피 requests and decisions, 제척,
the conflict register, and the 404 a conflicted evaluator gets on the application and its
evidence."""

import pytest
from django.urls import reverse

from evaluation.models import Challenge, ChallengeDecision, Declaration, Exclusion
from evaluation.services import assignment as services

from ..personas import ALL_PERSONAS, expect

pytest_plugins = ["tests.evaluation.assignment_world"]

pytestmark = pytest.mark.django_db


@pytest.fixture
def pdf(assignment_world, application_pdf):
    return application_pdf


# --- the application and its evidence ------------------------------------------------------

READERS = {"admin_user", "manager", "member", "evaluator"}


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_application_page(persona, as_persona, assignment_world):
    user, client = as_persona
    response = client.get(reverse("evaluation:checklist", args=[assignment_world.application.pk]))
    expect(response, persona, READERS)


@pytest.mark.parametrize("persona", ALL_PERSONAS)
@pytest.mark.parametrize("view", ["file_preview", "file_inline", "file_download"])
def test_evidence(persona, as_persona, pdf, view):
    user, client = as_persona
    response = client.get(reverse(f"evaluation:{view}", args=[pdf.pk]))
    expect(response, persona, READERS)


def test_evaluator_loses_access_when_excluded(
    assignment_world, pdf, client_for, evaluator, admin_user
):
    client = client_for(evaluator)
    url = reverse("evaluation:file_download", args=[pdf.pk])
    assert client.get(url).status_code == 200
    services.assignment_disqualify(assignment=assignment_world, reason="제척", by=admin_user)
    assert client.get(url).status_code == 404
    assert (
        client.get(
            reverse("evaluation:checklist", args=[assignment_world.application.pk])
        ).status_code
        == 404
    )


def test_uncleared_evaluator_is_sent_to_the_pledge_then_the_declaration(
    application, assignment, evaluator, client_for
):
    client = client_for(evaluator)
    page = reverse("evaluation:checklist", args=[application.pk])
    response = client.get(page)
    pledge = reverse("evaluation:pledge", args=[application.cycle.slug])
    assert response.status_code == 302 and response["Location"].startswith(pledge)
    services.pledge_sign(cycle=application.cycle, evaluator=evaluator, ip=None)
    response = client.get(page)
    assert response["Location"].startswith(reverse("evaluation:declare", args=[assignment.pk]))


# --- 회피: the evaluator's declaration ------------------------------------------------------


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_declare_page(persona, as_persona, assignment_world):
    user, client = as_persona
    response = client.get(reverse("evaluation:declare", args=[assignment_world.pk]))
    expect(response, persona, {"evaluator"})
    if persona == "evaluator":
        assert assignment_world.application.institution.name in response.content.decode()


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_declare_post(persona, as_persona, assignment_world):
    user, client = as_persona
    response = client.post(
        reverse("evaluation:declare", args=[assignment_world.pk]),
        {"declaration": "conflict", "reason": "자문 계약"},
    )
    assignment_world.refresh_from_db()
    if persona == "evaluator":
        assert response.status_code == 302
        assert (
            assignment_world.exclusion == Exclusion.RECUSAL
            and assignment_world.declaration_reason == "자문 계약"
        )
    else:
        expect(response, persona, set())
        assert assignment_world.is_active


def test_declare_requires_pledge_first(assignment, evaluator, client_for):
    response = client_for(evaluator).get(reverse("evaluation:declare", args=[assignment.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(
        reverse("evaluation:pledge", args=[assignment.application.cycle.slug])
    )


def test_declare_conflict_without_reason_changes_nothing(assignment, evaluator, client_for):
    services.pledge_sign(cycle=assignment.application.cycle, evaluator=evaluator, ip=None)
    response = client_for(evaluator).post(
        reverse("evaluation:declare", args=[assignment.pk]), {"declaration": "conflict"}
    )
    assert response.status_code == 400
    assert "이해충돌(회피) 사유를 입력하십시오." in response.content.decode()
    assignment.refresh_from_db()
    assert assignment.declaration == Declaration.PENDING and assignment.is_active


def test_declare_none_goes_on_to_next(assignment, evaluator, client_for):
    services.pledge_sign(cycle=assignment.application.cycle, evaluator=evaluator, ip=None)
    page = reverse("evaluation:checklist", args=[assignment.application.pk])
    response = client_for(evaluator).post(
        reverse("evaluation:declare", args=[assignment.pk]) + f"?next={page}",
        {"declaration": "none", "next": page},
    )
    assert response.status_code == 302 and response["Location"] == page
    assignment.refresh_from_db()
    assert assignment.declaration == Declaration.NONE


def test_declare_ignores_offsite_next(assignment, evaluator, client_for):
    services.pledge_sign(cycle=assignment.application.cycle, evaluator=evaluator, ip=None)
    response = client_for(evaluator).post(
        reverse("evaluation:declare", args=[assignment.pk]),
        {"declaration": "none", "next": "https://evil.example/"},
    )
    assert "evil.example" not in response["Location"]


# --- 기피: the institution asks, the admin decides ------------------------------------------


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_challenge_request_page(persona, as_persona, assignment_world):
    user, client = as_persona
    response = client.get(
        reverse("evaluation:challenge_request", args=[assignment_world.application.pk])
    )
    expect(response, persona, {"member"})
    if persona == "member":
        body = response.content.decode()
        assert "evaluator1" in body
        # only active assignments can be challenged
        assert [a.pk for a in response.context["form"].fields["assignment"].queryset] == [
            assignment_world.pk
        ]


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_challenge_request_post(persona, as_persona, assignment_world):
    user, client = as_persona
    response = client.post(
        reverse("evaluation:challenge_request", args=[assignment_world.application.pk]),
        {"assignment": assignment_world.pk, "reason": "우리 기관과 분쟁 중인 회사의 임원"},
    )
    created = Challenge.objects.filter(assignment=assignment_world).first()
    if persona == "member":
        assert response.status_code == 302
        assert created.requested_by == user and created.decision == ChallengeDecision.PENDING
    else:
        expect(response, persona, set())
        assert created is None


def test_challenge_request_refusals(assignment_world, member, client_for):
    client = client_for(member)
    url = reverse("evaluation:challenge_request", args=[assignment_world.application.pk])
    assert client.post(url, {"assignment": assignment_world.pk, "reason": "  "}).status_code == 400
    assert not Challenge.objects.exists()
    assert (
        client.post(url, {"assignment": assignment_world.pk, "reason": "사유"}).status_code == 302
    )
    response = client.post(url, {"assignment": assignment_world.pk, "reason": "또"})
    assert response.status_code == 400
    assert "검토 중인 기피 신청이 이미 있습니다" in response.content.decode()
    assert Challenge.objects.count() == 1


@pytest.fixture
def challenge(assignment_world, member):
    return services.challenge_request(assignment=assignment_world, reason="분쟁 관계", by=member)


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_challenge_decide_post(persona, as_persona, challenge, assignment_world):
    user, client = as_persona
    response = client.post(
        reverse("evaluation:challenge_decide", args=[challenge.pk]),
        {"decision": "upheld", "reason": "이해관계 확인"},
    )
    challenge.refresh_from_db()
    assignment_world.refresh_from_db()
    if persona == "admin_user":
        assert response.status_code == 302
        assert challenge.decision == ChallengeDecision.UPHELD
        assert challenge.decided_by == user and challenge.decision_reason == "이해관계 확인"
        assert assignment_world.exclusion == Exclusion.CHALLENGE
    else:
        expect(response, persona, set())
        assert challenge.decision == ChallengeDecision.PENDING and assignment_world.is_active


def test_challenge_rejected_keeps_the_evaluator(
    challenge, assignment_world, admin_user, client_for
):
    client = client_for(admin_user)
    response = client.post(
        reverse("evaluation:challenge_decide", args=[challenge.pk]),
        {"decision": "rejected", "reason": "근거 없음"},
        follow=True,
    )
    assert "기피 신청을 기각했습니다" in response.content.decode()
    challenge.refresh_from_db()
    assignment_world.refresh_from_db()
    assert challenge.decision == ChallengeDecision.REJECTED and assignment_world.is_active


def test_challenge_decision_needs_reason_and_is_final(
    challenge, assignment_world, admin_user, client_for
):
    client = client_for(admin_user)
    url = reverse("evaluation:challenge_decide", args=[challenge.pk])
    response = client.post(url, {"decision": "upheld", "reason": ""}, follow=True)
    assert "기피 신청 결정과 결정 사유를 모두 입력하십시오" in response.content.decode()
    challenge.refresh_from_db()
    assert challenge.decision == ChallengeDecision.PENDING
    client.post(url, {"decision": "rejected", "reason": "근거 없음"})
    response = client.post(url, {"decision": "upheld", "reason": "번복"}, follow=True)
    assert "이미 &#x27;기각&#x27; 결정이 내려진 기피 신청입니다" in response.content.decode()
    assignment_world.refresh_from_db()
    assert assignment_world.is_active


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_conflict_register(persona, as_persona, challenge, assignment_world):
    user, client = as_persona
    response = client.get(
        reverse("evaluation:conflicts", args=[assignment_world.application.cycle.slug])
    )
    expect(response, persona, {"admin_user", "manager"})
    if persona in ("admin_user", "manager"):
        body = response.content.decode()
        assert "분쟁 관계" in body  # the pending challenge
        assert "전 직장 동료" in body  # the recusal in the register
        assert (reverse("evaluation:challenge_decide", args=[challenge.pk]) in body) == (
            persona == "admin_user"
        )
        assert 'data-testid="reassign-prompt"' in body
