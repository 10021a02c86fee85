"""The 집계표's 평가 신뢰도 appendix (PDF page) and sheet (XLSX): the same figures as the
reliability service, rendered for real."""

import io
from decimal import Decimal

from openpyxl import load_workbook

from evaluation.services.reliability import cycle_reliability
from reports import charts, documents, inputs

from .pdftools import text_of


def test_summary_inputs_carry_the_reliability_of_the_cycle(scored):
    data = inputs.summary_inputs(scored.cycle)
    rel, found = data["reliability"], cycle_reliability(scored.cycle)
    assert rel["overall"]["value"] == str(found.overall.value)
    assert rel["overall"]["units"] == found.overall.units
    assert [a["code"] for a in rel["areas"]] == list(found.areas)
    assert [e["username"] for e in rel["evaluators"]] == ["evaluator1", "evaluator2", "evaluator3"]
    assert rel["evaluators"][0]["percent"] == str(found.evaluators[0].percent)
    # the same snapshot twice: the bootstrap is seeded, so the report's hash is stable
    assert inputs.summary_inputs(scored.cycle)["reliability"] == rel


def test_summary_pdf_has_the_reliability_appendix(scored, tmp_path):
    data = inputs.summary_inputs(scored.cycle)
    rel = data["reliability"]
    path = tmp_path / "summary.pdf"
    path.write_bytes(documents.render_pdf_bytes("summary", data))
    text = text_of(path)
    appendix = text[text.index("부록. 평가 신뢰도") :]
    assert "Krippendorff" in appendix and "0.667–0.800 잠정적 결론만" in appendix
    overall = rel["overall"]
    if overall["value"]:
        assert overall["value"] in appendix and overall["reading"] in appendix
    else:
        assert f"계산할 수 없음: {overall['reason']}" in appendix
    for e in rel["evaluators"]:
        assert e["percent"] in appendix
    svg = charts.severity_chart(rel)
    assert "<script" not in svg and "경계 초과" in svg
    assert svg == charts.severity_chart(rel)


def test_summary_xlsx_has_a_reliability_sheet(scored):
    data = inputs.summary_inputs(scored.cycle)
    rel = data["reliability"]
    book = load_workbook(io.BytesIO(documents.render_xlsx_bytes(data)))
    sheet = book["평가 신뢰도"]
    rows = list(sheet.iter_rows(values_only=True))
    overall = next(r for r in rows if r[0] == "전체")
    expected = rel["overall"]["value"]
    assert (Decimal(str(overall[2])) if overall[2] is not None else "") == (
        Decimal(expected) if expected else ""
    )
    assert sum(1 for r in rows if r[0] == "항목") == len(rel["items"]) == 19
    by_user = {r[1]: r for r in rows if r[1] in {e["username"] for e in rel["evaluators"]}}
    for e in rel["evaluators"]:
        assert Decimal(str(by_user[e["username"]][3])) == Decimal(e["percent"])


def test_older_snapshots_without_reliability_still_render(scored):
    data = inputs.summary_inputs(scored.cycle)
    data.pop("reliability")
    assert documents.render_html("summary", data).count("평가 신뢰도") == 0
    book = load_workbook(io.BytesIO(documents.render_xlsx_bytes(data)))
    assert "평가 신뢰도" not in book.sheetnames
