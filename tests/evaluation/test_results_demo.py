"""seed_demo makes demo-2026 fully scored through the real services, and stays idempotent."""

import io
from decimal import Decimal

import pytest
from django.core.management import call_command

from evaluation.models import (
    Application,
    AreaSubstitution,
    Assignment,
    Declaration,
    Pledge,
    Result,
    ScoreAudit,
    Sheet,
)
from evaluation.queries.results import results_differences

pytestmark = pytest.mark.django_db


def test_seed_demo_scores_every_application_and_is_idempotent(_uploads_in_tmp):
    call_command("seed_demo", stdout=io.StringIO())
    apps = {
        a.institution.memberships.get().user.username: a
        for a in Application.objects.filter(cycle__slug="demo-2026").select_related("cycle")
    }
    cycle = apps["inst1"].cycle
    # three evaluators per application, pledges signed, no conflict, every sheet confirmed
    assignments = Assignment.objects.filter(application__cycle=cycle)
    assert assignments.count() == 15
    assert set(assignments.values_list("evaluator__username", flat=True)) == {
        "evaluator1",
        "evaluator2",
        "evaluator3",
    }
    assert set(assignments.values_list("declaration", "exclusion")) == {(Declaration.NONE, "")}
    assert Pledge.objects.filter(cycle=cycle).count() == 3
    sheets = Sheet.objects.filter(assignment__application__cycle=cycle)
    assert sheets.count() == 15 and all(
        s.is_confirmed and len(s.content_hash) == 64 for s in sheets
    )
    # results: inst3 substituted on D by its ISMS certificate, inst4 below the threshold
    results = {u: Result.objects.get(application=a) for u, a in apps.items()}
    assert {u: r.total for u, r in results.items()} == {
        "inst1": Decimal("804"),
        "inst2": Decimal("948"),
        "inst3": Decimal("806"),
        "inst4": Decimal("548"),
        "inst5": Decimal("708"),
    }
    assert {u: r.rank for u, r in results.items()} == {
        "inst2": 1,
        "inst3": 2,
        "inst1": 3,
        "inst5": 4,
        "inst4": 5,
    }
    assert [u for u, r in results.items() if r.decision == "fail"] == ["inst4"]
    assert results["inst4"].reasons == ["총점 548.00점이 합격 기준 700점에 미달"]
    sub = AreaSubstitution.objects.get()
    assert (sub.application, sub.area.code, sub.certificate.kind) == (apps["inst3"], "D", "ISMS")
    assert results["inst3"].areas["D"] == "150.00"
    assert list(results["inst2"].disagreement) == ["B.3.1"]
    # the journey's promises: inst1 is still a draft its member can upload to
    assert apps["inst1"].status == "draft"
    assert results_differences(cycle) == []

    counts = (ScoreAudit.objects.count(), Sheet.objects.count(), Result.objects.count())
    stamps = list(Result.objects.order_by("pk").values_list("computed_at", flat=True))
    call_command("seed_demo", stdout=io.StringIO())
    assert (ScoreAudit.objects.count(), Sheet.objects.count(), Result.objects.count()) == counts
    assert list(Result.objects.order_by("pk").values_list("computed_at", flat=True)) == stamps
