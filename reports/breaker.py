"""The broker circuit breaker: handing renders to Celery's broker, and leaving a broker that
just failed alone for a while (docs/decisions/010-broker-outage.md).

``enqueued_at`` records when a render was handed to the broker. A publish that fails (Redis
down or hung; bounded by the publish retry policy and socket timeouts) is logged, not raised:
the request is accepted, ``enqueued_at`` is cleared and the page says "작업자 대기 중".
``report_send_pending`` (the ``send_pending_reports`` command, and every status poll for its
own report) hands such reports -- and those handed over so long ago that the message must be
lost -- to the broker again, claiming each with one conditional ``UPDATE`` so two senders never
both send. The state is per process: until when this process leaves each broker URL alone.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerUnavailable

from .models import TERMINAL_STATUSES, Report, ReportKind, ReportStatus

log = logging.getLogger("reports.services")


def stale_after() -> timedelta:
    """A queued or running report older than this lost its task (e.g. the broker was flushed):
    a new request enqueues it again. Longer than a task's hard time limit."""
    seconds = getattr(settings, "REPORTS_STALE_SECONDS", None)
    if seconds is None:
        seconds = 2 * int(getattr(settings, "CELERY_TASK_TIME_LIMIT", 360) or 360)
    return timedelta(seconds=int(seconds))


def broker_rest() -> float:
    """Seconds this process leaves a broker that just failed alone before trying it again, so
    the requests and polls of an outage do not each wait out the publish timeouts."""
    return float(getattr(settings, "REPORTS_BROKER_RETRY_SECONDS", 10))


# Per broker URL: until when (``time.monotonic()``) this process does not publish to it.
_broker_resting_until: dict[str, float] = {}


def _broker_key() -> str | None:
    """The broker URL tasks are published to; None when tasks run in-process (eager)."""
    from .tasks import render_report

    conf = render_report.app.conf
    return None if conf.task_always_eager else str(conf.broker_url or "")


def _broker_resting() -> bool:
    key = _broker_key()
    return key is not None and time.monotonic() < _broker_resting_until.get(key, 0.0)


def broker_unreachable() -> bool:
    """The broker failed a publish from this process within the last ``broker_rest()`` s."""
    return _broker_resting()


def _enqueue(report_id: int) -> bool:
    """Publish the render of ``report_id`` (already marked ``enqueued_at``). When the broker
    cannot take it, say so in the log, clear the mark (the report shows "작업자 대기 중" and
    waits for ``report_send_pending``) and return False -- never raise: the request that made
    the report has committed it and must still answer."""
    from .tasks import render_report

    key = _broker_key()
    if _broker_resting():
        failed = True
    else:
        try:
            render_report.delay(report_id)
            failed = False
        except BrokerUnavailable:
            if key is None:  # eager: no broker was involved
                raise
            _broker_resting_until[key] = time.monotonic() + broker_rest()
            log.warning(
                "report %s: the broker is unreachable; it waits for a sweep",
                report_id,
                exc_info=True,
            )
            failed = True
    if failed:
        Report.objects.filter(pk=report_id).update(enqueued_at=None)
    return not failed


def _needs_send_q(now) -> Q:
    """Unfinished reports whose render is not in the broker's hands: never handed over (the
    broker was unreachable), or handed over and not started since so long ago -- longer than
    any render and any queue takes -- that the message must be lost (a flushed broker)."""
    stale = now - stale_after()
    return ~Q(status__in=TERMINAL_STATUSES) & (
        Q(enqueued_at__isnull=True)
        | Q(enqueued_at__lt=stale) & (Q(started_at__isnull=True) | Q(started_at__lt=stale))
    )


def _needs_send(report: Report, now) -> bool:
    """``_needs_send_q`` for a loaded row (for a batch, callers also wait for its parts)."""
    if report.is_finished:
        return False
    if report.enqueued_at is None:
        return True
    stale = now - stale_after()
    return report.enqueued_at < stale and (report.started_at is None or report.started_at < stale)


def _claim_send(report_id: int) -> bool:
    """Mark ``report_id`` as handed to the broker if it still needs it. One conditional
    ``UPDATE``: of two senders at once the second waits for the first's row lock, sees the
    mark and claims nothing."""
    now = timezone.now()
    return bool(Report.objects.filter(_needs_send_q(now), pk=report_id).update(enqueued_at=now))


def _enqueue_on_commit(report_id: int, *, marked: bool = False) -> None:
    """Mark the report (unless ``marked`` already) and publish once the transaction commits,
    so the worker sees the row."""
    if marked or _claim_send(report_id):
        transaction.on_commit(partial(_enqueue, report_id))


def report_send_pending(*, report: Report | None = None, limit: int = 500) -> int:
    """Hand to the broker every unfinished report whose render is not in its hands
    (``_needs_send_q``): a batch once all its parts are finished. With ``report``, only that
    one (for a batch, it and its parts): the status poll's nudge. Returns how many were sent;
    stops at the first broker failure (the rest wait for the next sweep). Idempotent: each
    send is claimed first (``_claim_send``), and the render itself skips finished reports."""
    now = timezone.now()
    if _broker_resting():
        return 0
    if report is not None and report.kind != ReportKind.BATCH and not _needs_send(report, now):
        return 0  # the poll's common case: no query
    pending = Report.objects.filter(_needs_send_q(now))
    singles = pending.exclude(kind=ReportKind.BATCH)
    batches = pending.filter(kind=ReportKind.BATCH).exclude(
        parts__status__in=[ReportStatus.QUEUED, ReportStatus.RUNNING]
    )
    if report is not None and report.kind == ReportKind.BATCH:
        singles, batches = singles.filter(batches=report), batches.filter(pk=report.pk)
    elif report is not None:
        singles, batches = singles.filter(pk=report.pk), batches.none()
    ids = list(singles.order_by("created_at", "pk").values_list("pk", flat=True)[:limit])
    ids += list(batches.order_by("created_at", "pk").values_list("pk", flat=True)[:limit])
    sent = 0
    for report_id in ids[:limit]:
        if not _claim_send(report_id):
            continue  # another sender (or the worker) got there first
        if not _enqueue(report_id):
            break
        log.info("report %s handed to the broker again", report_id)
        sent += 1
    if report is not None and sent and report.kind != ReportKind.BATCH:
        report.enqueued_at = now
    return sent
