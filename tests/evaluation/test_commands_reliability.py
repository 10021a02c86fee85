"""manage.py reliability CYCLE --format json|csv: the issue's JSON shape, 4-place numbers."""

import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command

from evaluation.services import reliability as service
from institutions.roles import Role

from ..factories import score_application

pytestmark = pytest.mark.django_db


@pytest.fixture
def scored(application, other_application, evaluator, other_evaluator, make_user):
    panel = [evaluator, other_evaluator, make_user("evaluator3", Role.EVALUATOR)]
    score_application(application, dict(zip(panel, "SAB", strict=True)))
    score_application(other_application, dict(zip(panel, "BDS", strict=True)))
    return application.cycle


def _run(*args) -> str:
    out = io.StringIO()
    call_command("reliability", *args, stdout=out)
    return out.getvalue()


def _places(value) -> bool:
    return value is None or round(value, 4) == value


def test_json_has_exactly_the_issue_shape(scored):
    document = json.loads(_run(scored.slug, "--format", "json"))
    found = service.cycle_reliability(scored)
    assert set(document) == {"alpha", "evaluators"}
    assert set(document["alpha"]) == {"overall", "areas", "items"}
    overall = document["alpha"]["overall"]
    assert set(overall) == {"value", "low", "high", "units"}
    assert overall == {
        "value": float(found.overall.value),
        "low": float(found.overall.low),
        "high": float(found.overall.high),
        "units": 38,
    }
    assert list(document["alpha"]["areas"]) == [a for a in found.areas]
    assert len(document["alpha"]["items"]) == 19
    for block in [
        overall,
        *document["alpha"]["areas"].values(),
        *document["alpha"]["items"].values(),
    ]:
        assert all(_places(block[k]) for k in ("value", "low", "high"))
    first = document["evaluators"][0]
    assert set(first) == {
        "evaluator",
        "severity_points",
        "severity_percent",
        "units",
        "highest",
        "lowest",
    }
    assert [e["evaluator"] for e in document["evaluators"]] == [
        "evaluator1",
        "evaluator3",
        "evaluator9",
    ]
    assert first["severity_percent"] == 15.0 and first["units"] == 38
    assert first["highest"] == 19 and first["lowest"] == 0
    assert all(_places(e["severity_points"]) for e in document["evaluators"])


def test_csv_has_one_row_per_alpha_and_evaluator(scored):
    rows = list(csv.DictReader(io.StringIO(_run(scored.slug, "--format", "csv"))))
    kinds = [r["kind"] for r in rows]
    assert (
        kinds.count("overall") == 1 and kinds.count("item") == 19 and kinds.count("evaluator") == 3
    )
    ev = next(r for r in rows if r["code"] == "evaluator1")
    assert ev["severity_percent"] == "15.0000" and ev["flagged"] == "True"


def test_a_cycle_without_sheets_gives_nulls_and_reasons(cycle):
    document = json.loads(_run(cycle.slug))
    assert document["alpha"]["overall"] == {"value": None, "low": None, "high": None, "units": 0}
    assert document["evaluators"] == []
    rows = list(csv.DictReader(io.StringIO(_run(cycle.slug, "--format", "csv"))))
    assert rows[0]["reason"] == "확정된 평가표가 없습니다"


def test_unknown_cycle_is_named(cycle):
    with pytest.raises(CommandError, match="'nope' 평가 주기가 없습니다"):
        _run("nope")
