"""The draft editor: the tree of a draft, its settings, and adding, changing, removing and moving
its nodes (one view per action for every kind of node, from ``kinds.KINDS``). htmx requests get
the tree fragment back from the same template the page includes."""

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from .. import services
from ..forms import (
    NodeForm,
    SubstitutionForm,
    VersionForm,
)
from ..kinds import ITEM, KINDS
from ..models import (
    RoundingMode,
    RubricVersion,
)
from ..queries import (
    reloaded_rubric_tree,
    rubric_view,
    version_nodes,
)
from .common import _REFUSALS, _editable, _form_errors, _messages_of


def _render_editor(request, version: RubricVersion, *, status: int = 200, **extra):
    version = reloaded_rubric_tree(version)
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
    node = get_object_or_404(version_nodes(version, node_kind.model), pk=node_pk)
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
        return _(KINDS[kind].saved) % {"code": data["code"]}

    return _apply(request, version, action, kind=kind, node_pk=node.pk)


@login_required
@require_POST
def node_remove(request, pk: int, kind: str, node_pk: int):
    version = _editable(request, pk)
    node = _node(version, kind, node_pk)

    def action():
        services.node_remove(node=node)
        return _(KINDS[kind].removed) % {"code": node.code}

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
