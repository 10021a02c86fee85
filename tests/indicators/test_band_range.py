"""A bands item may set min/max: the plausible range of its measured value (issue 14, item 7)."""

from decimal import Decimal

from indicators.queries import scoring_document, scoring_storage
from indicators.validation import validate

from .conftest import item_of


def test_band_item_min_max_are_accepted_and_round_trip(penalty_doc):
    scoring = item_of(penalty_doc, "A.1.1")["scoring"]
    assert scoring["method"] == "bands"
    scoring["min"], scoring["max"] = Decimal(0), Decimal(150)
    assert validate(penalty_doc) == []
    method, params = scoring_storage(scoring)
    assert (params["min"], params["max"]) == ("0", "150")
    assert scoring_document(method, params) == scoring


def test_band_item_with_an_empty_range_is_refused(penalty_doc):
    scoring = item_of(penalty_doc, "A.1.1")["scoring"]
    scoring["min"], scoring["max"] = Decimal(100), Decimal(100)
    problems = [str(p) for p in validate(penalty_doc)]
    assert any("max 값(100)은 min 값(100)보다 커야 합니다" in p for p in problems), problems


def test_band_item_min_must_be_a_number(penalty_doc):
    item_of(penalty_doc, "A.1.1")["scoring"]["max"] = "많이"
    problems = [str(p) for p in validate(penalty_doc)]
    assert any(".scoring.max" in p and "숫자여야 합니다" in p for p in problems), problems
