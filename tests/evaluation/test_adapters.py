from decimal import Decimal

from evaluation import scoring
from evaluation.adapters import scoring_rubric
from operations.demo.rubric import seed


def test_seed_rubric_becomes_the_pure_rubric(db):
    version = seed()
    rubric = scoring_rubric(version)
    assert [a.code for a in rubric.areas] == ["A", "B", "C", "D", "E"]
    assert sum(a.points for a in rubric.areas) == Decimal(1000)
    items = [i for a in rubric.areas for ind in a.indicators for i in ind.items]
    assert len(items) == 19
    a11 = rubric.item("A.1.1")
    assert a11.method is scoring.Method.GRADE
    assert dict(a11.levels) == {
        "S": Decimal("1"),
        "A": Decimal("0.8"),
        "B": Decimal("0.6"),
        "C": Decimal("0.4"),
        "D": Decimal("0.2"),
    }
    assert scoring.item_points(a11, "A") == Decimal("48")
    assert rubric.area("D").award_ratio == Decimal("1")
    assert rubric.area("A").award_ratio is None
    assert rubric.rounding == scoring.Rounding(2, scoring.RoundingMode.HALF_UP)


def test_frozen_rubric_is_cached_per_version(db):
    version = seed()
    assert scoring_rubric(version) is scoring_rubric(version)


def test_bands_points_and_penalty_methods_convert(db):
    from pathlib import Path

    from indicators.services import rubric_import

    fixture = Path(__file__).resolve().parents[1] / "indicators/fixtures/seoul-incentive-2013.yaml"
    version = rubric_import(document_text=fixture.read_bytes(), publish=True)
    rubric = scoring_rubric(version)
    bands = rubric.item("A.1.1")
    assert bands.method is scoring.Method.BANDS
    assert scoring.item_points(bands, "1499") == Decimal("2.4")
    assert scoring.item_points(bands, "2000") == Decimal("4")
    stepped = rubric.item("A.3.2")
    assert stepped.step == Decimal("0.5")
    assert scoring.item_points(stepped, "1.5") == Decimal("1.5")
    penalty = rubric.item("P.1.1")
    assert penalty.per_case == Decimal("-0.5")
    assert scoring.item_points(penalty, 3) == Decimal("-1.5")
    assert scoring.item_points(penalty, 40) == Decimal("-5")  # capped
