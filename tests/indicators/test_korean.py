"""The particle helper (issue 14, item 17): "버전 2를", not "버전 2을(를)"."""

import subprocess
import sys

import pytest

from indicators.korean import particle


@pytest.mark.parametrize(
    ("word", "pair", "expected"),
    [
        ("버전 2", "을/를", "버전 2를"),
        ("버전 3", "을/를", "버전 3을"),
        ("B.1.1", "을/를", "B.1.1을"),
        ("B.1.2", "을/를", "B.1.2를"),
        ("A.1.10", "을/를", "A.1.10을"),
        ("2026", "을/를", "2026을"),
        ("평가표", "을/를", "평가표를"),
        ("결과보고서", "이/가", "결과보고서가"),
        ("인증서", "은/는", "인증서는"),
        ("집계표", "과/와", "집계표와"),
        ("항목", "과/와", "항목과"),
        ("B.1.1", "으로/로", "B.1.1로"),  # 일: ㄹ takes 로
        ("B.1.3", "으로/로", "B.1.3으로"),
        ("평가위원", "으로/로", "평가위원으로"),
        ("서울", "으로/로", "서울로"),
        ("ISMS", "을/를", "ISMS를"),
        ("XML", "을/를", "XML을"),
        ("PDF", "이/가", "PDF가"),
        ("'운영계획서.pdf'", "을/를", "'운영계획서.pdf'를"),
        ("…", "을/를", "…을(를)"),
    ],
)
def test_particle(word, pair, expected):
    assert particle(word, pair) == expected


def test_korean_module_imports_no_django():
    code = "import sys, indicators.korean; print(any(m.startswith('django') for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
