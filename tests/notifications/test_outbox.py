"""The outbox against a real SMTP server: rows in the transaction, delivery after commit,
idempotency, refused addresses, retries, the server down then up, in-app-only recipients,
preferences, visibility at delivery, and preview-and-release of mass notices."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.urls import reverse

from institutions.models import Membership
from notifications import services
from notifications.models import Notification, Preference, Status

from .conftest import age_queued, make_due, with_address

pytestmark = pytest.mark.django_db

CTX = {"cycle": "2026 인증 평가", "institution": "한빛잡정보", "deadline": "2026-12-31 18:00"}


def _notify(users, *, event="application_received", obj=None, key="", mass=False, url="/x/"):
    return services.notify(
        event=event, recipients=users, obj=obj, url=url, context=CTX, key=key, mass=mass
    )


def _sweep():
    call_command("send_pending_notifications", "--no-schedule")


def test_rows_are_written_in_the_transaction_and_mailed_after_commit(
    smtp_server, member, django_capture_on_commit_callbacks, settings
):
    with_address(member, "inst1@example.com")
    settings.SITE_URL = "https://cert.example.go.kr"
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert _notify([member], url="/applications/7/") == 1
    row = Notification.objects.get()
    assert row.status == Status.QUEUED and smtp_server.messages == []  # nothing before commit
    for callback in callbacks:
        callback()
    [msg] = smtp_server.messages
    assert smtp_server.envelopes == [["inst1@example.com"]]
    subject = " ".join(msg["Subject"].split())  # folded and encoded on the wire
    assert subject == f"[{settings.SITE_NAME}] 2026 인증 평가 신청 접수 (한빛잡정보)"
    assert "https://cert.example.go.kr/applications/7/" in smtp_server.text(msg)
    assert 'href="https://cert.example.go.kr/applications/7/"' in smtp_server.html(msg)
    assert settings.ORGANIZATION_NAME in smtp_server.text(msg)
    row.refresh_from_db()
    assert (row.status, row.attempts, row.email) == (Status.SENT, 1, "inst1@example.com")


def test_a_rolled_back_change_leaves_no_row_and_sends_nothing(smtp_server, member):
    with_address(member)
    with pytest.raises(RuntimeError), transaction.atomic():
        _notify([member])
        raise RuntimeError("the change that caused the notice failed")
    assert Notification.objects.count() == 0 and smtp_server.messages == []


def test_the_same_notice_is_written_and_sent_once(
    smtp_server, member, other_member, cycle, django_capture_on_commit_callbacks
):
    with_address(member), with_address(other_member)
    with django_capture_on_commit_callbacks(execute=True):
        assert _notify([member, member], obj=cycle, key="D-7") == 1
        assert _notify([member, other_member], obj=cycle, key="D-7") == 1
        assert _notify([member], obj=cycle, key="D-1") == 1  # another key: another notice
    _sweep()
    assert smtp_server.recipients() == sorted(
        ["member1@example.com", "member1@example.com", "member9@example.com"]
    )
    row = Notification.objects.filter(recipient=member).first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(recipient=member, event=row.event, key=row.key)


def test_unknown_event_is_refused(member):
    with pytest.raises(ValueError, match="알 수 없는 알림 종류 'nope'"):
        services.notify(event="nope", recipients=[member])


def test_a_refused_address_is_failed_with_the_reason_retried_and_shown_in_the_outbox(
    smtp_server, member, admin_user, client_for, django_capture_on_commit_callbacks
):
    with_address(member, "gone@example.com")
    smtp_server.refuse.add("gone@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        _notify([member])
    row = Notification.objects.get()
    assert row.status == Status.FAILED and row.attempts == 1
    assert "gone@example.com: 550" in row.last_error and "User unknown" in row.last_error
    assert row.next_attempt_at is not None
    _sweep()  # not due yet: nothing happens
    row.refresh_from_db()
    assert row.attempts == 1
    make_due()
    _sweep()
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.FAILED, 2)
    page = client_for(admin_user).get(reverse("notifications:outbox") + "?status=failed")
    assert "gone@example.com: 550" in page.content.decode()
    smtp_server.refuse.clear()  # the address was fixed on the mail server's side
    make_due()
    _sweep()
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == (Status.SENT, 3, "")
    assert smtp_server.recipients() == ["gone@example.com"]


def test_a_send_that_keeps_failing_gives_up_after_the_last_attempt(
    smtp_server, member, django_capture_on_commit_callbacks
):
    with_address(member, "gone@example.com")
    smtp_server.refuse.add("gone@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        _notify([member])
    for _ in range(services.MAX_ATTEMPTS + 2):
        make_due()
        _sweep()
    row = Notification.objects.get()
    assert (row.status, row.attempts, row.next_attempt_at) == (
        Status.FAILED,
        services.MAX_ATTEMPTS,
        None,
    )


def test_retry_delay_backs_off_exponentially_up_to_an_hour():
    assert [services.retry_delay(n) for n in (1, 2, 3, 4, 10)] == [60, 120, 240, 480, 3600]


def test_server_down_then_up_loses_nothing_and_sends_nothing_twice(
    smtp_server, make_user, django_capture_on_commit_callbacks
):
    users = [make_user(f"inst{i}", email=f"inst{i}@example.com") for i in range(1, 6)]
    smtp_server.stop()
    with django_capture_on_commit_callbacks(execute=True):
        assert _notify(users) == 5
    assert set(Notification.objects.values_list("status", flat=True)) == {Status.FAILED}
    assert "연결할 수 없습니다" in Notification.objects.first().last_error
    smtp_server.start()
    make_due()
    _sweep()
    _sweep()
    assert smtp_server.recipients() == [f"inst{i}@example.com" for i in range(1, 6)]
    assert set(Notification.objects.values_list("status", flat=True)) == {Status.SENT}


def test_the_sweep_sends_what_a_lost_broker_message_left_queued(
    smtp_server, member, django_capture_on_commit_callbacks
):
    with_address(member)
    with django_capture_on_commit_callbacks(execute=False):  # the message never reached a worker
        _notify([member])
    _sweep()
    assert smtp_server.messages == []  # within the grace period a worker may still send it
    age_queued()
    _sweep()
    _sweep()
    assert smtp_server.recipients() == ["member1@example.com"]


def test_two_deliveries_of_one_row_send_it_once(smtp_server, member):
    with_address(member)
    _notify([member])
    [row] = Notification.objects.all()
    outcomes = [services.notification_deliver(notification_id=row.pk) for _ in range(2)]
    assert outcomes == [services.Outcome.SENT, services.Outcome.SKIPPED]
    assert len(smtp_server.messages) == 1


def test_a_user_without_address_gets_the_notice_in_the_app_only(
    smtp_server, member, client_for, django_capture_on_commit_callbacks
):
    with_address(member, "")
    with django_capture_on_commit_callbacks(execute=True):
        _notify([member])
    row = Notification.objects.get()
    assert row.status == Status.NO_EMAIL and smtp_server.messages == []
    page = client_for(member).get(reverse("notifications:list"))
    # the cycle's title is data, marked translate="no" (ADR 020)
    assert '<span translate="no">2026 인증 평가</span> 신청 접수' in page.content.decode()


def test_an_optional_kind_switched_off_is_not_mailed_but_a_mandatory_one_is(
    smtp_server, member, django_capture_on_commit_callbacks
):
    with_address(member)
    services.preferences_set(user=member, email_on=[])
    Preference.objects.create(user=member, event="result_notified", email=False)  # ignored
    with django_capture_on_commit_callbacks(execute=True):
        _notify([member])
        _notify([member], event="result_notified")
    statuses = dict(Notification.objects.values_list("event", "status"))
    assert statuses == {"application_received": Status.OPTED_OUT, "result_notified": Status.SENT}
    [msg] = smtp_server.messages
    assert "평가 결과 통보" in msg["Subject"]


def test_a_notice_about_something_the_recipient_may_no_longer_see_is_not_sent(
    smtp_server, member, application, django_capture_on_commit_callbacks
):
    with_address(member)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _notify([member], obj=application, key="t")
    Membership.objects.filter(user=member).delete()  # left the institution before delivery
    for callback in callbacks:
        callback()
    row = Notification.objects.get(key__endswith=":t")
    assert row.status == Status.WITHHELD and smtp_server.messages == []


def test_mass_notice_waits_for_the_admins_release(
    smtp_server,
    member,
    other_member,
    manager,
    admin_user,
    client_for,
    django_capture_on_commit_callbacks,
):
    with_address(member), with_address(other_member)
    with django_capture_on_commit_callbacks(execute=True):
        assert _notify([member, other_member], event="cycle_announced", mass=True) == 2
    assert set(Notification.objects.values_list("status", flat=True)) == {Status.HELD}
    _sweep()
    assert smtp_server.messages == []
    assert (
        "2026 인증 평가"
        not in client_for(member).get(reverse("notifications:list")).content.decode()
    )

    admin = client_for(admin_user)
    page = admin.get(reverse("notifications:outbox")).content.decode()
    assert "발송 승인 대기" in page and "평가 공고" in page
    first = Notification.objects.order_by("pk").first()
    preview = admin.get(reverse("notifications:outbox") + f"?preview={first.pk}").content.decode()
    assert "2026 인증 평가 공고" in preview and "평가 기준일" in preview

    batch = first.batch
    with pytest.raises(PermissionDenied):
        services.batch_release(batch=batch, by=manager)
    response = admin.post(reverse("notifications:release"), {"batch": batch})  # no confirmation
    assert Notification.objects.filter(status=Status.HELD).count() == 2
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(reverse("notifications:release"), {"batch": batch, "confirm": "1"})
    assert response.status_code == 302
    assert smtp_server.recipients() == ["member1@example.com", "member9@example.com"]
    assert set(Notification.objects.values_list("released_by", flat=True)) == {admin_user.pk}
    with pytest.raises(ValidationError, match="이미 승인되었거나"):
        services.batch_release(batch=batch, by=admin_user)


def test_one_refused_recipient_does_not_stop_the_rest_of_the_batch(
    smtp_server, make_user, django_capture_on_commit_callbacks
):
    users = [make_user(f"inst{i}", email=f"inst{i}@example.com") for i in range(1, 4)]
    smtp_server.refuse.add("inst2@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        _notify(users)
    assert smtp_server.recipients() == ["inst1@example.com", "inst3@example.com"]
    statuses = dict(Notification.objects.values_list("recipient__username", "status"))
    assert statuses == {"inst1": Status.SENT, "inst2": Status.FAILED, "inst3": Status.SENT}


def test_a_batch_to_a_hung_server_waits_for_one_timeout_not_one_per_row(
    hanging_smtp_server, make_user
):
    import time

    users = [make_user(f"inst{i}", email=f"inst{i}@example.com") for i in range(1, 6)]
    _notify(users)
    ids = list(Notification.objects.values_list("pk", flat=True))
    started = time.monotonic()
    outcomes = services.notifications_deliver(notification_ids=ids)
    assert time.monotonic() - started < 2.5  # EMAIL_TIMEOUT is 1 s here
    assert set(outcomes.values()) == {services.Outcome.RETRY}
    assert {n.last_error for n in Notification.objects.all()} == {"메일 서버 응답 시간 초과 (1초)"}


def test_notify_each_writes_one_row_per_object_like_notify(member, cycle, application):
    notices = [
        services.Notice(recipients=[member], obj=cycle, url="/c/"),
        services.Notice(recipients=[member], obj=application, url="/a/"),
        services.Notice(recipients=[member], obj=cycle, url="/c/"),  # the same notice again
    ]
    assert services.notify_each(event="result_notified", notices=notices) == 2
    assert services.notify(event="result_notified", recipients=[member], obj=cycle) == 0
