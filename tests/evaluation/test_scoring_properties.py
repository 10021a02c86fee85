"""Hypothesis properties of evaluation.scoring: invariance, bounds, exact sums, rounding, rank.

The rubric mixes every method, a substitutable area, a penalty whose cap is not a multiple of
its per-case points, and an area of 7 points (so means divide by 3, 7, … and do not terminate).
"""

import functools
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, ROUND_UP, Context, Decimal
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from evaluation.scoring import (
    Area,
    Indicator,
    Item,
    Method,
    Rounding,
    RoundingMode,
    Rubric,
    Rule,
    Sheet,
    aggregate,
    item_points,
    rank,
)

D = Decimal
LEVELS = {"S": D("1"), "A": D("0.8"), "B": D("0.6"), "C": D("0.35"), "D": D("0")}
ITEMS = {
    "P.1.1": Item("P.1.1", D(30), Method.GRADE, levels=LEVELS),
    "P.1.2": Item("P.1.2", D(20), Method.POINTS, step=D("0.5")),
    "P.2.1": Item("P.2.1", D(25), Method.BANDS, bands=[(0, 5), (10, D("15.5")), (20, 25)]),
    "P.9.1": Item("P.9.1", D(-10), Method.PENALTY, per_case=D(-3)),
    "Q.1.1": Item("Q.1.1", D(40), Method.GRADE, levels=LEVELS),
    "R.1.1": Item("R.1.1", D(7), Method.POINTS),
}
SUBSTITUTABLE = {"Q": {"Q.1.1"}}
MODES = {
    RoundingMode.HALF_UP: ROUND_HALF_UP,
    RoundingMode.HALF_EVEN: ROUND_HALF_EVEN,
    RoundingMode.DOWN: ROUND_DOWN,
    RoundingMode.UP: ROUND_UP,
}
WIDE = Context(prec=100)


@functools.cache
def rubric(places: int = 2, mode: RoundingMode = RoundingMode.HALF_UP) -> Rubric:
    i = ITEMS
    return Rubric(
        (
            Area(
                "P",
                D(75),
                (
                    Indicator("P.1", D(50), (i["P.1.1"], i["P.1.2"])),
                    Indicator("P.2", D(25), (i["P.2.1"],)),
                    Indicator("P.9", D(-10), (i["P.9.1"],)),
                ),
            ),
            Area("Q", D(40), (Indicator("Q.1", D(40), (i["Q.1.1"],)),), award_ratio=D("0.75")),
            Area("R", D(7), (Indicator("R.1", D(7), (i["R.1.1"],)),)),
        ),
        rounding=Rounding(places, mode),
    )


ENTRIES = {
    "P.1.1": st.sampled_from(sorted(LEVELS)),
    "P.1.2": st.integers(0, 40).map(lambda n: D(n) / 2),
    "P.2.1": st.decimals(-5, 30, places=2),
    "P.9.1": st.integers(0, 6),
    "Q.1.1": st.sampled_from(sorted(LEVELS)),
    "R.1.1": st.integers(0, 7),
}
points_sheets = st.fixed_dictionaries(
    {
        code: entries.map(lambda e, c=code: item_points(ITEMS[c], e))
        for code, entries in ENTRIES.items()
    }
)
keys = st.lists(st.text("abcdefgh", min_size=1, max_size=3), min_size=1, max_size=6, unique=True)
rules = st.sampled_from(list(Rule))
roundings = st.tuples(st.integers(0, 4), st.sampled_from(list(RoundingMode)))


@st.composite
def applications(draw):
    """(sheets, substituted areas): 1–6 sheets with distinct keys, maybe area Q substituted;
    a sheet may leave the penalty out (no case)."""
    substituted = draw(st.sampled_from([frozenset(), frozenset({"Q"})]))
    skip = set().union(*(SUBSTITUTABLE[a] for a in substituted))
    if draw(st.booleans()):
        skip.add("P.9.1")
    sheets = [
        Sheet(key, {c: v for c, v in draw(points_sheets).items() if c not in skip})
        for key in draw(keys)
    ]
    return sheets, substituted


def exact(result):
    return {row.code: row.score.exact for row in (*result.items, *result.penalties)}


def oracle(sheets, rule, substituted):
    """The rules restated in plain Fractions, straight from ADR 005."""
    codes = [c for c in ITEMS if not any(c in SUBSTITUTABLE[a] for a in substituted)]
    by_key = sorted(sheets, key=lambda s: s.evaluator)
    values = {s.evaluator: {c: Fraction(s.points.get(c, 0)) for c in codes} for s in by_key}
    n = len(by_key)
    if rule is Rule.ITEM_TRIMMED_MEAN and n >= 3:
        means = {}
        for c in codes:
            ordered = sorted(values, key=lambda k, c=c: (values[k][c], k))[1:-1]
            means[c] = sum(values[k][c] for k in ordered) / len(ordered)
        return means
    ordered = sorted(values, key=lambda k: (sum(values[k].values()), k))
    kept = ordered
    if rule is Rule.TRIMMED_MEAN and n >= 3:
        kept = ordered[1:-1]
    elif rule is Rule.MEDIAN:
        kept = ordered[(n - 1) // 2 : n // 2 + 1]
    return {c: sum(values[k][c] for k in kept) / len(kept) for c in codes}


@given(applications(), rules, roundings)
def test_item_scores_match_the_rules_in_plain_fractions(application, rule, rounding):
    sheets, substituted = application
    result = aggregate(rubric(*rounding), sheets, rule=rule, substituted_areas=substituted)
    assert exact(result) == oracle(sheets, rule, substituted)
    for row in (*result.items, *result.penalties, *result.areas):
        assert row.score.rounded == Rounding(*rounding).round(row.score.exact)


@given(applications(), rules, st.randoms(use_true_random=False))
def test_invariant_under_permutation_of_evaluators(application, rule, random):
    sheets, substituted = application
    shuffled = random.sample(sheets, len(sheets))
    first = aggregate(rubric(), sheets, rule=rule, substituted_areas=substituted)
    assert aggregate(rubric(), shuffled, rule=rule, substituted_areas=substituted) == first


@given(points_sheets, st.integers(1, 6), rules, roundings)
def test_identical_sheets_give_that_sheet_under_every_rule(points, copies, rule, rounding):
    sheets = [Sheet(f"ev{n}", points) for n in range(copies)]
    result = aggregate(rubric(*rounding), sheets, rule=rule)
    assert exact(result) == {code: Fraction(value) for code, value in points.items()}
    assert result.total.exact == sum(points.values())
    assert not result.flagged and {d.stdev for d in result.disagreements} == {D(0)}


@given(applications(), rules, roundings)
def test_total_is_exactly_the_sum_of_areas_plus_penalties(application, rule, rounding):
    sheets, substituted = application
    result = aggregate(rubric(*rounding), sheets, rule=rule, substituted_areas=substituted)
    areas = sum(area.score.exact for area in result.areas)
    penalties = sum(p.score.exact for p in result.penalties)
    assert result.penalty_total.exact == penalties
    assert result.total.exact == areas + penalties
    items = exact(result)
    for indicator in result.indicators:
        parts = [c for c in items if c.startswith(indicator.code + ".")]
        assert indicator.score.exact == sum(items[c] for c in parts)
    for area in result.areas:
        if area.substituted:
            assert area.score.exact == Fraction(area.points) * Fraction(D("0.75"))
        else:
            inside = [i.score.exact for i in result.indicators if i.area == area.code]
            assert area.score.exact == sum(inside)


@given(applications(), rules)
def test_every_score_stays_within_its_bounds_and_its_evaluators(application, rule):
    sheets, substituted = application
    result = aggregate(rubric(), sheets, rule=rule, substituted_areas=substituted)
    for code, value in exact(result).items():
        item = ITEMS[code]
        low, high = (item.points, 0) if item.is_penalty else (0, item.points)
        assert low <= value <= high
        given_values = [s.points.get(code, D(0)) for s in sheets]
        assert min(given_values) <= value <= max(given_values)
    for area in result.areas:
        assert 0 <= area.score.exact <= area.points
    assert sorted(result.kept + result.dropped) == sorted(s.evaluator for s in sheets)
    assert not set(result.kept) & set(result.dropped)


@given(st.integers(0, 10_000))
def test_penalty_is_capped(count):
    item = ITEMS["P.9.1"]
    points = item_points(item, count)
    assert item.points <= points <= 0
    assert points == max(D(-10), D(-3) * count)
    assert (points == item.points) == (count >= 4)  # −3 × 4 = −12 is the first below the cap


@given(st.decimals(allow_nan=False, allow_infinity=False, places=8), roundings)
def test_rounding_agrees_with_decimal_quantize(value, rounding):
    places, mode = rounding
    expected = value.quantize(D(1).scaleb(-places), rounding=MODES[mode], context=WIDE)
    assert Rounding(places, mode).round(value) == expected


@given(st.fractions(max_denominator=10_000), roundings)
def test_rounding_a_fraction_stays_within_one_unit(value, rounding):
    places, mode = rounding
    rounded = Fraction(Rounding(places, mode).round(value))
    unit = Fraction(1, 10**places)
    assert abs(rounded - value) < unit
    if mode in (RoundingMode.HALF_UP, RoundingMode.HALF_EVEN):
        assert abs(rounded - value) <= unit / 2
    elif mode is RoundingMode.DOWN:
        assert abs(rounded) <= abs(value)
    else:
        assert abs(rounded) >= abs(value)


@given(applications(), roundings)
def test_stdev_is_the_correctly_rounded_population_deviation(application, rounding):
    sheets, substituted = application
    result = aggregate(rubric(*rounding), sheets, substituted_areas=substituted)
    places, mode = rounding
    for row in result.disagreements:
        column = [Fraction(s.points.get(row.code, 0)) for s in sheets]
        mean = sum(column) / len(column)
        variance = sum((x - mean) ** 2 for x in column) / len(column)
        root = (D(variance.numerator) / D(variance.denominator)).sqrt(WIDE)
        expected = root.quantize(D(1).scaleb(-places), rounding=MODES[mode], context=WIDE)
        assert row.stdev == expected
        assert row.spread == max(column) - min(column)
        assert row.flagged == (row.spread > D("0.40") * abs(ITEMS[row.code].points))


ONE_ITEM = Rubric(
    (Area("X", D(100), (Indicator("X.1", D(100), (Item("X.1.1", D(100), Method.POINTS),)),)),)
)


@given(st.lists(st.integers(0, 10), max_size=12), st.randoms(use_true_random=False))
def test_rank_is_competition_ranking_by_total(totals, random):
    results = {
        f"app{n}": aggregate(ONE_ITEM, [Sheet("a", {"X.1.1": D(t) * 10})])
        for n, t in enumerate(totals)
    }
    ranks = rank(results)
    assert set(ranks) == set(results)
    for key, result in results.items():
        better = sum(other.total.rounded > result.total.rounded for other in results.values())
        assert ranks[key] == 1 + better  # ties share a rank; the next rank skips them
    assert list(ranks.values()) == sorted(ranks.values())  # best first
    if results:
        assert min(ranks.values()) == 1 and max(ranks.values()) <= len(results)
    shuffled = dict(random.sample(list(results.items()), len(results)))
    assert rank(shuffled) == ranks  # dict equality: same key → rank, whatever the order
