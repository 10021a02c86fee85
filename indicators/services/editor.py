"""Writes of the draft editor: the version's settings, the tree's nodes and the checkpoints.

Editor changes are tried on the version's document first (``queries.rubric_document_nodes``)
and validated with the same rules as an import; only completeness problems (sums that do not
match yet, empty lists) are allowed in a draft, and publication refuses those too.

Adding, changing the shared fields of, removing and moving a node are written once for every
level of the tree, from the ``kinds.KINDS`` table (its model, the field naming its parent, the
document list that holds it). What only one kind has keeps its own function: an area's
substitution and an item's scoring and guidance.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from django.db import transaction
from django.db.models import Max

from .. import validation
from ..kinds import ITEM, KINDS, NodeKind, kind_of
from ..models import Area, Checkpoint, Item, RubricVersion
from ..queries import rubric_document_nodes, scoring_storage
from ..validation import Problem, RubricInvalid
from .lifecycle import _require_draft, _substitution_storage


def _try(version: RubricVersion, change: Callable[[object], None]) -> None:
    """Apply ``change`` to the draft's document and refuse when the result is invalid.

    ``change`` receives the ``DocumentNodes`` of the version. Completeness problems (sums that
    do not match yet, empty lists) are allowed in a draft; everything else is refused with the
    same messages as an import.
    """
    _require_draft(version)
    nodes = rubric_document_nodes(RubricVersion.objects.select_related("rubric").get(pk=version.pk))
    change(nodes)
    blocking = [p for p in validation.validate(nodes.document) if not p.draft_ok]
    if blocking:
        raise RubricInvalid(blocking)


def _next_order(queryset) -> int:
    current = queryset.aggregate(m=Max("order"))["m"]
    return 0 if current is None else current + 1


def _move(obj, siblings, offset: int) -> None:
    """Swap ``obj`` with the sibling ``offset`` places away (-1 up, +1 down), if there is one."""
    ordered = list(siblings.order_by("order", "pk"))
    index = next(i for i, s in enumerate(ordered) if s.pk == obj.pk)
    target = index + offset
    if offset == 0 or not 0 <= target < len(ordered):
        return
    other = ordered[target]
    mine, theirs = ordered[index].order, other.order
    parking = _next_order(siblings)
    type(obj).objects.filter(pk=obj.pk).update(order=parking)
    type(obj).objects.filter(pk=other.pk).update(order=mine)
    type(obj).objects.filter(pk=obj.pk).update(order=theirs)
    obj.order = theirs


@transaction.atomic
def rubric_version_update(
    *,
    version: RubricVersion,
    title: str,
    total_points: Decimal,
    rounding_places: int,
    rounding_mode: str,
) -> RubricVersion:
    def change(nodes):
        doc = nodes.document
        doc["title"], doc["total_points"] = title, total_points
        doc["rounding"] = {"places": rounding_places, "mode": rounding_mode}

    _try(version, change)
    RubricVersion.objects.filter(pk=version.pk).update(
        title=title,
        total_points=total_points,
        rounding_places=rounding_places,
        rounding_mode=rounding_mode,
    )
    version.refresh_from_db()
    return version


# --- the tree's nodes, every kind ------------------------------------------------------------


def _effective_scoring(version: RubricVersion, scoring: dict | None) -> tuple[str, dict, bool]:
    """``(method, params, inherits_default)`` for a document scoring, or the version's default
    when ``scoring`` is None."""
    if scoring is not None:
        method, params = scoring_storage(scoring)
        return method, params, False
    if not version.default_scoring:
        raise RubricInvalid(
            [Problem("scoring", "채점 방식이 없습니다 (defaults.scoring도 없습니다)")]
        )
    params = dict(version.default_scoring)
    return params.pop("method"), params, True


def _siblings(kind: NodeKind, node):
    """The nodes that share ``node``'s parent, ``node`` included."""
    parent_id = f"{kind.parent}_id"
    return kind.model.objects.filter(**{parent_id: getattr(node, parent_id)})


@transaction.atomic
def node_add(
    *,
    kind: NodeKind | str,
    parent: RubricVersion | Area | Item,
    code: str,
    title: str,
    points: Decimal,
    scoring: dict | None = None,
):
    """Add a node of ``kind`` as the last child of ``parent`` (the version for an area, the
    area for an indicator, the indicator for an item). An item without ``scoring`` follows the
    version's ``defaults.scoring``; other kinds take no scoring."""
    kind = KINDS[kind] if isinstance(kind, str) else kind
    if scoring is not None and kind is not ITEM:
        raise TypeError(f"a {kind.name} has no scoring")
    parent_kind = kind.parent_kind
    version = parent if parent_kind is None else parent.version

    def change(nodes):
        doc = {"code": code, "title": title, "points": points}
        if kind.child_kind is not None:
            doc[kind.child_kind.plural] = []
        if scoring is not None:
            doc["scoring"] = scoring
        if parent_kind is None:
            holder = nodes.document
        else:
            holder = getattr(nodes, parent_kind.plural)[parent.pk][0]
        holder[kind.plural].append(doc)

    _try(version, change)
    fields = {kind.parent: parent}
    if parent_kind is not None:
        fields["version_id"] = parent.version_id
    if kind is ITEM:
        method, params, inherits = _effective_scoring(version, scoring)
        fields.update(method=method, params=params, inherits_default=inherits)
    return kind.model.objects.create(
        **fields,
        code=code,
        title=title,
        points=points,
        order=_next_order(kind.model.objects.filter(**{kind.parent: parent})),
    )


def _update(node, *, code, title, points, document=None, stored=None):
    """Change a node's code, title and points, plus what ``document`` changes in its mapping;
    ``stored`` (called once the change is accepted) gives the further fields to save."""
    kind = kind_of(node)

    def change(nodes):
        doc = getattr(nodes, kind.plural)[node.pk][0]
        doc.update(code=code, title=title, points=points)
        if document is not None:
            document(doc)

    _try(node.version, change)
    fields = {"code": code, "title": title, "points": points}
    if stored is not None:
        fields.update(stored())
    for name, value in fields.items():
        setattr(node, name, value)
    node.save(update_fields=list(fields))
    return node


@transaction.atomic
def node_update(*, node, code: str, title: str, points: Decimal):
    """Change the code, title and points of an area, indicator or item."""
    return _update(node, code=code, title=title, points=points)


@transaction.atomic
def node_remove(*, node) -> None:
    """Remove an area, indicator or item with everything under it."""
    kind = kind_of(node)

    def change(nodes):
        doc, siblings = getattr(nodes, kind.plural)[node.pk]
        siblings.remove(doc)

    _try(node.version, change)
    kind.model.objects.filter(pk=node.pk).delete()


@transaction.atomic
def node_move(*, node, offset: int) -> None:
    """Swap a node with its sibling ``offset`` places away (-1 up, +1 down), if there is one."""
    _require_draft(node.version)
    _move(node, _siblings(kind_of(node), node), offset)


# --- what one kind alone has ------------------------------------------------------------------


@transaction.atomic
def area_substitution_update(*, area: Area, substitution: dict | None) -> Area:
    """Set an area's ``substitution`` (a document mapping), or drop it (None or empty)."""

    def document(doc):
        if substitution:
            doc["substitution"] = substitution
        else:
            doc.pop("substitution", None)

    return _update(
        area,
        code=area.code,
        title=area.title,
        points=area.points,
        document=document,
        stored=lambda: {"substitution": _substitution_storage(substitution)},
    )


_UNCHANGED = ...


@transaction.atomic
def item_update(
    *,
    item: Item,
    code: str,
    title: str,
    points: Decimal,
    scoring: dict | None | object = _UNCHANGED,
    purpose: list[str] | object = _UNCHANGED,
    evidence_hint: str | object = _UNCHANGED,
) -> Item:
    """Change an item. ``scoring`` is a document mapping, or None to follow the version's
    default; ``scoring``, ``purpose`` and ``evidence_hint`` stay as they are when not given."""
    version = item.version

    def document(doc):
        if scoring is not _UNCHANGED:
            if scoring is None:
                doc.pop("scoring", None)
            else:
                doc["scoring"] = scoring
        if purpose is not _UNCHANGED:
            doc["purpose"] = list(purpose)
        if evidence_hint is not _UNCHANGED:
            doc["evidence_hint"] = evidence_hint

    def stored():
        fields = {}
        if scoring is not _UNCHANGED:
            method, params, inherits = _effective_scoring(version, scoring)
            fields.update(method=method, params=params, inherits_default=inherits)
        if purpose is not _UNCHANGED:
            fields["purpose"] = list(purpose)
        if evidence_hint is not _UNCHANGED:
            fields["evidence_hint"] = evidence_hint
        return fields

    return _update(item, code=code, title=title, points=points, document=document, stored=stored)


# --- checkpoints ------------------------------------------------------------------------------


def _checkpoint_change(item: Item, mutate: Callable[[list], None]) -> None:
    def change(nodes):
        doc = nodes.items[item.pk][0]
        checkpoints = doc.setdefault("checkpoints", [])
        mutate(checkpoints)

    _try(item.version, change)


@transaction.atomic
def checkpoint_add(*, item: Item, text: str, details: list[str] | None = None) -> Checkpoint:
    details = list(details or [])
    entry = {"text": text, **({"details": details} if details else {})}
    _checkpoint_change(item, lambda checkpoints: checkpoints.append(entry))
    return Checkpoint.objects.create(
        item=item,
        text=text,
        details=details,
        order=_next_order(Checkpoint.objects.filter(item=item)),
    )


@transaction.atomic
def checkpoint_update(
    *, checkpoint: Checkpoint, text: str, details: list[str] | None = None
) -> Checkpoint:
    details = list(details or [])
    index = list(
        Checkpoint.objects.filter(item_id=checkpoint.item_id).order_by("order", "pk")
    ).index(checkpoint)

    def mutate(checkpoints):
        checkpoints[index] = {"text": text, **({"details": details} if details else {})}

    _checkpoint_change(checkpoint.item, mutate)
    checkpoint.text, checkpoint.details = text, details
    checkpoint.save(update_fields=["text", "details"])
    return checkpoint


@transaction.atomic
def checkpoint_remove(*, checkpoint: Checkpoint) -> None:
    _require_draft(checkpoint.item.version)
    Checkpoint.objects.filter(pk=checkpoint.pk).delete()


@transaction.atomic
def checkpoint_move(*, checkpoint: Checkpoint, offset: int) -> None:
    _require_draft(checkpoint.item.version)
    _move(checkpoint, Checkpoint.objects.filter(item_id=checkpoint.item_id), offset)
