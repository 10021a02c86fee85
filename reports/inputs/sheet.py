"""The 평가표 inputs: one evaluator's confirmed sheet, its own totals by the tally."""

from __future__ import annotations

from evaluation import scoring, tally
from evaluation.models import Assignment, ItemScore
from indicators.models import Item, RubricVersion, ScoringMethod

from .common import _cycle_ref, _local, _refuse, _rubric_ref, fmt, korean, rubric_tree
from .result import _substitutions


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
    rules = tally.cycle_rules(cycle)
    own_sheet = tally.own_sheet(rules, tally.CountedSheet(sheet, 0, rows), substituted)
    try:
        # The evaluator's own figures: the cycle's rule over this sheet alone, no minimums.
        own = tally.aggregate(rules, [own_sheet], substituted, area_minimums={})
    except scoring.ScoringError as exc:
        raise _refuse(f"{label}: 평가표를 집계할 수 없습니다 — {exc}") from exc
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
                        "method": korean(item.get_method_display),
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
