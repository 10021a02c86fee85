"""Rendering a report (called by the Celery task): claim the row, build the bytes, store them.

Claim the row (attempts + 1, under a row lock), build the complete bytes in memory, then -- and
only then -- write them to storage under a key fixed per report and mark the row done in the
same transaction. A failure before that leaves no file; a worker killed at any point leaves the
row ``running`` and the message unacknowledged (``acks_late`` + ``reject_on_worker_lost``), and
the redelivered task claims it again and overwrites the same key: one file. After
``REPORTS_MAX_ATTEMPTS`` claims a report is failed instead of claimed (a poison task stops).
"""

from __future__ import annotations

import hashlib
import logging
from functools import partial

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import InterfaceError, OperationalError, transaction
from django.template import TemplateDoesNotExist, TemplateSyntaxError
from django.utils import timezone

from . import documents
from .batches import _after_finish
from .models import TERMINAL_STATUSES, Report, ReportFormat, ReportKind, ReportStatus
from .pdf import PdfEnvironmentError

log = logging.getLogger("reports.services")

# Errors worth retrying with backoff: the database or its connection went away for a moment.
TRANSIENT_ERRORS = (OperationalError, InterfaceError)


class StorageUnavailable(Exception):
    """The finished file could not be written to storage (disk full, S3 unreachable). Retried
    like a database error; the row says so in Korean while it waits."""


# What the task retries with backoff.
RETRYABLE_ERRORS = (*TRANSIENT_ERRORS, StorageUnavailable)


def max_attempts() -> int:
    return int(getattr(settings, "REPORTS_MAX_ATTEMPTS", 3))


def retry_delay(retries: int) -> int:
    """Seconds before retry ``retries + 1`` after a transient error: 2, 4, 8, … capped at 60."""
    return min(60, 2 ** (retries + 1))


class ReportError(Exception):
    """A permanent failure; ``str()`` is the Korean message shown to users."""


def report_render(*, report_id: int) -> None:
    """Render ``report_id`` if it still needs it. Idempotent: a done or failed report, or a
    batch whose parts are still rendering, is left alone."""
    report = Report.objects.filter(pk=report_id).first()
    if report is None or report.is_finished:
        return
    if (
        report.kind == ReportKind.BATCH
        and report.parts.exclude(status__in=TERMINAL_STATUSES).exists()
    ):
        return  # the last part to finish enqueues the batch again
    attempt = _claim(report_id)
    if attempt is None:
        return
    try:
        files = _render_files(attempt)
    except TRANSIENT_ERRORS:
        log.warning("report %s: transient error, will retry", report_id, exc_info=True)
        _release(report_id, attempt)
        raise
    except Exception as exc:  # every other failure is final, with a message
        log.exception("report %s failed", report_id)
        _fail(report_id, attempt, _message(exc))
        return
    try:
        _store(report_id, attempt, files)
    except TRANSIENT_ERRORS:
        log.warning("report %s: transient error while storing, will retry", report_id)
        _release(report_id, attempt)
        raise
    except Exception as exc:  # the storage refused the file: a later try may succeed
        log.warning("report %s: storage error, will retry", report_id, exc_info=True)
        reason = f"파일 저장소 오류({type(exc).__name__}: {exc})로 잠시 후 다시 시도합니다."
        _release(report_id, attempt, reason=reason[:500])
        raise StorageUnavailable(reason) from exc


def _claim(report_id: int) -> Report | None:
    """Lock the row and count an attempt; None when there is nothing to do. Fails the report
    instead when it has used up its attempts (a task that keeps killing its worker)."""
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report_id)
        if report.is_finished:
            return None
        if report.attempts >= max_attempts():
            last = f" 마지막 오류: {report.error}" if report.error else ""
            _set_failed(
                report,
                f"보고서 생성을 {report.attempts}번 시도했지만 끝내지 못해 중단했습니다 "
                f"(작업 프로세스 중단 또는 반복된 오류).{last} 다시 요청하거나 관리자에게 "
                "문의하십시오.",
            )
            return None
        report.attempts += 1
        report.status = ReportStatus.RUNNING
        report.started_at = timezone.now()
        report.save(update_fields=["attempts", "status", "started_at"])
        return report


def _render_files(report: Report) -> dict[str, bytes]:
    """The complete bytes of the report's file(s), by format. Nothing is stored here."""
    if report.kind == ReportKind.BATCH:
        return {ReportFormat.ZIP: _zip_parts(report)}
    files = {ReportFormat.PDF: documents.render_pdf_bytes(report.kind, report.inputs)}
    if report.kind == ReportKind.SUMMARY:
        files[ReportFormat.XLSX] = documents.render_xlsx_bytes(report.inputs)
    return files


def _zip_parts(batch: Report) -> bytes:
    parts = list(batch.parts.select_related("application__institution").order_by("file_name"))
    failed = [p for p in parts if p.status != ReportStatus.DONE]
    if failed:
        names = "; ".join(f"{p.title}: {p.error or p.get_status_display()}" for p in failed)
        raise ReportError(
            f"결과보고서 {len(failed)}건을 만들지 못해 일괄 파일을 만들 수 없습니다 — {names}"
        )
    files, used = [], set()
    for part in parts:
        name = part.file_name
        if name in used:  # two institutions with the same name
            name = name.replace(".pdf", f"_{part.application_id}.pdf")
        used.add(name)
        with default_storage.open(part.storage_key, "rb") as handle:
            files.append((name, handle.read()))
    return documents.zip_bytes(files)


def _storage_key(report: Report, fmt: str) -> str:
    """Fixed per report (and attempt-independent): a redelivered render overwrites, never adds."""
    return f"reports/{report.kind}/{report.pk}-{report.input_hash[:16]}.{fmt}"


def _store(report_id: int, attempt: Report, files: dict[str, bytes]) -> None:
    saved: list[str] = []
    try:
        with transaction.atomic():
            report = Report.objects.select_for_update().get(pk=report_id)
            if report.status != ReportStatus.RUNNING or report.attempts != attempt.attempts:
                log.warning("report %s: attempt %s superseded; result dropped", report_id, attempt)
                return
            keys = {}
            for fmt, data in files.items():
                key = _storage_key(report, fmt)
                if default_storage.exists(key):  # left by an attempt killed after writing
                    default_storage.delete(key)
                keys[fmt] = default_storage.save(key, ContentFile(data))
                saved.append(keys[fmt])
            main = ReportFormat.ZIP if report.kind == ReportKind.BATCH else ReportFormat.PDF
            data = files[main]
            report.storage_key = keys[main]
            report.xlsx_key = keys.get(ReportFormat.XLSX, "")
            report.size = len(data)
            report.sha256 = hashlib.sha256(data).hexdigest()
            report.status = ReportStatus.DONE
            report.error = ""
            report.progress_done = report.progress_total
            report.finished_at = timezone.now()
            report.save()
    except BaseException:
        for key in saved:  # the row is not done: leave no file behind
            default_storage.delete(key)
        raise
    _after_finish(report_id)


def _set_failed(report: Report, message: str) -> None:
    report.status = ReportStatus.FAILED
    report.error = message[:4000] or "알 수 없는 오류"
    report.finished_at = timezone.now()
    report.save(update_fields=["status", "error", "finished_at"])
    transaction.on_commit(partial(_after_finish, report.pk))


def _fail(report_id: int, attempt: Report, message: str) -> None:
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report_id)
        if report.is_finished or report.attempts != attempt.attempts:
            return
        _set_failed(report, message)


def report_fail(*, report_id: int, message: str) -> None:
    """Fail a report that is not finished (e.g. its task gave up retrying)."""
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report_id)
        if not report.is_finished:
            _set_failed(report, message)


def _release(
    report_id: int,
    attempt: Report,
    *,
    reason: str = "일시적인 오류(데이터베이스 연결)로 잠시 후 다시 시도합니다.",
) -> None:
    """A transient error: back to queued, with what happened, for the retry to claim."""
    try:
        with transaction.atomic():
            report = Report.objects.select_for_update().get(pk=report_id)
            if report.status == ReportStatus.RUNNING and report.attempts == attempt.attempts:
                report.status = ReportStatus.QUEUED
                report.error = reason
                report.save(update_fields=["status", "error"])
    except TRANSIENT_ERRORS:
        log.warning("report %s: could not record a transient error", report_id)


def _message(exc: Exception) -> str:
    if isinstance(exc, ReportError | PdfEnvironmentError):
        return str(exc)
    if isinstance(exc, TemplateSyntaxError | TemplateDoesNotExist):
        return f"보고서 양식(템플릿) 오류로 만들지 못했습니다: {exc}"
    from celery.exceptions import SoftTimeLimitExceeded

    if isinstance(exc, SoftTimeLimitExceeded):
        limit = getattr(settings, "CELERY_TASK_SOFT_TIME_LIMIT", "")
        return f"보고서 생성이 제한 시간({limit}초)을 넘어 중단되었습니다."
    return f"보고서를 만들지 못했습니다 ({type(exc).__name__}: {exc})"
