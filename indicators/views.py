"""Rubric pages: the list, the read-only version page, import/export, the lifecycle buttons and
the draft editor. Views are thin: they fetch through ``queries`` (outsiders get 404), parse with
a form, call a service and render. The editor's htmx requests get the tree fragment back from
the same template the page includes."""

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import services
from .forms import (
    DEFAULT_METHOD,
    CheckpointForm,
    CloneForm,
    ImportForm,
    ItemForm,
    NodeForm,
    SubstitutionForm,
    VersionForm,
)
from .kinds import ITEM, KINDS
from .korean import particle
from .models import (
    Checkpoint,
    FrozenRubricError,
    RoundingMode,
    RubricVersion,
    VersionStatus,
)
from .queries import (
    can_edit_rubric,
    can_manage_rubrics,
    editable_rubric_versions,
    managed_rubric_versions,
    next_version_name,
    rubric_tree,
    rubric_view,
    visible_rubric_versions,
    with_tree,
)
from .services import RubricStateError
from .validation import RubricInvalid

_REFUSALS = (RubricInvalid, RubricStateError, FrozenRubricError)


def _messages_of(exc: Exception) -> list[str]:
    if isinstance(exc, RubricInvalid):
        return [str(p) for p in exc.problems]
    return [str(exc)]


def _form_errors(form, prefix: str = "") -> list[str]:
    lead = f"{prefix}: " if prefix else ""
    found = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        for error in errors:
            found.append(f"{lead}{label} — {error}" if label else f"{lead}{error}")
    return found


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
                _("%(code)s 버전 %(version)s을(를) 가져왔습니다.")
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
                _("%(version)s 새 초안으로 만들었습니다. 수정한 뒤 게시하십시오.")
                % {"version": particle(f"버전 {clone.version}", "을/를")},
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
                _("버전 %(v)s은(는) 초안이 아니어서 게시할 수 없습니다.") % {"v": version.version},
            )
            return redirect("indicators:version_detail", version.pk)
        version = rubric_tree(RubricVersion.objects.select_related("rubric").get(pk=version.pk))
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
        _("%(version)s 게시했습니다. 이제 이 버전은 바꿀 수 없습니다.")
        % {"version": particle(f"버전 {version.version}", "을/를")},
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
        messages.success(request, _("버전 %(v)s을(를) 폐지했습니다.") % {"v": version.version})
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
    messages.success(request, _("초안 %(v)s을(를) 삭제했습니다.") % {"v": version.version})
    return redirect("indicators:version_list")


# --- the draft editor -------------------------------------------------------------------------


def _editable(request, pk: int) -> RubricVersion:
    return get_object_or_404(editable_rubric_versions(request.user), pk=pk)


def _render_editor(request, version: RubricVersion, *, status: int = 200, **extra):
    version = rubric_tree(RubricVersion.objects.select_related("rubric").get(pk=version.pk))
    context = {
        "version": version,
        "view": rubric_view(version),
        "rounding_modes": RoundingMode.choices,
        **extra,
    }
    template = "indicators/_editor.html" if request.htmx else "indicators/editor.html"
    return render(request, template, context, status=status)


def _apply(request, version, action: Callable[[], str], *, kind="", node_pk=None):
    """Run an editor action; answer with the tree (htmx) or redirect back to the editor."""
    try:
        saved = action()
    except _REFUSALS as exc:
        refused = _messages_of(exc)
        return _render_editor(
            request,
            version,
            refused=refused,
            refused_kind=kind,
            refused_pk=node_pk,
            status=200 if request.htmx else 400,
        )
    if request.htmx:
        return _render_editor(request, version, saved=saved)
    messages.success(request, saved)
    return redirect("indicators:editor", version.pk)


def _refuse_form(request, version, form, *, kind="", node_pk=None, prefix=""):
    return _render_editor(
        request,
        version,
        refused=_form_errors(form, prefix),
        refused_kind=kind,
        refused_pk=node_pk,
        status=200 if request.htmx else 400,
    )


@login_required
@require_GET
def editor(request, pk: int):
    return _render_editor(request, _editable(request, pk))


@login_required
@require_POST
def editor_settings(request, pk: int):
    version = _editable(request, pk)
    form = VersionForm(request.POST)
    if not form.is_valid():
        return _refuse_form(request, version, form, kind="version")
    data = form.cleaned_data

    def action():
        services.rubric_version_update(version=version, **data)
        return _("버전 설정을 저장했습니다.")

    return _apply(request, version, action, kind="version")


def _node(version: RubricVersion, kind: str, node_pk: int):
    node_kind = KINDS.get(kind)
    if node_kind is None:
        raise Http404
    node = get_object_or_404(node_kind.model.objects.filter(version=version), pk=node_pk)
    node.version = version
    return node


@login_required
@require_POST
def node_update(request, pk: int, kind: str, node_pk: int):
    version = _editable(request, pk)
    node = _node(version, kind, node_pk)
    form = NodeForm(request.POST)
    if not form.is_valid():
        return _refuse_form(request, version, form, kind=kind, node_pk=node.pk, prefix=node.code)
    data = form.cleaned_data

    def action():
        services.node_update(node=node, **data)
        return _("%(code)s 저장했습니다.") % {"code": particle(data["code"], "을/를")}

    return _apply(request, version, action, kind=kind, node_pk=node.pk)


@login_required
@require_POST
def node_remove(request, pk: int, kind: str, node_pk: int):
    version = _editable(request, pk)
    node = _node(version, kind, node_pk)

    def action():
        services.node_remove(node=node)
        return _("%(code)s을(를) 삭제했습니다.") % {"code": node.code}

    return _apply(request, version, action, kind=kind, node_pk=node.pk)


@login_required
@require_POST
def node_move(request, pk: int, kind: str, node_pk: int, direction: str):
    version = _editable(request, pk)
    node = _node(version, kind, node_pk)
    offsets = {"up": -1, "down": 1}
    if direction not in offsets:
        raise Http404

    def action():
        services.node_move(node=node, offset=offsets[direction])
        return _("%(code)s의 순서를 바꿨습니다.") % {"code": node.code}

    return _apply(request, version, action, kind=kind, node_pk=node.pk)


@login_required
@require_POST
def node_add(request, pk: int, kind: str, node_pk: int | None = None):
    """Add an area to the version, an indicator to an area or an item to an indicator."""
    version = _editable(request, pk)
    node_kind = KINDS[kind]
    parent_kind = node_kind.parent_kind
    parent = version if parent_kind is None else _node(version, parent_kind.name, node_pk)
    refused_kind = f"new-{kind}"
    form = NodeForm(request.POST)
    if not form.is_valid():
        return _refuse_form(request, version, form, kind=refused_kind, node_pk=node_pk)
    data = form.cleaned_data
    extra = {}
    if node_kind is ITEM:
        extra["scoring"] = None if version.default_scoring else {"method": "points"}

    def action():
        services.node_add(kind=node_kind, parent=parent, **data, **extra)
        return _(node_kind.added) % {"code": data["code"]}

    return _apply(request, version, action, kind=refused_kind, node_pk=node_pk)


@login_required
@require_POST
def area_substitution(request, pk: int, node_pk: int):
    version = _editable(request, pk)
    area = _node(version, "area", node_pk)
    form = SubstitutionForm(request.POST)
    if not form.is_valid():
        return _refuse_form(request, version, form, kind="area", node_pk=area.pk, prefix=area.code)

    def action():
        services.area_substitution_update(area=area, substitution=form.substitution)
        return _("%(code)s의 대체 인정을 저장했습니다.") % {"code": area.code}

    return _apply(request, version, action, kind="area", node_pk=area.pk)


# --- the item page: scoring method and guidance ----------------------------------------------


def _item_page(request, version, item, form, *, refused=(), status=200, checkpoint_forms=None):
    checkpoints = list(item.checkpoints.order_by("order", "pk"))
    return render(
        request,
        "indicators/item_edit.html",
        {
            "version": version,
            "item": item,
            "form": form,
            "refused": list(refused),
            "checkpoints": checkpoints,
            "checkpoint_form": CheckpointForm(),
            "checkpoint_forms": checkpoint_forms or {},
        },
        status=status,
    )


@login_required
def item_edit(request, pk: int, node_pk: int):
    version = _editable(request, pk)
    item = _node(version, "item", node_pk)
    if request.method != "POST":
        form = ItemForm(initial=ItemForm.initial_for(item), version=version)
        return _item_page(request, version, item, form)
    form = ItemForm(request.POST, version=version)
    if not form.is_valid():
        return _item_page(request, version, item, form, status=400)
    data = form.cleaned_data
    try:
        services.item_update(
            item=item,
            code=data["code"],
            title=data["title"],
            points=data["points"],
            scoring=None if data["method"] == DEFAULT_METHOD else form.scoring,
            purpose=data["purpose_lines"],
            evidence_hint=data["evidence_hint"],
        )
    except _REFUSALS as exc:
        item = _node(version, "item", node_pk)
        return _item_page(request, version, item, form, refused=_messages_of(exc), status=400)
    messages.success(request, _("%(code)s 저장했습니다.") % {"code": particle(item.code, "을/를")})
    return redirect("indicators:item_edit", version.pk, item.pk)


def _checkpoint(version, checkpoint_pk: int) -> Checkpoint:
    checkpoint = get_object_or_404(
        Checkpoint.objects.select_related("item").filter(item__version=version), pk=checkpoint_pk
    )
    checkpoint.item.version = version
    return checkpoint


def _checkpoint_result(request, version, item, action: Callable[[], str], form=None):
    try:
        saved = action()
    except _REFUSALS as exc:
        page_form = ItemForm(initial=ItemForm.initial_for(item), version=version)
        return _item_page(request, version, item, page_form, refused=_messages_of(exc), status=400)
    messages.success(request, saved)
    return redirect("indicators:item_edit", version.pk, item.pk)


def _refused_checkpoint_form(request, version, item, form):
    page_form = ItemForm(initial=ItemForm.initial_for(item), version=version)
    return _item_page(
        request, version, item, page_form, refused=_form_errors(form, item.code), status=400
    )


@login_required
@require_POST
def checkpoint_add(request, pk: int, node_pk: int):
    version = _editable(request, pk)
    item = _node(version, "item", node_pk)
    form = CheckpointForm(request.POST)
    if not form.is_valid():
        return _refused_checkpoint_form(request, version, item, form)

    def action():
        services.checkpoint_add(
            item=item, text=form.cleaned_data["text"], details=form.cleaned_data["details"]
        )
        return _("착안사항을 추가했습니다.")

    return _checkpoint_result(request, version, item, action)


@login_required
@require_POST
def checkpoint_update(request, pk: int, checkpoint_pk: int):
    version = _editable(request, pk)
    checkpoint = _checkpoint(version, checkpoint_pk)
    form = CheckpointForm(request.POST)
    if not form.is_valid():
        return _refused_checkpoint_form(request, version, checkpoint.item, form)

    def action():
        services.checkpoint_update(
            checkpoint=checkpoint,
            text=form.cleaned_data["text"],
            details=form.cleaned_data["details"],
        )
        return _("착안사항을 저장했습니다.")

    return _checkpoint_result(request, version, checkpoint.item, action)


@login_required
@require_POST
def checkpoint_remove(request, pk: int, checkpoint_pk: int):
    version = _editable(request, pk)
    checkpoint = _checkpoint(version, checkpoint_pk)

    def action():
        services.checkpoint_remove(checkpoint=checkpoint)
        return _("착안사항을 삭제했습니다.")

    return _checkpoint_result(request, version, checkpoint.item, action)


@login_required
@require_POST
def checkpoint_move(request, pk: int, checkpoint_pk: int, direction: str):
    version = _editable(request, pk)
    checkpoint = _checkpoint(version, checkpoint_pk)
    offsets = {"up": -1, "down": 1}
    if direction not in offsets:
        raise Http404

    def action():
        services.checkpoint_move(checkpoint=checkpoint, offset=offsets[direction])
        return _("착안사항의 순서를 바꿨습니다.")

    return _checkpoint_result(request, version, checkpoint.item, action)
