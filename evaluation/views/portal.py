"""The institution portal: applications, the evidence checklist, items, submission."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import TooManyFieldsSent, TooManyFilesSent, ValidationError
from django.http import Http404, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from indicators.models import Item
from institutions.roles import is_admin, is_institution_member, is_staff_reader

from .. import queries, services
from ..forms import ApplyForm, NarrativeForm, ReopenForm
from ..models import Application, EvidenceFile, FileState
from ..queries import certification as certification_queries
from ..queries.assignment import application_entry_redirect
from ..uploads import discard_uploads, display_name, install_upload_handler
from .common import error_messages, require, wants_json


def _application(request, pk) -> Application:
    return get_object_or_404(
        queries.visible_applications(request.user).select_related(
            "cycle__rubric_version__rubric", "institution"
        ),
        pk=pk,
    )


def _item(application, code) -> Item:
    """An item of the (already policy-checked) application's rubric by code; 404 if none."""
    return get_object_or_404(queries.application_items(application), code=code)


@login_required
def portal(request):
    require(is_institution_member(request.user))
    return render(
        request,
        "evaluation/portal.html",
        {
            "applications": queries.my_applications(request.user),
            "open_cycles": queries.open_cycles_for(request.user),
            "certifications": certification_queries.certifications_for_member(request.user),
        },
    )


@login_required
def apply(request, slug):
    require(is_institution_member(request.user))
    cycle = get_object_or_404(queries.open_cycles_for(request.user), slug=slug)
    institutions = queries.member_institutions(request.user)
    form = ApplyForm(request.POST or None, institutions=institutions)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            application = services.application_create(
                cycle=cycle, institution=form.cleaned_data["institution"], by=request.user
            )
        except ValidationError as exc:
            errors = error_messages(exc)
        else:
            messages.success(
                request,
                _("'%(cycle)s'에 신청했습니다. 항목별 증빙을 올리십시오.") % {"cycle": cycle.title},
            )
            return redirect("evaluation:checklist", pk=application.pk)
    preview = {
        inst: services.eligibility_problems(institution=inst, cycle=cycle) for inst in institutions
    }
    return render(
        request,
        "evaluation/apply.html",
        {"cycle": cycle, "form": form, "errors": errors, "eligibility": preview},
        status=400 if errors or (request.method == "POST" and not form.is_valid()) else 200,
    )


@login_required
def checklist(request, pk):
    if gate := application_entry_redirect(request.user, pk, next_url=request.path):
        return redirect(gate)  # an assigned evaluator signs the pledge and declares first
    application = _application(request, pk)
    rows = queries.application_checklist(application)
    certificates = queries.valid_certificates(application)
    previous_area = None
    for row in rows:
        area = row["item"].indicator.area
        row["area_start"] = area.pk != previous_area
        previous_area = area.pk
        kinds = (area.substitution or {}).get("certificates", [])
        row["substitution_certificates"] = [c for c in certificates if c.kind in kinds]
    n_attached = sum(1 for row in rows if row["attached"])
    lock = queries.evidence_lock_reason(application)
    is_member = queries.is_member_of(request.user, application)
    return render(
        request,
        "evaluation/checklist.html",
        {
            "application": application,
            "rows": rows,
            "n_attached": n_attached,
            "n_items": len(rows),
            "percent": round(100 * n_attached / len(rows)) if rows else 0,
            "lock_reason": lock,
            "is_member": is_member,
            "can_submit": is_member and lock is None,
            "can_reopen": queries.can_reopen(request.user, application),
            "reopen_form": ReopenForm(),
            "certificates": certificates,
            "total_bytes": queries.application_total_bytes(application),
            # 재인증: the certification this application renews and its result (members and
            # staff; evaluators judge the evidence, not the history). ADR 017.
            "renewal_of": certification_queries.previous_certification(application)
            if is_member or is_staff_reader(request.user)
            else None,
        },
    )


def _item_context(request, application, item, **extra):
    current, kept = queries.item_files(application, item)
    evidence = application.evidences.filter(item=item).first()
    lock = queries.evidence_lock_reason(application)
    can_edit = queries.is_member_of(request.user, application) and lock is None
    context = {
        "linkable_files": queries.linkable_files(application, item, current) if can_edit else [],
        "application": application,
        "item": item,
        "files": current,
        "kept_files": kept,
        "evidence": evidence,
        "lock_reason": lock,
        "can_edit": can_edit,
        "narrative_form": NarrativeForm(
            initial={"narrative": evidence.narrative if evidence else ""}
        ),
        "max_file_bytes": settings.EVIDENCE_MAX_FILE_BYTES,
        "upload_errors": [],
    }
    context.update(extra)
    return context


@login_required
def item_evidence(request, pk, code):
    if gate := application_entry_redirect(request.user, pk, next_url=request.path):
        return redirect(gate)
    application = _application(request, pk)
    item = _item(application, code)
    return render(
        request, "evaluation/item_evidence.html", _item_context(request, application, item)
    )


@login_required
@require_POST
def narrative_save(request, pk, code):
    application = _application(request, pk)
    item = _item(application, code)
    require(queries.is_member_of(request.user, application))
    form = NarrativeForm(request.POST)
    if form.is_valid():
        try:
            services.evidence_narrative_save(
                application=application,
                item=item,
                narrative=form.cleaned_data["narrative"],
                by=request.user,
            )
        except ValidationError as exc:
            for message in error_messages(exc):
                messages.error(request, message)
        else:
            messages.success(request, _("%(code)s 설명을 저장했습니다.") % {"code": item.code})
    return redirect("evaluation:item_evidence", pk=application.pk, code=item.code)


@csrf_exempt
@login_required
def upload(request, pk, code):
    """Custom upload handlers must be installed before CSRF middleware reads the body, so the
    view is csrf_exempt outside and csrf_protect inside (Django's documented pattern)."""
    install_upload_handler(request)
    if request.method == "POST":
        try:
            request.FILES  # noqa: B018 -- parse now, to answer a malformed body in Korean
        except (MultiPartParserError, TooManyFieldsSent, TooManyFilesSent) as exc:
            discard_uploads(request)
            application = _application(request, pk)
            item = _item(application, code)
            errors = [
                _(
                    "%(code)s: 올린 요청을 읽을 수 없습니다 (파일 이름이 너무 길거나 요청이 "
                    "손상되었습니다). 파일 이름을 줄여 다시 올리십시오."
                )
                % {"code": item.code}
            ]
            if isinstance(exc, TooManyFilesSent):
                errors = [
                    _("%(code)s: 한 번에 올릴 수 있는 파일은 %(n)d개까지입니다. 나누어 올리십시오.")
                    % {"code": item.code, "n": settings.DATA_UPLOAD_MAX_NUMBER_FILES}
                ]
            return _refused(request, application, item, errors)
    return _upload(request, pk, code)


def _refused(request, application, item, errors):
    if wants_json(request):
        return JsonResponse({"ok": False, "errors": errors}, status=400)
    context = _item_context(request, application, item, upload_errors=errors)
    return render(request, "evaluation/item_evidence.html", context, status=400)


@csrf_protect
@require_POST
def _upload(request, pk, code):
    application = _application(request, pk)
    item = _item(application, code)
    require(queries.is_member_of(request.user, application))
    replaces = None
    if request.POST.get("replaces"):
        try:
            replaces_pk = int(request.POST["replaces"])
        except ValueError:
            raise Http404 from None  # not a file id: no such file here, as for an unknown id
        replaces = get_object_or_404(
            EvidenceFile,
            pk=replaces_pk,
            application=application,
            evidence__item=item,
            state=FileState.CURRENT,
        )
    uploads = [(f, display_name(f)) for f in request.FILES.getlist("files")]
    try:
        created = services.evidence_files_add(
            application=application, item=item, uploads=uploads, by=request.user, replaces=replaces
        )
    except ValidationError as exc:
        return _refused(request, application, item, error_messages(exc))
    message = ngettext(
        "%(code)s: 파일 %(n)d개를 첨부했습니다.",
        "%(code)s: 파일 %(n)d개를 첨부했습니다.",
        len(created),
    ) % {"code": item.code, "n": len(created)}
    if replaces is not None:
        message = _(
            "%(code)s: '%(old)s' 파일을 '%(new)s' 파일로 바꾸었습니다. 이전 파일은 제출 전까지 보관됩니다."
        ) % {
            "code": item.code,
            "old": replaces.original_name,
            "new": created[0].original_name,
        }
    if wants_json(request):
        context = _item_context(request, application, item)
        html = render_to_string("evaluation/_item_files.html", context, request=request)
        return JsonResponse({"ok": True, "message": message, "files_html": html})
    messages.success(request, message)
    return redirect("evaluation:item_evidence", pk=application.pk, code=item.code)


@login_required
@require_POST
def file_link(request, pk, code):
    """Use a file already uploaded for another item of this application here too."""
    application = _application(request, pk)
    item = _item(application, code)
    require(queries.is_member_of(request.user, application))
    try:
        file_pk = int(request.POST.get("file", ""))
    except ValueError:
        messages.error(request, _("%(code)s: 연결할 파일을 고르십시오.") % {"code": item.code})
        return redirect("evaluation:item_evidence", pk=application.pk, code=item.code)
    file = get_object_or_404(
        queries.visible_evidence_files(request.user), pk=file_pk, application=application
    )
    try:
        services.evidence_file_link(file=file, item=item, by=request.user)
    except ValidationError as exc:
        for message in error_messages(exc):
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("%(code)s: '%(name)s' 파일을 연결했습니다 (저장된 사본은 하나입니다).")
            % {"code": item.code, "name": file.original_name},
        )
    return redirect("evaluation:item_evidence", pk=application.pk, code=item.code)


@login_required
@require_POST
def file_remove(request, pk):
    file = get_object_or_404(
        queries.visible_evidence_files(request.user).select_related("evidence__item"), pk=pk
    )
    require(queries.is_member_of(request.user, file.application))
    try:
        services.evidence_file_remove(file=file, by=request.user)
    except ValidationError as exc:
        for message in error_messages(exc):
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("'%(name)s' 파일을 목록에서 뺐습니다. 제출 전까지는 이전 파일로 보관됩니다.")
            % {"name": file.original_name},
        )
    return redirect(
        "evaluation:item_evidence", pk=file.application_id, code=file.evidence.item.code
    )


@login_required
def submit(request, pk):
    application = _application(request, pk)
    require(queries.is_member_of(request.user, application))
    lock = queries.evidence_lock_reason(application)
    missing = queries.missing_items(application)
    if request.method == "POST":
        try:
            services.application_submit(application=application, by=request.user)
        except ValidationError as exc:
            for message in error_messages(exc):
                messages.error(request, message)
        else:
            messages.success(
                request,
                _("'%(cycle)s' 신청서를 제출했습니다. 제출한 증빙은 더 이상 바꿀 수 없습니다.")
                % {"cycle": application.cycle.title},
            )
        return redirect("evaluation:checklist", pk=application.pk)
    return render(
        request,
        "evaluation/submit_confirm.html",
        {"application": application, "missing": missing, "lock_reason": lock},
    )


@login_required
@require_POST
def reopen(request, pk):
    application = _application(request, pk)
    require(is_admin(request.user))
    form = ReopenForm(request.POST)
    if not form.is_valid():
        for field, errs in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for err in errs:
                messages.error(request, f"{label}: {err}")
        return redirect("evaluation:checklist", pk=application.pk)
    try:
        services.evidence_reopen(
            application=application,
            by=request.user,
            reason=form.cleaned_data["reason"],
            open_until=form.cleaned_data["open_until"],
        )
    except ValidationError as exc:
        for message in error_messages(exc):
            messages.error(request, message)
    else:
        until = timezone.localtime(form.cleaned_data["open_until"])
        messages.success(
            request,
            _("%(inst)s의 증빙을 %(until)s까지 재개방했습니다.")
            % {"inst": application.institution.name, "until": f"{until:%Y-%m-%d %H:%M}"},
        )
    return redirect("evaluation:checklist", pk=application.pk)
