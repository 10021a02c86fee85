"""Pages of the notifications app: a user's notices and e-mail choices; the admins' outbox.

Thin views: fetch through ``queries`` (outsiders get a 404), call a service, render.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from institutions.roles import Role

from . import events, queries, services
from .models import Status
from .rendering import render_notification

LIST_SIZE = 50
OUTBOX_PAGE = 100

AUDIENCE_OF_ROLE = {
    Role.INSTITUTION: events.Audience.INSTITUTION,
    Role.EVALUATOR: events.Audience.EVALUATOR,
    Role.ADMIN: events.Audience.STAFF,
    Role.MANAGER: events.Audience.STAFF,
}


@login_required
@require_GET
def notification_list(request):
    rows = list(queries.visible_notifications(request.user)[:LIST_SIZE])
    for n in rows:
        n.recipient = request.user  # rendering reads the name; no query per row
        n.message = render_notification(n)
    return render(request, "notifications/list.html", {"rows": rows})


@login_required
@require_POST
def notification_read(request):
    """Mark one notice read (``id``) and go to its page, or all of them (``all``)."""
    pk = request.POST.get("id", "")
    if pk.isdigit():
        notification = get_object_or_404(queries.visible_notifications(request.user), pk=pk)
        services.notification_mark_read(user=request.user, notification_id=notification.pk)
        target = notification.url
        if target and url_has_allowed_host_and_scheme(target, allowed_hosts=None):
            return redirect(target)
    elif request.POST.get("all"):
        n = services.notification_mark_read(user=request.user)
        messages.success(
            request,
            ngettext(
                "알림 %(n)d건을 읽음으로 표시했습니다.", "알림 %(n)d건을 읽음으로 표시했습니다.", n
            )
            % {"n": n},
        )
    return redirect("notifications:list")


def _my_events(user) -> list[events.Event]:
    audiences = {AUDIENCE_OF_ROLE[r] for r in user.role_set() if r in AUDIENCE_OF_ROLE}
    return [e for e in events.EVENTS.values() if e.audience in audiences]


@login_required
def preferences(request):
    mine = _my_events(request.user)
    if request.method == "POST":
        wanted = {key for key in request.POST.getlist("email") if key in events.EVENTS}
        # Kinds not shown to this user keep their current choice.
        shown = {e.key for e in mine}
        off_elsewhere = queries.email_off_events(request.user) - shown
        keep_on = set(events.EVENTS) - shown - off_elsewhere
        services.preferences_set(user=request.user, email_on=wanted & shown | keep_on)
        messages.success(request, _("알림 수신 설정을 저장했습니다."))
        return redirect("notifications:preferences")
    off = queries.email_off_events(request.user)
    rows = [{"event": e, "on": e.mandatory or e.key not in off} for e in mine]
    return render(
        request,
        "notifications/preferences.html",
        {"rows": rows, "has_email": bool(request.user.email)},
    )


@login_required
@require_GET
def outbox(request):
    if not queries.can_manage_outbox(request.user):
        raise Http404
    rows = queries.outbox(request.user)
    status = request.GET.get("status", "")
    if status in Status.values:
        rows = rows.filter(status=status)
    page = Paginator(rows.order_by("-created_at", "-pk"), OUTBOX_PAGE).get_page(
        request.GET.get("page")
    )
    counts = queries.status_counts(request.user)
    preview = None
    preview_id = request.GET.get("preview", "")
    if preview_id.isdigit():
        preview_row = get_object_or_404(queries.outbox(request.user), pk=preview_id)
        with translation.override(settings.LANGUAGE_CODE):  # exactly what is sent (ADR 020)
            preview = {"row": preview_row, "message": render_notification(preview_row)}
    return render(
        request,
        "notifications/outbox.html",
        {
            "page": page,
            "status": status,
            "statuses": [(v, label, counts.get(v, 0)) for v, label in Status.choices],
            "batches": [
                {**b, "label": events.get(b["event"]).label}
                for b in queries.held_batches(request.user)
            ],
            "preview": preview,
        },
    )


@login_required
@require_POST
def release(request):
    """Release a held mass notice; the admin must tick that they checked its preview."""
    if not queries.can_manage_outbox(request.user):
        raise Http404
    if not request.POST.get("confirm"):
        messages.error(
            request,
            _("발송 승인: 미리보기를 확인했다는 확인란을 선택한 뒤 다시 승인하십시오."),
        )
        return redirect("notifications:outbox")
    try:
        n = services.batch_release(batch=request.POST.get("batch", ""), by=request.user)
    except ValidationError as exc:
        for m in exc.messages:
            messages.error(request, m)
    else:
        messages.success(
            request,
            ngettext(
                "일괄 알림 %(n)d건의 발송을 승인했습니다.",
                "일괄 알림 %(n)d건의 발송을 승인했습니다.",
                n,
            )
            % {"n": n},
        )
    return redirect("notifications:outbox")
