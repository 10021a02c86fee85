import pytest
from django.core.exceptions import ValidationError

from institutions.validators import business_number_is_valid, validate_business_number


@pytest.mark.parametrize("number", ["1234567891", "123-45-67891", "2208162517", "1048145220"])
def test_valid_business_numbers(number):
    assert business_number_is_valid(number)


@pytest.mark.parametrize(
    "number", ["1234567890", "123456789", "12345678911", "abcdefghij", "", "2208162518"]
)
def test_invalid_business_numbers(number):
    assert not business_number_is_valid(number)


def test_validator_message_is_korean_and_names_the_value():
    with pytest.raises(ValidationError) as excinfo:
        validate_business_number("1234567890")
    assert "사업자등록번호('1234567890')" in excinfo.value.messages[0]
