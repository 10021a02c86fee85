"""Writes of the reports app: request a report, render it, record downloads.

Lifecycle of a ``Report``: ``queued`` → ``running`` → ``done`` (with its file) or ``failed``
(with an error a user can read). Only this module changes it.

- **Request** (``report_request_*``): build the inputs snapshot, hash it, and return the live
  (not failed) report with that hash if there is one -- done reports are served, not rendered
  again. Otherwise create a row and enqueue its render *on commit*. Two identical requests at
  the same moment: the partial unique constraint lets one insert win; the other catches the
  ``IntegrityError`` and returns the winner's row. One render.
- **Broker outage** (docs/decisions/010-broker-outage.md): ``enqueued_at`` records when the
  render was handed to the broker. A publish that fails (Redis down or hung; bounded by the
  publish retry policy and socket timeouts) is logged, not raised: the request is accepted,
  ``enqueued_at`` is cleared and the page says "작업자 대기 중". ``report_send_pending`` (the
  ``send_pending_reports`` command, and every status poll for its own report) hands such
  reports -- and those handed over so long ago that the message must be lost -- to the broker
  again, claiming each with one conditional ``UPDATE`` so two senders never both send.
- **Render** (``report_render``, called by the Celery task): claim the row (attempts + 1, under
  a row lock), build the complete bytes in memory, then -- and only then -- write them to
  storage under a key fixed per report and mark the row done in the same transaction. A failure
  before that leaves no file; a worker killed at any point leaves the row ``running`` and the
  message unacknowledged (``acks_late`` + ``reject_on_worker_lost``), and the redelivered task
  claims it again and overwrites the same key: one file. After ``REPORTS_MAX_ATTEMPTS`` claims
  a report is failed instead of claimed (a poison task stops).
- **Batch**: a batch's parts are result reports (shared with single requests). Each part is
  its own task, so the workers render them in parallel; when a part finishes it updates the
  batch's progress, and the last one enqueues the batch's own render, which zips the parts.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, InterfaceError, OperationalError, transaction
from django.db.models import Q
from django.template import TemplateDoesNotExist, TemplateSyntaxError
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerUnavailable

from evaluation.models import Application, Assignment, Certification, Cycle, Result
from evaluation.queries import is_staff_reader

from . import documents, inputs
from .certification import certification_inputs
from .models import (
    TERMINAL_STATUSES,
    Report,
    ReportAccess,
    ReportFormat,
    ReportKind,
    ReportStatus,
)
from .pdf import PdfEnvironmentError

log = logging.getLogger(__name__)

# Errors worth retrying with backoff: the database or its connection went away for a moment.
TRANSIENT_ERRORS = (OperationalError, InterfaceError)


class StorageUnavailable(Exception):
    """The finished file could not be written to storage (disk full, S3 unreachable). Retried
    like a database error; the row says so in Korean while it waits."""


# What the task retries with backoff.
RETRYABLE_ERRORS = (*TRANSIENT_ERRORS, StorageUnavailable)


def max_attempts() -> int:
    return int(getattr(settings, "REPORTS_MAX_ATTEMPTS", 3))


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


def retry_delay(retries: int) -> int:
    """Seconds before retry ``retries + 1`` after a transient error: 2, 4, 8, … capped at 60."""
    return min(60, 2 ** (retries + 1))


# --- hashing ---------------------------------------------------------------------------------


def input_hash(kind: str, data: dict) -> str:
    payload = {"kind": kind, "template": documents.template_version(), "inputs": data}
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


# --- requests --------------------------------------------------------------------------------


def _live(input_hash_: str) -> Report | None:
    return Report.objects.filter(input_hash=input_hash_).exclude(status=ReportStatus.FAILED).first()


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


def _request(
    *,
    kind: str,
    cycle: Cycle,
    data: dict,
    title: str,
    file_name: str,
    by,
    application: Application | None = None,
    assignment: Assignment | None = None,
    parts: list[Report] | None = None,
    enqueue: bool = True,
) -> Report:
    """The live report for ``data`` or a new queued one (enqueued on commit)."""
    digest = input_hash(kind, data)
    existing = _live(digest)
    if existing is not None:
        _revive_if_stale(existing)
        return existing
    try:
        with transaction.atomic():
            report = Report.objects.create(
                kind=kind,
                cycle=cycle,
                application=application,
                assignment=assignment,
                title=title[:300],
                inputs=data,
                input_hash=digest,
                template_version=documents.template_version(),
                file_name=file_name[:255],
                requested_by=by,
                progress_total=len(parts) if parts is not None else 1,
                enqueued_at=timezone.now() if enqueue else None,
            )
            if parts is not None:
                report.parts.set(parts)
    except IntegrityError:
        # The same request committed first (the partial unique constraint): serve that one.
        existing = _live(digest)
        if existing is None:
            raise
        return existing
    if enqueue:
        _enqueue_on_commit(report.pk, marked=True)
    return report


def _revive_if_stale(report: Report) -> None:
    """A live report asked for again whose render is not in the broker's hands (never handed
    over, or so long ago that the message was lost -- ``_needs_send``) is enqueued again; for a
    batch, its parts that need it, and its ZIP once every part is finished. Rendering is
    idempotent, so a task that was merely slow costs at most a no-op message."""
    if report.is_finished:
        return
    now = timezone.now()
    if report.kind == ReportKind.BATCH:
        for part in report.parts.exclude(status__in=TERMINAL_STATUSES):
            if _needs_send(part, now):
                log.warning("report %s is not in the broker; enqueued again", part.pk)
                _enqueue_on_commit(part.pk)
        transaction.on_commit(partial(_batch_progress, report.pk))
    elif _needs_send(report, now):
        log.warning("report %s is not in the broker; enqueued again", report.pk)
        _enqueue_on_commit(report.pk)


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


@transaction.atomic
def report_request_result(*, application: Application, by) -> Report:
    """The 결과보고서 of ``application``; ``ValidationError`` (Korean) when it has no result."""
    data = inputs.result_inputs(application)
    return _request_result(application=application, data=data, by=by)


def _request_result(*, application: Application, data: dict, by, enqueue: bool = True) -> Report:
    name = application.institution.name
    cycle = application.cycle
    return _request(
        kind=ReportKind.RESULT,
        cycle=cycle,
        data=data,
        title=f"{name} 결과보고서 ({cycle.title})",
        file_name=f"결과보고서_{documents.safe_name(name)}_{cycle.slug}.pdf",
        by=by,
        application=application,
        enqueue=enqueue,
    )


@transaction.atomic
def report_request_sheet(*, assignment: Assignment, by) -> Report:
    """The 평가표 of ``assignment``; refused unless its sheet is confirmed."""
    data = inputs.sheet_inputs(assignment)
    app = assignment.application
    name, evaluator = app.institution.name, data["evaluator"]["name"]
    return _request(
        kind=ReportKind.SHEET,
        cycle=app.cycle,
        data=data,
        title=f"{name} 평가표 — {evaluator} ({app.cycle.title})",
        file_name=(
            f"평가표_{documents.safe_name(name)}_{documents.safe_name(evaluator)}_"
            f"{app.cycle.slug}.pdf"
        ),
        by=by,
        application=app,
        assignment=assignment,
    )


@transaction.atomic
def report_request_summary(*, cycle: Cycle, by) -> Report:
    """The 집계표 of ``cycle`` (PDF, with its XLSX twin); refused without results."""
    data = inputs.summary_inputs(cycle)
    return _request(
        kind=ReportKind.SUMMARY,
        cycle=cycle,
        data=data,
        title=f"{cycle.title} 집계표",
        file_name=f"집계표_{cycle.slug}.pdf",
        by=by,
    )


@transaction.atomic
def report_request_batch(*, cycle: Cycle, by) -> Report:
    """Every 결과보고서 of ``cycle`` as one ZIP. Parts that exist (same inputs) are reused,
    the others are enqueued, one task each."""
    applications = list(
        Application.objects.filter(
            cycle=cycle,
            pk__in=Result.objects.filter(application__cycle=cycle, total__isnull=False).values(
                "application_id"
            ),
        ).select_related("institution", "cycle")
    )
    if not applications:
        raise ValidationError(
            f"{cycle.title}({cycle.slug}): 계산된 평가 결과가 있는 신청이 없어 결과보고서를 "
            "만들 수 없습니다.",
            code="report_refused",
        )
    by_app = inputs.result_inputs_many(cycle, applications)
    apps = sorted(applications, key=lambda a: (a.institution.name, a.pk))
    data = {
        "cycle": by_app[apps[0].pk]["cycle"],
        "parts": [
            {
                "application_id": a.pk,
                "institution": a.institution.name,
                "hash": input_hash(ReportKind.RESULT, by_app[a.pk]),
            }
            for a in apps
        ],
    }
    existing = _live(input_hash(ReportKind.BATCH, data))
    if existing is not None:
        _revive_if_stale(existing)
        return existing
    parts = [_request_result(application=a, data=by_app[a.pk], by=by) for a in apps]
    batch = _request(
        kind=ReportKind.BATCH,
        cycle=cycle,
        data=data,
        title=f"{cycle.title} 결과보고서 일괄 ({len(parts)}건)",
        file_name=f"결과보고서_일괄_{cycle.slug}.zip",
        by=by,
        parts=parts,
        enqueue=False,
    )
    # Parts already finished (served from earlier renders) count at once; if all are, the ZIP
    # is made now.
    transaction.on_commit(partial(_batch_progress, batch.pk))
    return batch


@transaction.atomic
def report_request_certification(*, certification: Certification, by) -> Report:
    """The PDF of a certification (인증서), with the QR code of its verification address.
    A revoked certification is refused to everyone but staff (whose copy says 취소)."""
    if certification.revoked_at is not None and not is_staff_reader(by):
        raise ValidationError(
            f"인증서 {certification.number}은(는) "
            f"{timezone.localdate(certification.revoked_at):%Y-%m-%d}에 취소되어 내려받을 수 "
            "없습니다.",
            code="report_refused",
        )
    data = certification_inputs(certification)
    name = certification.institution.name
    return _request(
        kind=ReportKind.CERTIFICATION,
        cycle=certification.cycle,
        data=data,
        title=f"{name} 인증서 {certification.number}",
        file_name=f"인증서_{documents.safe_name(name)}_{documents.safe_name(certification.number)}.pdf",
        by=by,
        application=certification.application,
    )


# --- rendering (called by the task) ------------------------------------------------------------


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
    _test_render_delay()
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


def _test_render_delay() -> None:
    """Tests of worker loss slow renders down (``REPORTS_TEST_RENDER_DELAY`` seconds, from
    settings or the environment of a test worker). Never in production."""
    if getattr(settings, "PRODUCTION", False):
        return
    delay = getattr(settings, "REPORTS_TEST_RENDER_DELAY", None)
    if delay is None:
        delay = os.environ.get("REPORTS_TEST_RENDER_DELAY", "")
    if delay:
        time.sleep(float(delay))


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


# --- batches -------------------------------------------------------------------------------


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


# --- downloads -------------------------------------------------------------------------------


@transaction.atomic
def report_access_record(*, report: Report, user, ip: str | None, fmt: str) -> ReportAccess:
    return ReportAccess.objects.create(report=report, user=user, ip=ip, format=fmt)
