"""Issue 14, item 17: the cycle form's slug hint and refusal agree; the area-minimum help
assumes no area codes; its ratio goes through the strict number parser."""

import pytest

from evaluation.forms import CycleForm


def _errors(field, value):
    form = CycleForm(data={field: value})
    form.is_valid()
    return form.errors.get(field, [])


@pytest.mark.parametrize("slug", ["Y2027", "2027_h1", "-2027", "2027-", "평가", "a--b"])
def test_a_slug_outside_the_hint_is_refused_in_the_hints_words(slug, db):
    [message] = _errors("slug", slug)
    assert message.startswith("주소 이름에는 영문 소문자, 숫자, 하이픈(-)만 쓸 수 있고")
    assert "슬러그" not in message


def test_the_hint_says_what_is_accepted(db):
    field = CycleForm.base_fields["slug"]
    assert field.help_text == "영문 소문자, 숫자, 하이픈(-). 예: 2026-h1"
    assert CycleForm(data={"slug": "2026-h1"}).errors.get("slug") is None


def test_area_minimum_help_does_not_assume_area_codes():
    assert "A=0.4" not in str(CycleForm.base_fields["area_minimums"].help_text)


def test_area_minimum_ratio_is_parsed_strictly(db):
    [message] = _errors("area_minimums", "가=0,4")
    assert "쉼표(,)는 천 단위 구분에만 씁니다" in message
    [message] = _errors("area_minimums", "가=1.5")
    assert "1보다 커 믿기 어려운 값입니다" in message
