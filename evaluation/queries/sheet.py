"""Reads for the score sheet page (the audit trail is ``queries.audit``, what a stored entry
says is ``queries.entries``).

The sheet page is built by ``sheet_page`` in a constant number of queries whatever the number
of items or evaluators. Other evaluators' scores are read only by ``_other_sheets``, and only
once the viewer's own sheet is confirmed and the cycle allows it; they are labelled
평가위원 A/B/C (in assignment order) and never carry a name or an id.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

from django.http import Http404
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from indicators.models import GradeLevel, Item, ScoringMethod

from .. import process, scoring
from ..adapters import scoring_rubric
from ..models import (
    AreaSubstitution,
    Assignment,
    Evidence,
    EvidenceFile,
    ItemScore,
    Sheet,
    SheetStatus,
    Stage,
)
from . import current_evidence, rubric_items
from .assignment import counted_assignments
from .entries import ENTRY_LABELS, entry_text, fmt_points, item_complete, sheet_missing

# --- the sheet page ---------------------------------------------------------------------------


@dataclass
class LevelOption:
    code: str
    title: str
    points: Decimal

    @property
    def points_text(self) -> str:
        return scoring.fmt(self.points)

    @property
    def points_label(self) -> str:
        return _("%(points)s점") % {"points": scoring.fmt(self.points)}


@dataclass
class OtherScore:
    label: str
    entry: str
    points: Decimal | None
    strength: str
    improvement: str

    @property
    def points_text(self) -> str:
        return fmt_points(self.points)


@dataclass
class ItemRow:
    item: Item
    score: ItemScore | None
    complete: bool
    levels: list[LevelOption] = field(default_factory=list)
    bands: list[tuple[str, str]] = field(default_factory=list)  # (min, points) as text
    evidence: Evidence | None = None
    files: list[EvidenceFile] = field(default_factory=list)
    others: list[OtherScore] = field(default_factory=list)
    locked: bool = False  # confirmed, or outside the process's scoring window (ADR 011)

    @property
    def version(self) -> int:
        return self.score.version if self.score is not None else 0

    @property
    def guide_key(self) -> str:
        """Cache key part for the item's guidance and evidence column: the rubric item is
        frozen; the evidence changes only with its narrative (``updated_at``) or files."""
        evidence = self.evidence
        files = ".".join(str(f.pk) for f in self.files)
        marker = f"{evidence.pk}@{evidence.updated_at.timestamp()}" if evidence else "-"
        return f"{get_language()}:{self.item.pk}:{marker}:{files}"

    @property
    def entry(self) -> str:
        return entry_text(self.score)

    @property
    def points(self) -> Decimal | None:
        return self.score.points if self.score is not None else None

    @property
    def points_text(self) -> str:
        return fmt_points(self.points)

    @property
    def points_label(self) -> str:
        text = self.points_text
        return _("%(points)s점") % {"points": text} if text else "—"

    @property
    def meta(self) -> str:
        return _("%(method)s · 배점 %(points)s점") % {
            "method": self.item.get_method_display(),
            "points": scoring.fmt(self.item.points),
        }

    @property
    def saved_label(self) -> str:
        if self.score is None:
            return _("아직 저장하지 않음")
        at = timezone.localtime(self.score.updated_at)
        return _("저장됨 (%(at)s)") % {"at": at.strftime("%H:%M:%S")}

    @property
    def entry_label(self) -> str:
        return ENTRY_LABELS.get(self.item.method, "")

    @property
    def params(self) -> dict:
        return self.item.params or {}


@dataclass
class IndicatorBlock:
    indicator: object
    rows: list[ItemRow]


@dataclass
class AreaBlock:
    area: object
    indicators: list[IndicatorBlock]
    substitution: AreaSubstitution | None = None
    award: Decimal | None = None

    @property
    def award_text(self) -> str:
        return fmt_points(self.award)

    @property
    def award_ratio_text(self) -> str:
        ratio = (self.area.substitution or {}).get("award_ratio")
        return scoring.fmt(Decimal(str(ratio))) if ratio is not None else ""


@dataclass(frozen=True)
class Progress:
    done: int
    total: int
    points: Decimal  # entered points of the scored items, penalties included
    awarded: Decimal  # substituted areas, points × award ratio
    max_points: Decimal

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 100

    @property
    def running_total(self) -> Decimal:
        return self.points + self.awarded

    @property
    def points_text(self) -> str:
        return scoring.fmt(self.points)

    @property
    def running_total_text(self) -> str:
        return scoring.fmt(self.running_total)

    @property
    def awarded_text(self) -> str:
        return scoring.fmt(self.awarded)

    @property
    def max_points_text(self) -> str:
        return scoring.fmt(self.max_points)


@dataclass
class OtherSheet:
    label: str
    total: Decimal

    @property
    def total_text(self) -> str:
        return scoring.fmt(self.total)


@dataclass
class SheetPage:
    assignment: Assignment
    sheet: Sheet | None
    areas: list[AreaBlock]
    rows: list[ItemRow]
    progress: Progress
    missing: list[str]
    others: list[OtherSheet]
    others_allowed: bool
    closed: list[str] = field(default_factory=list)  # why the process does not allow scoring

    @property
    def read_only(self) -> bool:
        """Nothing on the sheet can be saved or confirmed now."""
        return self.confirmed or bool(self.closed)

    @property
    def missing_links(self) -> list[tuple[str, str]]:
        """(item code, line) of each unfinished item: the 확정 page links each to its card."""
        return [(line.split(" ", 1)[0], line) for line in self.missing]

    @property
    def confirmed(self) -> bool:
        return self.sheet is not None and self.sheet.is_confirmed


def progress_of(
    rubric: scoring.Rubric,
    entries: dict[str, dict],
    substituted_codes: set[str],
    require_comment: bool,
) -> Progress:
    """n of N complete items, entered points and awarded points, from the pure rubric (cached,
    no query) and the sheet's rows as dicts keyed by item code."""
    done = total = 0
    points = awarded = Decimal(0)
    max_points = Decimal(0)
    for area in rubric.areas:
        max_points += area.points
        if area.code in substituted_codes:
            awarded += area.points * (area.award_ratio or Decimal(0))
            continue
        for indicator in area.indicators:
            for item in indicator.items:
                total += 1
                row = entries.get(item.code)
                if item_complete(row, require_comment):
                    done += 1
                if row is not None and row.get("points") is not None:
                    points += row["points"]
    return Progress(done, total, points, awarded, max_points)


_ROW_FIELDS = ("grade", "value", "count", "points", "strength", "improvement")


def sheet_progress(assignment: Assignment) -> Progress:
    """The progress bar and running total after a save: two queries."""
    cycle = assignment.application.cycle
    rows = ItemScore.objects.filter(sheet__assignment=assignment).values("item__code", *_ROW_FIELDS)
    entries = {row["item__code"]: row for row in rows}
    substituted = set(
        AreaSubstitution.objects.filter(application_id=assignment.application_id).values_list(
            "area__code", flat=True
        )
    )
    return progress_of(
        scoring_rubric(cycle.rubric_version), entries, substituted, cycle.require_comment
    )


def sheet_item(assignment: Assignment, code: str) -> Item:
    """An item of the assignment's rubric by code (404 if none); from the per-process rubric
    cache once the version is published, so an autosave spends no query on it."""
    items, _ = sheet_rubric(assignment.application.cycle.rubric_version)
    for item in items:
        if item.code == code:
            return item
    raise Http404


def sheet_of(assignment: Assignment) -> Sheet | None:
    return Sheet.objects.filter(assignment=assignment).first()


@lru_cache(maxsize=32)
def _frozen_rubric(version_id: int, published_at) -> tuple[tuple[Item, ...], dict]:
    """The version's items in order (indicator, area and checkpoints loaded) and its grade
    levels by scale name. Cached per process for published versions, which never change
    (the key holds ``published_at`` so a reused primary key cannot hit a stale entry);
    the objects are shared between requests and only ever read."""
    items = tuple(rubric_items(version_id))
    levels: dict[str, list[GradeLevel]] = {}
    for level in (
        GradeLevel.objects.filter(scale__version_id=version_id)
        .select_related("scale")
        .order_by("scale__order", "order")
    ):
        levels.setdefault(level.scale.name, []).append(level)
    return items, levels


def sheet_rubric(version) -> tuple[tuple[Item, ...], dict]:
    if version.is_frozen:
        return _frozen_rubric(version.pk, version.published_at)
    return _frozen_rubric.__wrapped__(version.pk, None)


def _other_sheets(
    assignment: Assignment, substituted_area_ids: set[int]
) -> tuple[list[OtherSheet], dict[int, list[OtherScore]]]:
    """The other counted, confirmed sheets of the application, anonymised (scored items only,
    substituted areas left out). One query."""
    others = (
        counted_assignments(assignment.application)
        .exclude(pk=assignment.pk)
        .filter(sheet__status=SheetStatus.CONFIRMED)
        .values("pk")
    )
    rows = (
        ItemScore.objects.filter(sheet__assignment__in=others)
        .exclude(item__indicator__area_id__in=substituted_area_ids)
        .values("sheet__assignment_id", "item_id", *_ROW_FIELDS)
        .order_by("sheet__assignment_id", "item_id")
    )
    labels: dict[int, str] = {}
    totals: dict[int, Decimal] = {}
    by_item: dict[int, list[OtherScore]] = {}
    for row in rows:
        key = row["sheet__assignment_id"]
        if key not in labels:
            labels[key] = "평가위원 " + _letter(len(labels))
            totals[key] = Decimal(0)
        if row["points"] is not None:
            totals[key] += row["points"]
        by_item.setdefault(row["item_id"], []).append(
            OtherScore(
                labels[key],
                entry_text(row),
                row["points"],
                row["strength"],
                row["improvement"],
            )
        )
    sheets = [OtherSheet(labels[key], totals[key]) for key in labels]
    return sheets, by_item


def _letter(n: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    out = ""
    n += 1
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(ord("A") + r) + out
    return out


def sheet_page(assignment: Assignment) -> SheetPage:
    """Everything the score sheet shows. Queries: the sheet, its scores, evidence, files,
    substitutions, and -- only after 확정 when the cycle allows -- one for the other sheets;
    the rubric (items, checkpoints, grade levels) is cached per process once published.
    Constant in items and evaluators."""
    application = assignment.application
    cycle = application.cycle
    version = cycle.rubric_version
    rubric = scoring_rubric(version)
    sheet = sheet_of(assignment)
    scores = (
        {s.item_id: s for s in ItemScore.objects.filter(sheet=sheet)} if sheet is not None else {}
    )
    items, levels = sheet_rubric(version)
    evidences, files = current_evidence(application)
    substitutions = {
        s.area_id: s
        for s in AreaSubstitution.objects.filter(application=application).select_related(
            "certificate"
        )
    }
    confirmed = sheet is not None and sheet.is_confirmed
    others_allowed = confirmed and cycle.show_other_sheets_after_confirm
    others, other_scores = (
        _other_sheets(assignment, set(substitutions)) if others_allowed else ([], {})
    )

    areas: list[AreaBlock] = []
    rows: list[ItemRow] = []
    area_block = indicator_block = None
    for item in items:
        indicator = item.indicator
        area = indicator.area
        if area_block is None or area_block.area.pk != area.pk:
            substitution = substitutions.get(area.pk)
            award = None
            if substitution is not None:
                award = rubric.area(area.code).points * (
                    rubric.area(area.code).award_ratio or Decimal(0)
                )
            area_block = AreaBlock(area, [], substitution, award)
            areas.append(area_block)
            indicator_block = None
        if indicator_block is None or indicator_block.indicator.pk != indicator.pk:
            indicator_block = IndicatorBlock(indicator, [])
            area_block.indicators.append(indicator_block)
        score = scores.get(item.pk)
        row = ItemRow(
            item=item,
            score=score,
            complete=item_complete(score, cycle.require_comment),
            evidence=evidences.get(item.pk),
            files=files.get(item.pk, []),
            others=other_scores.get(item.pk, []),
        )
        pure = rubric.item(item.code)
        if item.method == ScoringMethod.GRADE:
            row.levels = [
                LevelOption(level.code, level.title, scoring.item_points(pure, level.code))
                for level in levels.get(row.params.get("scale", ""), [])
            ]
        elif item.method == ScoringMethod.BANDS:
            row.bands = [(scoring.fmt(b.min), scoring.fmt(b.points)) for b in pure.bands]
        indicator_block.rows.append(row)
        if area_block.substitution is None:
            rows.append(row)

    entries = {
        row.item.code: {name: getattr(row.score, name) for name in _ROW_FIELDS}
        for row in rows
        if row.score is not None
    }
    substituted_codes = {b.area.code for b in areas if b.substitution is not None}
    progress = progress_of(rubric, entries, substituted_codes, cycle.require_comment)
    # The process's scoring window (ADR 011): outside it the sheet is read-only; in 이의신청
    # only the items reopened for 재심 stay open.
    confirmed = sheet is not None and sheet.is_confirmed
    closed = [] if confirmed else process.scoring_blockers(assignment)
    reopened = (
        process.reopened_items(sheet.pk)
        if sheet is not None and not confirmed and cycle.stage == Stage.APPEAL
        else set()
    )
    for row in rows:
        row.locked = confirmed or bool(closed) or bool(reopened and row.item.pk not in reopened)
    missing = sheet_missing(
        items=[row.item for row in rows],
        scores=scores,
        substituted=set(),
        require_comment=cycle.require_comment,
    )
    return SheetPage(
        assignment=assignment,
        sheet=sheet,
        areas=areas,
        rows=rows,
        progress=progress,
        missing=missing,
        others=others,
        others_allowed=others_allowed,
        closed=closed,
    )
