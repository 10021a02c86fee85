"""The format's validation rules (docs/rubric-format.md), one example per rule, with the exact
messages users read. Pure: indicators.validation and indicators.interchange import nothing
from Django."""

import subprocess
import sys
from decimal import Decimal as D
from pathlib import Path

import pytest

from indicators.validation import Problem, fmt, subtotal, validate

from .conftest import area_of, indicator_of, item_of

ROOT = Path(__file__).resolve().parents[2]


def messages(problems: list[Problem]) -> list[str]:
    return [str(p) for p in problems]


def test_pure_modules_import_nothing_from_django():
    code = (
        "import sys; import indicators.validation, indicators.interchange; "
        "bad = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.')); "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_seed_and_penalty_fixture_are_valid(seed_doc, penalty_doc):
    assert validate(seed_doc) == []
    assert validate(penalty_doc) == []


# --- rule 3: sums -------------------------------------------------------------------------------


def test_item_sum_mismatch_names_the_indicator_and_both_numbers(seed_doc):
    item_of(seed_doc, "B.3.1")["points"] = 85
    problems = validate(seed_doc)
    assert messages(problems) == ["B.3: 항목 배점 합계 235 ≠ 지표 배점 230"]
    assert problems[0].code == "B.3"
    assert problems[0].draft_ok  # a draft may be in this state while it is edited


def test_indicator_change_reports_the_indicator_and_its_area(seed_doc):
    indicator_of(seed_doc, "B.3")["points"] = 235
    area_of(seed_doc, "E")["points"] = 245
    assert messages(validate(seed_doc)) == [
        "B.3: 항목 배점 합계 230 ≠ 지표 배점 235",
        "B: 지표 배점 합계 385 ≠ 영역 배점 380",
        "E: 지표 배점 합계 250 ≠ 영역 배점 245",
        "total_points: 영역 배점 합계 995 ≠ 총점 1000",
    ]


def test_every_level_is_checked_and_all_problems_come_at_once(seed_doc):
    item_of(seed_doc, "A.1.1")["points"] = 61
    indicator_of(seed_doc, "C.2")["points"] = 70
    area_of(seed_doc, "E")["points"] = 240
    assert messages(validate(seed_doc)) == [
        "A.1: 항목 배점 합계 61 ≠ 지표 배점 60",
        "C.2: 항목 배점 합계 60 ≠ 지표 배점 70",
        "C: 지표 배점 합계 130 ≠ 영역 배점 120",
        "E: 지표 배점 합계 250 ≠ 영역 배점 240",
        "total_points: 영역 배점 합계 990 ≠ 총점 1000",
    ]


def test_sums_are_exact_decimals_never_floats(seed_doc):
    # 0.1 + 0.2 is 0.30000000000000004 in binary floating point; in Decimal it is 0.3.
    indicator = indicator_of(seed_doc, "A.1")
    indicator["points"] = D("0.3")
    indicator["items"][0]["points"] = D("0.1")
    indicator["items"].append({**indicator["items"][0], "code": "A.1.2", "points": D("0.2")})
    assert messages(validate(seed_doc)) == ["A: 지표 배점 합계 40.3 ≠ 영역 배점 100"]
    assert subtotal([D("0.1"), D("0.2")], D("0.3")) == D("0.3")


def test_floats_are_refused_rather_than_summed(seed_doc):
    item_of(seed_doc, "A.1.1")["points"] = 60.0
    assert messages(validate(seed_doc)) == [
        "areas[0].indicators[0].items[0].points: 부동소수점(float) 값은 받지 않습니다. "
        "Decimal로 읽으십시오"
    ]


def test_fmt_writes_numbers_as_people_do():
    assert [fmt(D("235.000")), fmt(D("0.500")), fmt(D("1E+3")), fmt(D("-0"))] == [
        "235",
        "0.5",
        "1000",
        "0",
    ]


# --- rule 2: penalties ----------------------------------------------------------------------------


def test_penalties_are_left_out_of_positive_sums(penalty_doc):
    # The penalty area P (-5) is not in the 40-point total, and a penalty item inside a positive
    # indicator is not in that indicator's sum.
    indicator = indicator_of(penalty_doc, "B.2")
    indicator["items"].append(
        {
            "code": "B.2.9",
            "title": "감점",
            "points": D(-1),
            "scoring": {"method": "penalty", "per_case": D("-0.5")},
        }
    )
    assert validate(penalty_doc) == []


def test_negative_points_need_the_penalty_method(penalty_doc):
    item = item_of(penalty_doc, "P.1.1")
    item["scoring"] = {"method": "points"}
    assert messages(validate(penalty_doc)) == [
        "P.1.1: 배점이 음수(-5)인 항목은 감점(penalty) 방식이어야 합니다 (현재: points)"
    ]


def test_penalty_method_needs_negative_points(penalty_doc):
    item_of(penalty_doc, "A.3.2")["scoring"] = {"method": "penalty", "per_case": D(-1)}
    assert messages(validate(penalty_doc)) == [
        "A.3.2: 감점(penalty) 항목의 배점은 음수여야 합니다 (현재: 2)"
    ]


def test_a_penalty_indicator_holds_only_penalties(penalty_doc):
    indicator_of(penalty_doc, "P.1")["items"].append(
        {"code": "P.1.2", "title": "가점", "points": D(1), "scoring": {"method": "points"}}
    )
    assert messages(validate(penalty_doc)) == [
        "P.1: 배점이 음수(-5)인 지표에는 감점 항목만 둘 수 있습니다 (P.1.2 배점 1)"
    ]


def test_penalty_sums_are_checked_among_penalties(penalty_doc):
    item_of(penalty_doc, "P.1.1")["points"] = D(-4)
    assert messages(validate(penalty_doc)) == ["P.1: 항목 배점 합계 -4 ≠ 지표 배점 -5"]


# --- rule 4: methods --------------------------------------------------------------------------------


def test_unknown_grade_scale(seed_doc):
    item_of(seed_doc, "C.1.1")["scoring"] = {"method": "grade", "scale": "ten-level"}
    assert messages(validate(seed_doc)) == [
        "C.1.1: 'ten-level' 등급 척도가 없습니다 (정의된 척도: five-level)"
    ]


def test_unknown_default_scale_is_reported_once_at_defaults(seed_doc):
    seed_doc["defaults"]["scoring"]["scale"] = "nine-level"
    assert messages(validate(seed_doc)) == [
        "defaults.scoring.scale: 'nine-level' 등급 척도가 없습니다 (정의된 척도: five-level)"
    ]


def test_band_points_above_item_points(penalty_doc):
    item_of(penalty_doc, "A.1.1")["scoring"]["bands"][4]["points"] = D("4.5")
    assert messages(validate(penalty_doc)) == [
        "A.1.1: 구간 배점(4.5)이 항목 배점(4)보다 큽니다 (bands[4])"
    ]


def test_band_minimums_are_distinct(penalty_doc):
    item_of(penalty_doc, "A.1.2")["scoring"]["bands"][2]["min"] = D("0.10")
    assert messages(validate(penalty_doc)) == [
        "A.1.2: 구간 하한(min 0.1)이 중복됩니다 (bands[1], bands[2])"
    ]


def test_step_must_divide_the_item_points(penalty_doc):
    item_of(penalty_doc, "A.3.2")["scoring"]["step"] = D("0.3")
    assert messages(validate(penalty_doc)) == [
        "A.3.2: 항목 배점(2)이 단위 점수(step 0.3)의 배수가 아닙니다"
    ]


def test_unknown_method_and_wrong_parameters(seed_doc):
    item_of(seed_doc, "A.1.1")["scoring"] = {"method": "stars"}
    item_of(seed_doc, "A.2.1")["scoring"] = {"method": "points", "scale": "five-level"}
    item_of(seed_doc, "B.1.1")["scoring"] = {"method": "penalty"}
    assert messages(validate(seed_doc)) == [
        "areas[0].indicators[0].items[0].scoring.method: 알 수 없는 채점 방식입니다 "
        "(받은 값: 'stars'). 쓸 수 있는 방식: grade, points, bands, penalty",
        "areas[0].indicators[1].items[0].scoring.scale: 알 수 없는 키입니다 "
        "(쓸 수 있는 키: method, step)",
        "areas[1].indicators[0].items[0].scoring.per_case: 필수 키가 없습니다",
    ]


def test_item_without_scoring_and_without_defaults(seed_doc):
    del seed_doc["defaults"]
    problems = messages(validate(seed_doc))
    assert len(problems) == 19
    assert problems[0] == (
        "areas[0].indicators[0].items[0].scoring: 채점 방식이 없습니다 (defaults.scoring도 없습니다)"
    )


# --- rule 1: codes --------------------------------------------------------------------------------


def test_duplicate_codes_anywhere_in_the_document(seed_doc):
    item_of(seed_doc, "B.2.2")["code"] = "B.2.1"
    indicator_of(seed_doc, "E.1")["code"] = "E"
    problems = validate(seed_doc)
    assert messages(problems) == [
        "B.2.1: 코드가 중복됩니다 (areas[1].indicators[1].items[0], "
        "areas[1].indicators[1].items[1])",
        "E: 코드가 중복됩니다 (areas[4], areas[4].indicators[0])",
    ]
    assert [p.code for p in problems] == ["B.2.1", "E"]


# --- rule 5: malformed documents ----------------------------------------------------------------


def test_unsupported_format_names_the_supported_one(seed_doc):
    seed_doc["format"] = "certeval.rubric/2"
    assert messages(validate(seed_doc)) == [
        "format: 지원하지 않는 형식입니다 (받은 값: 'certeval.rubric/2'). "
        "지원하는 형식은 certeval.rubric/1 하나입니다"
    ]


def test_wrong_types_name_the_key_path(seed_doc):
    item_of(seed_doc, "B.3.3")["points"] = "사십"
    seed_doc["version"] = 2
    area_of(seed_doc, "C")["indicators"] = {"C.1": {}}
    seed_doc["grade_scales"]["five-level"]["levels"][0]["ratio"] = True
    assert messages(validate(seed_doc)) == [
        'version: 문자열이어야 합니다 (받은 값: 2) — 따옴표로 감싸십시오 (예: "1")',
        "grade_scales.five-level.levels[0].ratio: 숫자여야 합니다 (받은 값: true)",
        "areas[1].indicators[2].items[2].points: 숫자여야 합니다 (받은 값: '사십')",
        "areas[2].indicators: 목록이어야 합니다 (받은 값: 키-값 매핑)",
    ]
    # B.3's item sum cannot be computed (one item has no number), so it is not reported.


def test_unknown_and_missing_keys(seed_doc):
    item = item_of(seed_doc, "A.2.1")
    item["pionts"] = item.pop("points")
    seed_doc["owner"] = "누군가"
    del area_of(seed_doc, "D")["title"]
    assert messages(validate(seed_doc)) == [
        "owner: 알 수 없는 키입니다 (쓸 수 있는 키: format, code, title, version, "
        "total_points, areas, programme, grade_scales, defaults, rounding)",
        "areas[0].indicators[1].items[0].pionts: 알 수 없는 키입니다 (쓸 수 있는 키: code, "
        "title, points, scoring, purpose, checkpoints, evidence_hint)",
        "areas[0].indicators[1].items[0].points: 필수 키가 없습니다",
        "areas[3].title: 필수 키가 없습니다",
    ]


def test_a_document_that_is_not_a_mapping():
    assert messages(validate(["a", "list"])) == ["문서: 키-값 매핑이어야 합니다 (받은 값: 목록)"]
    assert messages(validate("just text")) == [
        "문서: 키-값 매핑이어야 합니다 (받은 값: 'just text')"
    ]


def test_grade_scale_rules(seed_doc):
    levels = seed_doc["grade_scales"]["five-level"]["levels"]
    levels[1]["ratio"] = D("1.2")
    levels[2]["code"] = "S"
    seed_doc["grade_scales"]["two"] = {"title": "둘", "levels": [levels[0]]}
    assert messages(validate(seed_doc)) == [
        "grade_scales.five-level.levels[1].ratio: 0 이상 1 이하여야 합니다 (받은 값: 1.2)",
        "grade_scales.five-level: 'S' 등급 코드가 중복됩니다 (levels[0], levels[2])",
        "grade_scales.two.levels: 등급이 2개 이상이어야 합니다 (현재 1개)",
    ]


def test_numbers_that_do_not_fit_the_database(seed_doc):
    item_of(seed_doc, "A.1.1")["points"] = D("60.0001")
    seed_doc["total_points"] = D(0)
    assert messages(validate(seed_doc))[:2] == [
        "total_points: 0보다 커야 합니다 (받은 값: 0)",
        "areas[0].indicators[0].items[0].points: 소수점 아래 3자리까지만 쓸 수 있습니다 "
        "(받은 값: 60.0001)",
    ]


def test_rounding_and_substitution_are_checked(seed_doc):
    seed_doc["rounding"] = {"places": 9, "mode": "banker"}
    area_of(seed_doc, "D")["substitution"]["award_ratio"] = D("1.5")
    area_of(seed_doc, "D")["substitution"]["certificates"] = []
    assert messages(validate(seed_doc)) == [
        "rounding.places: 0부터 6까지의 정수여야 합니다 (받은 값: 9)",
        "rounding.mode: 알 수 없는 반올림 방식입니다 (받은 값: 'banker'). "
        "쓸 수 있는 방식: half_up, half_even, down, up",
        "areas[3].substitution.certificates: 인증 이름이 하나 이상 있어야 합니다",
        "areas[3].substitution.award_ratio: 0 이상 1 이하여야 합니다 (받은 값: 1.5)",
    ]


@pytest.mark.parametrize(
    "document",
    [None, 3, [], {}, {"areas": None}, {"areas": [None, 1, "x", []]}, {"grade_scales": []}],
)
def test_junk_never_raises(document):
    assert all(isinstance(p, Problem) for p in validate(document))
    assert validate(document)
