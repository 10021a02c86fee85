"""Hand-computed examples for evaluation.scoring (the arithmetic is written beside each one).

Pure Python: no database, no Django. Properties live in test_scoring_properties.py.
"""

import ast
import os
import subprocess
import sys
from decimal import Decimal as D
from fractions import Fraction as F
from pathlib import Path

import pytest

from evaluation.scoring import (
    Area,
    EntryError,
    Indicator,
    Item,
    Method,
    Rounding,
    RoundingMode,
    Rubric,
    RubricError,
    Rule,
    Score,
    Sheet,
    SheetError,
    aggregate,
    item_points,
    rank,
)

ROOT = Path(__file__).resolve().parents[2]
LEVELS = {"S": D("1.0"), "A": D("0.8"), "B": D("0.6"), "C": D("0.4"), "D": D("0.2")}

# A: 100 = A.1.1 (grade, 60) + A.2.1 (points, 40, step 0.5)
# D:  50 = D.1.1 (grade, 50); substitutable, award ratio 0.9
# E:  50 = E.1.1 (bands, 50: ≥0 → 10, ≥50 → 30, ≥80 → 50); E.9.1 penalty 5 per case, cap −20
RUBRIC = Rubric(
    (
        Area(
            "A",
            D(100),
            (
                Indicator("A.1", D(60), (Item("A.1.1", D(60), Method.GRADE, levels=LEVELS),)),
                Indicator("A.2", D(40), (Item("A.2.1", D(40), Method.POINTS, step=D("0.5")),)),
            ),
        ),
        Area(
            "D",
            D(50),
            (Indicator("D.1", D(50), (Item("D.1.1", D(50), Method.GRADE, levels=LEVELS),)),),
            award_ratio=D("0.9"),
        ),
        Area(
            "E",
            D(50),
            (
                Indicator(
                    "E.1",
                    D(50),
                    (Item("E.1.1", D(50), Method.BANDS, bands=[(0, 10), (50, 30), (80, 50)]),),
                ),
                Indicator("E.9", D(-20), (Item("E.9.1", D(-20), Method.PENALTY, per_case=-5),)),
            ),
        ),
    )
)


def sheet(key, a11, a21, d11, e11, e91, **extra):
    """A sheet from the evaluator's entries (grade code, points, grade code, value, count)."""
    entries = {"A.1.1": a11, "A.2.1": a21, "D.1.1": d11, "E.1.1": e11, "E.9.1": e91}
    points = {
        code: item_points(RUBRIC.item(code), entry)
        for code, entry in entries.items()
        if entry is not None
    }
    return Sheet(key, points, **extra)


# Totals per sheet: ev1 60+30+40+50−5 = 175; ev2 48+35.5+30+30+0 = 143.5; ev3 36+20+20+10−20 = 66
EV1 = sheet("ev1", "S", D(30), "A", D(85), 1)
EV2 = sheet("ev2", "A", D("35.5"), "B", D(60), 0)
EV3 = sheet("ev3", "B", D(20), "C", D(10), 5)
THREE = [EV1, EV2, EV3]


def _fields(result):
    return {name: getattr(result, name) for name in result.__dataclass_fields__}


def scores(result):
    return {row.code: row.score.exact for row in (*result.items, *result.penalties)}


def areas(result):
    return {area.code: area.score.exact for area in result.areas}


# --- Entries → item points ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "entry", "expected"),
    [
        ("A.1.1", "S", D(60)),  # 60 × 1.0
        ("A.1.1", "B", D(36)),  # 60 × 0.6
        ("A.1.1", "D", D(12)),  # 60 × 0.2
        ("A.2.1", D("35.5"), D("35.5")),  # a multiple of 0.5 within 0~40
        ("A.2.1", 0, D(0)),
        ("A.2.1", "40", D(40)),
        ("E.1.1", D("-3"), D(0)),  # below every band
        ("E.1.1", D(0), D(10)),  # greatest min ≤ 0 is 0 → 10
        ("E.1.1", D("49.99"), D(10)),
        ("E.1.1", D(50), D(30)),  # the band's min itself counts
        ("E.1.1", D(1000), D(50)),
        ("E.9.1", 0, D(0)),  # max(−20, −5 × 0)
        ("E.9.1", 3, D(-15)),  # max(−20, −15)
        ("E.9.1", 4, D(-20)),  # max(−20, −20)
        ("E.9.1", 9, D(-20)),  # max(−20, −45): capped
        ("E.9.1", D("2.0"), D(-10)),  # an integral Decimal is a count
    ],
)
def test_item_points_by_method(code, entry, expected):
    assert item_points(RUBRIC.item(code), entry) == expected


@pytest.mark.parametrize(
    ("code", "entry", "message"),
    [
        ("A.1.1", "X", "A.1.1: 'X' 등급은 척도에 없습니다"),
        ("A.1.1", 60, "A.1.1: '60' 등급은 척도에 없습니다"),
        ("A.2.1", D(41), "A.2.1: 점수(41)는 0~40 범위를 벗어납니다"),
        ("A.2.1", D(-1), "A.2.1: 점수(-1)는 0~40 범위를 벗어납니다"),
        ("A.2.1", D("2.3"), "A.2.1: 점수(2.3)는 0.5 단위가 아닙니다"),
        ("A.2.1", "abc", "A.2.1: 점수('abc')는 숫자가 아닙니다"),
        ("A.2.1", D("NaN"), "A.2.1: 점수('NaN')는 숫자가 아닙니다"),
        ("A.2.1", True, "A.2.1: 점수('True')는 숫자가 아닙니다"),
        ("E.1.1", "많음", "E.1.1: 측정값('많음')은 숫자가 아닙니다"),
        ("E.9.1", -1, "E.9.1: 건수는 0 이상의 정수여야 합니다 (입력값: -1)"),
        ("E.9.1", D("1.5"), "E.9.1: 건수는 0 이상의 정수여야 합니다 (입력값: 1.5)"),
        ("E.9.1", "두 건", "E.9.1: 건수는 0 이상의 정수여야 합니다 (입력값: 두 건)"),
    ],
)
def test_invalid_entries_raise_entry_error_naming_item_and_problem(code, entry, message):
    with pytest.raises(EntryError) as caught:
        item_points(RUBRIC.item(code), entry)
    assert str(caught.value) == message
    assert caught.value.code == code
    assert isinstance(caught.value, ValueError)


def test_no_penalty_is_a_plain_zero():
    assert str(item_points(RUBRIC.item("E.9.1"), 0)) == "0"  # not "-0"


def test_floats_are_refused_outright():
    with pytest.raises(TypeError):
        item_points(RUBRIC.item("A.2.1"), 35.5)


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: Item("X.1", D(-5), Method.POINTS), "X.1: 감점 항목만 음수 배점을"),
        (lambda: Item("X.1", D(5), Method.PENALTY, per_case=-1), "X.1: 감점 항목만 음수 배점을"),
        (lambda: Item("X.1", D(-5), Method.PENALTY, per_case=1), "X.1: 건당 감점(1)은 음수"),
        (lambda: Item("X.1", D(5), Method.GRADE), "X.1: 등급 척도가 비어 있습니다"),
        (lambda: Item("X.1", D(5), Method.GRADE, levels={"S": D(2)}), "X.1: 등급 S의 비율이"),
        (lambda: Item("X.1", D(5), Method.POINTS, step=D(0)), "X.1: 단위(0)는 0보다"),
        (lambda: Item("X.1", D(5), Method.BANDS, bands=[(0, 1), (0, 2)]), "X.1: 구간 하한"),
        (lambda: Item("X.1", D(5), Method.BANDS, bands=[(0, 6)]), "X.1: 구간 점수가 0~5"),
        (lambda: Item("X.1", 5.0, Method.POINTS), "X.1: 배점 값(5.0)은 Decimal이어야"),
        (lambda: Area("X", D(5), (), award_ratio=D("1.5")), "X: 대체 인정 비율(1.5)"),
        (lambda: Rounding(places=-1), "반올림 자릿수(-1)"),
    ],
)
def test_malformed_rubric_shapes_are_refused(build, message):
    with pytest.raises(RubricError) as caught:
        build()
    assert str(caught.value).startswith(message)


def test_duplicate_codes_are_refused():
    item = Item("X.1.1", D(5), Method.POINTS)
    area = Area("X", D(10), (Indicator("X.1", D(10), (item, item)),))
    with pytest.raises(RubricError, match="^코드가 중복됩니다: X.1.1$"):
        Rubric((area,))


# --- Rounding ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mode", "value", "expected"),
    [
        ("half_up", D("2.345"), D("2.35")),
        ("half_up", D("2.344"), D("2.34")),
        ("half_up", D("-2.345"), D("-2.35")),  # ties away from zero, like ROUND_HALF_UP
        ("half_up", F(1, 3), D("0.33")),
        ("half_up", F(2, 3), D("0.67")),
        ("half_up", F(-1, 300), D("0.00")),  # never "-0.00"
        ("half_even", D("2.345"), D("2.34")),
        ("half_even", D("2.355"), D("2.36")),
        ("half_even", D("2.3451"), D("2.35")),
        ("down", D("2.349"), D("2.34")),
        ("down", D("-2.349"), D("-2.34")),  # toward zero
        ("up", D("2.341"), D("2.35")),
        ("up", D("2.340"), D("2.34")),
        ("up", D("-2.341"), D("-2.35")),  # away from zero
        ("half_up", 7, D("7.00")),
    ],
)
def test_rounding_modes(mode, value, expected):
    rounded = Rounding(2, mode).round(value)
    assert rounded == expected
    assert str(rounded) == str(expected)  # the places are kept for display


def test_rounding_places_follow_the_rubric():
    assert Rounding(0).round(D("2.5")) == D(3)
    assert Rounding(0, RoundingMode.HALF_EVEN).round(D("2.5")) == D(2)
    assert str(Rounding(3).round(F(2, 3))) == "0.667"


def test_score_keeps_exact_and_rounded_values():
    third = Score(1, 3, D("0.33"))
    assert third.exact == F(1, 3)
    assert third == Score(2, 6, D("0.33"))  # same value, another denominator
    assert third != Score(33, 100, D("0.33"))  # same display, another value
    assert str(third) == "0.33"
    assert hash(third) == hash(Score(2, 6, D("0.33")))


# --- The four rules, by hand -------------------------------------------------------------------


def test_mean_averages_every_counted_sheet():
    result = aggregate(RUBRIC, THREE, rule=Rule.MEAN)
    assert scores(result) == {
        "A.1.1": 48,  # (60 + 48 + 36) / 3
        "A.2.1": F("28.5"),  # (30 + 35.5 + 20) / 3 = 85.5 / 3
        "D.1.1": 30,  # (40 + 30 + 20) / 3
        "E.1.1": 30,  # (50 + 30 + 10) / 3
        "E.9.1": F(-25, 3),  # (−5 + 0 − 20) / 3
    }
    assert areas(result) == {"A": F("76.5"), "D": 30, "E": 30}  # A = 48 + 28.5
    assert result.penalty_total.exact == F(-25, 3)
    # 76.5 + 30 + 30 − 25/3 = 136.5 − 8.333… = 128.1666… = 769/6
    assert result.total.exact == F(769, 6)
    assert result.total.rounded == D("128.17")
    assert str(result.score("E.9.1")) == "-8.33"
    assert [i.code for i in result.indicators] == ["A.1", "A.2", "D.1", "E.1"]  # E.9: penalties
    assert result.kept == ("ev1", "ev2", "ev3") and result.dropped == ()
    assert result.passed and result.reasons == ()


def test_trimmed_mean_drops_the_highest_and_lowest_sheet_totals():
    result = aggregate(RUBRIC, THREE, rule=Rule.TRIMMED_MEAN)
    # totals 175 (ev1, dropped as highest), 143.5 (ev2, kept), 66 (ev3, dropped as lowest)
    assert result.kept == ("ev2",) and result.dropped == ("ev1", "ev3")
    assert scores(result) == {"A.1.1": 48, "A.2.1": F("35.5"), "D.1.1": 30, "E.1.1": 30, "E.9.1": 0}
    assert result.total.exact == F("143.5")  # 48 + 35.5 + 30 + 30 + 0


def test_median_takes_the_middle_sheet_by_total():
    result = aggregate(RUBRIC, THREE, rule=Rule.MEDIAN)
    assert result.kept == ("ev2",)  # 66 < 143.5 < 175
    assert result.total.exact == F("143.5")


def test_median_of_an_even_count_is_the_mean_of_the_two_middle_sheets():
    ev4 = sheet("ev4", "C", D(10), "D", D(0), 0)  # 24 + 10 + 10 + 10 + 0 = 54
    result = aggregate(RUBRIC, [*THREE, ev4], rule=Rule.MEDIAN)
    # order by total: ev4 54, ev3 66, ev2 143.5, ev1 175 → middle two ev3, ev2
    assert result.kept == ("ev2", "ev3") and result.dropped == ("ev1", "ev4")
    assert scores(result) == {
        "A.1.1": 42,  # (48 + 36) / 2
        "A.2.1": F("27.75"),  # (35.5 + 20) / 2
        "D.1.1": 25,  # (30 + 20) / 2
        "E.1.1": 20,  # (30 + 10) / 2
        "E.9.1": -10,  # (0 − 20) / 2
    }
    assert result.total.exact == F("104.75")  # (143.5 + 66) / 2
    assert result.total.rounded == D("104.75")


def test_item_trimmed_mean_drops_one_high_and_one_low_value_per_item():
    result = aggregate(RUBRIC, THREE, rule=Rule.ITEM_TRIMMED_MEAN)
    assert scores(result) == {
        "A.1.1": 48,  # 60, 48, 36 → 48
        "A.2.1": 30,  # 30, 35.5, 20 → 30 (ev1's; ev2 is the highest here)
        "D.1.1": 30,
        "E.1.1": 30,
        "E.9.1": -5,  # −5, 0, −20 → −5
    }
    dropped = {row.code: row.dropped for row in (*result.items, *result.penalties)}
    assert dropped["A.2.1"] == ("ev3", "ev2")  # (lowest, highest)
    assert dropped["A.1.1"] == ("ev3", "ev1")
    assert areas(result) == {"A": 78, "D": 30, "E": 30}
    assert result.total.exact == 133  # 78 + 30 + 30 − 5: sums of the item means
    assert result.kept == ("ev1", "ev2", "ev3") and result.dropped == ()


@pytest.mark.parametrize("rule", [Rule.TRIMMED_MEAN, Rule.ITEM_TRIMMED_MEAN])
def test_trimming_rules_with_fewer_than_three_sheets_are_the_mean(rule):
    result = aggregate(RUBRIC, [EV1, EV3], rule=rule)
    assert result.kept == ("ev1", "ev3") and result.dropped == ()
    assert result.total.exact == F(175 + 66, 2)
    mean = aggregate(RUBRIC, [EV1, EV3], rule=Rule.MEAN)
    assert _fields(result) == {**_fields(mean), "rule": rule}


# --- Ties: documented tie-breaks (ADR 005) -----------------------------------------------------

TIES = Rubric(
    (
        Area(
            "X",
            D(100),
            (
                Indicator(
                    "X.1",
                    D(100),
                    (Item("X.1.1", D(50), Method.POINTS), Item("X.1.2", D(50), Method.POINTS)),
                ),
            ),
        ),
    )
)


def tie_sheet(key, first, second):
    return Sheet(key, {"X.1.1": D(first), "X.1.2": D(second)})


def items_of(result):
    return tuple(row.score.exact for row in result.items)


def test_trimmed_mean_with_all_totals_tied_drops_smallest_key_low_and_greatest_key_high():
    sheets = [tie_sheet("c", 50, 10), tie_sheet("a", 10, 50), tie_sheet("b", 30, 30)]  # all 60
    result = aggregate(TIES, sheets, rule=Rule.TRIMMED_MEAN)
    # order by (total, key): (60, a) (60, b) (60, c) → drop a as lowest, c as highest
    assert result.kept == ("b",) and result.dropped == ("a", "c")
    assert items_of(result) == (30, 30)


def test_trimmed_mean_ties_at_both_ends():
    sheets = [tie_sheet("a", 10, 50), tie_sheet("b", 30, 30)]  # 60, 60
    sheets += [tie_sheet("c", 50, 40), tie_sheet("d", 40, 50)]  # 90, 90
    result = aggregate(TIES, sheets, rule=Rule.TRIMMED_MEAN)
    # (60, a) (60, b) (90, c) (90, d): drop a (lowest, smallest key) and d (highest, greatest key)
    assert result.kept == ("b", "c") and result.dropped == ("a", "d")
    assert items_of(result) == (40, 35)  # (30 + 50) / 2, (30 + 40) / 2


def test_median_ties_follow_the_key_order():
    sheets = [tie_sheet("a", 10, 50), tie_sheet("b", 30, 30), tie_sheet("c", 50, 10)]
    odd = aggregate(TIES, sheets, rule=Rule.MEDIAN)
    assert odd.kept == ("b",) and items_of(odd) == (30, 30)  # (60,a) (60,b) (60,c) → b
    even = aggregate(TIES, [*sheets, tie_sheet("d", 45, 45)], rule=Rule.MEDIAN)
    # (60,a) (60,b) (60,c) (90,d) → b and c: (30 + 50) / 2 = 40, (30 + 10) / 2 = 20
    assert even.kept == ("b", "c") and items_of(even) == (40, 20)


def test_item_trimmed_mean_ties_drop_smallest_key_low_and_greatest_key_high():
    sheets = [tie_sheet("a", 30, 20), tie_sheet("b", 30, 20), tie_sheet("c", 30, 20)]
    sheets.append(tie_sheet("d", 10, 20))
    result = aggregate(TIES, sheets, rule=Rule.ITEM_TRIMMED_MEAN)
    # X.1.1: (10,d) (30,a) (30,b) (30,c) → drop d low, c high → (30 + 30) / 2 = 30
    # X.1.2: (20,a) (20,b) (20,c) (20,d) → drop a low, d high → 20
    assert items_of(result) == (30, 20)
    assert [row.dropped for row in result.items] == [("d", "c"), ("a", "d")]


# --- Substitution, penalties, decision ---------------------------------------------------------


def test_substituted_area_scores_points_times_award_ratio():
    ev1 = sheet("ev1", "S", D(30), None, D(85), 1)
    ev2 = sheet("ev2", "A", D("35.5"), None, D(60), 0)
    ev3 = sheet("ev3", "B", D(20), None, D(10), 5)
    result = aggregate(RUBRIC, [ev1, ev2, ev3], substituted_areas={"D"})
    d_area = result.areas[1]
    assert d_area.code == "D" and d_area.substituted
    assert d_area.score.exact == 45  # 50 × 0.9
    assert "D.1.1" not in scores(result) and "D.1" not in [i.code for i in result.indicators]
    assert "D.1.1" not in [d.code for d in result.disagreements]
    # 76.5 + 45 + 30 − 25/3 = 151.5 − 8.333… = 143.1666…
    assert result.total.exact == F(859, 6)
    assert result.total.rounded == D("143.17")


def test_a_sheet_may_carry_the_substitution_itself():
    ev1 = sheet("ev1", "S", D(30), None, D(85), 1, substituted_areas={"D"})
    ev2 = sheet("ev2", "A", D("35.5"), None, D(60), 0)
    result = aggregate(RUBRIC, [ev1, ev2])
    assert result.areas[1].substituted and result.areas[1].score.exact == 45


def test_penalty_counts_in_the_total_but_in_no_area():
    result = aggregate(RUBRIC, [EV3])
    # ev3: A = 36 + 20 = 56, D = 20, E = 10 (the −20 penalty stays out of E), total 86 − 20 = 66
    assert areas(result) == {"A": 56, "D": 20, "E": 10}
    assert [(p.code, p.score.exact) for p in result.penalties] == [("E.9.1", -20)]
    assert result.total.exact == 66


def test_a_missing_penalty_entry_counts_zero():
    no_penalty = sheet("ev2", "A", D("35.5"), "B", D(60), None)
    assert aggregate(RUBRIC, [no_penalty]).total.exact == F("143.5")


def test_decision_lists_every_failing_reason_in_korean():
    result = aggregate(
        RUBRIC, THREE, threshold=D(150), area_minimums={"A": D("0.8"), "E": D("0.6")}
    )
    # total 128.17 < 150; A 76.5 / 100 = 76.50% < 80%; E 30 / 50 = 60.00% ≥ 60% passes
    assert not result.passed
    assert result.reasons == (
        "총점 128.17점이 합격 기준 150점에 미달",
        "A 영역 득점률 76.50%가 최소 기준 80%에 미달",
    )
    a_area, _, e_area = result.areas
    assert (a_area.rate, a_area.minimum, a_area.meets_minimum) == (D("76.50"), D("0.8"), False)
    assert (e_area.rate, e_area.meets_minimum) == (D("60.00"), True)


def test_decision_passes_at_exactly_the_threshold_on_the_rounded_total():
    # mean total 128.1666… rounds to 128.17 ≥ 128.17 → pass; 128.18 → fail
    assert aggregate(RUBRIC, THREE, threshold=D("128.17")).passed
    assert not aggregate(RUBRIC, THREE, threshold=D("128.18")).passed


def test_failing_area_minimum_alone_fails_the_decision():
    result = aggregate(RUBRIC, [EV3], threshold=D(0), area_minimums={"D": D("0.6")})
    # D = 20 / 50 = 40.00% < 60%
    assert result.reasons == ("D 영역 득점률 40.00%가 최소 기준 60%에 미달",)


def test_area_rate_is_shown_rounded_down_so_a_failure_never_reads_as_the_minimum():
    ninths = Rubric(
        (Area("N", D(9), (Indicator("N.1", D(9), (Item("N.1.1", D(9), Method.POINTS),)),)),),
        rounding=Rounding(4),
    )
    result = aggregate(ninths, [Sheet("a", {"N.1.1": D(6)})], area_minimums={"N": D("0.6667")})
    # 6 / 9 = 66.666…% < 66.67%: shown as 66.66%, not 66.67%
    assert result.reasons == ("N 영역 득점률 66.66%가 최소 기준 66.67%에 미달",)


# --- Disagreement ------------------------------------------------------------------------------


def test_disagreement_spread_stdev_and_flags():
    result = aggregate(RUBRIC, THREE, rule=Rule.TRIMMED_MEAN)  # over all counted sheets anyway
    rows = {d.code: (d.spread, d.stdev, d.limit, d.flagged) for d in result.disagreements}
    assert rows == {
        # 60, 48, 36: spread 24 = 0.40 × 60 is not above the limit; σ = √96 = 9.797… → 9.80
        "A.1.1": (24, D("9.80"), D("24.00"), False),
        # 30, 35.5, 20: spread 15.5 ≤ 16; mean 28.5, σ² = (2.25 + 49 + 72.25) / 3, σ = 6.416…
        "A.2.1": (D("15.5"), D("6.42"), D("16.00"), False),
        # 40, 30, 20: spread 20 ≤ 20; σ = √(200 / 3) = 8.164…
        "D.1.1": (20, D("8.16"), D("20.00"), False),
        # 50, 30, 10: spread 40 > 20 → flagged; σ = √(800 / 3) = 16.329…
        "E.1.1": (40, D("16.33"), D("20.00"), True),
        # −5, 0, −20: spread 20 > 0.40 × |−20| = 8 → flagged; σ² = 1950 / 27, σ = 8.498…
        "E.9.1": (20, D("8.50"), D("8.00"), True),
    }
    assert result.flagged == ("E.1.1", "E.9.1")


def test_disagreement_ratio_is_a_cycle_setting():
    result = aggregate(RUBRIC, THREE, disagreement_ratio=D("0.30"))
    # limits: A.1.1 18 (24 > 18), A.2.1 12 (15.5 > 12), D.1.1 15 (20 > 15), E.1.1 15, E.9.1 6
    assert result.flagged == ("A.1.1", "A.2.1", "D.1.1", "E.1.1", "E.9.1")


def test_one_sheet_has_no_disagreement():
    result = aggregate(RUBRIC, [EV1])
    assert {(d.spread, d.stdev, d.flagged) for d in result.disagreements} == {(0, D("0.00"), False)}


# --- Which sheets count; refused input ---------------------------------------------------------


def test_unconfirmed_and_conflicted_sheets_are_excluded_without_validation():
    draft = Sheet("ev4", {"A.1.1": D(999)}, confirmed=False)
    conflicted = Sheet("ev5", {}, conflicted=True)
    result = aggregate(RUBRIC, [*THREE, draft, conflicted])
    assert result.excluded == ("ev4", "ev5")
    assert _fields(result) == {**_fields(aggregate(RUBRIC, THREE)), "excluded": ("ev4", "ev5")}


def test_sheet_problems_are_reported_all_at_once():
    bad = Sheet(
        "ev9",
        {
            "A.1.1": D(61),  # above 60
            "A.2.1": 30.0,  # a float
            "D.1.1": D("12.345"),  # within bounds but not a value a grade of 50 can give
            "Z.1.1": D(1),  # not in the rubric
            "E.9.1": D(-21),  # below the cap
        },  # E.1.1 missing
    )
    with pytest.raises(SheetError) as caught:
        aggregate(RUBRIC, [bad])
    assert caught.value.errors == (
        "Z.1.1: 평가지표에 없는 항목입니다 (평가위원 ev9)",
        "A.1.1: 점수(61)는 0~60 범위를 벗어납니다 (평가위원 ev9)",
        "A.2.1: 점수(30.0)는 Decimal이 아닙니다 (평가위원 ev9)",
        "D.1.1: 점수(12.345)는 이 항목에서 나올 수 없는 값입니다 (소수점 이하 1자리까지) "
        "(평가위원 ev9)",
        "E.1.1: 점수가 없습니다 (평가위원 ev9)",
        "E.9.1: 점수(-21)는 -20~0 범위를 벗어납니다 (평가위원 ev9)",
    )
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        (D("NaN"), "점수(NaN)는 유한한 수가 아닙니다"),
        (D("sNaN"), "점수(sNaN)는 유한한 수가 아닙니다"),
        (D("-Infinity"), "점수(-Infinity)는 유한한 수가 아닙니다"),
        (True, "점수(True)는 Decimal이 아닙니다"),
        ("30", "점수('30')는 Decimal이 아닙니다"),
        (D("30." + "0" * 80 + "1"), "점수(30.0000"),  # too many digits for the item's scale
    ],
)
def test_odd_sheet_values_are_refused(value, problem):
    points = {**EV1.points, "A.2.1": value}
    with pytest.raises(SheetError) as caught:
        aggregate(RUBRIC, [Sheet("ev1", points)])
    (error,) = caught.value.errors
    assert error.startswith(f"A.2.1: {problem}") and error.endswith("(평가위원 ev1)")


def test_int_sheet_values_are_accepted_as_decimals():
    points = {**EV1.points, "A.2.1": 30}
    assert aggregate(RUBRIC, [Sheet("ev1", points)]) == aggregate(RUBRIC, [EV1])


def test_entries_on_a_substituted_area_are_refused():
    with pytest.raises(SheetError) as caught:
        aggregate(RUBRIC, [EV1], substituted_areas={"D"})
    assert caught.value.errors == (
        "D.1.1: D 영역은 대체 인정되어 채점하지 않습니다 (평가위원 ev1)",
    )


@pytest.mark.parametrize(
    ("kwargs", "sheets", "errors"),
    [
        ({}, [EV1, EV1], ("평가위원 ev1의 채점표가 두 번 이상 있습니다",)),
        (
            {},
            [Sheet("ev1", {}, confirmed=False)],
            ("집계할 채점표가 없습니다 (확정되고 이해충돌이 없는 채점표만 집계합니다)",),
        ),
        ({"substituted_areas": {"A"}}, THREE, ("A: 대체 인정 대상 영역이 아닙니다",)),
        ({"substituted_areas": {"Q"}}, THREE, ("Q: 평가지표에 없는 영역입니다 (대체 인정)",)),
        (
            {"area_minimums": {"Q": D("0.5")}},
            THREE,
            ("Q: 평가지표에 없는 영역입니다 (최소 득점률)",),
        ),
        (
            {"area_minimums": {"A": D("1.5")}},
            THREE,
            ("A: 최소 득점률(1.5)은 0~1 사이의 Decimal이어야 합니다",),
        ),
        ({"threshold": 700.0}, THREE, ("합격 기준(700.0)은 Decimal이어야 합니다",)),
        (
            {"disagreement_ratio": D("-0.1")},
            THREE,
            ("편차 기준 비율(-0.1)은 0 이상의 Decimal이어야 합니다",),
        ),
    ],
)
def test_refused_settings_and_sheet_sets(kwargs, sheets, errors):
    with pytest.raises(SheetError) as caught:
        aggregate(RUBRIC, sheets, **kwargs)
    assert caught.value.errors == errors


def test_unknown_rule_is_refused():
    with pytest.raises(ValueError, match="'vote'"):
        aggregate(RUBRIC, THREE, rule="vote")


# --- Rank --------------------------------------------------------------------------------------

ONE_ITEM = Rubric(
    (Area("X", D(100), (Indicator("X.1", D(100), (Item("X.1.1", D(100), Method.POINTS),)),)),)
)


def result_with_total(total):
    return aggregate(ONE_ITEM, [Sheet("a", {"X.1.1": D(total)})])


def test_rank_shares_ties_and_skips_after_them():
    results = {key: result_with_total(t) for key, t in [("d", 70), ("b", 80), ("a", 90)]}
    results["c"] = result_with_total(80)
    ranks = rank(results)
    assert ranks == {"a": 1, "b": 2, "c": 2, "d": 4}
    assert list(ranks) == ["a", "b", "c", "d"]  # best first, input order within a tie


def test_rank_uses_the_rounded_total():
    half = Rubric(ONE_ITEM.areas, rounding=Rounding(0))
    near = {
        "x": aggregate(half, [Sheet("a", {"X.1.1": D(80)})]),  # 80
        "y": aggregate(half, [Sheet("a", {"X.1.1": D(80)}), Sheet("b", {"X.1.1": D(79)})]),
    }  # 79.5 → 80 shown: equal displayed totals share the rank
    assert rank(near) == {"x": 1, "y": 1}
    assert rank({}) == {}


# --- Purity: no Django, no project, no floats --------------------------------------------------

SCORING = ROOT / "evaluation" / "scoring"
ALLOWED = {
    "__future__",
    "collections",
    "dataclasses",
    "decimal",
    "enum",
    "fractions",
    "math",
    "types",
    "typing",
}


def scoring_modules():
    modules = sorted(SCORING.glob("*.py"))
    assert len(modules) > 1 and SCORING / "__init__.py" in modules
    return modules


@pytest.mark.parametrize("path", scoring_modules(), ids=lambda p: p.name)
def test_scoring_imports_only_the_allowed_standard_library(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    siblings = {p.stem for p in scoring_modules()}
    imported, relative = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level:
            # within the package only: ``from .exact import …``, never ``from .. import …``
            assert node.level == 1 and node.module in siblings, ast.unparse(node)
            relative.add(node.module)
        elif isinstance(node, ast.ImportFrom):
            imported.add(node.module.split(".")[0])
    assert imported or relative, "the AST walk found no imports at all"
    assert imported <= ALLOWED, imported - ALLOWED
    floats = [
        n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and type(n.value) is float
    ]
    assert floats == []
    calls = {
        n.func.id
        for n in ast.walk(tree)
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
    }
    assert "float" not in calls and "__import__" not in calls


def test_scoring_imports_without_django_in_a_fresh_interpreter():
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    probe = (
        "import sys; import evaluation.scoring as s; "
        "assert s.aggregate; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'django', 'config', 'indicators', 'institutions', 'reports', 'statistics'}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"
