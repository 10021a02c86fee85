"""The evaluator's score sheet: the page, htmx autosave per item, 확정 with the password as
signature; the admin's unlock; the per-application audit trail for admins and managers."""

from __future__ import annotations

from dataclasses import dataclass

from axes.handlers.proxy import AxesProxyHandler
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .. import queries
from ..models import ItemScore, ScoreAudit
from ..queries import assignment as aq
from ..queries import audit
from ..queries import sheet as sq
from ..services import sheet as ss
from .common import error_messages

AUDIT_PAGE_SIZE = 50
ENTRY_FIELD = {"grade": "grade", "points": "value", "bands": "value", "penalty": "count"}


def _assignment(request, pk):
    """The evaluator's own active assignment (404 otherwise)."""
    return aq.scorable_assignment(request.user, pk)


@login_required
@require_GET
def sheet(request, pk):
    assignment = _assignment(request, pk)
    way = aq.entry_redirect(assignment, next_url=request.get_full_path())
    if way:
        return redirect(way)
    page = sq.sheet_page(assignment)
    return render(request, "evaluation/sheet/page.html", {"page": page})


# --- autosave --------------------------------------------------------------------------------


def _saved_context(assignment, row, item, **extra):
    context = {"assignment": assignment, "item": item, "row": row, **extra}
    if row is not None:
        context.update(
            progress=sq.sheet_progress(assignment),
            points_text=sq.fmt_points(row.points),
            complete=sq.item_complete(row, assignment.application.cycle.require_comment),
        )
    return context


@login_required
@require_POST
@transaction.atomic
def score_save(request, pk, code):
    """Autosave of one item (htmx) or the plain form's 저장 button (no JS).

    200: saved (the fragment carries the new version, the points, the progress bar and the
    running total). 422: refused input, nothing stored. 409: the row moved on since this screen
    loaded it (another tab); the stored value is shown and nothing is overwritten. 503 (from
    ``config.middleware``): the database went away; nothing stored.

    One transaction for the save *and* the answer: it commits only once the fragment is
    rendered, so a database lost after the write (reading the progress) rolls the save back
    instead of answering "not saved" for a stored row (docs/decisions/010).
    """
    assignment = _assignment(request, pk)
    item = sq.sheet_item(assignment, code)
    sent_version = request.POST.get("version", "")
    errors: list[str] = []
    try:
        version = int(sent_version)
        if version < 0:
            raise ValueError
    except ValueError:
        version = None
        errors = [
            _("%(code)s: 화면의 버전 정보가 올바르지 않습니다. 화면을 새로 고치십시오.")
            % {"code": item.code}
        ]
    row = None
    if not errors:
        try:
            row = ss.score_record(
                assignment=assignment,
                item=item,
                by=request.user,
                version=version,
                entry=request.POST.get(ENTRY_FIELD[item.method], ""),
                strength=request.POST.get("strength", ""),
                improvement=request.POST.get("improvement", ""),
            )
        except PermissionDenied as exc:
            raise Http404 from exc
        except ss.StaleScoreError as exc:
            return _conflict(request, assignment, item, exc, sent_version)
        except ValidationError as exc:
            errors = error_messages(exc)
    if errors:
        if not request.htmx:
            for message in errors:
                messages.error(request, message)
            return redirect(_item_url(assignment, item))
        context = _saved_context(assignment, None, item, errors=errors, version=sent_version)
        # 422, not 400: in DEBUG django-htmx replaces the whole page on 400/403/404/500.
        return render(request, "evaluation/sheet/_item_status.html", context, status=422)
    if not request.htmx:
        messages.success(request, _("%(code)s 항목을 저장했습니다.") % {"code": item.code})
        return redirect(_item_url(assignment, item))
    context = _saved_context(assignment, row, item, version=row.version)
    return render(request, "evaluation/sheet/_item_status.html", context)


def _conflict(request, assignment, item, exc: ss.StaleScoreError, sent_version):
    if not request.htmx:
        messages.error(request, str(exc))
        return redirect(_item_url(assignment, item))
    current: ItemScore | None = exc.current
    context = _saved_context(
        assignment,
        None,
        item,
        conflict=str(exc),
        current=current,
        current_entry=sq.entry_text(current),
        current_points=sq.fmt_points(current.points if current else None),
        version=sent_version,
    )
    return render(request, "evaluation/sheet/_item_status.html", context, status=409)


def _item_url(assignment, item) -> str:
    return reverse("evaluation:sheet", args=[assignment.pk]) + f"#item-{item.code}"


# --- 확정 ------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def sheet_confirm(request, pk):
    assignment = _assignment(request, pk)
    way = aq.entry_redirect(assignment, next_url=request.get_full_path())
    if way:
        if request.method == "POST":
            raise Http404
        return redirect(way)
    errors: list[str] = []
    status = 200
    if request.method == "POST":
        credentials = {"username": request.user.get_username()}
        if AxesProxyHandler.is_locked(request, credentials):
            errors = [
                _(
                    "비밀번호를 여러 번 잘못 입력하여 잠시 확정할 수 없습니다. "
                    "잠시 후 다시 시도하십시오."
                )
            ]
            status = 429
        else:
            try:
                ss.sheet_confirm(
                    assignment=assignment,
                    by=request.user,
                    password=request.POST.get("password", ""),
                )
            except PermissionDenied as exc:
                raise Http404 from exc
            except ss.WrongPasswordError as exc:
                # Counts as a failed log-in: guessing the password here locks the account too.
                user_login_failed.send(sender=__name__, credentials=credentials, request=request)
                errors, status = error_messages(exc), 400
            except ValidationError as exc:
                errors, status = error_messages(exc), 400
            else:
                progress = sq.sheet_progress(assignment)
                messages.success(
                    request,
                    _("평가표를 확정했습니다. 합계 %(total)s점 / %(max)s점.")
                    % {
                        "total": progress.running_total_text,
                        "max": progress.max_points_text,
                    },
                )
                return redirect("evaluation:sheet", pk=assignment.pk)
    page = sq.sheet_page(assignment)
    return render(
        request,
        "evaluation/sheet/confirm.html",
        {"page": page, "errors": errors},
        status=status,
    )


# --- admin: unlock ---------------------------------------------------------------------------


@login_required
@require_POST
def sheet_unlock(request, pk):
    assignment = get_object_or_404(
        aq.visible_assignments(request.user, action="decide").select_related(
            "application__cycle", "evaluator"
        ),
        pk=pk,
    )
    try:
        ss.sheet_unlock(
            assignment=assignment, by=request.user, reason=request.POST.get("reason", "")
        )
    except ValidationError as exc:
        for message in error_messages(exc):
            messages.error(request, f"{assignment.evaluator.display_name}: {message}")
    else:
        messages.success(
            request,
            _("%(name)s 위원의 평가표 확정을 해제했습니다. 위원이 다시 확정해야 합니다.")
            % {"name": assignment.evaluator.display_name},
        )
    return redirect("evaluation:sheet_audit", pk=assignment.application_id)


# --- the audit trail -------------------------------------------------------------------------


@dataclass
class AuditRow:
    entry: ScoreAudit
    old: str
    new: str


def _value_text(value, unit: str = "") -> str:
    """An audit value (dict or None) in plain Korean; a measured entry carries its unit."""
    if value is None:
        return "—"
    if not isinstance(value, dict):
        return str(value)
    labels = {
        "entry": _("입력"),
        "points": _("점수"),
        "strength": _("강점"),
        "improvement": _("개선사항"),
        "version": _("버전"),
        "status": _("상태"),
        "content_hash": "SHA-256",
        "confirmed_at": _("확정 시각"),
        "total": _("합계"),
    }
    status_names = {"draft": _("작성 중"), "confirmed": _("확정")}
    parts = []
    # jsonb (PostgreSQL) does not keep key order: show the keys in one fixed order.
    keys = [k for k in labels if k in value] + sorted(k for k in value if k not in labels)
    for key in keys:
        shown = value[key]
        if shown in (None, ""):
            continue
        if key == "status":
            shown = status_names.get(shown, shown)
        elif key == "entry" and unit:
            shown = f"{shown} {unit}"
        if key in ("strength", "improvement"):  # the evaluator's words: data, not interface
            shown = format_html('<span translate="no">{}</span>', shown)
        parts.append(format_html("{}: {}", labels.get(key, key), shown))
    return mark_safe(" · ".join(parts)) if parts else "—"  # each part escaped above


@login_required
@require_GET
def sheet_audit(request, pk):
    application = get_object_or_404(
        queries.visible_applications(request.user, action="review").select_related(
            "institution", "cycle"
        ),
        pk=pk,
    )
    page = Paginator(audit.application_audit(application), AUDIT_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = []
    for entry in page:
        unit = (entry.item.params or {}).get("unit", "") if entry.item else ""
        rows.append(AuditRow(entry, _value_text(entry.old, unit), _value_text(entry.new, unit)))
    return render(
        request,
        "evaluation/sheet/audit.html",
        {
            "application": application,
            "assignments": audit.application_assignments(application),
            "page": page,
            "rows": rows,
            "can_unlock": audit.can_unlock(request.user),
        },
    )
