"""Issue 14, item 7: one strict number parser for the sheet, import_scores and the API."""

import subprocess
import sys
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from evaluation.numbers import Accepts, NumberError, band_range, parse
from indicators.models import Item, RubricVersion

from .sheet_data import mixed_rubric

PERCENT = Accepts("측정값", "%", Decimal(0), Decimal(100))
COUNT = Accepts("건수", "건", Decimal(0), Decimal(2_000_000_000), integer=True)
SIGNED = Accepts("점수", "점", None, None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12", "12"),
        ("12.5", "12.5"),
        (" 12.50 ", "12.5"),
        ("0", "0"),
        ("100", "100"),
        ("0.0001", "0.0001"),
        ("80.12340", "80.1234"),  # a trailing zero past the places is not a 5th decimal
    ],
)
def test_accepted_percentages(text, expected):
    assert parse(text, code="A.1.3", accepts=PERCENT) == Decimal(expected)


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("13,5", "쉼표(,)는 천 단위 구분에만 씁니다. 소수점은 마침표(.)로 쓰십시오"),
        ("1e3", "지수 표기(예: 1e3)는 쓸 수 없습니다"),
        ("1E-2", "지수 표기(예: 1e3)는 쓸 수 없습니다"),
        ("-3", "음수일 수 없습니다"),
        ("+3", "부호(+, -)는 쓸 수 없습니다"),
        ("101", "100보다 커 믿기 어려운 값입니다"),
        ("12,34", "쉼표(,)는 천 단위 구분에만"),
        ("1,20", "쉼표(,)는 천 단위 구분에만"),
        ("12,3456", "쉼표(,)는 천 단위 구분에만"),
        ("1,2,3", "쉼표(,)가 천 단위 자리(1,200)에 있지 않습니다"),
        ("12.5%", "단위(%)는 빼고 숫자만 쓰십시오"),
        ("12.", "숫자가 아닙니다"),
        (".5", "숫자가 아닙니다"),
        ("NaN", "숫자가 아닙니다"),
        ("Infinity", "숫자가 아닙니다"),
        ("1 000", "숫자가 아닙니다"),
        ("12.345678", "소수점 이하 4자리까지만"),
        ("", "값이 없습니다"),
    ],
)
def test_refusals_name_the_item_what_was_typed_why_and_the_accepted_form(text, why):
    with pytest.raises(NumberError) as exc:
        parse(text, code="A.1.3", accepts=PERCENT)
    message = str(exc.value)
    assert message.startswith(f"A.1.3: 측정값 '{text.strip()}': {why}"), message
    assert "쓸 수 있는 형식: 숫자 (소수점은 마침표 '.')" in message
    assert "0~100 %" in message


def test_thousands_separators_in_valid_positions():
    wide = Accepts("측정값", "명", Decimal(0), None)
    assert parse("1,200", code="X", accepts=wide) == Decimal(1200)
    assert parse("1,234,567.25", code="X", accepts=wide) == Decimal("1234567.25")
    with pytest.raises(NumberError, match="천 단위"):
        parse("12,00", code="X", accepts=wide)


def test_counts_are_non_negative_integers():
    assert parse("3", code="A.1.4", accepts=COUNT) == 3
    assert parse("3.0", code="A.1.4", accepts=COUNT) == 3
    with pytest.raises(NumberError, match="정수여야 합니다"):
        parse("1.5", code="A.1.4", accepts=COUNT)
    with pytest.raises(NumberError, match="음수일 수 없습니다"):
        parse("-1", code="A.1.4", accepts=COUNT)


def test_sign_is_accepted_where_the_quantity_may_be_negative():
    assert parse("-3", code="A.1.4", accepts=SIGNED) == Decimal(-3)
    assert parse("-0", code="A.1.4", accepts=SIGNED) == Decimal(0)
    assert str(parse("-0", code="A.1.4", accepts=SIGNED)) == "0"


def test_band_range_per_unit_and_rubric():
    assert band_range("%", [Decimal(50), Decimal(80)]) == (Decimal(0), Decimal(100))
    # bands that go past 100 % widen the range (e.g. 120 % of a target)
    assert band_range("%", [Decimal(100), Decimal(120)]) == (Decimal(0), Decimal(120))
    assert band_range("명", [Decimal(10)]) == (Decimal(0), None)
    assert band_range("℃", [Decimal(-10), Decimal(0)]) == (Decimal(-10), None)
    assert band_range("%", [Decimal(50)], Decimal(-5), Decimal(300)) == (
        Decimal(-5),
        Decimal(300),
    )


# --- properties ------------------------------------------------------------------------------

decimals = st.decimals(
    min_value=Decimal(0), max_value=Decimal("99999999999.9999"), places=4, allow_nan=False
)


@given(decimals)
def test_plain_form_round_trips(value):
    wide = Accepts("측정값", "", Decimal(0), None)
    assert parse(format(value, "f"), code="X", accepts=wide) == value


@given(decimals)
def test_thousands_form_round_trips(value):
    wide = Accepts("측정값", "", Decimal(0), None)
    whole, _, frac = format(value, "f").partition(".")
    text = f"{int(whole):,}" + (f".{frac}" if frac else "")
    assert parse(text, code="X", accepts=wide) == value


@given(st.text(max_size=20))
def test_any_text_is_a_decimal_in_range_or_a_korean_refusal_naming_the_item(text):
    try:
        value = parse(text, code="B.2.1", accepts=PERCENT)
    except NumberError as exc:
        assert str(exc).startswith("B.2.1: 측정값 ")
        assert "쓸 수 있는 형식:" in str(exc)
    else:
        assert isinstance(value, Decimal) and value.is_finite()
        assert Decimal(0) <= value <= Decimal(100)
        assert "e" not in text.lower() and "," not in text.strip()[-3:-2]


@given(st.integers(min_value=0, max_value=999), st.integers(min_value=1, max_value=99))
def test_a_decimal_comma_is_never_read_as_a_thousands_separator(whole, frac):
    """ "13,5" is never 135 (and "13,50" never 1350), whatever the digits."""
    wide = Accepts("측정값", "", Decimal(0), None)
    text = f"{whole},{frac}"
    with pytest.raises(NumberError):
        parse(text, code="X", accepts=wide)


def test_numbers_module_imports_no_django():
    code = "import sys, evaluation.numbers; print(any(m.startswith('django') for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# --- the sheet and import_scores use it --------------------------------------------------------


@pytest.fixture
def mixed(db):
    return mixed_rubric()


def _item(version: RubricVersion, code: str) -> Item:
    return Item.objects.select_related("version").get(version=version, code=code)


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("13,5", "쉼표(,)는 천 단위 구분에만 씁니다"),
        ("1e3", "지수 표기"),
        ("-3", "음수일 수 없습니다"),
        ("130", "100보다 커 믿기 어려운 값입니다"),
    ],
)
def test_sheet_refuses_the_issues_percentages(mixed, text, why):
    from evaluation.services.sheet import entry_parse

    with pytest.raises(ValidationError) as exc:
        entry_parse(_item(mixed, "A.1.3"), text)
    [message] = exc.value.messages
    assert message.startswith(f"A.1.3: 측정값 '{text}': {why}")
    assert "0~100 %" in message


def test_sheet_reads_a_percentage_with_a_point(mixed):
    from evaluation.services.sheet import entry_parse

    parsed = entry_parse(_item(mixed, "A.1.3"), "13.5")
    assert (parsed.value, parsed.points) == (Decimal("13.5"), Decimal(0))
    assert entry_parse(_item(mixed, "A.1.3"), "85").points == Decimal(8)


def test_a_rubric_min_max_on_a_band_item_sets_the_range(db):
    from django.utils import timezone

    from evaluation.services.sheet import entry_parse
    from indicators.models import VersionStatus
    from tests.factories import build_rubric

    version = build_rubric(code="ranged", published=False)
    bands = [{"min": "50", "points": "4"}, {"min": "120", "points": "10"}]
    Item.objects.filter(version=version, code="A.1.3").update(
        method="bands",
        params={"unit": "%", "min": "0", "max": "150", "bands": bands},
        inherits_default=False,
    )
    RubricVersion.objects.filter(pk=version.pk).update(
        status=VersionStatus.PUBLISHED, published_at=timezone.now()
    )
    item = _item(version, "A.1.3")
    assert entry_parse(item, "130").points == Decimal(10)
    with pytest.raises(ValidationError, match="150보다 커 믿기 어려운 값입니다"):
        entry_parse(item, "151")
