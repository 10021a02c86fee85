"""Turn a report's inputs into bytes: PDF (WeasyPrint), XLSX (openpyxl), ZIP.

Everything here is a pure function of the inputs (plus the issue date printed on the cover),
and returns complete bytes: nothing touches storage or the database.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import mark_safe

from evaluation.formula_guard import neutralise_workbook
from evaluation.qr import qr_svg

from . import charts, pdf

# Bump when the data builders change what a document shows in a way the templates do not.
FORMAT_VERSION = "1"

TEMPLATES = {
    "result": "reports/pdf/result.html",
    "sheet": "reports/pdf/sheet.html",
    "summary": "reports/pdf/summary.html",
    "certification": "reports/pdf/certification.html",
}
CSS_TEMPLATE = "reports/pdf/print.css"
_HERE = Path(__file__).resolve().parent

TITLES = {"result": "결과보고서", "sheet": "평가표", "summary": "집계표", "certification": "인증서"}


@cache
def template_version() -> str:
    """A hash of every template, the print CSS and this rendering code: any change to how a
    document looks gives new hashes, so stored files are never served for a changed layout."""
    digest = hashlib.sha256(FORMAT_VERSION.encode())
    sources = sorted((_HERE / "templates" / "reports" / "pdf").rglob("*"))
    sources += [_HERE / "documents.py", _HERE / "charts.py"]
    for path in sources:
        if path.is_file():
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


@cache
def print_css() -> str:
    return render_to_string(CSS_TEMPLATE)


def render_html(kind: str, inputs: dict, *, issued_on: date | None = None) -> str:
    """The document's HTML, always in Korean: English reports are out of scope for now, and a
    render that runs eagerly inside an English request must not come out in English
    (docs/decisions/020-languages.md)."""
    with translation.override(settings.LANGUAGE_CODE):
        return _render_html(kind, inputs, issued_on=issued_on)


def _render_html(kind: str, inputs: dict, *, issued_on: date | None = None) -> str:
    context = {
        "r": inputs,
        "doc_title": TITLES[kind],
        "issued_on": issued_on or timezone.localdate(),
        "font": pdf.KOREAN_FONT_FAMILY,
    }
    if kind == "result":
        context["chart"] = mark_safe(charts.area_chart(inputs["areas"]))
    elif kind == "summary":
        context["chart"] = mark_safe(charts.distribution_chart(inputs["distribution"]))
        if inputs.get("reliability"):  # the appendix (ADR 015); older snapshots lack it
            context["severity_chart"] = mark_safe(charts.severity_chart(inputs["reliability"]))
    elif kind == "certification":
        # The QR code of the public verification address (ADR 017), inline SVG.
        context["qr"] = mark_safe(qr_svg(inputs["verify_url"], title="진위 확인"))
        day = date.fromisoformat(inputs["issued_on"])
        context["issued_label"] = f"{day.year}년 {day.month}월 {day.day}일"
    return render_to_string(TEMPLATES[kind], context)


def render_pdf_bytes(kind: str, inputs: dict, *, issued_on: date | None = None) -> bytes:
    """The PDF of one report. Checks once per process that WeasyPrint has HarfBuzz's subsetter
    and the Korean font (``PdfEnvironmentError`` otherwise: a report fails, it is not rendered
    slowly or with the wrong glyphs)."""
    pdf.ensure_pdf_environment()
    return pdf.render_pdf(render_html(kind, inputs, issued_on=issued_on), print_css())


# --- XLSX (집계표) ----------------------------------------------------------------------------


def render_xlsx_bytes(inputs: dict) -> bytes:
    """The 집계표 as a workbook with the same figures as its PDF (numbers as numbers)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    def number(value: str):
        return Decimal(value) if value not in ("", None) else None

    bold = Font(bold=True)
    head_fill = PatternFill("solid", fgColor="DCE6F1")
    places = int(inputs["rubric"].get("rounding_places", 2))
    number_format = "0" if places == 0 else "0." + "0" * places

    wb = Workbook()
    ws = wb.active
    ws.title = "집계표"
    cycle = inputs["cycle"]
    ws.append([f"{cycle['title']} 집계표"])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([f"평가지표: {inputs['rubric']['label']}", f"기준일: {cycle['reference_date']}"])
    ws.append([])
    header = ["순위", "기관명", f"총점({inputs['total_points']})"]
    header += [f"{a['code']} {a['title']}({a['points']})" for a in inputs["areas"]]
    header += ["감점", "판정", "인증위원회 결정"]
    ws.append(header)
    header_row = ws.max_row
    for cell in ws[header_row]:
        cell.font, cell.fill = bold, head_fill
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for row in inputs["rows"]:
        ws.append(
            [row["rank"], row["institution"], number(row["total"])]
            + [number(v) for v in row["areas"]]
            + [number(row["penalty"])]
            + [row["decision_label"], "예" if row["committee"] else ""]
        )
        for cell in ws[ws.max_row][2 : 4 + len(inputs["areas"])]:
            cell.number_format = number_format
    ws.append([])
    ws.append(
        ["", "영역 평균", number(inputs["mean_total"])]
        + [number(a["average"]) for a in inputs["areas"]]
        + [number(inputs["mean_penalty"])]
    )
    for cell in ws[ws.max_row]:
        cell.font = bold
    for cell in ws[ws.max_row][2 : 4 + len(inputs["areas"])]:
        cell.number_format = "0.00"
    ws.append(
        ["", "영역 평균 득점률(%)", ""] + [number(a["average_rate"]) for a in inputs["areas"]]
    )
    ws.freeze_panes = ws.cell(row=header_row + 1, column=3)
    widths = [6, 24, 12] + [14] * len(inputs["areas"]) + [10, 10, 14]
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width

    dist = wb.create_sheet("분포")
    dist.append(["총점 구간", "기관 수"])
    for cell in dist[1]:
        cell.font, cell.fill = bold, head_fill
    for b in inputs["distribution"]:
        dist.append([b["label"], b["count"]])
    dist.column_dimensions["A"].width = 18

    if inputs.get("reliability"):
        _reliability_sheet(wb.create_sheet("평가 신뢰도"), inputs["reliability"], bold, head_fill)

    neutralise_workbook(wb)  # names such as '=HYPERLINK(…)' stay text (formula injection)

    # Fixed document times: the same inputs give the same workbook.
    from datetime import datetime

    fixed = datetime(2000, 1, 1)
    wb.properties.created = fixed
    wb.properties.modified = fixed
    wb.properties.creator = "certeval"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _reliability_sheet(ws, rel: dict, bold, head_fill) -> None:
    """The 집계표's 평가 신뢰도 sheet: α overall, per area and per item, then severity."""
    from openpyxl.styles import Font

    def number(value: str):
        return Decimal(value) if value not in ("", None) else None

    ws.append(["평가 신뢰도 (Krippendorff의 α, 구간 척도, 항목 배점 대비 %)"])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append(
        [
            f"95% 구간: Hayes & Krippendorff(2007) 부트스트랩 {rel['resamples']}회, "
            f"시드 {rel['seed']}. 읽는 법(Krippendorff 2004): α ≥ 0.800 신뢰 가능, "
            "0.667–0.800 잠정적 결론만, < 0.667 신뢰 곤란."
        ]
    )
    ws.append([])
    ws.append(["구분", "코드", "α", "하한", "상한", "해석", "단위 수", "짝지을 수 있는 값", "사유"])
    for cell in ws[ws.max_row]:
        cell.font, cell.fill = bold, head_fill
    groups = [("전체", [{"code": "", **rel["overall"]}]), ("영역", rel["areas"])]
    for kind, rows in [*groups, ("항목", rel["items"])]:
        for a in rows:
            ws.append(
                [kind, a["code"], number(a["value"]), number(a["low"]), number(a["high"])]
                + [a["reading"], a["units"], a["pairable"], a["reason"]]
            )
            for cell in ws[ws.max_row][2:5]:
                cell.number_format = "0.0000"
    ws.append([])
    ws.append(
        ["평가위원", "아이디", "엄격도(점수)", "엄격도(%)", "표준오차(%)", "단위 수"]
        + ["최고점", "최저점", f"경계(±{rel['bound']}%p) 초과"]
    )
    for cell in ws[ws.max_row]:
        cell.font, cell.fill = bold, head_fill
    for e in rel["evaluators"]:
        ws.append(
            [e["name"], e["username"], number(e["points"]), number(e["percent"])]
            + [number(e["se_percent"]), e["units"], e["highest"], e["lowest"]]
            + ["예" if e["flagged"] else ""]
        )
        for cell in ws[ws.max_row][2:5]:
            cell.number_format = "0.0000"
    for letter, width in zip("ABCDEFGHI", [12, 16, 12, 12, 12, 14, 10, 16, 30], strict=True):
        ws.column_dimensions[letter].width = width


# --- ZIP (결과보고서 일괄) ---------------------------------------------------------------------


def zip_bytes(files: list[tuple[str, bytes]]) -> bytes:
    """PDFs are compressed already: stored, not deflated. Names are UTF-8 (Korean)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, data in files:
            info = zipfile.ZipInfo(name, date_time=(2000, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_STORED
            archive.writestr(info, data)
    return out.getvalue()


def safe_name(text: str) -> str:
    """A file-name-safe version of a Korean title (keeps Hangul, drops separators)."""
    cleaned = "".join(c if c.isalnum() or c in "-_." else "_" for c in text)
    return cleaned.strip("._")[:80] or "report"
