"""seed_demo's demo-2026: three evaluators per submitted application, every sheet confirmed
through the real services, the figures the README and the walkthroughs quote, and the
인증위원회's decision on each evaluated application (none for the 미제출 one)."""

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
    Sheet,
)
from evaluation.queries.results import results_differences

pytestmark = pytest.mark.django_db


def test_demo_2026_is_scored_decided_and_notified():
    call_command("seed_demo", stdout=io.StringIO())
    apps = {
        a.institution.memberships.get().user.username: a
        for a in Application.objects.filter(cycle__slug="demo-2026").select_related("cycle")
    }
    cycle = apps["inst1"].cycle
    # three evaluators per submitted application, pledges signed, no conflict, all confirmed
    assignments = Assignment.objects.filter(application__cycle=cycle)
    assert assignments.count() == 12
    assert set(assignments.values_list("evaluator__username", flat=True)) == {
        "evaluator1",
        "evaluator2",
        "evaluator3",
    }
    assert set(assignments.values_list("declaration", "exclusion")) == {(Declaration.NONE, "")}
    assert Pledge.objects.filter(cycle=cycle).count() == 3
    sheets = Sheet.objects.filter(assignment__application__cycle=cycle)
    assert sheets.count() == 12 and all(
        s.is_confirmed and len(s.content_hash) == 64 for s in sheets
    )
    # results: inst3 substituted on D by its ISMS certificate, inst4 below the threshold,
    # inst5 never submitted (no result)
    results = {u: r for u, a in apps.items() for r in Result.objects.filter(application=a)}
    assert {u: r.total for u, r in results.items()} == {
        "inst1": Decimal("804"),
        "inst2": Decimal("948"),
        "inst3": Decimal("806"),
        "inst4": Decimal("548"),
    }
    assert {u: r.rank for u, r in results.items()} == {
        "inst2": 1,
        "inst3": 2,
        "inst1": 3,
        "inst4": 4,
    }
    assert [u for u, r in results.items() if r.decision == "fail"] == ["inst4"]
    assert results["inst4"].reasons == ["총점 548.00점이 합격 기준 700점에 미달"]
    assert {u: r.committee_decision for u, r in results.items()} == {
        u: r.decision for u, r in results.items()
    }
    sub = AreaSubstitution.objects.get(application__cycle=cycle)
    assert (sub.application, sub.area.code, sub.certificate.kind) == (apps["inst3"], "D", "ISMS")
    assert results["inst3"].areas["D"] == "150.00"
    assert list(results["inst2"].disagreement) == ["B.3.1"]
    assert results_differences(cycle) == []
