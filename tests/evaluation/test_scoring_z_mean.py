"""scoring.z_mean: normalised totals for competitive programmes, by hand and with Hypothesis."""

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evaluation.scoring import Rounding, RoundingMode, SheetError, z_mean

D = Decimal


def test_z_mean_by_hand():
    # Two evaluators scored the same five applications; "lee" is 10 points stricter on each.
    kim = {"a": D(90), "b": D(80), "c": D(70), "d": D(60), "e": D(50)}
    totals = {app: {"kim": kim[app], "lee": kim[app] - 10} for app in kim}
    found = z_mean(totals, rounding=Rounding(2))
    # kim: mean 70, sd √250; lee: mean 60, sd √250 → z(a) = 20/√250 for both.
    # cycle: the ten totals 40…90, mean 65, sample sd √(2250/9) = √250.
    assert found.mean == D(65)
    assert found.sd == D(250).sqrt(found_context())
    # x' = 65 + √250 · z = 65 + (x − mean_e): a → 85, b → 75, … for both evaluators
    assert dict(found.totals) == {"a": D("85.00"), "b": D("75.00"), "c": D("65.00"),
                                  "d": D("55.00"), "e": D("45.00")}  # fmt: skip
    assert dict(found.raw) == {"a": D("85.00"), "b": D("75.00"), "c": D("65.00"),
                               "d": D("55.00"), "e": D("45.00")}  # fmt: skip
    assert found.evaluators["kim"][0] == 5 and found.evaluators["lee"][1] == D(60)


def test_a_strict_evaluator_no_longer_decides_the_ranking():
    """Application x was scored by the lenient panel, y by the strict one: raw totals favour x,
    normalised totals see that both were the best of what their evaluators scored alike."""
    lenient = {f"l{i}": {"kim": D(60 + 5 * i)} for i in range(5)}
    strict = {f"s{i}": {"lee": D(40 + 5 * i)} for i in range(5)}
    found = z_mean({**lenient, **strict}, rounding=Rounding(2))
    assert found.raw["l4"] > found.raw["s4"]
    assert found.totals["l4"] == found.totals["s4"]
    assert found.totals["l0"] == found.totals["s0"]


def found_context():
    from evaluation.scoring import Z_CONTEXT

    return Z_CONTEXT


def test_refuses_too_few_sheets_and_no_spread_naming_every_evaluator():
    totals = {f"a{i}": {"kim": D(50 + i), "lee": D(70)} for i in range(5)}
    totals["a0"]["park"] = D(10)
    with pytest.raises(SheetError) as caught:
        z_mean(totals)
    assert caught.value.errors == (
        "평가위원 park의 확정된 평가표가 1건뿐입니다 (z 점수 표준화에는 평가위원마다 5건 이상 필요합니다)",
        "평가위원 lee의 총점 5건이 모두 70점으로 같아 표준화할 수 없습니다",
    )
    found = z_mean({k: {"kim": v["kim"]} for k, v in totals.items()}, min_sheets=5)
    assert len(found.totals) == 5
    with pytest.raises(SheetError, match="3건 이상"):
        z_mean({"a": {"kim": D(1)}, "b": {"kim": D(2)}}, min_sheets=3)


# --- properties ------------------------------------------------------------------------------

EVALUATORS = ["kim", "lee", "park"]
totals_strategy = st.lists(
    st.lists(st.integers(0, 1000), min_size=3, max_size=3), min_size=5, max_size=12
).filter(lambda rows: all(len({row[e] for row in rows}) > 1 for e in range(3)))


def _panel(rows):
    return {
        f"app{i:02d}": dict(zip(EVALUATORS, map(D, row), strict=True)) for i, row in enumerate(rows)
    }


@settings(max_examples=60, deadline=None)
@given(totals_strategy)
def test_mean_of_normalised_totals_is_the_cycle_mean(rows):
    found = z_mean(_panel(rows), rounding=Rounding(6))
    mean = sum(found.totals.values()) / len(found.totals)
    assert abs(mean - found.mean) <= D("0.000001")


@settings(max_examples=60, deadline=None)
@given(totals_strategy, st.integers(1, 5), st.integers(-100, 100))
def test_an_affine_change_of_every_total_changes_normalised_totals_alike(rows, a, b):
    before = z_mean(_panel(rows), rounding=Rounding(6, RoundingMode.HALF_EVEN))
    after = z_mean(
        _panel([[a * x + b for x in row] for row in rows]),
        rounding=Rounding(6, RoundingMode.HALF_EVEN),
    )
    for app, total in before.totals.items():
        assert abs(after.totals[app] - (a * total + b)) <= D("0.00001") * a


@settings(max_examples=60, deadline=None)
@given(totals_strategy, st.lists(st.integers(-50, 50), min_size=3, max_size=3))
def test_evaluator_offsets_are_removed(rows, offsets):
    """Every evaluator gives the same pattern plus their own offset: normalised totals are the
    same whatever the offsets."""
    pattern = [row[0] for row in rows]
    if len(set(pattern)) < 2:
        return
    plain = z_mean(_panel([[t, t, t] for t in pattern]), rounding=Rounding(4))
    shifted = z_mean(_panel([[t + o for o in offsets] for t in pattern]), rounding=Rounding(4))
    keys = list(plain.totals)
    for k1 in keys:
        for k2 in keys:
            before = plain.totals[k1] - plain.totals[k2]
            after = shifted.totals[k1] - shifted.totals[k2]
            assert (before > 0) == (after > 0) and (before == 0) == (after == 0)


@settings(max_examples=40, deadline=None)
@given(totals_strategy, st.randoms(use_true_random=False))
def test_renaming_evaluators_and_reordering_applications_changes_nothing(rows, rnd):
    panel = _panel(rows)
    names = dict(zip(EVALUATORS, rnd.sample(["x", "y", "z"], 3), strict=True))
    apps = list(panel)
    rnd.shuffle(apps)
    moved = {app: {names[e]: v for e, v in reversed(panel[app].items())} for app in apps}
    assert dict(z_mean(moved).totals) == dict(z_mean(panel).totals)


def test_raw_is_the_exact_mean_rounded():
    totals = {f"a{i}": {"kim": D(i), "lee": D(i * 2 + 1), "park": D(1)} for i in range(5)}
    totals["a0"]["park"] = D(2)
    found = z_mean(totals, rounding=Rounding(2))
    assert found.raw["a1"] == Rounding(2).round(Fraction(1 + 3 + 1, 3))
