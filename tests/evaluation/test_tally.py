"""One tally (ADR 018): the dashboard, the 결과보고서 and 집계표 inputs, ``export_results`` and
``verify_results`` all read the totals the tally computes, and all follow when a sheet stops
counting. A reader holding its own copy of the rule would keep the excluded sheet and disagree.
"""

from __future__ import annotations

import ast
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command

from evaluation import tally
from evaluation.models import Assignment, Result
from evaluation.queries.results import cycle_areas, cycle_results_table
from evaluation.services.assignment import assignment_disqualify
from evaluation.services.results import cycle_results_recompute
from institutions.roles import Role
from reports.inputs import result_inputs, summary_inputs

from ..factories import score_application

pytestmark = pytest.mark.django_db


@pytest.fixture
def cycle_scored(application, other_application, evaluator, other_evaluator, make_user):
    """Two applications of one cycle, three sheets each, built through the real services
    (assignment, pledge, declaration, score_record, sheet_confirm with real seals)."""
    third = make_user("evaluator3", Role.EVALUATOR)
    panel = [evaluator, other_evaluator, third]
    score_application(application, dict(zip(panel, "SAD", strict=True)))
    score_application(other_application, dict(zip(panel, "BCB", strict=True)))
    cycle = application.cycle
    cycle_results_recompute(cycle=cycle)
    return cycle, application, other_application, third


def _two(value) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


def readings(cycle, applications) -> dict[str, dict[int, tuple[Decimal, int | None]]]:
    """Every reader's (total, sheets counted) per application."""
    ids = [a.pk for a in applications]
    computed, problems = tally.compute(cycle, tally.cycle_rules(cycle), ids)
    assert problems == {}
    out = {"tally": {i: (_two(computed[i].total), computed[i].sheets_counted) for i in ids}}

    rows = cycle_results_table(cycle, cycle_areas(cycle))
    out["dashboard"] = {r.application.pk: (_two(r.total), r.sheets_confirmed) for r in rows}

    report = {}
    for app in applications:
        summary = result_inputs(Result.objects.get(application=app).application)["summary"]
        report[app.pk] = (_two(summary["total"]), summary["sheets_counted"])
    out["결과보고서"] = report

    stored = {r.application_id: r.sheets_counted for r in Result.objects.filter(pk__isnull=False)}
    out["집계표"] = {
        row["application_id"]: (_two(row["total"]), stored[row["application_id"]])
        for row in summary_inputs(cycle)["rows"]
    }

    buffer = io.StringIO()
    call_command("export_results", cycle.slug, "--format", "json", stdout=buffer)
    exported = json.loads(buffer.getvalue())["results"]
    out["export_results"] = {
        row["application_id"]: (_two(row["total"]), stored[row["application_id"]])
        for row in exported
    }

    verified = io.StringIO()
    call_command("verify_results", cycle.slug, stdout=verified, stderr=io.StringIO())
    assert "모두 재계산 값과 같습니다" in verified.getvalue()
    return out


def _agree(found: dict) -> dict:
    first = found["tally"]
    for reader, values in found.items():
        assert values == first, (reader, values, first)
    return first


def test_every_reader_reads_the_tally_and_follows_an_excluded_sheet(cycle_scored, admin_user):
    cycle, app, other, third = cycle_scored
    before = _agree(readings(cycle, [app, other]))
    assert before[app.pk][1] == 3 and before[other.pk][1] == 3

    # 제척 of the evaluator who gave app its lowest grades: the sheet stops counting.
    assignment = Assignment.objects.get(application=app, evaluator=third)
    assignment_disqualify(assignment=assignment, reason="이해관계 확인", by=admin_user)

    after = _agree(readings(cycle, [app, other]))
    assert after[app.pk][1] == 2  # every reader dropped the excluded sheet
    assert after[app.pk][0] > before[app.pk][0]  # S and A remain: the total rose everywhere
    assert after[other.pk] == before[other.pk]


def test_the_counted_rule_is_one_predicate_and_its_filters():
    assert tally.is_counted("confirmed", "")
    assert not tally.is_counted("confirmed", "recusal")
    assert not tally.is_counted("draft", "")


ALLOWED = {"models", "scoring", "adapters", "integrity"}  # evaluation.<these>
OUTSIDE = {"__future__", "collections", "dataclasses", "decimal", "django", "indicators", "types"}


def test_the_tally_imports_only_models_scoring_and_adapters():
    """Services, queries, views and reports import the tally; it imports none of them."""
    root = Path(tally.__file__).parent
    seen = set()
    for path in root.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                module = node.module or ""
                if node.level == 1:  # the tally's own modules
                    continue
                if node.level == 2:  # evaluation.<x>
                    top = module.split(".")[0] if module else ""
                    names = {top} if top else {a.name for a in node.names}
                    seen |= names
                    assert names <= ALLOWED, (path.name, module, names)
                else:
                    assert module.split(".")[0] in OUTSIDE, (path.name, module)
                    if module.startswith("indicators"):
                        assert module == "indicators.models", (path.name, module)
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    assert alias.name.split(".")[0] in {"json", "hashlib", "decimal"}, alias.name
    assert {"models", "scoring", "adapters"} <= seen
