"""Issue 14, items 8-11: the penalty column wherever totals are shown (dashboard, 집계표 PDF
and XLSX, export_results CSV/JSON), penalty items in the 결과보고서, units in the 평가표,
and names from the rubric and settings instead of a hard-coded programme name."""

import csv
import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from evaluation.models import Assignment, ItemScore, Result
from evaluation.services import results as svc
from reports import documents, inputs
from tests.evaluation.sheet_data import mixed_rubric
from tests.factories import score_application

pytestmark = pytest.mark.django_db

ENTRIES = {"A.1.2": "5", "A.1.3": "85", "A.1.4": "1"}  # A.1.4: one case, −3


@pytest.fixture
def rubric_version(db):
    return mixed_rubric()


@pytest.fixture
def penalised(application, evaluator):
    score_application(application, {evaluator: ENTRIES})
    svc.cycle_results_recompute(cycle=application.cycle)
    result = Result.objects.get(application=application)
    assert result.penalties == Decimal(-3)
    return result


def test_total_is_the_areas_plus_the_penalty(penalised):
    areas = sum(Decimal(v) for v in penalised.areas.values())
    assert penalised.total == areas + penalised.penalties


def test_dashboard_has_a_penalty_column_and_a_true_note(client_for, manager, penalised):
    cycle = penalised.application.cycle
    page = client_for(manager).get(reverse("evaluation:cycle_dashboard", args=[cycle.slug]))
    text = page.content.decode()
    assert '<th scope="col" class="text-end">감점</th>' in text
    assert 'data-testid="penalty">-3' in text
    assert "총점 = 영역 점수의 합 + 감점입니다" in text


def _run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_export_results_csv_and_json_carry_the_penalty(penalised):
    slug = penalised.application.cycle.slug
    rows = list(csv.DictReader(io.StringIO(_run("export_results", slug))))
    [row] = rows
    places = Decimal(1).scaleb(-penalised.application.cycle.rubric_version.rounding_places)
    assert row["penalty"] == str(Decimal(-3).quantize(places))
    areas = sum(Decimal(row[code]) for code in penalised.areas)
    assert Decimal(row["total"]) == areas + Decimal(row["penalty"])
    document = json.loads(_run("export_results", slug, "--format", "json"))
    assert "penalty" in document["columns"]
    assert Decimal(document["results"][0]["penalty"]) == Decimal(-3)


def test_summary_pdf_and_xlsx_carry_the_penalty(penalised):
    data = inputs.summary_inputs(penalised.application.cycle)
    [row] = data["rows"]
    assert Decimal(row["penalty"]) == Decimal(-3)
    assert Decimal(data["mean_penalty"]) == Decimal(-3)
    html = documents.render_html("summary", data)
    assert "<th>감점</th>" in html
    assert f'<td class="num">{row["penalty"]}</td>' in html
    book = load_workbook(io.BytesIO(documents.render_xlsx_bytes(data)))
    sheet = book["집계표"]
    header = [c.value for c in sheet[4]]
    assert "감점" in header
    column = header.index("감점")
    assert Decimal(str(sheet.cell(row=5, column=column + 1).value)) == Decimal(-3)


def test_result_report_lists_the_penalty_item_with_its_deduction(penalised):
    data = inputs.result_inputs(penalised.application)
    [item] = [
        i
        for a in data["areas"]
        for ind in a["indicators"]
        for i in ind["items"]
        if i["code"] == "A.1.4"
    ]
    assert (item["penalty"], Decimal(item["score"])) == (True, Decimal(-3))
    html = documents.render_html("result", data)
    assert "A.1.4</td><td>" in html and "(감점)" in html


def test_sheet_pdf_prints_the_unit_of_a_measured_value(penalised, evaluator):
    assignment = Assignment.objects.get(application=penalised.application, evaluator=evaluator)
    # results_data stores every entry as a grade; a measured value lives in ``value``.
    ItemScore.objects.filter(sheet__assignment=assignment, item__code="A.1.3").update(
        grade="", value=Decimal(85)
    )
    data = inputs.sheet_inputs(assignment)
    [item] = [i for a in data["areas"] for i in a["items"] if i["code"] == "A.1.3"]
    assert item["entered"] == "측정값 85 %"


def test_result_cover_names_the_rubric_programme_not_a_hard_coded_one(penalised):
    data = inputs.result_inputs(penalised.application)
    rubric = penalised.application.cycle.rubric_version.rubric
    assert data["rubric"]["programme"] == rubric.title
    html = documents.render_html("result", data)
    assert f'<div class="eyebrow">{rubric.title}</div>' in html
    assert "고용서비스 우수기관 인증제" not in html


def test_layout_and_login_take_the_names_from_settings(client, client_for, member, settings):
    settings.SITE_NAME = "직업능력 인증 평가"
    settings.ORGANIZATION_NAME = "시험 사무국"
    login = client.get(reverse("login")).content.decode()
    assert "직업능력 인증 평가입니다." in login
    page = client_for(member).get(reverse("home")).content.decode()
    assert "직업능력 인증 평가 · 시험 사무국" in page
    assert "고용서비스" not in page


def test_the_rubric_document_may_name_its_programme(penalised):
    """The format's optional ``programme`` names the programme on the cover; it survives an
    export and an import, and a clone keeps it."""
    from indicators.queries import rubric_document
    from indicators.services import rubric_import, rubric_version_clone

    version = penalised.application.cycle.rubric_version
    # As if the published version had been imported with a programme (it is frozen now).
    type(version)._base_manager.filter(pk=version.pk).update(
        programme="직업능력개발훈련기관 인증제"
    )
    version.refresh_from_db()
    data = inputs.result_inputs(penalised.application)
    assert data["rubric"]["programme"] == "직업능력개발훈련기관 인증제"
    assert "직업능력개발훈련기관 인증제" in documents.render_html("result", data)

    assert rubric_document(version)["programme"] == "직업능력개발훈련기관 인증제"

    from indicators import interchange
    from operations.demo.rubric import SEED_RUBRIC

    seed = interchange.parse_text(SEED_RUBRIC.read_bytes())
    seed.update(code="other-programme", programme="직업상담 우수기관 인증제")
    imported = rubric_import(data=seed)
    assert imported.programme_name == "직업상담 우수기관 인증제"
    assert rubric_document(imported)["programme"] == "직업상담 우수기관 인증제"
    assert rubric_version_clone(version=imported, new_version="2").programme == imported.programme


def test_a_programme_that_is_not_text_is_refused_with_its_place(rubric_version):
    from indicators.queries import rubric_document
    from indicators.validation import validate

    document = rubric_document(rubric_version)
    assert "programme" not in document  # absent: the rubric's title is the programme
    assert rubric_version.programme_name == rubric_version.rubric.title
    document["programme"] = ["목록"]
    problems = validate(document)
    [problem] = [p for p in problems if p.where == "programme"]
    assert "문자열" in problem.message


def test_the_score_audit_trail_shows_a_measured_value_with_its_unit(
    penalised, client_for, admin_user
):
    page = client_for(admin_user).get(
        reverse("evaluation:sheet_audit", args=[penalised.application.pk])
    )
    html = page.content.decode()
    assert "입력: 85 %" in html  # A.1.3, measured in %
    assert "입력: 5 %" not in html  # A.1.2 is scored in points: no unit
