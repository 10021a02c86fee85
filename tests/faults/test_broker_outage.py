"""Redis down (or hung, or restarted empty) while reports are requested, with a real Celery
worker (a subprocess) on a private ``redis-server`` this test owns and kills, and the test
database on PostgreSQL.

Proved: a request made while the broker is down is accepted at once (no 500, bounded time) and
the report's page says "작업자 대기 중"; when Redis is back the page's own status polling hands
the render to the worker, and the report completes -- rendered once, one file. A message lost
with a broker restarted without its data is sent again by the sweep command once stale, and
completes once. A hung broker (accepts connections, never answers) cannot hold a request for
ever: the publish gives up within its timeouts and the request is accepted the same way.
"""

from __future__ import annotations

import re
import socket
import time

import pytest
from django.core.management import call_command
from django.urls import reverse

import operations.demo.rubric
from institutions.roles import Role
from reports.models import Report, ReportStatus

from ..factories import add_application, make_cycle, score_seeded
from ..reports.conftest import stored_files
from ..reports.pdftools import pages_of
from ..reports.worker import app_on_broker, new_queue, start_worker, wait_for
from .private import PrivateRedis

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

HTMX = {"HX-Request": "true"}
WAITING = "작업자 대기 중"


@pytest.fixture
def scored_apps(postgres_required, admin_user, institution, other_institution, member, make_user):
    evaluators = [make_user(f"rpt-ev{i}", Role.EVALUATOR) for i in range(2)]
    cycle = make_cycle(operations.demo.rubric.seed(), slug="fault-rpt", by=admin_user)
    apps = [
        add_application(cycle, institution, member),
        add_application(cycle, other_institution, admin_user),
    ]
    for seed, app in enumerate(apps):
        score_seeded(app, evaluators, seed=seed)
    return apps


@pytest.fixture
def redis_server(tmp_path):
    server = PrivateRedis(tmp_path)
    yield server
    server.stop()


@pytest.fixture
def quick_broker_retry(settings):
    """After a failed publish this process leaves the broker alone for 1 s, not 10."""
    settings.REPORTS_BROKER_RETRY_SECONDS = 1


def _request(client, app) -> tuple[Report, float]:
    started = time.monotonic()
    response = client.post(reverse("reports:request_result", args=[app.pk]))
    took = time.monotonic() - started
    assert response.status_code == 302, response.content[:2000]
    report = Report.objects.get(application=app)
    assert response.url == reverse("reports:detail", args=[report.pk])
    return report, took


def _poll_until_finished(client, report: Report, timeout: float) -> str:
    """What the detail page's htmx polling does (every second)."""
    url = reverse("reports:status", args=[report.pk])
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        response = client.get(url, headers=HTMX)
        assert response.status_code == 200
        html = response.content.decode()
        if re.search(r'data-status="(done|failed)"', html):
            return html
        time.sleep(0.5)
    raise AssertionError(f"report {report.pk} not finished after {timeout}s")


def _renders(log: str) -> int:
    """Render tasks the worker received, each run to its end (the worker served one report)."""
    received = re.findall(r"render_report\[([0-9a-f-]+)\] received", log)
    succeeded = re.findall(r"render_report\[([0-9a-f-]+)\] succeeded", log)
    assert sorted(received) == sorted(succeeded), log[-3000:]
    return len(received)


def test_a_report_requested_while_redis_is_down_completes_once_redis_is_back(
    scored_apps, manager, client_for, redis_server, quick_broker_retry, tmp_path, _uploads_in_tmp
):
    redis_server.start()
    queue = new_queue()
    worker = start_worker(
        broker=redis_server.url, queue=queue, media=_uploads_in_tmp, log_dir=tmp_path
    )
    client = client_for(manager)
    try:
        with app_on_broker(redis_server.url, queue):
            redis_server.stop()  # the broker dies; the worker keeps trying to reconnect
            report, took = _request(client, scored_apps[0])
            # Accepted, not lost and not a 500: queued, marked as never handed over.
            assert took < 10, took
            report.refresh_from_db()
            assert report.status == ReportStatus.QUEUED and report.enqueued_at is None
            page = client.get(reverse("reports:detail", args=[report.pk]))
            assert page.status_code == 200 and WAITING in page.content.decode()
            # Polls during the outage keep saying so (and never fail).
            for _ in range(3):
                status = client.get(reverse("reports:status", args=[report.pk]), headers=HTMX)
                assert status.status_code == 200 and WAITING in status.content.decode()
                time.sleep(0.5)

            redis_server.start()  # back, empty
            html = _poll_until_finished(client, report, timeout=90)
    finally:
        worker.stop()
    log = worker.log.read_text()
    assert 'data-status="done"' in html and WAITING not in html, html
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE, report.error
    assert report.attempts == 1  # rendered once
    assert _renders(log) == 1
    [file] = stored_files(_uploads_in_tmp)
    assert file.read_bytes()[:5] == b"%PDF-" and pages_of(file) >= 6


def test_a_render_lost_with_a_restarted_redis_is_sent_again_by_the_sweep(
    scored_apps, manager, client_for, redis_server, settings, tmp_path, _uploads_in_tmp
):
    redis_server.start()
    queue = new_queue()
    client = client_for(manager)
    with app_on_broker(redis_server.url, queue):
        report, _ = _request(client, scored_apps[1])  # handed over: no worker is running yet
        report.refresh_from_db()
        assert report.enqueued_at is not None
        redis_server.stop()  # no persistence: the message is gone
        redis_server.start()
        worker = start_worker(
            broker=redis_server.url, queue=queue, media=_uploads_in_tmp, log_dir=tmp_path
        )
        try:
            time.sleep(2)
            report.refresh_from_db()
            assert report.status == ReportStatus.QUEUED  # nothing came
            call_command("send_pending_reports")  # not stale yet: left alone
            report.refresh_from_db()
            assert report.status == ReportStatus.QUEUED and report.attempts == 0

            settings.REPORTS_STALE_SECONDS = 1  # "longer than any render and queue takes"
            call_command("send_pending_reports")
            wait_for(lambda: Report.objects.get(pk=report.pk).is_finished, 90, "the render")
            call_command("send_pending_reports")  # finished: nothing more to send
        finally:
            worker.stop()
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE, report.error
    assert report.attempts == 1
    assert _renders(worker.log.read_text()) == 1
    [file] = stored_files(_uploads_in_tmp)
    assert file.read_bytes()[:5] == b"%PDF-"


def test_a_hung_redis_cannot_hold_a_request_for_ever(
    scored_apps, manager, client_for, quick_broker_retry
):
    """A listener that accepts connections and never answers: without socket timeouts the
    publish (and the request) would wait for ever."""
    with socket.socket() as hung:
        hung.bind(("127.0.0.1", 0))
        hung.listen(64)
        url = f"redis://127.0.0.1:{hung.getsockname()[1]}/0"
        with app_on_broker(url, new_queue()):
            report, took = _request(client_for(manager), scored_apps[0])
    assert took < 30, took
    report.refresh_from_db()
    assert report.status == ReportStatus.QUEUED and report.enqueued_at is None
    print(f"request against a hung broker answered in {took:.1f}s")
