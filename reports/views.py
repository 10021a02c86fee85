"""Report pages: request, follow progress (htmx polling), download (logged). Thin: fetch through
``queries`` (outsiders get 404), call a service, render."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from evaluation.queries import visible_applications, visible_cycles
from evaluation.queries.assignment import visible_assignments
from evaluation.queries.certification import visible_certifications
from institutions.client_ip import client_ip
from institutions.roles import can_read_access_log, is_evaluator, is_institution_member

from . import queries, services
from .models import Report, ReportFormat, ReportKind

log = logging.getLogger(__name__)

PAGE_SIZE = 20
ACCESS_PAGE_SIZE = 50
CONTENT_TYPES = {
    ReportFormat.PDF: "application/pdf",
    ReportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ReportFormat.ZIP: "application/zip",
}


def _require(condition: bool) -> None:
    if not condition:
        raise Http404


def _client_ip(request) -> str | None:
    return client_ip(request)  # through TRUSTED_PROXY_COUNT proxies only


def _back(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _has_reports_role(user) -> bool:
    return (
        queries.can_request_cycle_reports(user) or is_evaluator(user) or is_institution_member(user)
    )


def _report(request, pk) -> Report:
    return get_object_or_404(
        queries.visible_reports(request.user).select_related(
            "cycle", "application__institution", "assignment__evaluator", "requested_by"
        ),
        pk=pk,
    )


# --- pages -----------------------------------------------------------------------------------


@login_required
@require_GET
def index(request):
    user = request.user
    _require(_has_reports_role(user))
    recent = Paginator(queries.reports_for_list(queries.visible_reports(user)), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "reports/index.html",
        {
            "cycles": list(queries.report_cycles(user)),
            "can_cycle": queries.can_request_cycle_reports(user),
            "my_results": queries.my_result_applications(user)
            if is_institution_member(user)
            else [],
            "my_sheets": queries.my_sheet_assignments(user),
            "recent": recent,
        },
    )


@login_required
@require_GET
def cycle_reports(request, slug):
    _require(queries.can_request_cycle_reports(request.user))
    cycle = get_object_or_404(
        visible_cycles(request.user).select_related("rubric_version__rubric"), slug=slug
    )
    return render(
        request,
        "reports/cycle.html",
        {
            "cycle": cycle,
            "rows": queries.cycle_report_rows(cycle),
            "summaries": queries.cycle_reports(cycle, ReportKind.SUMMARY),
            "batches": queries.cycle_reports(cycle, ReportKind.BATCH),
        },
    )


@login_required
@require_GET
def detail(request, pk):
    report = _report(request, pk)
    context = _status_context(report)
    context["can_cycle"] = queries.can_request_cycle_reports(request.user)
    return render(request, "reports/detail.html", context)


@login_required
@require_GET
def status(request, pk):
    """The htmx fragment the detail page polls until the report is finished. A render the
    broker never got (it was unreachable) is handed over again from here once it is back."""
    report = _report(request, pk)
    services.report_send_pending(report=report)
    return render(request, "reports/_status.html", _status_context(report))


def _status_context(report: Report) -> dict:
    done, total = queries.progress(report)
    return {
        "report": report,
        "done": done,
        "total": total,
        "percent": done * 100 // total if total else 0,
        "retry_url": _retry_url(report),
        "waiting_for_broker": queries.waiting_for_broker(report),
    }


def _retry_url(report: Report) -> str:
    if report.kind == ReportKind.RESULT:
        return reverse("reports:request_result", args=[report.application_id])
    if report.kind == ReportKind.SHEET:
        return reverse("reports:request_sheet", args=[report.assignment_id])
    if report.kind == ReportKind.SUMMARY:
        return reverse("reports:request_summary", args=[report.cycle.slug])
    if report.kind == ReportKind.CERTIFICATION:
        return reverse("reports:request_certification", args=[report.application.certification.pk])
    return reverse("reports:request_batch", args=[report.cycle.slug])


@login_required
@require_GET
def download(request, pk):
    report = _report(request, pk)
    _require(report.is_done)
    main = ReportFormat.ZIP if report.kind == ReportKind.BATCH else ReportFormat.PDF
    fmt = request.GET.get("format", main)
    if fmt == ReportFormat.XLSX and report.xlsx_key:
        key, name = report.xlsx_key, report.file_name.rsplit(".", 1)[0] + ".xlsx"
    elif fmt == main:
        key, name = report.storage_key, report.file_name
    else:
        raise Http404
    try:
        handle = default_storage.open(key, "rb")
    except (FileNotFoundError, OSError) as exc:
        log.error("stored report %s (report %s) is missing", key, report.pk)
        raise Http404 from exc
    services.report_access_record(report=report, user=request.user, ip=_client_ip(request), fmt=fmt)
    response = FileResponse(
        handle, content_type=CONTENT_TYPES[fmt], as_attachment=True, filename=name
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def access_log(request):
    _require(can_read_access_log(request.user))
    page = Paginator(queries.visible_report_accesses(request.user), ACCESS_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "reports/access_log.html", {"page": page})


# --- requests --------------------------------------------------------------------------------


def _requested(request, make, default_back: str):
    try:
        report = make()
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect(_back(request, default_back))
    return redirect("reports:detail", pk=report.pk)


@login_required
@require_POST
def request_result(request, pk):
    application = get_object_or_404(
        visible_applications(request.user, action="report").select_related("institution", "cycle"),
        pk=pk,
    )
    return _requested(
        request,
        lambda: services.report_request_result(application=application, by=request.user),
        reverse("reports:index"),
    )


@login_required
@require_POST
def request_sheet(request, pk):
    assignment = get_object_or_404(
        visible_assignments(request.user, action="report").select_related(
            "application__institution", "application__cycle", "evaluator"
        ),
        pk=pk,
    )
    return _requested(
        request,
        lambda: services.report_request_sheet(assignment=assignment, by=request.user),
        reverse("reports:index"),
    )


@login_required
@require_POST
def request_certification(request, pk):
    certification = get_object_or_404(
        visible_certifications(request.user).select_related(
            "institution", "cycle", "application", "rubric_version__rubric"
        ),
        pk=pk,
    )
    return _requested(
        request,
        lambda: services.report_request_certification(certification=certification, by=request.user),
        reverse("evaluation:certification_detail", args=[certification.pk]),
    )


def _cycle_for_request(request, slug):
    _require(queries.can_request_cycle_reports(request.user))
    return get_object_or_404(visible_cycles(request.user), slug=slug)


@login_required
@require_POST
def request_summary(request, slug):
    cycle = _cycle_for_request(request, slug)
    return _requested(
        request,
        lambda: services.report_request_summary(cycle=cycle, by=request.user),
        reverse("reports:cycle", args=[cycle.slug]),
    )


@login_required
@require_POST
def request_batch(request, slug):
    cycle = _cycle_for_request(request, slug)
    return _requested(
        request,
        lambda: services.report_request_batch(cycle=cycle, by=request.user),
        reverse("reports:cycle", args=[cycle.slug]),
    )
