"""The process pages (ADR 011): the advance page with its checklist and confirmation, the
institution's own result, the objection pages, and the withdrawal decision."""

from __future__ import annotations

from datetime import timedelta
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from evaluation.models import (
    ApplicationStatus,
    Objection,
    ObjectionStatus,
    Stage,
    WithdrawalRequest,
)
from evaluation.services import assignment as assignment_services
from evaluation.services import objections
from evaluation.services.cycles import cycle_advance_stage

from ..process import EARLY
from .test_process import _decide_all, _to_appeal, evaluated, panel  # noqa: F401 -- fixtures


def _advance_url(cycle):
    return reverse("evaluation:cycle_advance", args=[cycle.slug])


def test_advance_page_lists_blockers_and_consequence(cycle, client_for, admin_user):
    response = client_for(admin_user).get(_advance_url(cycle))
    assert response.status_code == 200
    body = unescape(response.content.decode())
    assert "조기 마감 사유를 입력하십시오" in body  # the one blocker of 신청
    assert "작성 중인 신청은 '미제출'이 되어" in body  # what cannot be undone
    assert 'name="confirm"' in body


def test_cycle_page_shows_the_checklist_and_links_to_the_advance_page(
    cycle, client_for, admin_user, manager
):
    body = client_for(admin_user).get(reverse("evaluation:cycle_detail", args=[cycle.slug]))
    text = body.content.decode()
    assert 'data-testid="gate-blockers"' in text
    assert _advance_url(cycle) in text
    # a manager sees the checklist, not the action
    text = client_for(manager).get(reverse("evaluation:cycle_detail", args=[cycle.slug]))
    assert _advance_url(cycle) not in text.content.decode()


def test_advance_without_confirmation_changes_nothing(cycle, client_for, admin_user):
    response = client_for(admin_user).post(
        _advance_url(cycle), {"expected_stage": cycle.stage, "reason": EARLY}
    )
    assert response.status_code == 400
    assert "단계 진행을 확인하는 칸에 표시하십시오" in response.content.decode()
    cycle.refresh_from_db()
    assert cycle.stage == Stage.APPLICATION


def test_advance_refused_by_the_gate_names_the_blocker(cycle, client_for, admin_user):
    response = client_for(admin_user).post(
        _advance_url(cycle), {"expected_stage": cycle.stage, "confirm": "on"}
    )
    assert response.status_code == 400
    assert "조기 마감 사유" in response.content.decode()
    cycle.refresh_from_db()
    assert cycle.stage == Stage.APPLICATION


def test_advance_with_confirmation(cycle, application, client_for, admin_user):
    response = client_for(admin_user).post(
        _advance_url(cycle), {"expected_stage": cycle.stage, "confirm": "on", "reason": EARLY}
    )
    assert response.status_code == 302
    cycle.refresh_from_db()
    application.refresh_from_db()
    assert cycle.stage == Stage.DOCUMENT_REVIEW
    assert application.status == ApplicationStatus.NOT_SUBMITTED


def test_institution_sees_its_result_only_from_notification(
    evaluated,  # noqa: F811
    client_for,
    member,
    other_member,
    admin_user,
):
    cycle, application, _ = evaluated
    url = reverse("evaluation:application_result", args=[application.pk])
    assert client_for(member).get(url).status_code == 404
    cycle = cycle_advance_stage(cycle=cycle, by=admin_user, expected_stage=Stage.SITE_VISIT)
    _decide_all(cycle, admin_user)
    assert client_for(member).get(url).status_code == 404  # 인증위원회: not yet
    cycle_advance_stage(cycle=cycle, by=admin_user, expected_stage=Stage.COMMITTEE)
    response = client_for(member).get(url)
    assert response.status_code == 200
    body = response.content.decode()
    total = application.result.total
    assert f"{total:.2f}" in body or str(total.normalize()) in body
    assert "이의신청하기" in body
    for evaluator in application.assignments.values_list("evaluator__username", flat=True):
        assert evaluator not in body  # evaluators are never named
    assert client_for(other_member).get(url).status_code == 404


def test_comments_are_published_as_numbered_evaluators(
    evaluated,  # noqa: F811
    client_for,
    member,
    admin_user,
):
    cycle, application, _ = evaluated
    cycle.publish_comments = True
    cycle.save(update_fields=["publish_comments"])
    cycle = cycle_advance_stage(cycle=cycle, by=admin_user, expected_stage=Stage.SITE_VISIT)
    _decide_all(cycle, admin_user)
    cycle_advance_stage(cycle=cycle, by=admin_user, expected_stage=Stage.COMMITTEE)
    body = (
        client_for(member)
        .get(reverse("evaluation:application_result", args=[application.pk]))
        .content.decode()
    )
    assert "평가위원 1" in body and "평가위원 3" in body
    assert "근거가 충분함" in body


def test_objection_flow_through_the_pages(
    evaluated,  # noqa: F811
    client_for,
    member,
    admin_user,
):
    cycle, application, _ = evaluated
    cycle = _to_appeal(cycle, admin_user)
    item = cycle.rubric_version.items.order_by("pk").first()
    url = reverse("evaluation:objection_file", args=[application.pk])
    page = client_for(member).get(url)
    assert page.status_code == 200
    empty = client_for(member).post(url, {})
    assert empty.status_code == 400
    assert "하나 이상 고르고 사유를 입력" in unescape(empty.content.decode()), (
        empty.content.decode()[-3000:]
    )
    assert not Objection.objects.exists()
    sent = client_for(member).post(url, {f"reason_{item.pk}": "실적 누락"})
    objection = Objection.objects.get()
    assert sent.status_code == 302
    assert sent["Location"] == reverse("evaluation:objection_detail", args=[objection.pk])
    # the member cannot decide; the admin dismisses with a reason
    decide = reverse("evaluation:objection_decide", args=[objection.pk])
    assert (
        client_for(member)
        .post(decide, {"action": "dismiss", "reason": "x", "confirm": "on"})
        .status_code
        == 404
    )
    response = client_for(admin_user).post(
        decide, {"action": "dismiss", "reason": "근거 충분", "confirm": "on"}
    )
    assert response.status_code == 302
    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.DISMISSED
    detail = client_for(member).get(reverse("evaluation:objection_detail", args=[objection.pk]))
    assert "근거 충분" in detail.content.decode()


def test_objection_rereview_needs_items(
    evaluated,  # noqa: F811
    client_for,
    member,
    admin_user,
):
    cycle, application, _ = evaluated
    cycle = _to_appeal(cycle, admin_user)
    item = cycle.rubric_version.items.order_by("pk").first()
    objection = objections.objection_file(
        application=application, by=member, reasons={item.pk: "누락"}
    )
    response = client_for(admin_user).post(
        reverse("evaluation:objection_decide", args=[objection.pk]),
        {"action": "rereview", "reason": "재확인", "confirm": "on"},
    )
    assert response.status_code == 400
    assert "재심할 항목을 하나 이상 고르십시오" in response.content.decode()
    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.PENDING


def test_withdrawal_decision_page(evaluated, client_for, admin_user):  # noqa: F811
    cycle, application, assignments = evaluated
    first = assignments[0]
    assignment_services.conflict_declare(
        assignment=first, conflict=True, reason="관계", by=first.evaluator
    )
    request = WithdrawalRequest.objects.get()
    url = reverse("evaluation:withdrawal_decide", args=[request.pk])
    assert client_for(first.evaluator).get(url).status_code == 404
    assert client_for(admin_user).post(url, {"accept": "1"}).status_code == 400
    response = client_for(admin_user).post(
        url, {"accept": "0", "reason": "관계 없음", "confirm": "on"}
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.decision == "rejected"


@pytest.mark.parametrize("n", [1, 4])
def test_objection_list_query_count_is_constant(
    n, cycle, make_institution, make_user, admin_user, client_for, django_assert_max_num_queries
):
    from evaluation.models import Application, ObjectionItem
    from institutions.roles import Role

    items = list(cycle.rubric_version.items.order_by("pk")[:2])
    for i in range(n):
        institution = make_institution(f"이의기관{i}")
        user = make_user(f"objector{i}", Role.INSTITUTION)
        app = Application.objects.create(
            cycle=cycle,
            institution=institution,
            created_by=user,
            status=ApplicationStatus.SUBMITTED,
            submitted_at=timezone.now() - timedelta(days=1),
        )
        objection = Objection.objects.create(application=app, filed_by=user)
        for item in items:
            ObjectionItem.objects.create(objection=objection, item=item, reason="사유")
    client = client_for(admin_user)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("evaluation:objection_list", args=[cycle.slug]))
    assert response.status_code == 200
    assert response.content.decode().count("이의기관") == n


def test_portal_links_the_result_once_notified(
    evaluated,  # noqa: F811
    client_for,
    member,
    admin_user,
):
    cycle, application, _ = evaluated
    portal = reverse("evaluation:portal")
    link = reverse("evaluation:application_result", args=[application.pk])
    assert link not in client_for(member).get(portal).content.decode()
    cycle = cycle_advance_stage(cycle=cycle, by=admin_user, expected_stage=Stage.SITE_VISIT)
    _decide_all(cycle, admin_user)
    cycle_advance_stage(cycle=cycle, by=admin_user, expected_stage=Stage.COMMITTEE)
    assert link in client_for(member).get(portal).content.decode()


def test_objection_decision_asks_for_confirmation(
    evaluated,  # noqa: F811
    client_for,
    member,
    admin_user,
):
    cycle, application, _ = evaluated
    cycle = _to_appeal(cycle, admin_user)
    item = cycle.rubric_version.items.order_by("pk").first()
    objection = objections.objection_file(
        application=application, by=member, reasons={item.pk: "누락"}
    )
    response = client_for(admin_user).post(
        reverse("evaluation:objection_decide", args=[objection.pk]),
        {"action": "dismiss", "reason": "근거 충분"},
    )
    assert response.status_code == 400
    assert "결정을 확인하는 칸에 표시하십시오" in response.content.decode()
    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.PENDING


def test_the_sheet_is_read_only_outside_the_scoring_window(
    evaluated,  # noqa: F811
    client_for,
    admin_user,
):
    from evaluation.services.sheet import sheet_unlock

    cycle, application, assignments = evaluated
    cycle = cycle_advance_stage(cycle=cycle, by=admin_user, expected_stage=Stage.SITE_VISIT)
    first = assignments[0]
    sheet_unlock(assignment=first, by=admin_user, reason="재확인")
    body = client_for(first.evaluator).get(reverse("evaluation:sheet", args=[first.pk]))
    text = unescape(body.content.decode())
    assert 'data-testid="scoring-closed"' in text
    assert "'인증위원회' 단계입니다" in text
    assert "hx-post=" not in text  # no field saves
    assert 'data-testid="confirm-link"' not in text


def test_dashboard_and_result_page_flag_a_stale_decision(
    evaluated,  # noqa: F811
    client_for,
    admin_user,
):
    from evaluation.services.sheet import sheet_unlock

    cycle, application, assignments = evaluated
    cycle = cycle_advance_stage(cycle=cycle, by=admin_user, expected_stage=Stage.SITE_VISIT)
    _decide_all(cycle, admin_user)
    client = client_for(admin_user)
    dashboard = reverse("evaluation:cycle_dashboard", args=[cycle.slug])
    result = reverse("evaluation:application_result", args=[application.pk])
    assert "재심의 필요" not in client.get(dashboard).content.decode()
    sheet_unlock(assignment=assignments[0], by=admin_user, reason="재확인")
    assert "재심의 필요" in client.get(dashboard).content.decode()
    assert 'data-testid="stale-decision"' in client.get(result).content.decode()
