"""Each wired event: who receives it and who does not, with its link (real SMTP server)."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.template import Context, Template
from django.urls import reverse

from evaluation import notices
from evaluation import services as ev
from evaluation.services.assignment import assignment_create
from institutions.roles import Role
from notifications import events
from notifications.models import Notification, Status
from notifications.rendering import render

from ..evaluation import files as F

pytestmark = pytest.mark.django_db


def _to(server) -> list[str]:
    return server.recipients()


def test_assignment_notice_goes_to_the_evaluator_only_with_a_link_to_the_assignment(
    smtp_server, addressed, application, evaluator, admin_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assignment = assignment_create(application=application, evaluator=evaluator, by=admin_user)
    assert _to(smtp_server) == ["evaluator1@example.com"]
    [msg] = smtp_server.messages
    link = "http://127.0.0.1:8000" + reverse("evaluation:open_assignment", args=[assignment.pk])
    assert "평가위원 배정 안내" in msg["Subject"]
    assert link in smtp_server.text(msg) and application.institution.name in smtp_server.text(msg)


def test_application_received_goes_to_the_institutions_members_only(
    smtp_server,
    addressed,
    cycle,
    institution,
    member,
    make_user,
    django_capture_on_commit_callbacks,
):
    from institutions.services import membership_add

    colleague = make_user("member2", Role.INSTITUTION, email="member2@example.com")
    membership_add(user=colleague, institution=institution)
    with django_capture_on_commit_callbacks(execute=True):
        application = ev.application_create(cycle=cycle, institution=institution, by=member)
    assert _to(smtp_server) == ["member1@example.com", "member2@example.com"]
    msg = smtp_server.messages[0]
    assert "신청 접수" in msg["Subject"]
    assert reverse("evaluation:checklist", args=[application.pk]) in smtp_server.text(msg)


def test_submission_confirmed_lists_what_was_submitted(
    smtp_server, addressed, application, member, django_capture_on_commit_callbacks
):
    item = application.cycle.rubric_version.items.get(code="A.1.1")
    ev.evidence_files_add(
        application=application,
        item=item,
        uploads=[(F.upload("운영계획서.pdf", F.pdf_bytes("x")), "운영계획서.pdf")],
        by=member,
    )
    with django_capture_on_commit_callbacks(execute=True):
        ev.application_submit(application=application, by=member)
    msgs = [m for m in smtp_server.messages if "증빙 제출 완료" in m["Subject"]]
    assert [m["To"] for m in msgs] == ["member1@example.com"]
    body = smtp_server.text(msgs[0])
    assert f"A.1.1 {item.title}: 운영계획서.pdf" in body


def test_cycle_announcement_is_a_held_mass_notice_to_members_of_eligible_institutions(
    addressed, cycle, member, other_member, other_institution, evaluator
):
    # cycle_create already announced the cycle (to the members who existed then); the notice
    # is one per recipient and cycle, so start from none to see who is eligible now
    Notification.objects.filter(event="cycle_announced").delete()
    other_institution.sanctioned = True  # 제재 이력: not eligible
    other_institution.save()
    assert notices.cycle_announced(cycle) == 1
    row = Notification.objects.get(event="cycle_announced")
    assert (row.recipient, row.status) == (member, Status.HELD) and row.batch


def test_evaluation_started_goes_to_applicants_in_review_only(
    smtp_server,
    addressed,
    application,
    other_application,
    member,
    django_capture_on_commit_callbacks,
):
    from django.utils import timezone

    from evaluation.models import Application, ApplicationStatus

    Application.objects.filter(pk=application.pk).update(
        status=ApplicationStatus.SUBMITTED, submitted_at=timezone.now()
    )  # other_application stays a draft
    with django_capture_on_commit_callbacks(execute=True):
        assert notices.evaluation_started(application.cycle) == 1
    msgs = [m for m in smtp_server.messages if "서류심사 시작" in m["Subject"]]
    assert [m["To"] for m in msgs] == ["member1@example.com"]


def test_evidence_deadline_reminder_d7_once_per_day_to_drafts_with_missing_items(
    smtp_server, addressed, application, other_application, django_capture_on_commit_callbacks
):
    from django.utils import timezone

    from notifications import schedule

    today = timezone.localdate()
    days = (timezone.localtime(application.cycle.evidence_deadline).date() - today).days
    assert days == 7  # the cycle fixture's deadline is a week away
    with django_capture_on_commit_callbacks(execute=True):
        schedule.run(today)
        schedule.run(today)  # a second sweep the same day adds nothing
    reminders = [m for m in smtp_server.messages if "마감 7일 전" in m["Subject"]]
    assert sorted(m["To"] for m in reminders) == ["member1@example.com", "member9@example.com"]
    assert "A.1.1" in smtp_server.text(reminders[0])


def test_scoring_deadline_reminder_lists_unconfirmed_sheets(
    addressed, cleared_assignment, evaluator, other_evaluator, monkeypatch
):
    from datetime import timedelta

    from django.utils import timezone

    today = timezone.localdate()
    monkeypatch.setattr(
        notices.reminders, "scoring_deadline_of", lambda c: timezone.now() + timedelta(3)
    )
    notices.scoring_deadline_reminders(today)
    notices.scoring_deadline_reminders(today)
    [row] = Notification.objects.filter(event="scoring_deadline")
    assert row.recipient == evaluator and row.key.endswith(":D-3")
    assert row.context["sheets"] == [cleared_assignment.application.institution.name]


@pytest.mark.parametrize("key", sorted(events.EVENTS))
def test_every_event_renders_in_korean_with_its_link(key, member):
    spec = events.get(key)
    context = {name: f"<{name}>" for name in spec.context_vars}
    for name in ("missing", "items", "sheets", "applications", "sections"):
        if name in context:
            context[name] = []
    message = render(event_key=key, recipient=member, url="/somewhere/", context=context)
    assert message.subject.startswith("[") and "\n" not in message.subject
    assert "http://127.0.0.1:8000/somewhere/" in message.text
    assert "안녕하십니까" in message.text and "<" in message.text  # plain text is not escaped
    assert 'href="http://127.0.0.1:8000/somewhere/"' in message.html
    assert "&lt;" in message.html  # HTML escapes the caller's values
    # every context variable the registry names is used by the subject or the text template
    source = Template(spec.subject).render(Context(context)) + message.text
    assert all(f"<{name}>" in source for name, v in context.items() if isinstance(v, str))


def test_mandatory_kinds_are_exactly_the_process_notices():
    assert {
        "result_notified",
        "objection_decided",
        "certification_issued",
        "certification_revoked",
    } == events.MANDATORY


def test_digest_goes_to_admins_and_managers_listing_failures_and_missing_addresses(
    smtp_server, addressed, admin_user, manager, make_user, settings, monkeypatch
):
    from notifications import schedule
    from notifications.services import deliver_pending, notify

    from .conftest import age_queued

    nobody = make_user("noaddress", Role.EVALUATOR)  # no e-mail address
    notify(event="scoring_deadline", recipients=[nobody], context={"sheets": []}, key="x")
    age_queued()
    deliver_pending()
    assert Notification.objects.get(recipient=nobody).status == Status.NO_EMAIL
    monkeypatch.setattr(
        schedule,
        "_DIGEST_SOURCES",
        [lambda today: schedule.DigestSection("결정할 이의신청", ["한빛잡정보: 12-01 접수"])],
    )
    settings.NOTIFICATIONS_SCHEDULE_HOUR = 24  # before the hour: no digest yet
    call_command("send_pending_notifications")
    assert not Notification.objects.filter(event="daily_digest").exists()
    settings.NOTIFICATIONS_SCHEDULE_HOUR = 0
    call_command("send_pending_notifications")
    call_command("send_pending_notifications")  # once per day and recipient
    digest = Notification.objects.filter(event="daily_digest")
    assert sorted(d.recipient.username for d in digest) == ["admin1", "manager1"]
    sections = {s["title"]: s["lines"] for s in digest.first().context["sections"]}
    assert sections["결정할 이의신청"] == ["한빛잡정보: 12-01 접수"]
    assert sections["이메일 주소가 없어 앱 알림만 받은 사용자"] == ["noaddress (noaddress)"]


@pytest.mark.parametrize("n", [3, 12])
def test_result_notice_for_a_cycle_takes_the_same_queries_whatever_the_applicants(
    n, cycle, make_institution, make_user
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from evaluation.models import Application, ApplicationStatus
    from institutions.services import membership_add

    for i in range(n):
        institution = make_institution()
        user = make_user(f"m{i}", Role.INSTITUTION, email=f"m{i}@example.com")
        membership_add(user=user, institution=institution)
        Application.objects.create(
            cycle=cycle,
            institution=institution,
            created_by=user,
            status=ApplicationStatus.SUBMITTED,
            submitted_at=timezone.now(),
        )
    with CaptureQueriesContext(connection) as ctx:
        assert notices.result_notified(cycle) == n
    assert len(ctx.captured_queries) <= 10
    rows = Notification.objects.filter(event="result_notified")
    assert {r.status for r in rows} == {Status.HELD} and len({r.batch for r in rows}) == 1
    assert sorted(r.recipient.username for r in rows) == sorted(f"m{i}" for i in range(n))
