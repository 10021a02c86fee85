"""Shared by the results commands: find a cycle, write rows as CSV/XLSX/JSON, read CSV/XLSX.

CSV files are UTF-8 (written with a BOM so spreadsheet programs read Korean correctly; read
with or without one). Text cells go through ``evaluation.formula_guard`` (formula injection). XLSX goes through openpyxl, one sheet, the header in the first row.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from django.core.management.base import CommandError

from evaluation.formula_guard import neutralise, restore
from evaluation.models import Cycle

FORMATS = ("csv", "xlsx", "json")


def get_cycle(slug: str) -> Cycle:
    cycle = Cycle.objects.select_related("rubric_version__rubric").filter(slug=slug).first()
    if cycle is None:
        known = ", ".join(Cycle.objects.order_by("slug").values_list("slug", flat=True)) or "없음"
        raise CommandError(f"'{slug}' 평가 주기가 없습니다 (있는 평가 주기: {known}).")
    return cycle


def _cell(value) -> str | int:
    """A CSV/XLSX cell: ints stay numbers; text is neutralised against formula injection."""
    return value if isinstance(value, int) else neutralise("" if value is None else str(value))


def write_table(command, columns, rows, *, fmt: str, output: str | None, sheet_title: str):
    """Write ``rows`` (lists) under ``columns`` to ``output`` (stdout when None, csv only)."""
    if fmt == "csv":
        if output:
            with open(output, "w", encoding="utf-8-sig", newline="") as handle:
                writer = csv.writer(handle)
                writer.writerow(columns)
                writer.writerows([_cell(v) for v in row] for row in rows)
        else:
            buffer = io.StringIO()
            writer = csv.writer(buffer, lineterminator="\n")
            writer.writerow(columns)
            for row in rows:
                writer.writerow([_cell(v) for v in row])
            command.stdout.write(buffer.getvalue(), ending="")
        return
    if fmt == "xlsx":
        if not output:
            raise CommandError("xlsx 형식은 --output 파일 경로가 필요합니다.")
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet(sheet_title)
        sheet.append(list(columns))
        for row in rows:
            sheet.append([_cell(v) for v in row])
        book.save(output)
        return
    raise CommandError(f"알 수 없는 형식 '{fmt}'입니다.")


def write_json(command, document: dict, *, output: str | None) -> None:
    text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    if output:
        Path(output).write_text(text, encoding="utf-8")
    else:
        command.stdout.write(text, ending="")


def read_table(path: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """(header, [(line number, cells)]) of a CSV or XLSX file; cells are stripped strings.
    Line numbers count the header as line 1, as a spreadsheet shows them."""
    file = Path(path)
    if not file.is_file():
        raise CommandError(f"'{path}' 파일을 찾을 수 없습니다.")
    if file.suffix.lower() == ".xlsx":
        from openpyxl import load_workbook

        try:
            book = load_workbook(file, read_only=True, data_only=True)
        except Exception as exc:  # a corrupt or non-XLSX file
            raise CommandError(f"{path}: XLSX 파일을 읽을 수 없습니다 ({exc}).") from exc
        values = [
            [
                ""
                if v is None
                else (str(int(v)) if isinstance(v, float) and v == int(v) else str(v)).strip()
                for v in row
            ]
            for row in book.worksheets[0].iter_rows(values_only=True)
        ]
    else:
        try:
            text = file.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError as exc:
            raise CommandError(
                f"{path}: UTF-8 CSV가 아닙니다 ({exc.start + 1}번째 바이트에서 읽기 실패)."
            ) from exc
        values = [[c.strip() for c in row] for row in csv.reader(io.StringIO(text))]
    if not values:
        raise CommandError(f"{path}: 빈 파일입니다.")
    header = [h.strip() for h in values[0]]
    # Our exports neutralise formula-like text ('=…); read it back as it was.
    body = [(n, [restore(c) for c in row]) for n, row in enumerate(values[1:], start=2) if any(row)]
    return header, body
