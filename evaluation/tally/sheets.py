"""Which sheets count, and the sheets of a cycle as ``scoring`` sees them.

The rule (ADR 005, 018): a sheet counts when it is confirmed and its assignment is not
excluded (회피·기피·제척). It is written once, here, as a filter (``counted``,
``counted_via_assignment``) and as a predicate (``is_counted``); the results service, the
dashboard, the reports, ``verify_results`` and the committee's basis all use it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import BigIntegerField, F, Q
from django.db.models.functions import Cast, Round

from .. import scoring
from ..models import AreaSubstitution, Cycle, ItemScore, Sheet, SheetStatus
from .rules import CycleRules

# --- the rule --------------------------------------------------------------------------------


def is_counted(status: str, exclusion: str) -> bool:
    """A sheet with ``status`` on an assignment with ``exclusion`` counts."""
    return status == SheetStatus.CONFIRMED and not exclusion


def counted(to_sheet: str = "") -> Q:
    """The rule as a filter; ``to_sheet`` is the lookup path from the queried model to the
    sheet (``""`` on Sheet, ``"sheet__"`` on ItemScore)."""
    return Q(**{f"{to_sheet}status": SheetStatus.CONFIRMED, f"{to_sheet}assignment__exclusion": ""})


def counted_via_assignment(to_assignment: str = "") -> Q:
    """The rule as a filter reached through the assignment (``""`` on Assignment,
    ``"assignments__"`` on Application): no join back from the sheet."""
    return Q(
        **{f"{to_assignment}sheet__status": SheetStatus.CONFIRMED, f"{to_assignment}exclusion": ""}
    )


def active_assignment(to_assignment: str = "") -> Q:
    """An assignment that is not excluded (its sheet counts once confirmed)."""
    return Q(**{f"{to_assignment}exclusion": ""})


# --- loading for scoring ---------------------------------------------------------------------

# Points travel as integers in units of 10**-POINT_PLACES (the column's scale): the score rows
# are the one large read (57,000 for 1,000 applications), and integers cross the driver much
# faster than NUMERIC (PostgreSQL) or REAL (SQLite) values; ROUND guards against SQLite's
# binary floating point (0.29 × 1000 = 289.999…).
POINT_PLACES = ItemScore._meta.get_field("points").decimal_places
_SCALED_POINTS = Cast(Round(F("points") * 10**POINT_PLACES), BigIntegerField())


def _points(scaled: int, _memo: dict = {}) -> Decimal:  # noqa: B006 -- a deliberate cache
    """Scaled integer points back to the exact Decimal (each distinct value built once)."""
    value = _memo.get(scaled)
    if value is None:
        value = Decimal(scaled).scaleb(-POINT_PLACES)
        if len(_memo) < 10_000:
            _memo[scaled] = value
    return value


def _raw_rows(queryset):
    """The rows of a ``values_list`` queryset straight from the cursor, skipping Django's
    per-value converters (the columns read this way are integers)."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(10_000):
            yield from rows


def scored_points(points: dict[str, Decimal], substituted, areas_of: dict[str, str]) -> dict:
    """``points`` without the items of a substituted area (the certificate replaces them)."""
    if not substituted:
        return points
    return {c: v for c, v in points.items() if areas_of.get(c) not in substituted}


def substituted_areas(cycle: Cycle, application_ids=None) -> dict[int, set[str]]:
    """{application id: codes of the areas a certificate replaces}. One query."""
    subs = AreaSubstitution.objects.filter(application__cycle=cycle).order_by()
    if application_ids is not None:
        subs = subs.filter(application_id__in=application_ids)
    out: dict[int, set[str]] = {}
    for app_id, code in subs.values_list("application_id", "area__code"):
        out.setdefault(app_id, set()).add(code)
    return out


def load_sheets(
    cycle: Cycle, rules: CycleRules, application_ids=None, *, sheet_points=None
) -> tuple[dict[int, list[scoring.Sheet]], dict[int, set[str]]]:
    """Every sheet of the cycle (or of ``application_ids``) as pure ``scoring.Sheet``s, and
    the substituted areas per application: three queries whatever the numbers.

    Sheets that do not count come without points; points on a substituted area's items are
    left out (the certificate replaces them). ``sheet_points`` ({sheet id: {item code:
    points}}) replaces the stored points (as ``verify_results`` does with points derived
    again from the entries)."""
    # order_by(): no default ordering -- ItemScore's would join the rubric tables and sort
    # every row (4× slower on PostgreSQL); the aggregation does not depend on row order.
    sheets = Sheet.objects.filter(assignment__application__cycle=cycle).order_by()
    scores = ItemScore.objects.filter(
        counted("sheet__"), sheet__assignment__application__cycle=cycle, points__isnull=False
    ).order_by()
    if application_ids is not None:
        sheets = sheets.filter(assignment__application_id__in=application_ids)
        scores = scores.filter(sheet__assignment__application_id__in=application_ids)
    substituted = substituted_areas(cycle, application_ids)

    points: dict[int, dict[str, Decimal]] = {}
    codes = rules.item_codes
    if sheet_points is not None:
        points = sheet_points
    else:
        rows = _raw_rows(
            scores.annotate(scaled=_SCALED_POINTS).values_list("sheet_id", "item_id", "scaled")
        )
        for sheet_id, item_id, value in rows:
            points.setdefault(sheet_id, {})[codes[item_id]] = _points(value)

    by_application: dict[int, list[scoring.Sheet]] = {}
    areas_of = rules.item_areas
    for sheet_id, app_id, username, status, exclusion in sheets.values_list(
        "pk",
        "assignment__application_id",
        "assignment__evaluator__username",
        "status",
        "assignment__exclusion",
    ):
        own = points.get(sheet_id, {}) if is_counted(status, exclusion) else {}
        own = scored_points(own, substituted.get(app_id), areas_of)
        by_application.setdefault(app_id, []).append(
            scoring.Sheet(
                username,
                own,
                confirmed=status == SheetStatus.CONFIRMED,
                conflicted=bool(exclusion),
            )
        )
    return by_application, substituted


# --- the counted sheets themselves (reports: who said what) -----------------------------------


@dataclass
class CountedSheet:
    """A counted sheet with its rows: ``position`` is its place among its application's
    counted sheets in assignment order (the reports' anonymous 평가위원 A, B, C)."""

    sheet: Sheet
    position: int
    scores: dict[str, ItemScore]  # item code → row

    @property
    def key(self) -> str:
        """The evaluator key given to ``scoring``: the username (tie-breaks depend on it)."""
        return self.sheet.assignment.evaluator.get_username()


def counted_sheets(applications) -> dict[int, list[CountedSheet]]:
    """Per application id: its counted sheets in assignment order, each with its item rows.
    Two queries."""
    sheets = list(
        Sheet.objects.filter(counted(), assignment__application__in=applications)
        .select_related("assignment__evaluator")
        .order_by("assignment__application_id", "assignment__assigned_at", "assignment_id")
    )
    rows: dict[int, dict[str, ItemScore]] = defaultdict(dict)
    for score in ItemScore.objects.filter(sheet__in=[s.pk for s in sheets]).select_related("item"):
        rows[score.sheet_id][score.item.code] = score
    out: dict[int, list[CountedSheet]] = defaultdict(list)
    for sheet in sheets:
        mine = out[sheet.assignment.application_id]
        mine.append(CountedSheet(sheet, len(mine), rows.get(sheet.pk, {})))
    return out


def counted_points(sheets: list[CountedSheet]) -> dict[int, dict[str, Decimal]]:
    """{sheet id: {item code: stored points}} of ``sheets`` already loaded with their rows: the
    ``sheet_points`` of ``load_sheets``/``compute``, so a caller holding the rows (the reports)
    computes from them without reading the points again."""
    return {
        c.sheet.pk: {code: row.points for code, row in c.scores.items() if row.points is not None}
        for c in sheets
    }


def own_sheet(rules: CycleRules, sheet: CountedSheet, substituted) -> scoring.Sheet:
    """One evaluator's sheet alone as ``scoring`` sees it (the 평가표's own total)."""
    points = counted_points([sheet])[sheet.sheet.pk]
    return scoring.Sheet(sheet.key, scored_points(points, substituted, rules.item_areas))
