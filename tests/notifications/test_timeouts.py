"""A mail server that accepts the connection and never answers must not hold up the request
that caused the notice.

- With a broker (production): the request only publishes the delivery task; it returns at once
  and never opens a connection to the mail server. The worker's send then fails after
  ``EMAIL_TIMEOUT`` and is retried. Shown with the publish going to a real Redis, and (on
  PostgreSQL) end to end with a real Celery worker.
- Without a broker (the embedded default, Celery eager): the task runs in the request's
  process after commit, so the request waits at most ``EMAIL_TIMEOUT`` once -- never a retry
  loop -- and the change stands. Measured too, so that bound is known, not assumed.
"""

from __future__ import annotations

import time
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.urls import reverse

from evaluation.models import Assignment
from institutions.roles import Role
from notifications.models import Notification, Status
from notifications.tasks import deliver_notifications

from ..reports.worker import app_on_broker, flush, start_worker, wait_for

REDIS_DB = 7  # this module's own Redis database, flushed around each test


@pytest.fixture
def broker(redis_url):
    parts = urlsplit(redis_url)
    url = urlunsplit((parts.scheme, parts.netloc, f"/{REDIS_DB}", "", ""))
    flush(url)
    yield url
    flush(url)


def _assign(client, application, evaluator):
    url = reverse("evaluation:application_assignments", args=[application.pk])
    return client.post(url, {"evaluator": evaluator.pk})


@pytest.fixture
def new_evaluator(make_user):
    return make_user("evaluator3", Role.EVALUATOR, email="ev3@example.com")


@pytest.mark.django_db
def test_with_a_broker_the_request_returns_at_once_and_never_talks_smtp(
    hanging_smtp_server,
    broker,
    application,
    admin_user,
    new_evaluator,
    client_for,
    django_capture_on_commit_callbacks,
):
    client = client_for(admin_user)
    started = time.monotonic()
    with app_on_broker(broker, "celery"), django_capture_on_commit_callbacks(execute=True):
        response = _assign(client, application, new_evaluator)
    elapsed = time.monotonic() - started  # the request and its on-commit hooks
    assert response.status_code == 302 and elapsed < 0.5, elapsed
    assert Assignment.objects.filter(evaluator=new_evaluator).exists()
    assert hanging_smtp_server.accepted == 0  # the request never opened an SMTP connection
    row = Notification.objects.get(recipient=new_evaluator)
    assert row.status == Status.QUEUED
    # what the worker then does with the message: one bounded attempt, failed, retried later
    started = time.monotonic()
    deliver_notifications.apply(args=([row.pk],))
    assert time.monotonic() - started < 3
    row.refresh_from_db()
    assert row.status == Status.FAILED and "응답 시간 초과 (1초)" in row.last_error
    assert row.next_attempt_at is not None


@pytest.mark.django_db
def test_without_a_broker_the_request_waits_at_most_the_email_timeout_once(
    hanging_smtp_server,
    application,
    admin_user,
    new_evaluator,
    client_for,
    django_capture_on_commit_callbacks,
):
    client = client_for(admin_user)
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        response = _assign(client, application, new_evaluator)
    elapsed = time.monotonic() - started  # the request and its on-commit hooks
    assert response.status_code == 302
    assert 1 <= elapsed < 2.5, elapsed  # EMAIL_TIMEOUT is 1 s here: one attempt, no retry
    assert Assignment.objects.filter(evaluator=new_evaluator).exists()
    row = Notification.objects.get(recipient=new_evaluator)
    assert (row.status, row.attempts) == (Status.FAILED, 1)


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_real_worker_request_returns_at_once_and_worker_fails_the_hung_send(
    hanging_smtp_server,
    broker,
    postgres_required,
    application,
    admin_user,
    new_evaluator,
    client_for,
    tmp_path,
    _uploads_in_tmp,
):
    worker = start_worker(
        broker=broker,
        queue="celery",
        media=_uploads_in_tmp,
        log_dir=tmp_path,
        extra_env={
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(hanging_smtp_server.port),
            "EMAIL_TIMEOUT": "1",
        },
    )
    try:
        started = time.monotonic()
        with app_on_broker(broker, "celery"):
            response = _assign(client_for(admin_user), application, new_evaluator)
        elapsed = time.monotonic() - started
        assert response.status_code == 302 and elapsed < 0.5, elapsed
        row = Notification.objects.get(recipient=new_evaluator)

        def failed():
            row.refresh_from_db()
            return row.status == Status.FAILED

        wait_for(failed, 30, "the worker to fail the hung send")
        assert "응답 시간 초과" in row.last_error and hanging_smtp_server.accepted >= 1
    finally:
        worker.stop()
