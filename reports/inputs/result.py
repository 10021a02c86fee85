"""The 결과보고서 inputs (ADR 009, 018).

Figures: the headline (total, decision, reasons, rank) is the stored ``Result``. Items,
indicators and areas are the tally's computation (``evaluation.tally.compute``) over the
counted sheets, with the cycle's rules -- the very computation the results service stored; a
stored total that differs from it is refused rather than printed next to figures that do not
add up to it. A constant number of queries whatever the number of applications.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from evaluation import scoring, tally
from evaluation.models import Application, AreaSubstitution, Cycle, Result
from indicators.models import RubricVersion

from .common import (
    _cycle_ref,
    _decision_label,
    _evaluator_letter,
    _item_title,
    _local,
    _refuse,
    _rubric_ref,
    fmt,
    percent,
    places_of,
    rubric_tree,
)


def _substitutions(applications) -> dict[int, list[AreaSubstitution]]:
    out: dict[int, list[AreaSubstitution]] = defaultdict(list)
    for sub in AreaSubstitution.objects.filter(application__in=applications).select_related(
        "area", "certificate"
    ):
        out[sub.application_id].append(sub)
    return out


def _result_applications(applications):
    return (
        Application.objects.filter(pk__in=[a.pk for a in applications])
        .select_related("institution", "cycle", "result")
        .order_by("institution__name", "pk")
    )


def _label(application: Application) -> str:
    return f"{application.institution.name}({application.cycle.slug})"


def cycle_area_averages(cycle: Cycle, tree) -> tuple[dict[str, Decimal], list]:
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
    averages, results = cycle_area_averages(cycle, tree)
    n_results = len(results)
    # The tally computes from the rows loaded here (their comments are shown too): the same
    # computation the results service stored, without reading the points twice.
    sheets = tally.counted_sheets(apps)
    rules = tally.cycle_rules(cycle)
    try:
        computed, problems = tally.compute(
            cycle,
            rules,
            [a.pk for a in apps],
            sheet_points=tally.counted_points([s for found in sheets.values() for s in found]),
        )
    except scoring.ScoringError as exc:
        raise _refuse(f"{cycle.title}: 평가표를 집계할 수 없습니다 — {exc}") from exc
    substitutions = _substitutions(apps)
    out = {}
    for app in apps:
        if app.pk in problems:
            raise _refuse(
                f"{_label(app)}: 평가표를 집계할 수 없습니다 — " + "\n".join(problems[app.pk])
            )
        out[app.pk] = _result_inputs(
            cycle,
            version,
            tree,
            app,
            computed[app.pk],
            sheets.get(app.pk, []),
            substitutions.get(app.pk, []),
            averages,
            n_results,
        )
    return out


def result_inputs(application: Application) -> dict:
    """The 결과보고서 inputs of one application, under its cycle's rules as stored now."""
    cycle = Cycle.objects.select_related("rubric_version").get(pk=application.cycle_id)
    return result_inputs_many(cycle, [application])[application.pk]


def _result_inputs(
    cycle, version, tree, app, found: tally.Computed, sheets, subs, averages, n_results
) -> dict:
    result: Result = app.result
    label = _label(app)
    shown = places_of(version)
    computed = found.result
    if computed is None:  # a stored result, but no sheet counts today
        raise _refuse(
            f"{label}: 반영되는 확정 평가표가 없어 저장된 결과를 다시 계산할 수 없습니다. "
            "결과를 다시 계산한 뒤 요청하십시오."
        )
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
                    letter = _evaluator_letter(counted.position)
                    if row.strength.strip():
                        strengths.append([letter, row.strength.strip()])
                    if row.improvement.strip():
                        improvements.append([letter, row.improvement.strip()])
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
        "evaluators": [_evaluator_letter(s.position) for s in sheets],
        "areas": areas,
        "penalties": penalties,
        "substitutions": substitutions,
    }
