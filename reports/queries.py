"""Reads of the reports app and its access policy.

Who sees which report (``visible_reports``):
- admins and managers: every report;
- evaluators: the 평가표 of their own assignments;
- institution members: their own institution's 결과보고서, once the cycle has reached the
  결과통보 stage;
- everyone else: none (404).

What one may *request* is the subject's own policy, asked with ``action="report"``
(``evaluation.queries.visible_applications``, ``...assignment.visible_assignments``) or
``visible_certifications``. Reports are shared
between users (one row per content hash), so the policy is about the report's subject, never
about who asked for it.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from evaluation.models import (
    Application,
    Assignment,
    Cycle,
    Result,
)
from evaluation.queries import NOTIFIED_STAGES, visible_applications, visible_cycles
from evaluation.queries.assignment import visible_assignments
from institutions.roles import (
    can_read_access_log,
    is_evaluator,
    is_institution_member,
    is_staff_reader,
)

from .models import TERMINAL_STATUSES, Report, ReportAccess, ReportKind, ReportStatus


def _active(user) -> bool:
    return user.is_authenticated and user.is_active


def visible_reports(user) -> QuerySet[Report]:
    if not _active(user):
        return Report.objects.none()
    if is_staff_reader(user):
        return Report.objects.all()
    q = Q(pk__in=[])
    if is_evaluator(user):
        q |= Q(kind=ReportKind.SHEET, assignment__evaluator=user)
    if is_institution_member(user):
        q |= Q(
            kind=ReportKind.RESULT,
            application__institution__memberships__user=user,
            cycle__stage__in=NOTIFIED_STAGES,
        )
        # Their own institution's 인증서, unless it was revoked (ADR 017).
        q |= Q(
            kind=ReportKind.CERTIFICATION,
            application__institution__memberships__user=user,
            application__certification__revoked_at__isnull=True,
        )
    return Report.objects.filter(q).distinct()


def can_request_cycle_reports(user) -> bool:
    """집계표 and the batch of all result reports: admins and managers."""
    return is_staff_reader(user)


def report_cycles(user) -> QuerySet[Cycle]:
    if not can_request_cycle_reports(user):
        return Cycle.objects.none()
    has_results = Result.objects.filter(application__cycle=OuterRef("pk"), total__isnull=False)
    return (
        visible_cycles(user)
        .annotate(has_results=Exists(has_results))
        .select_related("rubric_version__rubric")
        .order_by("-reference_date", "slug")
    )


def reports_for_list(qs: QuerySet[Report]) -> QuerySet[Report]:
    return qs.select_related("cycle", "application__institution", "requested_by").order_by(
        "-created_at", "-pk"
    )


def progress(report: Report) -> tuple[int, int]:
    """(done, total): a batch's parts done so far (counted live), else 0/1 or 1/1."""
    if report.kind == ReportKind.BATCH and not report.is_finished:
        done = report.parts.filter(status=ReportStatus.DONE).count()
        return min(done, report.progress_total), report.progress_total
    return report.progress_done, report.progress_total


def waiting_for_broker(report: Report) -> bool:
    """An unfinished report whose render (or, for a batch, a part's) was never handed to the
    broker, which was unreachable: the page says "작업자 대기 중" until a sweep sends it."""
    if report.is_finished:
        return False
    if report.kind != ReportKind.BATCH:
        return report.enqueued_at is None
    return (
        report.parts.filter(enqueued_at__isnull=True).exclude(status__in=TERMINAL_STATUSES).exists()
    )


def latest_by(reports, key) -> dict:
    """The newest report per ``key(report)`` (reports ordered newest first)."""
    out: dict = {}
    for report in reports:
        out.setdefault(key(report), report)
    return out


def cycle_report_rows(cycle: Cycle) -> list[Application]:
    """The cycle's applications, each with ``result`` (or None), ``latest_report`` (newest
    result report) and ``sheets`` (assignments with a confirmed sheet and their newest 평가표).
    Five queries whatever the number of applications."""
    apps = list(
        Application.objects.filter(cycle=cycle)
        .select_related("institution", "result")
        .order_by("institution__name", "pk")
    )
    reports = Report.objects.filter(
        cycle=cycle, kind__in=[ReportKind.RESULT, ReportKind.SHEET]
    ).order_by("-created_at", "-pk")
    result_reports = latest_by(
        (r for r in reports if r.kind == ReportKind.RESULT), lambda r: r.application_id
    )
    sheet_reports = latest_by(
        (r for r in reports if r.kind == ReportKind.SHEET), lambda r: r.assignment_id
    )
    assignments: dict[int, list[Assignment]] = {}
    for a in (
        Assignment.objects.filter(application__cycle=cycle, sheet__status="confirmed")
        .select_related("evaluator")
        .order_by("assigned_at", "pk")
    ):
        a.latest_report = sheet_reports.get(a.pk)
        assignments.setdefault(a.application_id, []).append(a)
    for app in apps:
        app.result_or_none = getattr(app, "result", None)
        app.latest_report = result_reports.get(app.pk)
        app.sheets = assignments.get(app.pk, [])
    return apps


def cycle_reports(cycle: Cycle, kind: str) -> list[Report]:
    return list(
        Report.objects.filter(cycle=cycle, kind=kind)
        .select_related("requested_by")
        .order_by("-created_at", "-pk")[:5]
    )


def my_result_applications(user) -> list[Application]:
    """An institution member's applications in notified cycles, with result and newest report."""
    apps = list(
        visible_applications(user, action="report")
        .filter(institution__memberships__user=user)
        .select_related("institution", "cycle", "result")
        .order_by("-cycle__reference_date", "institution__name")
    )
    reports = latest_by(
        visible_reports(user)
        .filter(kind=ReportKind.RESULT, application__in=[a.pk for a in apps])
        .order_by("-created_at", "-pk"),
        lambda r: r.application_id,
    )
    for app in apps:
        app.result_or_none = getattr(app, "result", None)
        app.latest_report = reports.get(app.pk)
    return apps


def my_sheet_assignments(user) -> list[Assignment]:
    """An evaluator's assignments with a confirmed sheet, with the newest 평가표 report."""
    if not is_evaluator(user):
        return []
    rows = list(
        visible_assignments(user, action="report")
        .filter(evaluator=user, sheet__status="confirmed")
        .select_related("application__institution", "application__cycle", "sheet")
        .order_by("-application__cycle__reference_date", "application__institution__name")
    )
    reports = latest_by(
        Report.objects.filter(kind=ReportKind.SHEET, assignment__in=[a.pk for a in rows]).order_by(
            "-created_at", "-pk"
        ),
        lambda r: r.assignment_id,
    )
    for a in rows:
        a.latest_report = reports.get(a.pk)
    return rows


# --- access log ------------------------------------------------------------------------------


def visible_report_accesses(user) -> QuerySet[ReportAccess]:
    if not can_read_access_log(user):
        return ReportAccess.objects.none()
    return ReportAccess.objects.select_related("user", "report__cycle").order_by("-at", "-pk")


__all__ = [
    "NOTIFIED_STAGES",
    "TERMINAL_STATUSES",
    "can_read_access_log",
    "can_request_cycle_reports",
    "cycle_report_rows",
    "cycle_reports",
    "my_result_applications",
    "my_sheet_assignments",
    "progress",
    "report_cycles",
    "reports_for_list",
    "visible_report_accesses",
    "visible_reports",
]
