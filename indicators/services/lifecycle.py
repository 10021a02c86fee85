"""Writes to whole rubric versions: import, export, publication, cloning, retirement, deletion.

Every function is keyword-only and atomic. A refused write raises and leaves the database as it
was:

- ``RubricInvalid`` (from ``validation``) carries the full list of problems, each naming a code
  or key path and the numbers;
- ``RubricStateError`` says that the version is not in a state that allows the change;
- the model layer's ``FrozenRubricError`` is the last line for published/retired versions.

Publication validates with the same rules as an import, completeness included; the draft
editor's writes are in ``editor``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import interchange, validation
from ..models import (
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
from ..queries import (
    rubric_document,
    rubric_tree,
    scoring_storage,
)
from ..validation import MAX_VERSION, Problem, RubricInvalid


class RubricStateError(Exception):
    """The version's status does not allow this change (e.g. publishing a published version)."""


_STATUS_LABEL = dict(VersionStatus.choices)  # lazy: in the language of the request


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
            _(
                "%(version)s: 초안만 수정할 수 있습니다 (현재 상태: %(status)s). "
                "게시된 평가지표는 새 초안으로 복제하여 수정하십시오."
            )
            % {"version": version, "status": _STATUS_LABEL.get(status, status)}
        )


# --- import / export --------------------------------------------------------------------------


def _existing_version_problem(code: str, version: str) -> Problem:
    return Problem(
        "version",
        _(
            "평가지표 '%(code)s'에 이미 '%(version)s' 버전이 있습니다. "
            "기존 버전은 덮어쓰지 않습니다 — 다른 version 값으로 가져오십시오."
        )
        % {"code": code, "version": version},
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
        programme=data.get("programme", ""),
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
            _("%(version)s: 초안만 게시할 수 있습니다 (현재 상태: %(status)s).")
            % {"version": locked, "status": _STATUS_LABEL.get(locked.status, locked.status)}
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
            _("%(version)s: 게시된 버전만 폐지할 수 있습니다 (현재 상태: %(status)s).")
            % {"version": version, "status": _STATUS_LABEL.get(locked.status, locked.status)}
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
        raise RubricInvalid([Problem(_("새 버전"), _("새 버전 이름을 입력하십시오"))])
    if len(new_version) > MAX_VERSION:
        raise RubricInvalid(
            [
                Problem(
                    _("새 버전"),
                    _("%(max)s자 이하여야 합니다 (현재 %(n)s자)")
                    % {"max": MAX_VERSION, "n": len(new_version)},
                )
            ]
        )
    if rubric.versions.filter(version=new_version).exists():
        raise RubricInvalid(
            [
                Problem(
                    _("새 버전"),
                    _("'%(version)s' 버전이 이미 있습니다. 다른 버전 이름을 입력하십시오")
                    % {"version": new_version},
                )
            ]
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
        programme=source.programme,
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
