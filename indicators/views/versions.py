"""The rubric list, the read-only version page, import/export and the lifecycle buttons."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .. import services
from ..forms import (
    CloneForm,
    ImportForm,
)
from ..models import (
    RubricVersion,
    VersionStatus,
)
from ..queries import (
    can_edit_rubric,
    can_manage_rubrics,
    managed_rubric_versions,
    next_version_name,
    reloaded_rubric_tree,
    rubric_tree,
    rubric_view,
    visible_rubric_versions,
    with_tree,
)
from ..services import RubricStateError
from ..validation import RubricInvalid
from .common import _messages_of

# --- reading ----------------------------------------------------------------------------------


@login_required
@require_GET
def version_list(request):
    versions = (
        visible_rubric_versions(request.user)
        .annotate(item_count=Count("items"))
        .order_by("rubric__code", "-created_at")
    )
    return render(
        request,
        "indicators/version_list.html",
        {"versions": versions, "can_manage": can_manage_rubrics(request.user)},
    )


def _detail_context(request, version: RubricVersion, **extra) -> dict:
    return {
        "version": version,
        "view": rubric_view(version),
        "can_manage": can_manage_rubrics(request.user),
        "can_edit": can_edit_rubric(request.user, version),
        "clone_form": CloneForm(initial={"new_version": next_version_name(version)}),
        **extra,
    }


@login_required
@require_GET
def version_detail(request, pk: int):
    version = get_object_or_404(with_tree(visible_rubric_versions(request.user)), pk=pk)
    return render(request, "indicators/version_detail.html", _detail_context(request, version))


# --- import / export --------------------------------------------------------------------------


@login_required
def version_import(request):
    if not can_manage_rubrics(request.user):
        raise Http404
    form = ImportForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            version = services.rubric_import(
                document_text=form.cleaned_data["file"].read(),
                publish=form.cleaned_data["publish"],
            )
        except RubricInvalid as exc:
            problems = _messages_of(exc)
        else:
            messages.success(
                request,
                _("%(code)s의 %(version)s 버전을 가져왔습니다.")
                % {"code": version.rubric.code, "version": version.version},
            )
            target = "indicators:editor" if version.is_draft else "indicators:version_detail"
            return redirect(target, version.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "indicators/version_import.html",
        {"form": form, "problems": problems},
        status=status,
    )


@login_required
@require_GET
def version_export(request, pk: int):
    version = get_object_or_404(managed_rubric_versions(request.user), pk=pk)
    text = services.rubric_export(version=version)
    response = HttpResponse(text, content_type="application/yaml; charset=utf-8")
    filename = f"{version.rubric.code}-{version.version}.yaml"
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


# --- lifecycle --------------------------------------------------------------------------------


@login_required
@require_POST
def version_clone(request, pk: int):
    version = get_object_or_404(managed_rubric_versions(request.user), pk=pk)
    form = CloneForm(request.POST)
    if form.is_valid():
        try:
            clone = services.rubric_version_clone(
                version=version,
                new_version=form.cleaned_data["new_version"],
                title=form.cleaned_data["title"],
            )
        except RubricInvalid as exc:
            for problem in exc.problems:
                form.add_error("new_version", problem.message)
        else:
            messages.success(
                request,
                _("%(version)s 버전을 새 초안으로 만들었습니다. 수정한 뒤 게시하십시오.")
                % {"version": clone.version},
            )
            return redirect("indicators:editor", clone.pk)
    version = rubric_tree(version)
    context = _detail_context(request, version, clone_form=form)
    return render(request, "indicators/version_detail.html", context, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def version_publish(request, pk: int):
    """GET: the confirmation naming the consequence (the editor opens the same form in a
    <dialog> when JavaScript runs). POST: publish. A refusal goes back to the editor, whose
    publish panel lists the problems once, as links; a reload does not post again."""
    version = get_object_or_404(managed_rubric_versions(request.user), pk=pk)
    if request.method == "GET":
        if version.status != VersionStatus.DRAFT:
            messages.error(
                request,
                _("%(v)s 버전은 초안이 아니어서 게시할 수 없습니다.") % {"v": version.version},
            )
            return redirect("indicators:version_detail", version.pk)
        version = reloaded_rubric_tree(version)
        return render(
            request,
            "indicators/publish_confirm.html",
            {"version": version, "view": rubric_view(version)},
        )
    try:
        services.rubric_version_publish(version=version)
    except RubricInvalid as exc:
        n = len(_messages_of(exc))
        messages.error(
            request,
            _("게시하지 않았습니다. '게시' 칸에 나열한 문제 %(n)d건을 먼저 해결하십시오.")
            % {"n": n},
        )
        return redirect(reverse("indicators:editor", args=[version.pk]) + "#publish-heading")
    except RubricStateError as exc:
        messages.error(request, str(exc))
        return redirect("indicators:version_detail", version.pk)
    messages.success(
        request,
        _("%(version)s 버전을 게시했습니다. 이제 이 버전은 바꿀 수 없습니다.")
        % {"version": version.version},
    )
    return redirect("indicators:version_detail", version.pk)


@login_required
@require_POST
def version_retire(request, pk: int):
    version = get_object_or_404(managed_rubric_versions(request.user), pk=pk)
    try:
        services.rubric_version_retire(version=version)
    except RubricStateError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("%(v)s 버전을 폐지했습니다.") % {"v": version.version})
    return redirect("indicators:version_detail", version.pk)


@login_required
@require_POST
def version_delete(request, pk: int):
    version = get_object_or_404(managed_rubric_versions(request.user), pk=pk)
    try:
        services.rubric_version_delete(version=version)
    except RubricStateError as exc:
        messages.error(request, str(exc))
        return redirect("indicators:version_detail", version.pk)
    messages.success(request, _("%(v)s 버전 초안을 삭제했습니다.") % {"v": version.version})
    return redirect("indicators:version_list")
