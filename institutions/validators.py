from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# 사업자등록번호 check digit: weights over the first nine digits, plus the carry of
# digit 9 × 5; the tenth digit is (10 − sum mod 10) mod 10.
_WEIGHTS = (1, 3, 7, 1, 3, 7, 1, 3, 5)


def business_number_is_valid(value: str) -> bool:
    digits = value.replace("-", "")
    if len(digits) != 10 or not digits.isdigit():
        return False
    nums = [int(c) for c in digits]
    total = sum(n * w for n, w in zip(nums[:9], _WEIGHTS, strict=True))
    total += (nums[8] * 5) // 10
    return (10 - total % 10) % 10 == nums[9]


def validate_business_number(value: str) -> None:
    if not business_number_is_valid(value):
        raise ValidationError(
            _("사업자등록번호('%(value)s')가 올바르지 않습니다 (숫자 10자리, 검증번호 확인)."),
            params={"value": value},
            code="invalid_business_number",
        )
