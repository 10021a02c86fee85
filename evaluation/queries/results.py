"""Reads and access policy for results and the cycle dashboard.

Who reads results: admins and managers (every cycle). Nobody else yet -- institutions hear
their result through the reports, later. Only admins write (인증위원회 decision, area
substitution). Every read here runs a constant number of queries, whatever the number of
applications, evaluators or items.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, QuerySet

from indicators.models import Area
from institutions.models import Certificate
from institutions.roles import is_admin, is_staff_reader

from .. import tally
from ..models import (
    Application,
    ApplicationStatus,
    AreaSubstitution,
    Assignment,
    Cycle,
    ItemScore,
    Result,
)
from ..process import stale_decisions

# --- policy --------------------------------------------------------------------------------


def can_read_results(user) -> bool:
    return is_staff_reader(user)


def can_decide(user) -> bool:
    """The 인증위원회 decision and area substitution are the admin's."""
    return is_admin(user)


def visible_results(user) -> QuerySet[Result]:
    if not can_read_results(user):
        return Result.objects.none()
    return Result.objects.all()


# --- dashboard: progress -------------------------------------------------------------------

SUBMITTED = (
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.UNDER_REVIEW,
    ApplicationStatus.SCORED,
    ApplicationStatus.DECIDED,
)


@dataclass
class EvaluatorProgress:
    evaluator_id: int
    name: str
    username: str
    assigned: int  # active assignments
    confirmed: int  # of those, confirmed sheets
    excluded: int  # assignments excluded (회피·기피·제척)

    @property
    def percent(self) -> int:
        return round(100 * self.confirmed / self.assigned) if self.assigned else 0


@dataclass
class Progress:
    applications: int
    submitted: int
    by_status: dict[str, int]
    evaluators: list[EvaluatorProgress]

    @property
    def assigned(self) -> int:
        return sum(e.assigned for e in self.evaluators)

    @property
    def confirmed(self) -> int:
        return sum(e.confirmed for e in self.evaluators)


def cycle_progress(cycle: Cycle) -> Progress:
    """Submitted applications and confirmed sheets per evaluator: two queries."""
    by_status = dict(
        Application.objects.filter(cycle=cycle)
        .values_list("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    active = tally.active_assignment()
    rows = (
        Assignment.objects.filter(application__cycle=cycle)
        .values("evaluator_id", "evaluator__name", "evaluator__username")
        .annotate(
            assigned=Count("pk", filter=active),
            confirmed=Count("pk", filter=tally.counted_via_assignment()),
            excluded=Count("pk", filter=~active),
        )
        .order_by("evaluator__name", "evaluator__username")
    )
    evaluators = [
        EvaluatorProgress(
            evaluator_id=r["evaluator_id"],
            name=r["evaluator__name"] or r["evaluator__username"],
            username=r["evaluator__username"],
            assigned=r["assigned"],
            confirmed=r["confirmed"],
            excluded=r["excluded"],
        )
        for r in rows
    ]
    return Progress(
        applications=sum(n for s, n in by_status.items() if s != ApplicationStatus.WITHDRAWN),
        submitted=sum(by_status.get(s, 0) for s in SUBMITTED),
        by_status=by_status,
        evaluators=evaluators,
    )


# --- dashboard: results table --------------------------------------------------------------


@dataclass
class ResultRow:
    application: Application
    result: Result | None
    areas: list[str | None]  # rounded area scores as stored, in rubric order
    substituted: set[str]
    sheets_active: int
    sheets_confirmed: int
    stale_decision: bool = False  # decided on another counted-sheet set (ADR 011)

    @property
    def total(self) -> Decimal | None:
        return self.result.total if self.result else None

    @property
    def rank(self) -> int | None:
        return self.result.rank if self.result else None

    @property
    def penalty(self) -> Decimal | None:
        """감점 (≤ 0): total = sum of the areas + penalty."""
        return self.result.penalties if self.result and self.result.total is not None else None

    @property
    def decision(self) -> str:
        return self.result.decision if self.result else ""

    @property
    def final_decision(self) -> str:
        return self.result.final_decision if self.result else ""

    @property
    def flagged(self) -> list[str]:
        if not self.result:
            return []
        return sorted(c for c, d in self.result.disagreement.items() if d.get("flagged"))

    @property
    def committee_stale(self) -> bool:
        """The counted sheets changed after the 인증위원회 decided: it must decide again."""
        return self.stale_decision


SORTS = {
    "institution": lambda row: row.application.institution.name,
    "status": lambda row: row.application.status,
    "total": lambda row: row.total,
    "rank": lambda row: row.rank,
    "decision": lambda row: row.final_decision or None,
    "flags": lambda row: len(row.flagged),
    "sheets": lambda row: row.sheets_confirmed,
}
DEFAULT_SORT = "rank"


def sort_rows(rows: list[ResultRow], sort: str, area_codes: list[str]) -> tuple[list, str]:
    """Rows ordered by ``sort`` (a key of ``SORTS`` or ``area:<code>``; ``-`` first for
    descending). Rows without the value go last either way; ties keep institution order.
    Returns the rows and the sort actually applied (an unknown one falls back to rank)."""
    descending = sort.startswith("-")
    name = sort.lstrip("-")
    if name.startswith("area:") and name[5:] in area_codes:
        index = area_codes.index(name[5:])

        def key(row):
            value = row.areas[index]
            return None if value is None else Decimal(value)
    elif name in SORTS:
        key = SORTS[name]
    else:
        name, descending, key = DEFAULT_SORT, False, SORTS[DEFAULT_SORT]
    rows = sorted(rows, key=lambda r: r.application.institution.name)
    present = [r for r in rows if key(r) is not None]
    missing = [r for r in rows if key(r) is None]
    present.sort(key=key, reverse=descending)
    return present + missing, ("-" if descending else "") + name


def cycle_areas(cycle: Cycle) -> list[Area]:
    return list(Area.objects.filter(version_id=cycle.rubric_version_id).order_by("order"))


def cycle_results_table(cycle: Cycle, areas: list[Area]) -> list[ResultRow]:
    """One row per (not withdrawn) application of ``cycle`` with its stored result, sheet
    counts and whether its committee decision is stale: three queries."""
    applications = (
        Application.objects.filter(cycle=cycle)
        .exclude(status=ApplicationStatus.WITHDRAWN)
        .select_related("institution", "result")
        .annotate(
            sheets_active=Count(
                "assignments", filter=tally.active_assignment("assignments__"), distinct=True
            ),
            sheets_confirmed=Count(
                "assignments", filter=tally.counted_via_assignment("assignments__"), distinct=True
            ),
        )
        .order_by("institution__name", "pk")
    )
    substituted = tally.substituted_areas(cycle)
    applications = list(applications)
    stale = stale_decisions([a.result for a in applications if getattr(a, "result", None)])
    rows = []
    for app in applications:
        result = getattr(app, "result", None)
        stored = result.areas if result else {}
        rows.append(
            ResultRow(
                application=app,
                result=result,
                areas=[stored.get(a.code) for a in areas],
                substituted=substituted.get(app.pk, set()),
                sheets_active=app.sheets_active,
                sheets_confirmed=app.sheets_confirmed,
                stale_decision=bool(result and result.pk in stale),
            )
        )
    return rows


# --- dashboard: distribution and averages ----------------------------------------------------

ONE_PLACE = Decimal("0.1")


@dataclass
class AreaAverage:
    area: Area
    average: Decimal | None  # mean rounded score, 2 places half-up
    rate: Decimal | None  # average / points in percent, 1 place half-up
    n: int


def area_averages(rows: list[ResultRow], areas: list[Area]) -> list[AreaAverage]:
    """Per area, the mean of the stored (rounded) area scores over the computed results."""
    out = []
    for i, area in enumerate(areas):
        values = [Decimal(r.areas[i]) for r in rows if r.total is not None and r.areas[i]]
        if not values:
            out.append(AreaAverage(area, None, None, 0))
            continue
        mean = sum(values) / len(values)
        rate = (
            (mean * 100 / area.points).quantize(ONE_PLACE, ROUND_HALF_UP) if area.points else None
        )
        out.append(
            AreaAverage(area, mean.quantize(Decimal("0.01"), ROUND_HALF_UP), rate, len(values))
        )
    return out


def computed_totals(rows: list[ResultRow]) -> list[Decimal]:
    return [r.total for r in rows if r.total is not None]


# --- one application ---------------------------------------------------------------------------


@dataclass
class ApplicationResult:
    """What the result page shows: the stored result, the pure result recomputed from the
    sheets for item-level figures, the sheets, the substitutions and what an admin may do."""

    application: Application
    result: Result | None
    computed: tally.Computed | None
    problems: list[str]
    sheets: list[Assignment]
    evaluator_names: list[str]  # evaluator keys (usernames) in column order
    item_rows: list[dict]
    substitutions: list[AreaSubstitution]
    substitutable: list[Area]  # areas a certificate may replace (substituted or not)
    certificates: list[Certificate]  # the institution's, ``valid_on_reference`` set
    areas: list[Area] = field(default_factory=list)
    dropped: frozenset[str] = frozenset()  # counted sheets the rule left out (usernames)
    evaluator_labels: list[str] = field(default_factory=list)  # names, in column order

    @property
    def open_areas(self) -> list[Area]:
        """Substitutable areas not substituted yet."""
        taken = {s.area_id for s in self.substitutions}
        return [a for a in self.substitutable if a.pk not in taken]


def application_result(application: Application) -> ApplicationResult:
    """Everything the result page needs, in a constant number of queries."""
    cycle = application.cycle
    rules = tally.cycle_rules(cycle)
    computed_all, problems = tally.compute(cycle, rules, [application.pk])
    computed = computed_all.get(application.pk)
    result = Result.objects.filter(application=application).select_related("committee_by").first()
    sheets = list(
        Assignment.objects.filter(application=application)
        .select_related("evaluator", "sheet", "excluded_by")
        .order_by("evaluator__username")
    )
    counted = [a for a in sheets if _counted(a)]
    names = [a.evaluator.username for a in counted]
    points = _sheet_points(counted, rules)
    pure = computed.result if computed else None
    item_scores = {i.code: i for i in pure.items + pure.penalties} if pure else {}
    spreads = {d.code: d for d in pure.disagreements} if pure else {}
    substituted = computed.substituted if computed else frozenset()
    items = []
    for area in rules.rubric.areas:
        for indicator in area.indicators:
            for item in indicator.items:
                items.append(
                    {
                        "code": item.code,
                        "area": area.code,
                        "points": item.points,
                        "substituted": area.code in substituted,
                        "values": [points.get(n, {}).get(item.code) for n in names],
                        "score": item_scores.get(item.code),
                        "spread": spreads.get(item.code),
                    }
                )
    subs = list(
        AreaSubstitution.objects.filter(application=application)
        .select_related("area", "certificate", "confirmed_by")
        .order_by("area__order")
    )
    areas = cycle_areas(cycle)
    substitutable = [a for a in areas if a.substitution and a.substitution.get("certificates")]
    day = cycle.reference_date
    certificates = list(
        Certificate.objects.filter(institution_id=application.institution_id).order_by(
            "kind", "-valid_until", "number"
        )
    )
    for cert in certificates:
        cert.valid_on_reference = cert.is_valid_on(day)
    return ApplicationResult(
        application=application,
        result=result,
        computed=computed,
        problems=problems.get(application.pk, []),
        sheets=sheets,
        evaluator_names=names,
        item_rows=items,
        substitutions=subs,
        substitutable=substitutable,
        certificates=certificates,
        areas=areas,
        dropped=frozenset(pure.dropped) if pure else frozenset(),
        evaluator_labels=[a.evaluator.display_name for a in counted],
    )


def _counted(assignment: Assignment) -> bool:
    sheet = getattr(assignment, "sheet", None)
    return sheet is not None and tally.is_counted(sheet.status, assignment.exclusion)


def _sheet_points(assignments: list[Assignment], rules) -> dict[str, dict[str, Decimal]]:
    by_sheet = {a.sheet.pk: a.evaluator.username for a in assignments}
    out: dict[str, dict[str, Decimal]] = {}
    for sheet_id, item_id, value in ItemScore.objects.filter(
        sheet_id__in=list(by_sheet), points__isnull=False
    ).values_list("sheet_id", "item_id", "points"):
        out.setdefault(by_sheet[sheet_id], {})[rules.item_codes[item_id]] = value
    return out


# What verify_results checks lives beside this module; imported from here by its callers.
from .result_checks import audit_trail_differences, results_differences  # noqa: E402, F401
