"""What each report shows, read from the evaluation models into plain JSON (the report's inputs).

A report is rendered from this snapshot only, so the snapshot is also what its content hash
covers: the same snapshot (and template version) gives the same document. Every number is a
string formatted for display; nothing here writes.

Each builder runs a constant number of queries, whatever the number of applications, items or
evaluators (``result_inputs_many`` builds a whole cycle's result reports at once).

Figures: the headline (total, decision, reasons, rank) is the stored ``Result``. Items,
indicators and areas come from ``evaluation.scoring.aggregate`` over the counted sheets (confirmed,
assignment not excluded), with the cycle's rule; a stored total that differs from that
recomputation is refused rather than printed next to figures that do not add up to it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format

from evaluation import scoring
from evaluation.adapters import scoring_rubric
from evaluation.models import (
    STAGE_ORDER,
    Application,
    AreaSubstitution,
    Assignment,
    Cycle,
    CycleAreaMinimum,
    ItemScore,
    Result,
    Sheet,
    SheetStatus,
    Stage,
)
from indicators.models import Area, GradeLevel, Indicator, Item, RubricVersion, ScoringMethod

HUNDREDTH = Decimal("0.01")
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def fmt(value: Decimal | int | None) -> str:
    """``Decimal('60.000')`` → ``'60'``; None → ``''``."""
    if value is None:
        return ""
    return scoring.fmt(Decimal(value))


def percent(score: Decimal, points: Decimal) -> str:
    """``score / points`` in percent, half-up to 2 places; empty when points is 0."""
    if not points:
        return ""
    return str((Decimal(score) * 100 / Decimal(points)).quantize(HUNDREDTH, ROUND_HALF_UP))


def places_of(version: RubricVersion):
    """Format stored figures (``Result`` keeps 6 decimals) at the rubric's rounding places."""
    quantum = Decimal(1).scaleb(-version.rounding_places)

    def shown(value) -> str:
        if value is None or value == "":
            return ""
        return str(Decimal(str(value)).quantize(quantum, ROUND_HALF_UP))

    return shown


def _local(moment) -> str:
    return date_format(timezone.localtime(moment), "Y-m-d H:i:s") if moment else ""


def _evaluator_letter(n: int) -> str:
    return f"평가위원 {LETTERS[n] if n < len(LETTERS) else n + 1}"


# --- the rubric's tree, titles and totals -------------------------------------------------------


@dataclass(frozen=True)
class RubricTree:
    version: RubricVersion
    areas: list[Area]
    indicators: dict[int, list[Indicator]]  # area pk → indicators in order
    items: dict[int, list[Item]]  # indicator pk → items in order
    levels: dict[str, dict[str, str]]  # scale name → level code → title

    @property
    def all_items(self) -> list[Item]:
        return [
            item
            for area in self.areas
            for ind in self.indicators.get(area.pk, [])
            for item in self.items.get(ind.pk, [])
        ]

    def area_of_item(self) -> dict[str, str]:
        return {
            item.code: area.code
            for area in self.areas
            for ind in self.indicators.get(area.pk, [])
            for item in self.items.get(ind.pk, [])
        }


def rubric_tree(version: RubricVersion) -> RubricTree:
    """Four queries whatever the rubric's size."""
    areas = list(Area.objects.filter(version=version).order_by("order"))
    indicators: dict[int, list[Indicator]] = defaultdict(list)
    for ind in Indicator.objects.filter(version=version).order_by("area__order", "order"):
        indicators[ind.area_id].append(ind)
    items: dict[int, list[Item]] = defaultdict(list)
    for item in Item.objects.filter(version=version).order_by("indicator__order", "order"):
        items[item.indicator_id].append(item)
    levels: dict[str, dict[str, str]] = defaultdict(dict)
    for level in GradeLevel.objects.filter(scale__version=version).select_related("scale"):
        levels[level.scale.name][level.code] = level.title
    return RubricTree(version, areas, dict(indicators), dict(items), dict(levels))


def _rubric_ref(version: RubricVersion) -> dict:
    return {
        "id": version.pk,
        "label": f"{version.rubric.title} v{version.version}",
        # The programme the cover names: the rubric's own title, never a hard-coded one.
        "programme": version.rubric.title,
        "published_at": version.published_at.isoformat() if version.published_at else "",
        "total_points": fmt(version.total_points),
        "rounding_places": version.rounding_places,
    }


def _cycle_ref(cycle: Cycle) -> dict:
    return {
        "id": cycle.pk,
        "slug": cycle.slug,
        "title": cycle.title,
        "reference_date": cycle.reference_date.isoformat(),
        "rule": str(cycle.get_aggregation_rule_display()),
        "threshold": fmt(cycle.pass_threshold),
        "show_rank": cycle.show_rank,
    }


def _refuse(message: str) -> ValidationError:
    return ValidationError(message, code="report_refused")


# --- counted sheets, as evaluation.scoring sees them ----------------------------------------------


@dataclass
class CountedSheet:
    sheet: Sheet
    letter: str  # 평가위원 A/B/C: anonymised, in assignment order
    scores: dict[str, ItemScore]  # item code → row

    @property
    def key(self) -> str:
        """The evaluator key given to ``scoring`` -- the username, as the results service
        uses: the rules' tie-breaks (trimmed mean, median) depend on it."""
        return self.sheet.assignment.evaluator.get_username()


def counted_sheets(applications) -> dict[int, list[CountedSheet]]:
    """Per application id: its confirmed sheets whose assignment still counts (not excluded),
    in assignment order, each with its item scores. Two queries."""
    sheets = list(
        Sheet.objects.filter(
            assignment__application__in=applications,
            status=SheetStatus.CONFIRMED,
            assignment__exclusion="",
        )
        .select_related("assignment__evaluator")
        .order_by("assignment__application_id", "assignment__assigned_at", "assignment_id")
    )
    rows: dict[int, dict[str, ItemScore]] = defaultdict(dict)
    for score in ItemScore.objects.filter(sheet__in=[s.pk for s in sheets]).select_related("item"):
        rows[score.sheet_id][score.item.code] = score
    out: dict[int, list[CountedSheet]] = defaultdict(list)
    for sheet in sheets:
        mine = out[sheet.assignment.application_id]
        mine.append(CountedSheet(sheet, _evaluator_letter(len(mine)), rows.get(sheet.pk, {})))
    return out


def _substitutions(applications) -> dict[int, list[AreaSubstitution]]:
    out: dict[int, list[AreaSubstitution]] = defaultdict(list)
    for sub in AreaSubstitution.objects.filter(application__in=applications).select_related(
        "area", "certificate"
    ):
        out[sub.application_id].append(sub)
    return out


def _minimums(cycle: Cycle) -> dict[str, Decimal]:
    return {
        m.area.code: m.ratio
        for m in CycleAreaMinimum.objects.filter(cycle=cycle).select_related("area")
    }


def _aggregate(
    cycle: Cycle,
    rubric: scoring.Rubric,
    tree: RubricTree,
    sheets: list[CountedSheet],
    substituted: set[str],
    minimums: dict[str, Decimal],
    label: str,
) -> scoring.Result:
    area_of = tree.area_of_item()
    pure = [
        scoring.Sheet(
            evaluator=counted.key,
            points={
                code: row.points
                for code, row in counted.scores.items()
                if row.points is not None and area_of.get(code) not in substituted
            },
        )
        for counted in sheets
    ]
    try:
        return scoring.aggregate(
            rubric,
            pure,
            rule=cycle.aggregation_rule,
            threshold=cycle.pass_threshold,
            area_minimums=minimums,
            substituted_areas=substituted,
            disagreement_ratio=cycle.disagreement_ratio,
        )
    except scoring.ScoringError as exc:
        raise _refuse(f"{label}: 평가표를 집계할 수 없습니다 — {exc}") from exc


# --- 결과보고서 ---------------------------------------------------------------------------------


def _result_applications(applications):
    return (
        Application.objects.filter(pk__in=[a.pk for a in applications])
        .select_related("institution", "cycle", "result")
        .order_by("institution__name", "pk")
    )


def _label(application: Application) -> str:
    return f"{application.institution.name}({application.cycle.slug})"


def cycle_area_averages(cycle: Cycle, tree: RubricTree) -> tuple[dict[str, Decimal], list]:
    """Mean score per area over the cycle's computed results, and the results (one query)."""
    results = list(
        Result.objects.filter(application__cycle=cycle, total__isnull=False).values(
            "application_id", "total", "areas", "rank"
        )
    )
    sums: dict[str, Decimal] = defaultdict(Decimal)
    counts: dict[str, int] = defaultdict(int)
    for row in results:
        for code, value in (row["areas"] or {}).items():
            sums[code] += Decimal(str(value))
            counts[code] += 1
    averages = {a.code: sums[a.code] / counts[a.code] for a in tree.areas if counts[a.code]}
    return averages, results


def result_inputs_many(cycle: Cycle, applications) -> dict[int, dict]:
    """The 결과보고서 inputs of several applications of one cycle, by application id.

    Refuses (``ValidationError``, Korean, naming the institution) an application with no
    computed result. A constant number of queries.
    """
    apps = list(_result_applications(applications))
    if any(a.cycle_id != cycle.pk for a in apps):
        raise _refuse("한 평가 주기의 신청만 함께 만들 수 있습니다.")
    missing = [a for a in apps if getattr(a, "result", None) is None or a.result.total is None]
    if missing:
        names = ", ".join(_label(a) for a in missing)
        raise _refuse(
            f"{names}: 평가 결과가 없습니다. 평가표가 확정되어 결과가 계산된 뒤에 "
            "결과보고서를 만들 수 있습니다."
        )
    version = RubricVersion.objects.select_related("rubric").get(pk=cycle.rubric_version_id)
    tree = rubric_tree(version)
    rubric = scoring_rubric(version)
    averages, results = cycle_area_averages(cycle, tree)
    n_results = len(results)
    sheets = counted_sheets(apps)
    substitutions = _substitutions(apps)
    minimums = _minimums(cycle)
    out = {}
    for app in apps:
        out[app.pk] = _result_inputs(
            cycle,
            version,
            tree,
            rubric,
            app,
            sheets.get(app.pk, []),
            substitutions.get(app.pk, []),
            minimums,
            averages,
            n_results,
        )
    return out


def result_inputs(application: Application) -> dict:
    return result_inputs_many(application.cycle, [application])[application.pk]


def _result_inputs(
    cycle, version, tree, rubric, app, sheets, subs, minimums, averages, n_results
) -> dict:
    result: Result = app.result
    label = _label(app)
    shown = places_of(version)
    substituted = {s.area.code for s in subs}
    computed = _aggregate(cycle, rubric, tree, sheets, substituted, minimums, label)
    if computed.total.rounded != result.total:
        raise _refuse(
            f"{label}: 저장된 총점 {fmt(result.total)}점이 확정된 평가표로 다시 계산한 "
            f"{computed.total.rounded}점과 다릅니다. 결과를 다시 계산한 뒤 요청하십시오."
        )
    item_scores = {r.code: r.score.rounded for r in (*computed.items, *computed.penalties)}
    indicator_scores = {r.code: r.score.rounded for r in computed.indicators}
    area_results = {r.code: r for r in computed.areas}

    areas = []
    for area in tree.areas:
        ar = area_results[area.code]
        indicators = []
        for ind in tree.indicators.get(area.pk, []):
            items = []
            for item in tree.items.get(ind.pk, []):
                strengths, improvements = [], []
                for counted in sheets:
                    row = counted.scores.get(item.code)
                    if row is None:
                        continue
                    if row.strength.strip():
                        strengths.append([counted.letter, row.strength.strip()])
                    if row.improvement.strip():
                        improvements.append([counted.letter, row.improvement.strip()])
                score = item_scores.get(item.code)
                items.append(
                    {
                        "code": item.code,
                        "title": item.title,
                        "points": fmt(item.points),
                        "penalty": item.is_penalty,
                        "score": "" if score is None else str(score),
                        "rate": ""
                        if score is None or item.is_penalty
                        else percent(score, item.points),
                        "strengths": strengths,
                        "improvements": improvements,
                    }
                )
            score = indicator_scores.get(ind.code)
            if score is None and items and all(i["penalty"] for i in items):
                # A penalty indicator (negative points): its score is the sum of its deductions.
                score = sum((item_scores.get(i["code"]) or Decimal(0) for i in items), Decimal(0))
            indicators.append(
                {
                    "code": ind.code,
                    "title": ind.title,
                    "points": fmt(ind.points),
                    "score": "" if score is None else str(score),
                    "rate": "" if score is None or ind.points < 0 else percent(score, ind.points),
                    "items": items,
                }
            )
        average = averages.get(area.code)
        areas.append(
            {
                "code": area.code,
                "title": area.title,
                "points": fmt(area.points),
                "score": str(ar.score.rounded),
                "rate": "" if ar.rate is None else str(ar.rate),
                "average_rate": "" if average is None else percent(average, area.points),
                "substituted": ar.substituted,
                "minimum": "" if ar.minimum is None else fmt(ar.minimum * 100),
                "meets_minimum": ar.meets_minimum,
                "indicators": indicators,
            }
        )
    penalties = [
        {"code": p.code, "title": _item_title(tree, p.code), "score": str(p.score.rounded)}
        for p in computed.penalties
        if p.score.rounded
    ]
    substitutions = [
        {
            "area": s.area.code,
            "title": s.area.title,
            "certificate": f"{s.certificate.kind} {s.certificate.number}",
            "issuer": s.certificate.issuer,
            "valid": f"{s.certificate.valid_from:%Y-%m-%d} ~ {s.certificate.valid_until:%Y-%m-%d}",
            "awarded": str(area_results[s.area.code].score.rounded),
        }
        for s in sorted(subs, key=lambda s: s.area.order)
    ]
    final = result.final_decision
    return {
        "kind": "result",
        "cycle": _cycle_ref(cycle),
        "rubric": _rubric_ref(version),
        "application_id": app.pk,
        "institution": {"name": app.institution.name, "id": app.institution_id},
        "summary": {
            "total": shown(result.total),
            "total_points": fmt(version.total_points),
            "rate": percent(result.total, version.total_points),
            "decision": final,
            "decision_label": _decision_label(final),
            "computed_decision_label": _decision_label(result.decision),
            "committee": bool(result.committee_decision),
            "committee_reason": result.committee_reason,
            "reasons": list(result.reasons or []),
            "rank": result.rank if cycle.show_rank else None,
            "n_ranked": n_results if cycle.show_rank else None,
            "sheets_counted": len(sheets),
            "computed_at": _local(result.computed_at),
            "penalty_total": str(computed.penalty_total.rounded),
        },
        "evaluators": [s.letter for s in sheets],
        "areas": areas,
        "penalties": penalties,
        "substitutions": substitutions,
    }


def _item_title(tree: RubricTree, code: str) -> str:
    return next((i.title for i in tree.all_items if i.code == code), code)


def _decision_label(decision: str) -> str:
    from evaluation.models import Decision

    return str(Decision(decision).label) if decision else "판정 전"


# --- 평가표 ----------------------------------------------------------------------------------


def _entered(item: Item, row: ItemScore | None, levels: dict[str, dict[str, str]]) -> str:
    if row is None:
        return ""
    method = item.method
    if method == ScoringMethod.GRADE:
        if not row.grade:
            return ""
        title = levels.get((item.params or {}).get("scale", ""), {}).get(row.grade, "")
        return f"{row.grade} ({title})" if title else row.grade
    if method == ScoringMethod.PENALTY:
        return "" if row.count is None else f"{row.count}건"
    if method == ScoringMethod.BANDS:
        if row.value is None:
            return ""
        unit = ((item.params or {}).get("unit") or "").strip()
        return f"측정값 {fmt(row.value)}{' ' + unit if unit else ''}"
    return fmt(row.value)


def sheet_inputs(assignment: Assignment) -> dict:
    """The 평가표 of one assignment; refuses a sheet that is not confirmed."""
    assignment = Assignment.objects.select_related(
        "evaluator", "application__institution", "application__cycle", "sheet"
    ).get(pk=assignment.pk)
    app = assignment.application
    cycle = app.cycle
    label = f"{app.institution.name}({cycle.slug}) {assignment.evaluator.display_name}"
    sheet = getattr(assignment, "sheet", None)
    if sheet is None or not sheet.is_confirmed:
        raise _refuse(
            f"{label}: 평가표가 확정되지 않았습니다. 확정(전자 서명)된 평가표만 PDF로 만들 수 "
            "있습니다."
        )
    version = RubricVersion.objects.select_related("rubric").get(pk=cycle.rubric_version_id)
    tree = rubric_tree(version)
    rows = {s.item.code: s for s in ItemScore.objects.filter(sheet=sheet).select_related("item")}
    subs = _substitutions([app]).get(app.pk, [])
    substituted = {s.area.code for s in subs}
    counted = CountedSheet(sheet, assignment.evaluator.display_name, rows)
    own = _aggregate(
        cycle,
        scoring_rubric(version),
        tree,
        [counted],
        substituted,
        {},
        label,
    )
    own_areas = {a.code: a for a in own.areas}
    areas = []
    for area in tree.areas:
        items = []
        for ind in tree.indicators.get(area.pk, []):
            for item in tree.items.get(ind.pk, []):
                row = rows.get(item.code)
                items.append(
                    {
                        "code": item.code,
                        "title": item.title,
                        "indicator": f"{ind.code} {ind.title}",
                        "method": str(item.get_method_display()),
                        "points": fmt(item.points),
                        "entered": ""
                        if area.code in substituted
                        else _entered(item, row, tree.levels),
                        "score": ""
                        if row is None or row.points is None or area.code in substituted
                        else fmt(row.points),
                        "strength": "" if row is None else row.strength.strip(),
                        "improvement": "" if row is None else row.improvement.strip(),
                    }
                )
        areas.append(
            {
                "code": area.code,
                "title": area.title,
                "points": fmt(area.points),
                "substituted": area.code in substituted,
                "score": str(own_areas[area.code].score.rounded),
                "items": items,
            }
        )
    return {
        "kind": "sheet",
        "cycle": _cycle_ref(cycle),
        "rubric": _rubric_ref(version),
        "application_id": app.pk,
        "assignment_id": assignment.pk,
        "institution": {"name": app.institution.name, "id": app.institution_id},
        "evaluator": {
            "name": assignment.evaluator.display_name,
            "username": assignment.evaluator.get_username(),
        },
        "areas": areas,
        "total": str(own.total.rounded),
        "total_points": fmt(version.total_points),
        "confirmed_at": _local(sheet.confirmed_at),
        "content_hash": sheet.content_hash,
    }


# --- 집계표 ----------------------------------------------------------------------------------


def summary_inputs(cycle: Cycle) -> dict:
    """The 집계표 of a cycle: every application with a computed result, ranked. Refuses a cycle
    without results. A constant number of queries."""
    version = RubricVersion.objects.select_related("rubric").get(pk=cycle.rubric_version_id)
    areas = list(Area.objects.filter(version=version).order_by("order"))
    results = list(
        Result.objects.filter(application__cycle=cycle, total__isnull=False)
        .select_related("application__institution")
        .order_by("-total", "application__institution__name", "application_id")
    )
    # In rank order: the stored rank follows the total, or under z_mean the normalised total
    # (ADR 005), so the raw totals need not be in order then.
    results.sort(key=lambda r: (r.rank is None, r.rank or 0))
    if not results:
        raise _refuse(
            f"{cycle.title}({cycle.slug}): 계산된 평가 결과가 없어 집계표를 만들 수 없습니다."
        )
    n_without = (
        Application.objects.filter(cycle=cycle).exclude(pk__in=[r.application_id for r in results])
    ).count()
    ranks = scoring_rank({r.application_id: r.total for r in results})
    rows, sums = [], defaultdict(Decimal)
    passed = 0
    for r in results:
        final = r.final_decision
        passed += final == "pass"
        for code, value in (r.areas or {}).items():
            sums[code] += Decimal(str(value))
        rows.append(
            {
                "rank": r.rank or ranks[r.application_id],
                "application_id": r.application_id,
                "institution": r.application.institution.name,
                "total": str(r.total),
                "areas": [str((r.areas or {}).get(a.code, "")) for a in areas],
                # 감점 (≤ 0): total = sum of areas + penalty, so the row adds up (issue 14).
                "penalty": str(r.penalties),
                "decision_label": _decision_label(final),
                "decision": final,
                "committee": bool(r.committee_decision),
            }
        )
    n = len(results)
    total_points = version.total_points
    shown = places_of(version)
    for row in rows:
        row["total"] = shown(row["total"])
        row["areas"] = [shown(v) for v in row["areas"]]
        row["penalty"] = shown(row["penalty"])
    mean_total = sum((r.total for r in results), Decimal(0)) / n
    mean_penalty = sum((r.penalties for r in results), Decimal(0)) / n
    return {
        "kind": "summary",
        "cycle": _cycle_ref(cycle),
        "rubric": _rubric_ref(version),
        "areas": [
            {
                "code": a.code,
                "title": a.title,
                "points": fmt(a.points),
                "average": str((sums[a.code] / n).quantize(HUNDREDTH, ROUND_HALF_UP)),
                "average_rate": percent(sums[a.code] / n, a.points),
            }
            for a in areas
        ],
        "rows": rows,
        "count": n,
        "passed": passed,
        "failed": n - passed,
        "without_result": n_without,
        "mean_total": str(mean_total.quantize(HUNDREDTH, ROUND_HALF_UP)),
        "mean_penalty": str(mean_penalty.quantize(HUNDREDTH, ROUND_HALF_UP)),
        "total_points": fmt(total_points),
        "distribution": distribution([r.total for r in results], total_points),
        "reliability": reliability_inputs(cycle),
    }


def scoring_rank(totals: dict[int, Decimal]) -> dict[int, int]:
    """Competition ranking (1, 2, 2, 4) of stored totals."""
    first: dict[Decimal, int] = {}
    for position, total in enumerate(sorted(totals.values(), reverse=True), start=1):
        first.setdefault(total, position)
    return {key: first[total] for key, total in totals.items()}


def distribution(totals: list[Decimal], total_points: Decimal, bins: int = 10) -> list[dict]:
    """How many totals fall in each tenth of the total points (the last bin includes the max)."""
    width = Decimal(total_points) / bins
    counts = [0] * bins
    for total in totals:
        index = min(int(Decimal(total) / width), bins - 1) if width else 0
        counts[max(index, 0)] += 1
    return [
        {"label": f"{fmt(width * i)}~{fmt(width * (i + 1))}", "count": counts[i]}
        for i in range(bins)
    ]


# --- who may receive a result report --------------------------------------------------------


def stage_reached(cycle: Cycle, stage: Stage) -> bool:
    return STAGE_ORDER.index(cycle.stage) >= STAGE_ORDER.index(stage)


# --- 평가 신뢰도 (the 집계표's appendix; ADR 015) -------------------------------------------------


def _alpha_inputs(a) -> dict:
    def text(value):
        return "" if value is None else str(value)

    return {
        "value": text(a.value),
        "low": text(a.low),
        "high": text(a.high),
        "reading": a.reading,
        "units": a.units,
        "pairable": a.pairable,
        "reason": a.reason,
    }


def reliability_inputs(cycle: Cycle) -> dict:
    """Krippendorff's α (overall, per area, per item, the five lowest items) and every
    evaluator's severity, as display strings (4 places). Constant queries."""
    from evaluation.services.reliability import cycle_reliability, evaluator_names

    found = cycle_reliability(cycle)
    titles = dict(
        Area.objects.filter(version_id=cycle.rubric_version_id).values_list("code", "title")
    )
    names = evaluator_names(s.evaluator for s in found.evaluators)

    def text(value):
        return "" if value is None else str(value)

    return {
        "resamples": found.resamples,
        "seed": found.seed,
        "bound": fmt(found.bound),
        "min_units": found.min_units,
        "overall": _alpha_inputs(found.overall),
        "areas": [
            {"code": code, "title": titles.get(code, ""), **_alpha_inputs(a)}
            for code, a in found.areas.items()
        ],
        "items": [{"code": code, **_alpha_inputs(a)} for code, a in found.items.items()],
        "lowest_items": [{"code": code, **_alpha_inputs(a)} for code, a in found.lowest_items()],
        "evaluators": [
            {
                "name": names.get(s.evaluator, s.evaluator),
                "username": s.evaluator,
                "points": text(s.points),
                "percent": text(s.percent),
                "se_percent": text(s.se_percent),
                "units": s.units,
                "highest": s.highest,
                "lowest": s.lowest,
                "flagged": s.flagged,
            }
            for s in found.evaluators
        ],
    }
