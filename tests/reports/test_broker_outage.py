"""Report requests while the broker (Redis) is unreachable, without a worker: the request is
accepted and the report waits ("작업자 대기 중"); the status poll and the sweep command hand it
over once Redis is back, once. The journeys with a real worker are in
tests/faults/test_broker_outage.py (docs/decisions/010-broker-outage.md)."""

import json
import time
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from reports.models import Report, ReportKind, ReportStatus

from ..faults.private import PrivateRedis
from .worker import app_on_broker

pytestmark = [pytest.mark.services, pytest.mark.django_db]

HTMX = {"HX-Request": "true"}
WAITING = "작업자 대기 중"


@pytest.fixture
def redis_server(tmp_path):
    """A private redis-server, not started: until ``start()`` its URL refuses connections."""
    server = PrivateRedis(tmp_path)
    yield server
    server.stop()


@pytest.fixture
def manager_client(client_for, manager):
    return client_for(manager)


def _queued_report_ids(url: str) -> list[int]:
    """The report ids of the render messages waiting in Celery's default queue."""
    import redis

    messages = redis.Redis.from_url(url).lrange("celery", 0, -1)
    return sorted(int(json.loads(m)["headers"]["argsrepr"].strip("(),")) for m in messages)


def _request(client, capture, scored) -> tuple[Report, float]:
    started = time.monotonic()
    with capture(execute=True):
        response = client.post(reverse("reports:request_result", args=[scored.app.pk]))
    took = time.monotonic() - started
    assert response.status_code == 302, response.content[:1000]
    return Report.objects.get(application=scored.app, kind=ReportKind.RESULT), took


def test_a_request_while_the_broker_is_down_is_accepted_and_waits_for_the_worker(
    scored, manager_client, redis_server, django_capture_on_commit_callbacks
):
    with app_on_broker(redis_server.url, "celery"):
        report, took = _request(manager_client, django_capture_on_commit_callbacks, scored)
        assert took < 10, took
        assert report.status == ReportStatus.QUEUED and report.enqueued_at is None
        page = manager_client.get(reverse("reports:detail", args=[report.pk]))
    assert page.status_code == 200
    assert WAITING in page.content.decode()


def test_after_a_failure_the_broker_is_left_alone_for_a_while(
    scored, manager_client, redis_server, settings, django_capture_on_commit_callbacks
):
    settings.REPORTS_BROKER_RETRY_SECONDS = 60
    with app_on_broker(redis_server.url, "celery"):
        report, _ = _request(manager_client, django_capture_on_commit_callbacks, scored)
        started = time.monotonic()
        for _ in range(5):  # the page polls every second
            status = manager_client.get(reverse("reports:status", args=[report.pk]), headers=HTMX)
            assert status.status_code == 200 and WAITING in status.content.decode()
        assert time.monotonic() - started < 2  # no publish attempt, no timeouts waited out
        with pytest.raises(CommandError, match="연결할 수 없어"):
            call_command("send_pending_reports", stdout=StringIO())
    report.refresh_from_db()
    assert report.enqueued_at is None


def test_the_status_poll_hands_an_unsent_report_over_once_redis_is_back(
    scored, manager_client, redis_server, settings, django_capture_on_commit_callbacks
):
    settings.REPORTS_BROKER_RETRY_SECONDS = 0
    with app_on_broker(redis_server.url, "celery"):
        report, _ = _request(manager_client, django_capture_on_commit_callbacks, scored)
        redis_server.start()
        url = reverse("reports:status", args=[report.pk])
        first = manager_client.get(url, headers=HTMX)
        again = manager_client.get(url, headers=HTMX)
    assert first.status_code == again.status_code == 200
    assert WAITING not in again.content.decode()
    assert _queued_report_ids(redis_server.url) == [report.pk]  # sent once, not per poll
    report.refresh_from_db()
    assert report.enqueued_at is not None and report.status == ReportStatus.QUEUED


def test_the_sweep_sends_unsent_reports_once(
    scored, manager_client, redis_server, settings, django_capture_on_commit_callbacks
):
    settings.REPORTS_BROKER_RETRY_SECONDS = 0
    with app_on_broker(redis_server.url, "celery"):
        report, _ = _request(manager_client, django_capture_on_commit_callbacks, scored)
        redis_server.start()
        out = StringIO()
        call_command("send_pending_reports", stdout=out)
        call_command("send_pending_reports", stdout=out)
    assert out.getvalue().splitlines() == [
        "보고서 1건을 작업 대기열에 전달했습니다.",
        "보고서 0건을 작업 대기열에 전달했습니다.",
    ]
    assert _queued_report_ids(redis_server.url) == [report.pk]


def test_a_message_lost_with_the_broker_is_sent_again_only_once_stale(
    scored, manager_client, redis_server, settings, django_capture_on_commit_callbacks
):
    import redis

    redis_server.start()
    with app_on_broker(redis_server.url, "celery"):
        report, _ = _request(manager_client, django_capture_on_commit_callbacks, scored)
        assert _queued_report_ids(redis_server.url) == [report.pk]
        redis.Redis.from_url(redis_server.url).flushall()  # Redis restarted without its data
        call_command("send_pending_reports", stdout=StringIO())
        assert _queued_report_ids(redis_server.url) == []  # may still be in a long queue
        settings.REPORTS_STALE_SECONDS = 0  # now older than any render and queue takes
        call_command("send_pending_reports", stdout=StringIO())
    assert _queued_report_ids(redis_server.url) == [report.pk]


def test_finished_reports_are_never_sent_again(
    scored, manager_client, redis_server, settings, django_capture_on_commit_callbacks
):
    settings.REPORTS_BROKER_RETRY_SECONDS = 0
    with app_on_broker(redis_server.url, "celery"):
        report, _ = _request(manager_client, django_capture_on_commit_callbacks, scored)
        Report.objects.filter(pk=report.pk).update(status=ReportStatus.FAILED, error="중단")
        redis_server.start()
        call_command("send_pending_reports", stdout=StringIO())
        manager_client.get(reverse("reports:status", args=[report.pk]), headers=HTMX)
    assert _queued_report_ids(redis_server.url) == []


def test_a_batch_poll_hands_over_its_unsent_parts_and_not_its_zip_yet(
    scored, manager_client, redis_server, settings, django_capture_on_commit_callbacks
):
    settings.REPORTS_BROKER_RETRY_SECONDS = 0
    with app_on_broker(redis_server.url, "celery"):
        with django_capture_on_commit_callbacks(execute=True):
            response = manager_client.post(
                reverse("reports:request_batch", args=[scored.cycle.slug])
            )
        assert response.status_code == 302
        batch = Report.objects.get(kind=ReportKind.BATCH)
        parts = sorted(batch.parts.values_list("pk", flat=True))
        page = manager_client.get(reverse("reports:detail", args=[batch.pk]))
        assert WAITING in page.content.decode()
        redis_server.start()
        manager_client.get(reverse("reports:status", args=[batch.pk]), headers=HTMX)
    assert _queued_report_ids(redis_server.url) == parts
