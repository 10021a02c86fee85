"""End to end with a real Celery worker on Redis and PostgreSQL (required in CI): a render whose
worker is killed is redelivered and completes, with exactly one stored file."""

import os
import signal

import pytest

from reports import services
from reports.models import Report, ReportStatus

from .conftest import stored_files
from .pdftools import pages_of
from .worker import app_on_broker, broker_url, flush, new_queue, start_worker, wait_for

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def broker(redis_url, postgres_required):
    url = broker_url(redis_url)
    flush(url)
    yield url
    flush(url)


def _reload(report: Report) -> Report:
    report.refresh_from_db()
    return report


def _running(report: Report):
    return _reload(report).status == ReportStatus.RUNNING


def _finished(report: Report):
    return _reload(report).is_finished


def test_a_render_whose_pool_process_is_killed_is_redelivered_and_completes_once(
    scored, manager, broker, tmp_path, _uploads_in_tmp
):
    queue = new_queue()
    worker = start_worker(
        broker=broker,
        queue=queue,
        media=_uploads_in_tmp,
        log_dir=tmp_path,
        render_delay=3,
    )
    try:
        with app_on_broker(broker, queue):
            report = services.report_request_result(application=scored.app, by=manager)
        assert _reload(report).status == ReportStatus.QUEUED
        wait_for(lambda: _running(report), 60, "the render to start")
        [child] = worker.children()
        os.kill(child, signal.SIGKILL)  # mid-render: the delay keeps it inside the render
        wait_for(lambda: _finished(report), 120, "the redelivered render")
    finally:
        worker.stop()
    log = worker.log.read_text()
    assert "WorkerLostError" in log or "SIGKILL" in log, log[-3000:]
    report = _reload(report)
    assert report.status == ReportStatus.DONE, report.error
    assert report.attempts == 2  # the killed attempt and the redelivered one
    [file] = stored_files(_uploads_in_tmp)
    assert file.read_bytes()[:5] == b"%PDF-" and pages_of(file) >= 6


def test_a_worker_that_dies_whole_is_replaced_and_the_render_completes_once(
    scored, manager, broker, tmp_path, _uploads_in_tmp
):
    queue = new_queue()
    first = start_worker(
        broker=broker,
        queue=queue,
        media=_uploads_in_tmp,
        log_dir=tmp_path,
        render_delay=30,
    )
    try:
        with app_on_broker(broker, queue):
            report = services.report_request_result(application=scored.app, by=manager)
        wait_for(lambda: _running(report), 60, "the render to start")
    finally:
        first.kill_all()  # main process and pool child: nothing acknowledges or requeues
    assert _reload(report).status == ReportStatus.RUNNING
    assert stored_files(_uploads_in_tmp) == []

    # A new worker restores the unacknowledged message once it is older than its visibility
    # timeout (an hour in production; two seconds here).
    second = start_worker(
        broker=broker,
        queue=queue,
        media=_uploads_in_tmp,
        log_dir=tmp_path,
        extra_env={"CELERY_VISIBILITY_TIMEOUT": "2"},
    )
    try:
        wait_for(lambda: _finished(report), 120, "the new worker to complete the render")
    finally:
        second.stop()
    report = _reload(report)
    assert report.status == ReportStatus.DONE, report.error
    assert report.attempts == 2
    [file] = stored_files(_uploads_in_tmp)
    assert file.read_bytes()[:5] == b"%PDF-"
