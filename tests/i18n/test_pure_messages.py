"""The pure modules' refusals (indicators.messages._) follow the page's language: the rubric
validator's problems are English under an English request and the same Korean text as ever
under Korean (docs/decisions/020-languages.md)."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.utils import translation
from django.utils.translation import gettext

from evaluation import numbers
from evaluation.sniff import sniff
from indicators.validation import validate
from tests.i18n.hangul import HANGUL


def _broken_rubric() -> dict:
    return {
        "format": "certeval.rubric/9",
        "code": "r",
        "title": "t",
        "version": "1",
        "total_points": 10,
        "areas": [
            {
                "code": "A",
                "title": "t",
                "points": 10,
                "indicators": [
                    {
                        "code": "A.1",
                        "title": "t",
                        "points": 7,
                        "items": [
                            {
                                "code": "A.1.1",
                                "title": "t",
                                "points": 4,
                                "scoring": {"method": "points"},
                            }
                        ],
                    }
                ],
            }
        ],
    }


def _messages(language: str) -> dict[str, str]:
    with translation.override(language):
        return {p.where: p.message for p in validate(_broken_rubric())}


def test_rubric_problems_follow_the_active_language():
    korean = _messages("ko")
    assert korean["format"] == (
        "지원하지 않는 형식입니다 (받은 값: 'certeval.rubric/9'). "
        "지원하는 형식은 certeval.rubric/1 하나입니다"
    )
    assert korean["A"] == "지표 배점 합계 7 ≠ 영역 배점 10"
    assert korean["A.1"] == "항목 배점 합계 4 ≠ 지표 배점 7"

    english = _messages("en")
    assert english.keys() == korean.keys()
    for where, message in english.items():
        assert not HANGUL.search(message), f"{where}: {message}"
    assert english["format"] == (
        "unsupported format (received: 'certeval.rubric/9'). "
        "The only supported format is certeval.rubric/1"
    )
    assert english["A"] == "indicator points add up to 7 ≠ area points 10"


def test_a_document_that_is_not_a_mapping_is_named_in_the_active_language():
    with translation.override("en"):
        (problem,) = validate([])
    assert str(problem) == "document: must be a key-value mapping (received: a list)"
    with translation.override("ko"):
        (problem,) = validate([])
    assert str(problem) == "문서: 키-값 매핑이어야 합니다 (받은 값: 목록)"


def _number_and_upload_refusals(language: str) -> tuple[str, str]:
    """A decimal comma typed for a % item and an executable uploaded as evidence."""
    with translation.override(language):
        accepts = numbers.Accepts(gettext("측정값"), "%", Decimal(0), Decimal(100))
        with pytest.raises(numbers.NumberError) as refused:
            numbers.parse("13,5", code="A.1.1", accepts=accepts)
        sniffed = sniff(io.BytesIO(b"MZ\x90\x00" + b"\x00" * 60))
    assert sniffed.kind is None
    return str(refused.value), sniffed.reason


def test_number_and_upload_refusals_follow_the_active_language():
    number, upload = _number_and_upload_refusals("en")
    assert not HANGUL.search(number), number
    assert not HANGUL.search(upload), upload
    assert number == (
        "A.1.1: Measured value '13,5': a comma (,) only separates thousands. Use a full stop (.) "
        "as the decimal point. Accepted form: a number (with a full stop '.' as the decimal "
        "point), thousands commas only as in 1,200, no sign, up to 4 decimal places, "
        "0 to 100 % (e.g. 12.5)."
    )
    assert upload == "it is an executable (EXE/DLL)"

    number, upload = _number_and_upload_refusals("ko")
    assert number == (
        "A.1.1: 측정값 '13,5': 쉼표(,)는 천 단위 구분에만 씁니다. 소수점은 마침표(.)로 "
        "쓰십시오. 쓸 수 있는 형식: 숫자 (소수점은 마침표 '.'), 천 단위 쉼표는 1,200처럼만, "
        "부호 없이, 소수 4자리까지, 0~100 % (예: 12.5)."
    )
    assert upload == "실행 파일(EXE/DLL)입니다"


def test_an_unreadable_rubric_file_is_refused_in_the_page_language():
    from indicators import interchange
    from indicators.rubric_format import RubricInvalid

    for language, expected in [("en", "the document is empty"), ("ko", "문서가 비어 있습니다")]:
        with translation.override(language), pytest.raises(RubricInvalid) as refused:
            interchange.parse_text(b"")
        [problem] = refused.value.problems
        assert problem.message == expected
    with translation.override("en"), pytest.raises(RubricInvalid) as refused:
        interchange.parse_text(b"a: [1, 2\n")
    assert not HANGUL.search(str(refused.value.problems[0])), refused.value.problems


def test_a_refused_score_entry_is_shown_in_the_page_language():
    """The scoring package stays Korean and free of Django; the sheet's service translates
    its refusal from the template and values the error carries."""
    from evaluation import scoring
    from evaluation.services.entries import _entry_error

    item = scoring.Item(code="B.1.1", points=Decimal(10), method="points", step=Decimal(2))
    with pytest.raises(scoring.EntryError) as refused:
        scoring.item_points(item, Decimal(3))
    assert str(refused.value) == "B.1.1: 점수(3)는 2 단위가 아닙니다"
    with translation.override("en"):
        assert _entry_error(refused.value) == "B.1.1: the score (3) is not a multiple of 2"
    with translation.override("ko"):
        assert _entry_error(refused.value) == str(refused.value)
