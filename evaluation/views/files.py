"""Every byte of evidence leaves through these views: permission-checked, logged."""

import logging

from csp.decorators import csp_replace
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET

from institutions.roles import can_read_access_log

from .. import queries, services
from ..models import AccessPurpose, EvidenceFile
from .common import client_ip, require

log = logging.getLogger(__name__)


def _file(request, pk) -> EvidenceFile:
    return get_object_or_404(
        queries.visible_evidence_files(request.user).select_related(
            "evidence__item", "application__institution", "application__cycle"
        ),
        pk=pk,
    )


def _serve(request, file: EvidenceFile, purpose: str) -> FileResponse:
    try:
        handle = default_storage.open(file.storage_key, "rb")
    except (FileNotFoundError, OSError) as exc:
        log.error("stored evidence %s (file %s) is missing", file.storage_key, file.pk)
        raise Http404 from exc
    services.evidence_access_record(
        file=file, user=request.user, ip=client_ip(request), purpose=purpose
    )
    response = FileResponse(
        handle,
        content_type=file.content_type,
        as_attachment=purpose == AccessPurpose.DOWNLOAD,
        filename=file.original_name,
    )
    response["Content-Length"] = str(file.size)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def file_download(request, pk):
    return _serve(request, _file(request, pk), AccessPurpose.DOWNLOAD)


@login_required
@require_GET
@xframe_options_sameorigin
@csp_replace({"frame-ancestors": ["'self'"], "sandbox": True})
def file_inline(request, pk):
    """PDF and images inline (framed by our own preview page only); other types download.
    Every inline answer carries ``Content-Security-Policy: sandbox``: whatever a PDF holds
    (JavaScript, forms, launch actions) runs, if at all, in a unique origin with no scripts,
    and the preview page's iframe is sandboxed too (ADR 013)."""
    file = _file(request, pk)
    if not file.is_previewable:
        return _serve(request, file, AccessPurpose.DOWNLOAD)
    purpose = (
        AccessPurpose.PREVIEW if request.GET.get("purpose") == "preview" else AccessPurpose.VIEW
    )
    return _serve(request, file, purpose)


@login_required
@require_GET
def file_preview(request, pk):
    file = _file(request, pk)
    return render(request, "evaluation/file_preview.html", {"file": file})


ACCESS_PAGE_SIZE = 50


@login_required
@require_GET
def access_log(request):
    require(can_read_access_log(request.user))
    accesses = queries.visible_accesses(request.user)
    application = None
    if request.GET.get("application"):
        try:
            application_pk = int(request.GET["application"])
        except ValueError:
            raise Http404 from None  # ?application=abc names no application: as an unknown id
        application = get_object_or_404(
            queries.visible_applications(request.user).select_related("institution", "cycle"),
            pk=application_pk,
        )
        accesses = accesses.filter(application=application)
    page = Paginator(accesses, ACCESS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "evaluation/access_log.html",
        {"page": page, "application": application},
    )
