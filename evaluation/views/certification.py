"""Certification (인증서) pages: the admin's list and 인증 취소, the holder's page, and the two
public pages (verification by code, the list of certified institutions), ADR 017."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from institutions.people import ratelimit
from institutions.roles import is_staff_reader

from .. import queries
from ..qr import qr_svg
from ..queries import certification as cq
from ..services.certification import certification_revoke
from .common import client_ip, error_messages, require


@login_required
def certification_list(request, slug):
    require(cq.can_list_cycle_certifications(request.user))
    cycle = get_object_or_404(
        queries.visible_cycles(request.user).select_related("rubric_version__rubric"), slug=slug
    )
    return render(
        request,
        "evaluation/certification/list.html",
        {
            "cycle": cycle,
            "certifications": cq.cycle_certifications(cycle),
            "can_revoke": cq.can_revoke(request.user),
        },
    )


@login_required
def certification_revoke_view(request, pk):
    """GET: what revoking means, and the reason field. POST: revoke (a confirmation that
    works without JavaScript: the page itself is the confirmation)."""
    require(cq.can_revoke(request.user))
    certification = get_object_or_404(
        cq.visible_certifications(request.user).select_related("institution", "cycle"), pk=pk
    )
    errors: list[str] = []
    reason = request.POST.get("reason", "")
    if request.method == "POST":
        try:
            certification_revoke(certification=certification, by=request.user, reason=reason)
        except ValidationError as exc:
            errors = error_messages(exc)
        else:
            messages.success(
                request,
                _("인증서(%(number)s, %(name)s)를 취소했습니다.")
                % {"number": certification.number, "name": certification.institution.name},
            )
            return redirect("evaluation:certification_list", slug=certification.cycle.slug)
    return render(
        request,
        "evaluation/certification/revoke.html",
        {"certification": certification, "errors": errors, "reason": reason},
        status=400 if errors else 200,
    )


@login_required
@require_GET
def certification_detail(request, pk):
    certification = get_object_or_404(
        cq.visible_certifications(request.user).select_related(
            "institution", "cycle", "rubric_version__rubric", "revoked_by"
        ),
        pk=pk,
    )
    url = cq.verify_url(certification)
    return render(
        request,
        "evaluation/certification/detail.html",
        {
            "certification": certification,
            "verify_url": url,
            "qr": mark_safe(qr_svg(url, title=_("진위 확인 QR 코드"))),
            "is_staff": is_staff_reader(request.user),
            "can_revoke": cq.can_revoke(request.user),
        },
    )


# --- public (no log-in) ------------------------------------------------------------------------


@never_cache
@require_GET
def certification_verify(request, code):
    """Number, institution, programme, validity and status -- nothing else. An unknown code
    is a Korean 404 that says nothing about why; too many lookups from one address are 429."""
    limit, window = settings.VERIFY_RATE_LIMIT
    if not ratelimit.hit("verify", client_ip(request) or "-", limit=limit, window=window):
        response = render(
            request, "evaluation/certification/throttled.html", {"window": window}, status=429
        )
        response["Retry-After"] = str(window)
        return response
    certification = cq.public_certification(code)
    if certification is None:
        return render(request, "evaluation/certification/verify_unknown.html", status=404)
    response = render(
        request, "evaluation/certification/verify.html", {"certification": certification}
    )
    response["X-Robots-Tag"] = "noindex"
    return response


@require_GET
def certified_list(request):
    return render(
        request, "evaluation/certification/certified.html", {"programmes": cq.certified_today()}
    )
