"""Requesting a report: build the inputs snapshot, hash it, and return the live (not failed)
report with that hash if there is one -- done reports are served, not rendered again.
Otherwise create a row and enqueue its render *on commit*. Two identical requests at the same
moment: the partial unique constraint lets one insert win; the other catches the
``IntegrityError`` and returns the winner's row. One render.

A batch's parts are result reports (shared with single requests). Each part is its own task,
so the workers render them in parallel (``batches``).
"""

from __future__ import annotations

import hashlib
import json
import logging
from functools import partial

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from evaluation.models import Application, Assignment, Certification, Cycle, Result
from evaluation.queries import is_staff_reader

from . import documents, inputs
from .batches import _batch_progress
from .breaker import _enqueue_on_commit, _needs_send
from .certification import certification_inputs
from .models import TERMINAL_STATUSES, Report, ReportKind, ReportStatus

log = logging.getLogger("reports.services")


def input_hash(kind: str, data: dict) -> str:
    payload = {"kind": kind, "template": documents.template_version(), "inputs": data}
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _live(input_hash_: str) -> Report | None:
    return Report.objects.filter(input_hash=input_hash_).exclude(status=ReportStatus.FAILED).first()


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
            _(
                "%(cycle)s(%(slug)s): 계산된 평가 결과가 있는 신청이 없어 결과보고서를 "
                "만들 수 없습니다."
            )
            % {"cycle": cycle.title, "slug": cycle.slug},
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
            _("인증서(%(number)s)는 %(day)s에 취소되어 내려받을 수 없습니다.")
            % {
                "number": certification.number,
                "day": f"{timezone.localdate(certification.revoked_at):%Y-%m-%d}",
            },
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
