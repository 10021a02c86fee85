"""Writes to rubrics: import, export, publication, cloning, retirement and the draft editor.

Every function is keyword-only and atomic. A refused write raises and leaves the database as it
was:

- ``RubricInvalid`` (from ``validation``) carries the full list of problems, each naming a code
  or key path and the numbers;
- ``RubricStateError`` says that the version is not in a state that allows the change;
- the model layer's ``FrozenRubricError`` is the last line for published/retired versions.

Editor changes are tried on the version's document first (``queries.rubric_document_nodes``)
and validated with the same rules as an import; only completeness problems (sums that do not
match yet, empty lists) are allowed in a draft, and publication refuses those too.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from . import interchange, validation
from .korean import particle
from .models import (
    Area,
    Checkpoint,
    GradeLevel,
    GradeScale,
    Indicator,
    Item,
    Rubric,
    RubricVersion,
    VersionStatus,
)
from .queries import (
    rubric_document,
    rubric_document_nodes,
    rubric_tree,
    scoring_storage,
)
from .validation import MAX_VERSION, Problem, RubricInvalid


class RubricStateError(Exception):
    """The version's status does not allow this change (e.g. publishing a published version)."""


_STATUS_LABEL = {value: str(label) for value, label in VersionStatus.choices}


@contextmanager
def _whole_batches() -> Iterator[None]:
    """Let ``bulk_create`` insert a whole level of the tree in one statement on SQLite.

    Django 5.2 assumes SQLite's historic limit of 999 parameters per statement and splits
    inserts into batches of ``999 // fields`` rows, so the query count would grow with the size
    of the rubric. SQLite ≥ 3.32 allows 32766 (Debian builds 250000); Django 6.0 reads the real
    limit (ticket #36143). Until then this reads it for the duration of an import or a clone.
    """
    if connection.vendor != "sqlite":
        yield
        return
    connection.ensure_connection()
    limit = connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    features = connection.features
    had_own = "max_query_params" in features.__dict__
    previous = features.max_query_params
    features.max_query_params = max(previous, limit)
    try:
        yield
    finally:
        if had_own:
            features.max_query_params = previous
        else:
            del features.max_query_params


def _require_draft(version: RubricVersion) -> None:
    status = RubricVersion.objects.filter(pk=version.pk).values_list("status", flat=True).first()
    if status != VersionStatus.DRAFT:
        raise RubricStateError(
            f"{version}: 초안만 수정할 수 있습니다 (현재 상태: {_STATUS_LABEL.get(status, status)}). "
            "게시된 평가지표는 새 초안으로 복제하여 수정하십시오."
        )


# --- import / export --------------------------------------------------------------------------


def _existing_version_problem(code: str, version: str) -> Problem:
    return Problem(
        "version",
        f"평가지표 '{code}'에 버전 '{version}'이(가) 이미 있습니다. "
        "기존 버전은 덮어쓰지 않습니다 — 다른 version 값으로 가져오십시오.",
    )


@transaction.atomic
def rubric_import(
    *,
    document_text: str | bytes | None = None,
    data: dict | None = None,
    publish: bool = False,
) -> RubricVersion:
    """Create a rubric version from an interchange document (text, or already parsed ``data``).

    The whole document is validated first; any problem refuses the import and nothing is
    written. An existing ``code`` + ``version`` is refused, never overwritten. The version is
    created as a draft, or published at once with ``publish=True``. The number of queries does
    not depend on the size of the rubric.
    """
    if data is None:
        if document_text is None:
            raise ValueError("document_text or data is required")
        data = interchange.parse_text(document_text)
    problems = validation.validate(data)
    if problems:
        raise RubricInvalid(problems)
    rubric = Rubric.objects.filter(code=data["code"]).first()
    if rubric is not None and rubric.versions.filter(version=data["version"]).exists():
        raise RubricInvalid([_existing_version_problem(data["code"], data["version"])])
    if rubric is None:
        rubric = Rubric.objects.create(code=data["code"], title=data["title"])
    rounding = {**validation.DEFAULT_ROUNDING, **data.get("rounding", {})}
    default = (data.get("defaults") or {}).get("scoring")
    default_method, default_params = scoring_storage(default) if default else (None, {})
    version = RubricVersion.objects.create(
        rubric=rubric,
        version=data["version"],
        title=data["title"],
        total_points=data["total_points"],
        rounding_places=int(rounding["places"]),
        rounding_mode=rounding["mode"],
        default_scoring={"method": default_method, **default_params} if default else None,
    )
    with _whole_batches():
        _create_tree(version, data, default_method, default_params)
    if publish:
        _publish(version)
    return version


def _create_tree(version, data, default_method, default_params) -> None:
    scales = [
        GradeScale(version=version, name=name, title=scale["title"], order=i)
        for i, (name, scale) in enumerate(data.get("grade_scales", {}).items())
    ]
    GradeScale.objects.bulk_create(scales)
    levels_by_scale = [scale["levels"] for scale in data.get("grade_scales", {}).values()]
    GradeLevel.objects.bulk_create(
        GradeLevel(scale=scale, code=lv["code"], title=lv["title"], ratio=lv["ratio"], order=j)
        for scale, levels in zip(scales, levels_by_scale, strict=True)
        for j, lv in enumerate(levels)
    )
    areas = Area.objects.bulk_create(
        Area(
            version=version,
            code=a["code"],
            title=a["title"],
            points=a["points"],
            order=i,
            substitution=_substitution_storage(a.get("substitution")),
        )
        for i, a in enumerate(data["areas"])
    )
    indicator_docs = [
        (area, d) for area, a in zip(areas, data["areas"], strict=True) for d in a["indicators"]
    ]
    indicators = Indicator.objects.bulk_create(
        Indicator(
            version=version,
            area=area,
            code=d["code"],
            title=d["title"],
            points=d["points"],
            order=j,
        )
        for area, a in zip(areas, data["areas"], strict=True)
        for j, d in enumerate(a["indicators"])
    )
    item_docs = [
        (indicator, j, d)
        for indicator, (_area, ind) in zip(indicators, indicator_docs, strict=True)
        for j, d in enumerate(ind["items"])
    ]
    items = Item.objects.bulk_create(
        _item_from_document(version, indicator, order, d, default_method, default_params)
        for indicator, order, d in item_docs
    )
    Checkpoint.objects.bulk_create(
        Checkpoint(item=item, order=k, text=c["text"], details=list(c.get("details", [])))
        for item, (_ind, _order, d) in zip(items, item_docs, strict=True)
        for k, c in enumerate(d.get("checkpoints", []))
    )


def _substitution_storage(substitution: dict | None) -> dict | None:
    if not substitution:
        return None
    stored = {
        "certificates": list(substitution["certificates"]),
        "award_ratio": validation.fmt(substitution["award_ratio"]),
    }
    if "note" in substitution:
        stored["note"] = substitution["note"]
    return stored


def _item_from_document(version, indicator, order, doc, default_method, default_params) -> Item:
    if "scoring" in doc:
        method, params = scoring_storage(doc["scoring"])
        inherits = False
    else:
        method, params, inherits = default_method, dict(default_params), True
    return Item(
        version=version,
        indicator=indicator,
        code=doc["code"],
        title=doc["title"],
        points=doc["points"],
        order=order,
        method=method,
        params=params,
        inherits_default=inherits,
        purpose=list(doc.get("purpose", [])),
        evidence_hint=doc.get("evidence_hint", ""),
    )


def rubric_export(*, version: RubricVersion) -> str:
    """The version as YAML text in the interchange format (a constant number of queries)."""
    return interchange.dump_text(rubric_document(version))


# --- lifecycle --------------------------------------------------------------------------------


def _publish(version: RubricVersion) -> None:
    now = timezone.now()
    RubricVersion.objects.filter(pk=version.pk).update(
        status=VersionStatus.PUBLISHED, published_at=now
    )
    version.status = VersionStatus.PUBLISHED
    version.published_at = now


@transaction.atomic
def rubric_version_publish(*, version: RubricVersion) -> RubricVersion:
    """Freeze a draft for good. Refuses with the full problem list when it is not valid."""
    locked = RubricVersion.objects.select_for_update().select_related("rubric").get(pk=version.pk)
    if not locked.is_draft:
        raise RubricStateError(
            f"{locked}: 초안만 게시할 수 있습니다 "
            f"(현재 상태: {_STATUS_LABEL.get(locked.status, locked.status)})."
        )
    problems = validation.validate(rubric_document(locked))
    if problems:
        raise RubricInvalid(problems)
    _publish(locked)
    version.status, version.published_at = locked.status, locked.published_at
    return version


@transaction.atomic
def rubric_version_retire(*, version: RubricVersion) -> RubricVersion:
    """Retire a published version: it stays readable forever, but no new cycle should use it."""
    locked = RubricVersion.objects.select_for_update().get(pk=version.pk)
    if locked.status != VersionStatus.PUBLISHED:
        raise RubricStateError(
            f"{version}: 게시된 버전만 폐지할 수 있습니다 "
            f"(현재 상태: {_STATUS_LABEL.get(locked.status, locked.status)})."
        )
    now = timezone.now()
    RubricVersion.objects.filter(pk=version.pk).update(status=VersionStatus.RETIRED, retired_at=now)
    version.status, version.retired_at = VersionStatus.RETIRED, now
    return version


@transaction.atomic
def rubric_version_delete(*, version: RubricVersion) -> None:
    """Delete a draft (published and retired versions are kept forever)."""
    _require_draft(version)
    RubricVersion.objects.filter(pk=version.pk).delete()


def _check_new_version(rubric: Rubric, new_version: str) -> str:
    new_version = (new_version or "").strip()
    if not new_version:
        raise RubricInvalid([Problem("새 버전", "새 버전 이름을 입력하십시오")])
    if len(new_version) > MAX_VERSION:
        raise RubricInvalid(
            [Problem("새 버전", f"{MAX_VERSION}자 이하여야 합니다 (현재 {len(new_version)}자)")]
        )
    if rubric.versions.filter(version=new_version).exists():
        taken = particle(f"버전 '{new_version}'", "이/가")
        raise RubricInvalid(
            [Problem("새 버전", f"{taken} 이미 있습니다. 다른 버전 이름을 입력하십시오")]
        )
    return new_version


@transaction.atomic
def rubric_version_clone(
    *, version: RubricVersion, new_version: str, title: str | None = None
) -> RubricVersion:
    """Copy ``version`` (any status) to a new draft -- the only way to change a published
    rubric. A constant number of queries whatever the size of the rubric."""
    source = rubric_tree(RubricVersion.objects.select_related("rubric").get(pk=version.pk))
    new_version = _check_new_version(source.rubric, new_version)
    clone = RubricVersion.objects.create(
        rubric=source.rubric,
        version=new_version,
        title=(title or "").strip() or source.title,
        total_points=source.total_points,
        rounding_places=source.rounding_places,
        rounding_mode=source.rounding_mode,
        default_scoring=source.default_scoring,
        cloned_from=source,
    )
    with _whole_batches():
        old_scales = list(source.scales.all())
        scales = GradeScale.objects.bulk_create(
            GradeScale(version=clone, name=s.name, title=s.title, order=s.order) for s in old_scales
        )
        GradeLevel.objects.bulk_create(
            GradeLevel(scale=new, code=lv.code, title=lv.title, ratio=lv.ratio, order=lv.order)
            for old, new in zip(old_scales, scales, strict=True)
            for lv in old.levels.all()
        )
        old_areas = list(source.areas.all())
        areas = Area.objects.bulk_create(
            Area(
                version=clone,
                code=a.code,
                title=a.title,
                points=a.points,
                order=a.order,
                substitution=a.substitution,
            )
            for a in old_areas
        )
        old_indicators = [
            (new, i)
            for old, new in zip(old_areas, areas, strict=True)
            for i in old.indicators.all()
        ]
        indicators = Indicator.objects.bulk_create(
            Indicator(
                version=clone,
                area=area,
                code=i.code,
                title=i.title,
                points=i.points,
                order=i.order,
            )
            for area, i in old_indicators
        )
        old_items = [
            (new, item)
            for (_area, old), new in zip(old_indicators, indicators, strict=True)
            for item in old.items.all()
        ]
        items = Item.objects.bulk_create(
            Item(
                version=clone,
                indicator=indicator,
                code=it.code,
                title=it.title,
                points=it.points,
                order=it.order,
                method=it.method,
                params=it.params,
                inherits_default=it.inherits_default,
                purpose=it.purpose,
                evidence_hint=it.evidence_hint,
            )
            for indicator, it in old_items
        )
        Checkpoint.objects.bulk_create(
            Checkpoint(item=new, order=c.order, text=c.text, details=c.details)
            for (_ind, old), new in zip(old_items, items, strict=True)
            for c in old.checkpoints.all()
        )
    return clone


# --- the draft editor -------------------------------------------------------------------------


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


@transaction.atomic
def area_add(*, version: RubricVersion, code: str, title: str, points: Decimal) -> Area:
    _try(
        version,
        lambda nodes: nodes.document["areas"].append(
            {"code": code, "title": title, "points": points, "indicators": []}
        ),
    )
    return Area.objects.create(
        version=version,
        code=code,
        title=title,
        points=points,
        order=_next_order(Area.objects.filter(version=version)),
    )


@transaction.atomic
def area_update(
    *,
    area: Area,
    code: str,
    title: str,
    points: Decimal,
    substitution: dict | None | object = ...,
) -> Area:
    """Change an area; ``substitution`` (a document mapping, or None to drop it) only when
    given."""

    def change(nodes):
        doc = nodes.areas[area.pk][0]
        doc.update(code=code, title=title, points=points)
        if substitution is not ...:
            if substitution:
                doc["substitution"] = substitution
            else:
                doc.pop("substitution", None)

    _try(area.version, change)
    area.code, area.title, area.points = code, title, points
    fields = ["code", "title", "points"]
    if substitution is not ...:
        area.substitution = _substitution_storage(substitution)
        fields.append("substitution")
    area.save(update_fields=fields)
    return area


@transaction.atomic
def area_remove(*, area: Area) -> None:
    _try(area.version, lambda nodes: nodes.areas[area.pk][1].remove(nodes.areas[area.pk][0]))
    Area.objects.filter(pk=area.pk).delete()


@transaction.atomic
def area_move(*, area: Area, offset: int) -> None:
    _require_draft(area.version)
    _move(area, Area.objects.filter(version_id=area.version_id), offset)


@transaction.atomic
def indicator_add(*, area: Area, code: str, title: str, points: Decimal) -> Indicator:
    _try(
        area.version,
        lambda nodes: nodes.areas[area.pk][0]["indicators"].append(
            {"code": code, "title": title, "points": points, "items": []}
        ),
    )
    return Indicator.objects.create(
        version_id=area.version_id,
        area=area,
        code=code,
        title=title,
        points=points,
        order=_next_order(Indicator.objects.filter(area=area)),
    )


@transaction.atomic
def indicator_update(*, indicator: Indicator, code: str, title: str, points: Decimal) -> Indicator:
    _try(
        indicator.version,
        lambda nodes: nodes.indicators[indicator.pk][0].update(
            code=code, title=title, points=points
        ),
    )
    indicator.code, indicator.title, indicator.points = code, title, points
    indicator.save(update_fields=["code", "title", "points"])
    return indicator


@transaction.atomic
def indicator_remove(*, indicator: Indicator) -> None:
    def change(nodes):
        doc, siblings = nodes.indicators[indicator.pk]
        siblings.remove(doc)

    _try(indicator.version, change)
    Indicator.objects.filter(pk=indicator.pk).delete()


@transaction.atomic
def indicator_move(*, indicator: Indicator, offset: int) -> None:
    _require_draft(indicator.version)
    _move(indicator, Indicator.objects.filter(area_id=indicator.area_id), offset)


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


@transaction.atomic
def item_add(
    *,
    indicator: Indicator,
    code: str,
    title: str,
    points: Decimal,
    scoring: dict | None = None,
) -> Item:
    """Add an item; without ``scoring`` it follows the version's ``defaults.scoring``."""
    version = indicator.version

    def change(nodes):
        doc = {"code": code, "title": title, "points": points}
        if scoring is not None:
            doc["scoring"] = scoring
        nodes.indicators[indicator.pk][0]["items"].append(doc)

    _try(version, change)
    method, params, inherits = _effective_scoring(version, scoring)
    return Item.objects.create(
        version_id=indicator.version_id,
        indicator=indicator,
        code=code,
        title=title,
        points=points,
        order=_next_order(Item.objects.filter(indicator=indicator)),
        method=method,
        params=params,
        inherits_default=inherits,
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

    def change(nodes):
        doc = nodes.items[item.pk][0]
        doc.update(code=code, title=title, points=points)
        if scoring is not _UNCHANGED:
            if scoring is None:
                doc.pop("scoring", None)
            else:
                doc["scoring"] = scoring
        if purpose is not _UNCHANGED:
            doc["purpose"] = list(purpose)
        if evidence_hint is not _UNCHANGED:
            doc["evidence_hint"] = evidence_hint

    _try(version, change)
    item.code, item.title, item.points = code, title, points
    fields = ["code", "title", "points"]
    if scoring is not _UNCHANGED:
        item.method, item.params, item.inherits_default = _effective_scoring(version, scoring)
        fields += ["method", "params", "inherits_default"]
    if purpose is not _UNCHANGED:
        item.purpose = list(purpose)
        fields.append("purpose")
    if evidence_hint is not _UNCHANGED:
        item.evidence_hint = evidence_hint
        fields.append("evidence_hint")
    item.save(update_fields=fields)
    return item


@transaction.atomic
def item_remove(*, item: Item) -> None:
    def change(nodes):
        doc, siblings = nodes.items[item.pk]
        siblings.remove(doc)

    _try(item.version, change)
    Item.objects.filter(pk=item.pk).delete()


@transaction.atomic
def item_move(*, item: Item, offset: int) -> None:
    _require_draft(item.version)
    _move(item, Item.objects.filter(indicator_id=item.indicator_id), offset)


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
