"""evaluation.reliability: Krippendorff's α against the published worked example and the
``krippendorff`` package, the bootstrap interval, severity, and Hypothesis properties."""

import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import krippendorff
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evaluation import reliability
from evaluation.reliability import Rating, alpha_interval, analyse, bootstrap_interval

ROOT = Path(__file__).resolve().parents[2]
D = Decimal
NAN = np.nan

# Krippendorff, "Computing Krippendorff's Alpha-Reliability" (2011), the example with missing
# values: 4 observers (rows) × 12 units (columns). The same matrix is R irr's "C data from
# Krippendorff".
EXAMPLE = np.array(
    [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, NAN, NAN, NAN],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, NAN, 3],
        [NAN, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, NAN],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, NAN],
    ]
)
PUBLISHED = {"nominal": 0.743, "ordinal": 0.815, "interval": 0.849, "ratio": 0.797}


def _long(matrix):
    coder, unit = np.nonzero(~np.isnan(matrix))
    return unit, matrix[coder, unit], coder


@pytest.mark.parametrize("metric", list(PUBLISHED))
def test_krippendorff_package_reproduces_the_published_example(metric):
    value = krippendorff.alpha(reliability_data=EXAMPLE, level_of_measurement=metric)
    assert round(value, 3) == PUBLISHED[metric]


def test_interval_alpha_matches_the_published_example_and_the_package():
    unit, value, _ = _long(EXAMPLE)
    a, units, n, reason = alpha_interval(unit, value)
    assert (units, n, reason) == (11, 40, "")  # unit 12 has one value: not pairable
    assert round(a, 3) == PUBLISHED["interval"]
    assert a == pytest.approx(krippendorff.alpha(reliability_data=EXAMPLE), abs=1e-12)


def test_published_example_through_analyse():
    ratings = [
        Rating(u, "I1", "A", f"coder{c}", D(int(v)) * 20, D(100))
        for u, v, c in zip(*_long(EXAMPLE), strict=True)
    ]
    result = analyse(ratings, min_units=1)
    assert result.overall.value == D("0.8491")
    assert (result.overall.units, result.overall.pairable) == (11, 40)
    assert result.overall.low < result.overall.value < result.overall.high
    assert result.items["I1"] == result.overall == result.areas["A"]


def test_bootstrap_interval_is_seeded_and_brackets_alpha():
    unit, value, _ = _long(EXAMPLE)
    first = bootstrap_interval(unit, value, resamples=1000, seed=7)
    assert first == bootstrap_interval(unit, value, resamples=1000, seed=7)
    assert first != bootstrap_interval(unit, value, resamples=1000, seed=8)
    low, high = first
    assert low < 0.849 < high <= 1


def test_bootstrap_draws_pairs_from_the_observed_coincidences():
    """Resampled D_o averages the observed D_o: the mean α* is α (up to sampling noise)."""
    unit, value, _ = _long(EXAMPLE)
    delta, p, pairs = reliability._pair_deltas(unit, value)
    assert pairs == sum(m * (m - 1) // 2 for m in (3, 4, 4, 4, 4, 4, 4, 4, 4, 3, 2))
    assert p.sum() == pytest.approx(1)
    kept = np.delete(value, np.flatnonzero(unit == 11))  # unit 12 is not pairable
    centred = kept - kept.mean()
    expected = 2 * float(np.dot(centred, centred)) / (kept.size - 1)  # D_e
    assert 1 - float(p @ delta) / expected == pytest.approx(0.8491071428571428)


def test_cannot_compute_with_a_single_evaluator_or_too_few_units():
    one = [Rating(a, "I1", "A", "kim", D(a), D(10)) for a in range(10)]
    result = analyse(one)
    assert result.overall.value is None
    assert "한 명" in result.overall.reason
    assert result.items["I1"].value is None and result.overall.reading == "계산할 수 없음"

    few = [Rating(a, "I1", "A", e, D(a + i), D(10)) for a in range(3) for i, e in enumerate("xy")]
    result = analyse(few)
    assert result.overall.value is None
    assert result.overall.reason == "두 명 이상이 평가한 단위가 3개뿐입니다 (최소 5개)"
    assert result.overall.units == 3

    same = [Rating(a, "I1", "A", e, D(5), D(10)) for a in range(9) for e in "xy"]
    assert analyse(same).overall.reason == "모든 값이 같아 기대 불일치가 0입니다"

    assert analyse([]).overall.reason == "확정된 평가표가 없습니다"


def test_values_are_percent_of_item_points():
    """A 60-point and a 10-point item with the same relative ratings agree alike."""
    small = [Rating(a, "S", "A", e, D(v), D(10)) for a, v in enumerate(range(10)) for e in "xy"]
    large = [Rating(a, "L", "A", e, D(v * 6), D(60)) for a, v in enumerate(range(10)) for e in "xy"]
    bumped = [r if r.evaluator == "x" else Rating(r.application, r.item, r.area, "y", r.points + (1 if r.item == "S" else 6), r.item_points) for r in small + large]  # fmt: skip
    result = analyse(bumped)
    assert result.items["S"].value == result.items["L"].value


def test_reading_follows_krippendorff_2004():
    assert reliability.reading(D("0.8")) == "신뢰 가능"
    assert reliability.reading(D("0.7999")) == "잠정적 결론만"
    assert reliability.reading(D("0.667")) == "잠정적 결론만"
    assert reliability.reading(D("0.6669")) == "신뢰 곤란"
    assert reliability.reading(None) == "계산할 수 없음"


def test_severity_by_hand():
    # Two units of a 10-point item: x gives 8 and 6, y 6 and 6, z 4 and 3.
    rows = {"x": (8, 6), "y": (6, 6), "z": (4, 3)}
    ratings = [
        Rating(app, "I1", "A", ev, D(points[app]), D(10))
        for ev, points in rows.items()
        for app in (0, 1)
    ]
    result = analyse(ratings, bound=D(20), severity_min_units=2)
    by = {s.evaluator: s for s in result.evaluators}
    # x: 8 − 5 = 3, 6 − 4.5 = 1.5 → 2.25 points, 22.5 %; SE = sd(3, 1.5)/√2 = 0.75
    assert by["x"].points == D("2.2500") and by["x"].percent == D("22.5000")
    assert by["x"].se_points == D("0.7500")
    assert (by["x"].units, by["x"].highest, by["x"].lowest) == (2, 2, 0)
    assert by["x"].flagged  # 22.5 > 20 with 2 units
    # z: 4 − 7 = −3, 3 − 6 = −3
    assert by["z"].points == D("-3.0000") and by["z"].se_points == D("0.0000")
    assert (by["z"].highest, by["z"].lowest, by["z"].flagged) == (0, 2, True)
    # y ties nobody at the top or bottom: 6 − 6 = 0, 6 − 4.5 = 1.5
    assert by["y"].points == D("0.7500") and not by["y"].flagged
    assert not analyse(ratings, bound=D(20), severity_min_units=3).evaluators[0].flagged


def test_severity_of_someone_never_rating_with_others_is_empty():
    ratings = [Rating(0, "I1", "A", "x", D(1), D(10)), Rating(1, "I1", "A", "y", D(1), D(10))]
    (x, y) = analyse(ratings).evaluators
    assert (x.units, x.points, x.percent, x.se_points) == (0, None, None, None)


def test_pure_module_imports_without_django_in_a_fresh_interpreter():
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    probe = (
        "import sys; import evaluation.reliability as r; assert r.analyse; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'django', 'config', 'indicators', 'institutions', 'reports'}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"


# --- properties ------------------------------------------------------------------------------

EVALUATORS = ["kim", "lee", "park", "choi"]


@st.composite
def panels(draw, min_apps=6):
    """Ratings of 2-4 evaluators on 1-3 items of several applications, some missing."""
    n_apps = draw(st.integers(min_apps, 12))
    items = {"I1": D(10), "I2": D(5), "I3": D(60)}
    codes = draw(st.lists(st.sampled_from(sorted(items)), min_size=1, max_size=3, unique=True))
    coders = EVALUATORS[: draw(st.integers(2, 4))]
    ratings = []
    for app in range(n_apps):
        for code in codes:
            for ev in coders:
                if draw(st.booleans()) or ev in coders[:2]:
                    step = draw(st.integers(0, 10))
                    ratings.append(Rating(app, code, "A", ev, items[code] * step / 10, items[code]))
    return ratings


@settings(max_examples=60, deadline=None)
@given(panels())
def test_alpha_equals_the_krippendorff_package(ratings):
    units = sorted({(r.application, r.item) for r in ratings})
    coders = sorted({r.evaluator for r in ratings})
    matrix = np.full((len(coders), len(units)), np.nan)
    for r in ratings:
        matrix[coders.index(r.evaluator), units.index((r.application, r.item))] = float(
            r.points * 100 / r.item_points
        )
    unit, value, _ = _long(matrix)
    ours = alpha_interval(unit, value)[0]
    if ours is None:
        return
    theirs = krippendorff.alpha(reliability_data=matrix, level_of_measurement="interval")
    assert ours == pytest.approx(theirs, abs=1e-9)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.integers(0, 10), min_size=6, max_size=15).filter(lambda v: len(set(v)) > 1),
    st.integers(2, 4),
)
def test_alpha_is_one_when_all_evaluators_agree_on_varied_values(values, k):
    ratings = [
        Rating(app, "I1", "A", ev, D(v), D(10))
        for app, v in enumerate(values)
        for ev in EVALUATORS[:k]
    ]
    result = analyse(ratings, resamples=200)
    assert result.overall.value == D(1)
    assert result.overall.low == result.overall.high == D(1)


@settings(max_examples=40, deadline=None)
@given(panels(), st.randoms(use_true_random=False))
def test_alpha_is_unchanged_when_evaluators_are_renamed_or_units_reordered(ratings, rnd):
    names = dict(zip(EVALUATORS, rnd.sample(["a", "b", "c", "d"], 4), strict=True))
    apps = list(range(20))
    rnd.shuffle(apps)
    moved = [
        Rating(apps[r.application], r.item, r.area, names[r.evaluator], r.points, r.item_points)
        for r in ratings
    ]
    rnd.shuffle(moved)
    before, after = analyse(ratings, resamples=100), analyse(moved, resamples=100)
    assert after.overall.value == before.overall.value
    assert {c: a.value for c, a in after.items.items()} == {
        c: a.value for c, a in before.items.items()
    }
    assert sorted(s.percent or 0 for s in after.evaluators) == sorted(
        s.percent or 0 for s in before.evaluators
    )


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.lists(st.integers(0, 20), min_size=3, max_size=3), min_size=1, max_size=10),
)
def test_severity_sums_to_zero_over_a_panel_that_rated_the_same_units(grid):
    ratings = [
        Rating(app, "I1", "A", ev, D(v), D(20))
        for app, row in enumerate(grid)
        for ev, v in zip(EVALUATORS, row, strict=False)
    ]
    severities = analyse(ratings, resamples=0).evaluators
    assert all(s.units == len(grid) for s in severities)
    # each figure is rounded to 4 places: the sum is zero within the rounding
    assert abs(sum(s.points for s in severities)) <= D("0.0002")
    assert abs(sum(s.percent for s in severities)) <= D("0.0002")
