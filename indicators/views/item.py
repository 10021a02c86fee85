"""The item page of the draft editor: the scoring method, the guidance and the checkpoints."""

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import services
from ..forms import (
    DEFAULT_METHOD,
    CheckpointForm,
    ItemForm,
)
from ..models import Checkpoint
from ..queries import version_checkpoints
from .common import _REFUSALS, _editable, _form_errors, _messages_of
from .editor import _node

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
    messages.success(request, _("%(code)s 항목을 저장했습니다.") % {"code": item.code})
    return redirect("indicators:item_edit", version.pk, item.pk)


def _checkpoint(version, checkpoint_pk: int) -> Checkpoint:
    checkpoint = get_object_or_404(version_checkpoints(version), pk=checkpoint_pk)
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
