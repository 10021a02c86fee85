"""One application's sheets → its ``Result`` under a rule (ADR 005), and the ranking."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import TypeVar

from .errors import SheetError
from .exact import _EXACT, RoundingMode, Score, _round, _round_sqrt, fmt
from .plan import plan_for
from .results import (
    AreaResult,
    Disagreement,
    IndicatorResult,
    ItemResult,
    Result,
    Rule,
    Sheet,
)
from .rubric import Area, Rubric

DEFAULT_DISAGREEMENT_RATIO = Decimal("0.40")

K = TypeVar("K")


def _check_settings(
    rubric: Rubric,
    substituted: frozenset[str],
    area_minimums: Mapping[str, Decimal],
    threshold: Decimal | None,
    disagreement_ratio: Decimal,
) -> list[str]:
    errors = []
    codes = {a.code: a for a in rubric.areas}
    for code in sorted(substituted):
        if code not in codes:
            errors.append(f"{code}: 평가지표에 없는 영역입니다 (대체 인정)")
        elif codes[code].award_ratio is None:
            errors.append(f"{code}: 대체 인정 대상 영역이 아닙니다")
    for code, ratio in sorted(area_minimums.items()):
        if code not in codes:
            errors.append(f"{code}: 평가지표에 없는 영역입니다 (최소 득점률)")
        elif not (isinstance(ratio, Decimal) and 0 <= ratio <= 1):
            errors.append(f"{code}: 최소 득점률({ratio})은 0~1 사이의 Decimal이어야 합니다")
        elif codes[code].points <= 0:
            errors.append(f"{code}: 배점이 0 이하인 영역에는 최소 득점률을 둘 수 없습니다")
    if threshold is not None and not isinstance(threshold, Decimal):
        errors.append(f"합격 기준({threshold!r})은 Decimal이어야 합니다")
    if not (isinstance(disagreement_ratio, Decimal) and disagreement_ratio >= 0):
        errors.append(f"편차 기준 비율({disagreement_ratio})은 0 이상의 Decimal이어야 합니다")
    return errors


def _apply_rule(
    rule: Rule, names: list[str], rows: list[list[int]]
) -> tuple[list[int], int, tuple[str, ...], list[tuple[str, str]] | None]:
    """Per item, the sum of the values the rule keeps; how many each sum holds; kept sheets;
    under ``item_trimmed_mean``, the two evaluators dropped on each item."""
    n = len(rows)
    if rule is Rule.ITEM_TRIMMED_MEAN and n >= 3:
        nums, item_dropped = [], []
        for column in zip(*rows, strict=True):
            # lowest value, ties to the smallest key; highest value, ties to the greatest key
            order = sorted(range(n), key=lambda s, c=column: (c[s], names[s]))
            low, high = order[0], order[-1]
            nums.append(sum(column) - column[low] - column[high])
            item_dropped.append((names[low], names[high]))
        return nums, n - 2, tuple(names), item_dropped
    chosen: list[int] = list(range(n))
    if n >= 2 and rule in (Rule.TRIMMED_MEAN, Rule.MEDIAN):
        order = sorted(chosen, key=lambda s: (sum(rows[s]), names[s]))
        if rule is Rule.MEDIAN:
            chosen = sorted(order[(n - 1) // 2 : n // 2 + 1])
        elif n >= 3:
            chosen = sorted(order[1:-1])
    nums = [sum(column) for column in zip(*(rows[s] for s in chosen), strict=True)]
    return nums, len(chosen), tuple(names[s] for s in chosen), None


def aggregate(
    rubric: Rubric,
    sheets: Iterable[Sheet],
    *,
    rule: Rule | str = Rule.MEAN,
    threshold: Decimal | None = None,
    area_minimums: Mapping[str, Decimal] | None = None,
    substituted_areas: Iterable[str] = (),
    disagreement_ratio: Decimal = DEFAULT_DISAGREEMENT_RATIO,
) -> Result:
    """Aggregate one application's sheets under ``rule`` (see ADR 005).

    Raises ``SheetError`` listing every problem at once: duplicate evaluators, no counted sheet,
    points on unknown or substituted items, missing or out-of-range points, bad settings.
    """
    rule, area_minimums = Rule(rule), dict(area_minimums or {})
    sheets = sorted(sheets, key=lambda s: s.evaluator)
    keys = [s.evaluator for s in sheets]
    errors = [
        f"평가위원 {k}의 채점표가 두 번 이상 있습니다"
        for k in sorted(set(keys))
        if keys.count(k) > 1
    ]
    counted = [s for s in sheets if s.confirmed and not s.conflicted]
    excluded = tuple(s.evaluator for s in sheets if not s.confirmed or s.conflicted)
    if not counted:
        errors.append("집계할 채점표가 없습니다 (확정되고 이해충돌이 없는 채점표만 집계합니다)")
    substituted = frozenset(substituted_areas).union(*(s.substituted_areas for s in counted))
    errors += _check_settings(rubric, substituted, area_minimums, threshold, disagreement_ratio)
    if errors:
        raise SheetError(errors)
    plan = plan_for(rubric, substituted)
    rows = [plan.row(rubric, s, errors) for s in counted]
    if errors:
        raise SheetError(errors)

    names = [s.evaluator for s in counted]
    nums, m, kept, item_dropped = _apply_rule(rule, names, rows)
    scale = plan.scale
    unit = 10**scale
    den = m * unit  # every aggregated figure is (integer numerator) / den
    places, mode = rubric.rounding.places, rubric.rounding.mode
    shift, half_up = 10**places, mode is RoundingMode.HALF_UP

    memo = plan.scores

    def score(num: int) -> Score:
        made = memo.get((num, den))
        if made is None:
            if half_up:  # the common mode, inlined
                q, r = divmod(abs(num) * shift, den)
                q += 2 * r >= den
                made = Score(num, den, Decimal(-q if num < 0 else q).scaleb(-places, _EXACT))
            else:
                made = Score(num, den, _round(num, den, places, mode))
            if len(memo) < 10_000:  # immutable, so equal figures can share one object
                memo[num, den] = made
        return made

    def item_result(i: int) -> ItemResult:
        return ItemResult(
            plan.items[i].code, score(nums[i]), item_dropped[i] if item_dropped else ()
        )

    indicator_nums = [sum(nums[i] for i in own) for _, _, own in plan.indicators]
    indicators = tuple(
        IndicatorResult(ind.code, area, score(num))
        for (ind, area, _), num in zip(plan.indicators, indicator_nums, strict=True)
    )
    penalty_num = sum(nums[i] for i in plan.penalties)
    areas, reasons, total_num = [], [], penalty_num
    for area, parts in plan.areas:
        num = plan.awards[area.code] * m if parts is None else sum(indicator_nums[p] for p in parts)
        total_num += num
        areas.append(_area_result(area, score(num), parts is None, area_minimums, reasons))
    total = score(total_num)
    if threshold is not None and total.rounded < threshold:
        reasons.insert(0, f"총점 {total.rounded}점이 합격 기준 {fmt(threshold)}점에 미달")

    n = len(rows)
    disagreements = []
    limits = plan.limits(disagreement_ratio)
    for (code, limit, floor), column in zip(limits, zip(*rows, strict=True), strict=True):
        spread, sum_x = max(column) - min(column), sum(column)
        variance_num = n * sum([x * x for x in column]) - sum_x * sum_x  # / (n * unit) ** 2
        disagreements.append(
            Disagreement(
                code,
                Decimal(spread).scaleb(-scale, _EXACT),
                _round_sqrt(variance_num, n * unit, places, mode),
                limit,
                spread > floor,
            )
        )

    return Result(
        rule=rule,
        items=tuple(item_result(i) for i in plan.positive),
        indicators=indicators,
        areas=tuple(areas),
        penalties=tuple(item_result(i) for i in plan.penalties),
        penalty_total=score(penalty_num),
        total=total,
        passed=not reasons,
        reasons=tuple(reasons),
        kept=kept,
        dropped=tuple(k for k in names if k not in kept),
        excluded=excluded,
        disagreements=tuple(disagreements),
    )


def _area_result(
    area: Area,
    score: Score,
    substituted: bool,
    area_minimums: Mapping[str, Decimal],
    reasons: list[str],
) -> AreaResult:
    """The area's result; a failing minimum appends its reason. The rate is the *rounded*
    score over the points, shown in percent rounded down, so a failing rate never reads as
    its minimum (59.999…% shows 59.99%)."""
    minimum, meets, rate = area_minimums.get(area.code), True, None
    if area.points > 0:
        s_num, s_den = score.rounded.as_integer_ratio()
        p_num, p_den = area.points.as_integer_ratio()
        rate = _round(s_num * p_den * 100, s_den * p_num, 2, RoundingMode.DOWN)
        if minimum is not None and score.rounded < _EXACT.multiply(minimum, area.points):
            meets = False
            reasons.append(
                f"{area.code} 영역 득점률 {rate}%가 최소 기준 {fmt(_EXACT.multiply(minimum, 100))}%에 미달"
            )
    return AreaResult(area.code, area.points, score, substituted, rate, minimum, meets)


def rank(results: Mapping[K, Result]) -> dict[K, int]:
    """Competition ranking by rounded total, highest first; equal totals share a rank (1, 2, 2, 4).

    The returned dict lists keys best first (input order within a tie).
    """
    totals = {key: result.total.rounded for key, result in results.items()}
    first: dict[Decimal, int] = {}
    for position, total in enumerate(sorted(totals.values(), reverse=True), start=1):
        first.setdefault(total, position)
    ranks = {key: first[total] for key, total in totals.items()}
    return dict(sorted(ranks.items(), key=lambda pair: pair[1]))
