"""PDF reports and e-mails are Korean whatever language the person who caused them browses in
(docs/decisions/020-languages.md): a report rendered eagerly inside an English request, or its
inputs snapshot (choice labels, and so its hash), must not come out in English; nor an e-mail
sent from an English page."""

from __future__ import annotations

import pytest
from django.core import mail
from django.utils import translation

from notifications import services as notices
from notifications.models import Notification
from notifications.rendering import render_notification
from reports import documents, inputs
from tests.reports.conftest import scored, seed_rubric  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


def test_a_report_requested_in_english_is_korean(scored):  # noqa: F811
    rule_ko = str(scored.cycle.get_aggregation_rule_display())
    with translation.override("en"):
        # the precondition that makes this test able to fail: the label has an English form
        assert str(scored.cycle.get_aggregation_rule_display()) != rule_ko
        result_en = inputs.result_inputs(scored.app)
        sheet_en = inputs.sheet_inputs(scored.assignment)
        html_en = documents.render_html("result", result_en)
    assert result_en == inputs.result_inputs(scored.app)
    assert sheet_en == inputs.sheet_inputs(scored.assignment)
    assert result_en["cycle"]["rule"] == rule_ko
    assert html_en == documents.render_html("result", result_en)
    assert "결과보고서" in html_en


def test_an_email_sent_from_an_english_page_is_korean(member, django_capture_on_commit_callbacks):
    member.email = "member@example.com"
    member.save(update_fields=["email"])
    context = {"cycle": "2026 인증 평가", "institution": "한빛잡정보", "deadline": "2026-03-31"}
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        notices.notify(
            event="application_received", recipients=[member], url="/x/", context=context
        )
        in_app = render_notification(Notification.objects.get())
    assert in_app.subject.startswith("[Employment Service Excellence Certification System]")
    [sent] = mail.outbox
    assert (
        sent.subject == "[고용서비스 우수기관 인증평가시스템] 2026 인증 평가 신청 접수 (한빛잡정보)"
    )


def test_a_password_reset_asked_from_an_english_page_is_mailed_in_korean(
    client, member, django_capture_on_commit_callbacks
):
    from django.conf import settings
    from django.urls import reverse

    member.email = "member@example.com"
    member.save(update_fields=["email"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("password_reset")).content.decode()
    assert "Reset password" in page  # the page itself is English
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("password_reset"), {"email": member.email})
    [sent] = mail.outbox
    assert sent.subject == "[인증평가시스템] 비밀번호 재설정 안내"
