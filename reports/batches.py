"""A batch's progress: each part that finishes recounts the batch under its row lock, and the
last one enqueues the batch's own render, which zips the parts."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from .breaker import _enqueue_on_commit
from .models import TERMINAL_STATUSES, Report, ReportStatus


def _after_finish(report_id: int) -> None:
    """A report reached done or failed: update the batches it belongs to."""
    batch_ids = list(
        Report.objects.filter(parts__pk=report_id)
        .exclude(status__in=TERMINAL_STATUSES)
        .values_list("pk", flat=True)
    )
    for batch_id in batch_ids:
        _batch_progress(batch_id)


def _batch_progress(batch_id: int) -> None:
    """Recount a batch's finished parts under its row lock (so concurrent parts cannot write a
    stale count), and enqueue its ZIP when every part is finished."""
    with transaction.atomic():
        batch = Report.objects.select_for_update().filter(pk=batch_id).first()
        if batch is None or batch.is_finished:
            return
        statuses = list(batch.parts.values_list("status", flat=True))
        done = sum(s == ReportStatus.DONE for s in statuses)
        finished = sum(s in TERMINAL_STATUSES for s in statuses)
        batch.progress_done = min(done, batch.progress_total)
        fields = ["progress_done"]
        if batch.status == ReportStatus.QUEUED:  # its parts are on their way
            batch.status = ReportStatus.RUNNING
            batch.started_at = batch.started_at or timezone.now()
            fields += ["status", "started_at"]
        batch.save(update_fields=fields)
        if finished == len(statuses):
            _enqueue_on_commit(batch_id)
