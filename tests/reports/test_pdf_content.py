"""What the generated documents contain, read back with poppler (pdftotext, pdffonts, pdfinfo)
and openpyxl. These render for real with WeasyPrint."""

import io
import re
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from evaluation.models import ItemScore
from indicators.models import Area
from reports import charts, documents, inputs

from ..factories import add_application, make_institution
from .pdftools import assert_nanum_subset_embedded, pages_of, text_of

AREA_TITLES = ["운영활동", "업무 프로세스", "인적자원관리", "정보보안", "성과"]


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def _write(tmp_path, name, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_the_seed_rubric_has_the_area_titles_these_tests_expect(scored):
    titles = Area.objects.filter(version=scored.cycle.rubric_version).order_by("order")
    assert list(titles.values_list("title", flat=True)) == AREA_TITLES


def test_result_report_pdf(scored, tmp_path):
    data = inputs.result_inputs(scored.other_app)  # the one with area D substituted
    path = _write(tmp_path, "result.pdf", documents.render_pdf_bytes("result", data))
    text = text_of(path)
    flat = _squash(text)
    assert "누리커리어" in text and "인증 평가 결과보고서" in text
    total = str(scored.other_result.total.quantize(Decimal("0.01")))
    assert f"{total} / 1000점" in flat
    assert data["summary"]["decision_label"] in text
    assert f"{scored.other_result.rank}위" in text and "2개 기관 중" in text
    for title in AREA_TITLES:
        assert title in text, title
    assert "평가위원 A" in text and "평가위원 C" in text
    assert "대체 인정" in text and "ISMS" in text and "한국인터넷진흥원" in text
    assert "감점 사항이 없습니다" in text
    # running header and page numbers on every page but the cover
    pages = pages_of(path)
    assert 6 <= pages <= 12
    page_texts = text.split("\f")[:pages]
    assert "결과보고서 · 누리커리어" not in page_texts[0]  # the cover: no header, no number
    for number, page in enumerate(page_texts[1:], start=2):
        assert re.search(rf"\b{number}\s*/\s*{pages}\b", page), number
        assert "결과보고서 · 누리커리어" in page, number
    assert_nanum_subset_embedded(path)


def test_a_failing_result_names_its_reasons(scored, tmp_path):
    scored.result.decision = "fail"
    scored.result.reasons = ["총점 612.00점이 합격 기준 700점에 미달"]
    scored.result.save()
    data = inputs.result_inputs(scored.app)
    text = text_of(_write(tmp_path, "r.pdf", documents.render_pdf_bytes("result", data)))
    assert "미인증" in text and "판정 사유" in text
    assert "합격 기준 700점에 미달" in _squash(text)


def test_comments_are_user_text_escaped_and_wrapped(scored, tmp_path):
    row = ItemScore.objects.filter(sheet=scored.assignment.sheet).order_by("pk").first()
    row.strength = (
        '<b>굵게</b> <img src="file:///etc/passwd"> ' + "가" * 40 + "https://" + "x" * 200
    )
    row.save(update_fields=["strength"])
    data = inputs.result_inputs(scored.app)
    path = _write(tmp_path, "r.pdf", documents.render_pdf_bytes("result", data))
    text = text_of(path)
    assert "<b>굵게</b>" in text  # shown as text, not markup
    assert "root:" not in text
    # the long unbroken URL wraps inside the page instead of running off it: it is there, on
    # more than one line
    assert "x" * 60 in text and "x" * 200 not in text


def test_sheet_report_pdf(scored, tmp_path):
    data = inputs.sheet_inputs(scored.assignment)
    path = _write(tmp_path, "sheet.pdf", documents.render_pdf_bytes("sheet", data))
    text = text_of(path)
    flat = _squash(text)
    assert "평가표" in text and "한빛잡정보" in text
    assert scored.evaluators[0].display_name in text
    assert scored.assignment.sheet.content_hash in text.replace("\n", "").replace(" ", "")
    assert data["confirmed_at"] in flat and "(서명)" in text
    for area in data["areas"]:
        for item in area["items"]:
            assert item["code"] in text, item["code"]
    assert f"{data['total']}" in text
    assert 2 <= pages_of(path) <= 5
    assert_nanum_subset_embedded(path)


def test_summary_pdf_and_xlsx_carry_the_same_figures(scored, admin_user, tmp_path):
    add_application(scored.cycle, make_institution("결과없는기관", 99), admin_user)
    data = inputs.summary_inputs(scored.cycle)
    path = _write(tmp_path, "summary.pdf", documents.render_pdf_bytes("summary", data))
    text = text_of(path)
    assert "집계표" in text and "결과 없는 신청 1건 제외" in text
    for row in data["rows"]:
        line = next(ln for ln in text.splitlines() if row["institution"] in ln)
        assert row["total"] in line and row["decision_label"] in line
        for value in row["areas"]:
            assert value in line
    for title in AREA_TITLES:
        assert title in text
    assert_nanum_subset_embedded(path)

    book = load_workbook(io.BytesIO(documents.render_xlsx_bytes(data)))
    sheet = book["집계표"]
    rows = [
        r for r in sheet.iter_rows(values_only=True) if r and r[1] in ("한빛잡정보", "누리커리어")
    ]
    assert [(r[0], r[1], Decimal(str(r[2]))) for r in rows] == [
        (row["rank"], row["institution"], Decimal(row["total"])) for row in data["rows"]
    ]
    for r, row in zip(rows, data["rows"], strict=True):
        assert [Decimal(str(v)) for v in r[3:8]] == [Decimal(v) for v in row["areas"]]
        assert Decimal(str(r[8])) == Decimal(row["penalty"])  # 감점: the row adds up
        assert r[9] == row["decision_label"]
    assert [tuple(r) for r in book["분포"].iter_rows(min_row=2, values_only=True)] == [
        (b["label"], b["count"]) for b in data["distribution"]
    ]


def test_charts_are_static_svg_with_the_korean_font_named_on_the_element(scored):
    data = inputs.result_inputs(scored.app)
    svg = charts.area_chart(data["areas"])
    assert svg.startswith('<svg font-family="NanumGothic" ')
    assert "<script" not in svg and "<!--" not in svg
    assert 'id="chart-areas"' in svg and "운영활동" in svg
    assert svg == charts.area_chart(data["areas"])  # same inputs, same bytes
    summary = inputs.summary_inputs(scored.cycle)
    assert "<script" not in charts.distribution_chart(summary["distribution"])


def test_render_report_command_writes_each_kind(scored, tmp_path, capsys):
    jobs = [
        ("result", str(scored.app.pk), "r.pdf", b"%PDF-"),
        ("sheet", str(scored.assignment.pk), "s.pdf", b"%PDF-"),
        ("summary", scored.cycle.slug, "c.pdf", b"%PDF-"),
        ("summary", str(scored.cycle.pk), "c.xlsx", b"PK"),
    ]
    for kind, ident, name, magic in jobs:
        out = tmp_path / name
        call_command("render_report", kind, ident, "--out", str(out))
        assert out.read_bytes().startswith(magic), name
    assert "한빛잡정보" in text_of(tmp_path / "r.pdf")
    assert not list(tmp_path.glob("*.part"))


def test_render_report_command_refuses_clearly(scored, admin_user, tmp_path):
    app = add_application(scored.cycle, make_institution("결과없는기관", 98), admin_user)
    out = tmp_path / "x.pdf"
    with pytest.raises(CommandError, match="결과없는기관\\(rpt-test\\): 평가 결과가 없습니다"):
        call_command("render_report", "result", str(app.pk), "--out", str(out))
    with pytest.raises(CommandError, match="신청 ID는 숫자여야 합니다"):
        call_command("render_report", "result", "abc", "--out", str(out))
    with pytest.raises(CommandError, match="XLSX는 집계표"):
        call_command("render_report", "result", str(app.pk), "--out", str(tmp_path / "x.xlsx"))
    assert not out.exists()
