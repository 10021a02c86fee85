"""Reading and writing rubric text: YAML/JSON in, YAML out, Decimal all the way."""

import json
from decimal import Decimal as D

import pytest

from indicators.interchange import dump_text, parse_text
from indicators.validation import RubricInvalid
from operations.demo.rubric import SEED_RUBRIC


def refusal(text) -> list[str]:
    with pytest.raises(RubricInvalid) as caught:
        parse_text(text)
    return [str(p) for p in caught.value.problems]


def test_numbers_are_read_as_decimal_not_float(seed_doc):
    ratios = [lv["ratio"] for lv in seed_doc["grade_scales"]["five-level"]["levels"]]
    assert ratios == [D("1.0"), D("0.8"), D("0.6"), D("0.4"), D("0.2")]
    assert all(type(r) is D for r in ratios)
    assert parse_text("x: 0.1")["x"] + parse_text("x: 0.2")["x"] == D("0.3")


def test_not_yaml_is_refused_with_line_and_column():
    assert refusal("areas: [unclosed\n  - x: y") == [
        "문서: YAML(또는 JSON) 문서로 읽을 수 없습니다 (2행 6열: while parsing a flow sequence, "
        "expected ',' or ']', but got ':')"
    ]


def test_binary_file_is_refused():
    assert refusal(b"\x89PNG\r\n\x1a\n\x00\x00") == [
        "문서: UTF-8 텍스트 파일이 아닙니다 (1번째 바이트를 읽을 수 없습니다)"
    ]


def test_empty_document_is_refused():
    assert refusal("# only a comment\n") == ["문서: 문서가 비어 있습니다"]


def test_duplicate_keys_are_refused_not_silently_overwritten():
    assert refusal("code: a\ntitle: t\ncode: b\n") == [
        "문서: YAML(또는 JSON) 문서로 읽을 수 없습니다 (3행 1열: 'code' 키가 두 번 나옵니다)"
    ]
    assert refusal('{"code": "a", "code": "b"}') == ["문서: JSON 문서에 'code' 키가 두 번 나옵니다"]


def test_aliases_are_refused():
    problems = refusal("a: &x [1, 2]\nb: *x\n")
    assert problems == [
        "문서: YAML(또는 JSON) 문서로 읽을 수 없습니다 (2행 4열: 별칭(alias, *이름)은 쓸 수 없습니다)"
    ]


def test_two_documents_in_one_file_are_refused():
    assert refusal("a: 1\n---\nb: 2\n") == [
        "문서: YAML(또는 JSON) 문서로 읽을 수 없습니다 (2행 1열: expected a single document in "
        "the stream, but found another document)"
    ]


def test_dates_stay_strings():
    assert parse_text("version: 2026-01-01")["version"] == "2026-01-01"


def _json_text(doc) -> str:
    """JSON with the Decimals written as JSON numbers (never through float)."""

    def mark(value):
        if isinstance(value, dict):
            return {k: mark(v) for k, v in value.items()}
        if isinstance(value, list):
            return [mark(v) for v in value]
        if isinstance(value, D):
            return f"§{value}§"
        return value

    return json.dumps(mark(doc), ensure_ascii=False).replace('"§', "").replace('§"', "")


def test_json_is_read_too(seed_doc):
    text = _json_text(seed_doc)
    assert '"ratio": 0.8' in text
    data = parse_text(text)
    assert data == seed_doc
    assert type(data["grade_scales"]["five-level"]["levels"][1]["ratio"]) is D


def test_written_yaml_is_readable_korean_and_exact(seed_doc):
    text = dump_text(seed_doc)
    assert "운영계획 실행 및 개선" in text  # allow_unicode: no \uXXXX escapes
    assert "\\u" not in text
    assert "total_points: 1000\n" in text
    assert "- {code: A, title: 우수, ratio: 0.8}" in text
    assert "scoring: {method: grade, scale: five-level}" in text
    assert "version: '1'" in text  # a string stays a string
    assert parse_text(text) == seed_doc


def test_decimals_are_written_without_float_artifacts():
    text = dump_text({"a": D("0.1") + D("0.2"), "b": D("1E+3"), "c": D("-0.500"), "d": D(7)})
    assert text.splitlines()[1:] == ["a: 0.3", "b: 1000", "c: -0.5", "d: 7"]


def test_seed_file_round_trips_as_data():
    original = parse_text(SEED_RUBRIC.read_bytes())
    assert parse_text(dump_text(original)) == original
