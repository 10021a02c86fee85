"""An excluded evaluator's confirmed sheet stops counting at once: every exclusion (회피,
기피 upheld, 제척) recomputes the application's result."""

from decimal import Decimal

import pytest

from evaluation.models import Result
from evaluation.services import assignment as services
from evaluation.services.results import application_result_recompute
from institutions.roles import Role

from ..factories import score_application
from .results_data import expected_total

pytestmark = pytest.mark.django_db


@pytest.fixture
def scored(application, make_user):
    users = [make_user(f"rs{i}", Role.EVALUATOR) for i in range(3)]
    grades = dict(zip(users, ["S", "A", "D"], strict=True))
    score_application(application, grades)
    application_result_recompute(application=application)
    return users, grades


def _result(application) -> Result:
    return Result.objects.get(application=application)


@pytest.mark.parametrize("how", ["recusal", "challenge", "disqualification"])
def test_exclusion_recomputes_the_result(how, application, scored, admin_user, member):
    users, grades = scored
    before = _result(application)
    assert before.sheets_counted == 3
    assert before.total == expected_total(application, grades).quantize(Decimal("0.01"))
    low = users[2]  # the "D" sheet
    assignment = application.assignments.get(evaluator=low)
    if how == "recusal":  # after 확정 a 회피 is a request the admin decides (ADR 011)
        services.conflict_declare(assignment=assignment, conflict=True, reason="친족", by=low)
        assert _result(application).sheets_counted == 3  # nothing moves until decided
        request = assignment.withdrawal_requests.get()
        services.withdrawal_decide(request=request, accept=True, reason="확인", by=admin_user)
    elif how == "challenge":
        challenge = services.challenge_request(assignment=assignment, reason="분쟁", by=member)
        services.challenge_decide(challenge=challenge, upheld=True, reason="타당", by=admin_user)
    else:
        services.assignment_disqualify(assignment=assignment, reason="친족", by=admin_user)
    after = _result(application)
    assert after.sheets_counted == 2
    remaining = {u: g for u, g in grades.items() if u != low}
    assert after.total == expected_total(application, remaining).quantize(Decimal("0.01"))
    assert after.total > before.total


def test_rejected_challenge_changes_nothing(application, scored, admin_user, member):
    users, _ = scored
    before = _result(application)
    assignment = application.assignments.get(evaluator=users[2])
    challenge = services.challenge_request(assignment=assignment, reason="분쟁", by=member)
    services.challenge_decide(challenge=challenge, upheld=False, reason="근거 없음", by=admin_user)
    after = _result(application)
    assert (after.total, after.sheets_counted) == (before.total, before.sheets_counted)
