"""Lifecycle sources registered by evaluation: certification expiry reminders (D-180/90/30)
and the digest's "needs a decision" sections."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from evaluation import notices
from evaluation.services.certification import certifications_issue_for_cycle
from notifications.models import Notification

from ..evaluation.certification_data import at_stage, with_result
from .conftest import with_address

pytestmark = pytest.mark.django_db


def test_certification_expiry_reminders_on_d180_d90_d30_once_each(
    application, other_application, member, other_member, admin_user
):
    with_address(member), with_address(other_member)
    with_result(application)
    [c] = certifications_issue_for_cycle(
        cycle=at_stage(application.cycle), by=admin_user, on=date(2026, 3, 2)
    )
    sent = []
    for days in (181, 180, 90, 30, 29):
        today = c.valid_until - timedelta(days=days)
        notices.certification_expiry_reminders(today)
        notices.certification_expiry_reminders(today)  # twice the same day: once
        sent.append(Notification.objects.filter(event="certification_expiring").count())
    assert sent == [0, 1, 2, 3, 3]
    rows = Notification.objects.filter(event="certification_expiring")
    assert {r.recipient for r in rows} == {member}
    assert sorted(r.context["days_left"] for r in rows) == [30, 90, 180]


def test_pending_objections_are_a_digest_section(application, member):
    from evaluation.models import Objection

    assert notices.objections_to_decide(date.today()) is None
    Objection.objects.create(application=application, filed_by=member)
    section = notices.objections_to_decide(date.today())
    assert section.title == "결정할 이의신청"
    assert section.lines[0].startswith(
        f"{application.institution.name} · {application.cycle.title}"
    )
