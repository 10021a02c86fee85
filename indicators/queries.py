"""Reads of rubric versions, and the access policy for them.

- Every logged-in user with a role may read published and retired versions; only admins see
  drafts (``visible_rubric_versions``).
- Only admins change rubrics, and only drafts (``can_edit_rubric``, ``editable_rubric_versions``).

``rubric_tree`` loads a whole version in a constant number of queries (7), whatever its size;
``rubric_document`` turns a loaded version back into an interchange document (export, and the
input of validation for the editor and publication).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch, QuerySet, prefetch_related_objects

from institutions.roles import Role, is_admin

from . import validation
from .models import (
    FROZEN_STATUSES,
    Area,
    Checkpoint,
    GradeLevel,
    GradeScale,
    Indicator,
    Item,
    RubricVersion,
    VersionStatus,
)
from .validation import FORMAT, Problem


def visible_rubric_versions(user) -> QuerySet[RubricVersion]:
    versions = RubricVersion.objects.select_related("rubric")
    if not (user and user.is_authenticated and user.is_active):
        return versions.none()
    roles = user.role_set()
    if Role.ADMIN in roles:
        return versions
    if roles:
        return versions.filter(status__in=FROZEN_STATUSES)
    return versions.none()


def editable_rubric_versions(user) -> QuerySet[RubricVersion]:
    """The drafts ``user`` may edit (admins only)."""
    if not is_admin(user):
        return RubricVersion.objects.none()
    return RubricVersion.objects.select_related("rubric").filter(status=VersionStatus.DRAFT)


def managed_rubric_versions(user) -> QuerySet[RubricVersion]:
    """The versions ``user`` may export, clone, publish, retire or delete (admins: all)."""
    if not is_admin(user):
        return RubricVersion.objects.none()
    return RubricVersion.objects.select_related("rubric")


def can_manage_rubrics(user) -> bool:
    """Import, export, clone, publish and retire rubric versions."""
    return is_admin(user)


def can_edit_rubric(user, version: RubricVersion) -> bool:
    return is_admin(user) and version.is_draft


def next_version_name(version: RubricVersion) -> str:
    """A free version name to offer when cloning ``version``: the next number after the
    highest numeric version ("2" after "1"), else "<version>-2", "-3", …"""
    taken = set(
        RubricVersion.objects.filter(rubric_id=version.rubric_id).values_list("version", flat=True)
    )
    numbers = [int(v) for v in taken if v.isdigit()]
    if version.version.isdigit():
        candidate = max(numbers) + 1
        while str(candidate) in taken:
            candidate += 1
        return str(candidate)
    suffix = 2
    while f"{version.version}-{suffix}" in taken:
        suffix += 1
    return f"{version.version}-{suffix}"


def tree_prefetches() -> list[Prefetch]:
    """Prefetches that load a version's scales and whole tree: 6 queries, whatever its size."""
    return [
        Prefetch(
            "scales",
            queryset=GradeScale.objects.order_by("order", "pk").prefetch_related(
                Prefetch("levels", queryset=GradeLevel.objects.order_by("order", "pk"))
            ),
        ),
        Prefetch(
            "areas",
            queryset=Area.objects.order_by("order", "pk").prefetch_related(
                Prefetch(
                    "indicators",
                    queryset=Indicator.objects.order_by("order", "pk").prefetch_related(
                        Prefetch(
                            "items",
                            queryset=Item.objects.order_by("order", "pk").prefetch_related(
                                Prefetch(
                                    "checkpoints",
                                    queryset=Checkpoint.objects.order_by("order", "pk"),
                                )
                            ),
                        )
                    ),
                )
            ),
        ),
    ]


def with_tree(versions: QuerySet[RubricVersion]) -> QuerySet[RubricVersion]:
    return versions.prefetch_related(*tree_prefetches())


def rubric_tree(version: RubricVersion) -> RubricVersion:
    """``version`` with its tree loaded (no-op when it already is)."""
    prefetch_related_objects([version], *tree_prefetches())
    return version


def reloaded_rubric_tree(version: RubricVersion) -> RubricVersion:
    """``version`` read again after a write, with its rubric and tree. The caller fetched it
    through ``editable_rubric_versions`` or ``managed_rubric_versions`` first (ADR 002)."""
    return rubric_tree(RubricVersion.objects.select_related("rubric").get(pk=version.pk))


def version_nodes(version: RubricVersion, model) -> QuerySet:
    """The nodes of ``model`` (Area, Indicator or Item, see ``kinds``) in ``version``, which the
    caller fetched through its policy first."""
    return model.objects.filter(version=version)


def version_checkpoints(version: RubricVersion) -> QuerySet[Checkpoint]:
    """The checkpoints of ``version``'s items, each with its item."""
    return Checkpoint.objects.select_related("item").filter(item__version=version)


# --- the interchange document of a stored version -------------------------------------------


def _number(text) -> Decimal:
    return Decimal(str(text))


def scoring_document(method: str, params: dict) -> dict:
    """A stored ``method`` + ``params`` (numbers as strings) as a document ``scoring`` mapping."""
    scoring: dict = {"method": method}
    if method == "grade":
        scoring["scale"] = params.get("scale")
    elif method == "points":
        if params.get("step") is not None:
            scoring["step"] = _number(params["step"])
    elif method == "bands":
        if params.get("unit") is not None:
            scoring["unit"] = params["unit"]
        for key in ("min", "max"):
            if params.get(key) is not None:
                scoring[key] = _number(params[key])
        scoring["bands"] = [
            {"min": _number(band["min"]), "points": _number(band["points"])}
            for band in params.get("bands", [])
        ]
    elif method == "penalty":
        scoring["per_case"] = _number(params.get("per_case"))
    return scoring


def scoring_storage(scoring: dict) -> tuple[str, dict]:
    """A document ``scoring`` mapping as ``(method, params)`` with numbers as strings."""
    method = scoring["method"]
    params: dict = {}
    for key, value in scoring.items():
        if key == "method":
            continue
        if key == "bands":
            params[key] = [
                {"min": validation.fmt(b["min"]), "points": validation.fmt(b["points"])}
                for b in value
            ]
        elif isinstance(value, Decimal | int) and not isinstance(value, bool):
            params[key] = validation.fmt(value)
        else:
            params[key] = value
    return method, params


def _area_document(area: Area) -> dict:
    doc: dict = {"code": area.code, "title": area.title, "points": area.points}
    if area.substitution:
        sub = area.substitution
        doc["substitution"] = {"certificates": list(sub.get("certificates", []))}
        doc["substitution"]["award_ratio"] = _number(sub.get("award_ratio"))
        if sub.get("note") is not None:
            doc["substitution"]["note"] = sub["note"]
    doc["indicators"] = []
    return doc


def _item_document(item: Item) -> dict:
    doc: dict = {"code": item.code, "title": item.title, "points": item.points}
    if not item.inherits_default:
        doc["scoring"] = scoring_document(item.method, item.params or {})
    if item.purpose:
        doc["purpose"] = list(item.purpose)
    checkpoints = []
    for checkpoint in item.checkpoints.all():
        entry: dict = {"text": checkpoint.text}
        if checkpoint.details:
            entry["details"] = list(checkpoint.details)
        checkpoints.append(entry)
    if checkpoints:
        doc["checkpoints"] = checkpoints
    if item.evidence_hint:
        doc["evidence_hint"] = item.evidence_hint
    return doc


@dataclass
class DocumentNodes:
    """A version's document plus, for each stored node, the mapping that stands for it and the
    list that holds that mapping -- so the editor can try a change on the document first."""

    document: dict
    areas: dict[int, tuple[dict, list]] = field(default_factory=dict)
    indicators: dict[int, tuple[dict, list]] = field(default_factory=dict)
    items: dict[int, tuple[dict, list]] = field(default_factory=dict)


def rubric_document_nodes(version: RubricVersion) -> DocumentNodes:
    rubric_tree(version)
    doc: dict = {
        "format": FORMAT,
        "code": version.rubric.code,
        "title": version.title,
        "version": version.version,
        "total_points": version.total_points,
    }
    if version.programme:
        doc["programme"] = version.programme
    rounding = {"places": version.rounding_places, "mode": version.rounding_mode}
    if rounding != validation.DEFAULT_ROUNDING:
        doc["rounding"] = rounding
    scales = list(version.scales.all())
    if scales:
        doc["grade_scales"] = {
            scale.name: {
                "title": scale.title,
                "levels": [
                    {"code": level.code, "title": level.title, "ratio": level.ratio}
                    for level in scale.levels.all()
                ],
            }
            for scale in scales
        }
    if version.default_scoring:
        default = dict(version.default_scoring)
        doc["defaults"] = {"scoring": scoring_document(default.pop("method"), default)}
    nodes = DocumentNodes(document=doc)
    doc["areas"] = []
    for area in version.areas.all():
        area_doc = _area_document(area)
        doc["areas"].append(area_doc)
        nodes.areas[area.pk] = (area_doc, doc["areas"])
        for indicator in area.indicators.all():
            indicator_doc = {
                "code": indicator.code,
                "title": indicator.title,
                "points": indicator.points,
                "items": [],
            }
            area_doc["indicators"].append(indicator_doc)
            nodes.indicators[indicator.pk] = (indicator_doc, area_doc["indicators"])
            for item in indicator.items.all():
                item_doc = _item_document(item)
                indicator_doc["items"].append(item_doc)
                nodes.items[item.pk] = (item_doc, indicator_doc["items"])
    return nodes


def rubric_document(version: RubricVersion) -> dict:
    """The interchange document of a stored version (what export writes)."""
    return rubric_document_nodes(version).document


# --- the tree as the rubric page and the editor show it --------------------------------------


@dataclass
class RubricView:
    """A loaded version with, on each area/indicator/item, ``child_sum``, ``sum_ok`` and
    ``node_problems`` set, plus every problem of the version (empty for a valid one)."""

    version: RubricVersion
    areas: list[Area]
    problems: list[Problem]
    scales: dict[str, GradeScale]
    area_sum: Decimal
    sum_ok: bool
    general_problems: list[Problem]

    @property
    def blocking(self) -> bool:
        return bool(self.problems)


def rubric_view(version: RubricVersion) -> RubricView:
    """Sums at every level and the version's problems, in the queries of ``rubric_tree``."""
    problems = validation.validate(rubric_document(version))
    by_code: dict[str, list[Problem]] = {}
    for problem in problems:
        if problem.code:
            by_code.setdefault(problem.code, []).append(problem)
    areas = list(version.areas.all())
    for area in areas:
        area.indicator_list = list(area.indicators.all())
        for indicator in area.indicator_list:
            indicator.item_list = list(indicator.items.all())
            for item in indicator.item_list:
                item.node_problems = by_code.get(item.code, [])
                item.checkpoint_list = list(item.checkpoints.all())
            indicator.child_sum = validation.subtotal(
                (i.points for i in indicator.item_list), indicator.points
            )
            indicator.sum_ok = indicator.child_sum == indicator.points
            indicator.node_problems = by_code.get(indicator.code, [])
        area.child_sum = validation.subtotal((i.points for i in area.indicator_list), area.points)
        area.sum_ok = area.child_sum == area.points
        area.node_problems = by_code.get(area.code, [])
    area_sum = validation.subtotal((a.points for a in areas), Decimal(1))
    return RubricView(
        version=version,
        areas=areas,
        problems=problems,
        scales={scale.name: scale for scale in version.scales.all()},
        area_sum=area_sum,
        sum_ok=area_sum == version.total_points,
        general_problems=[p for p in problems if not p.code],
    )
