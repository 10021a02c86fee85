"""The one policy per object (ADR 002, round two): ``visible_<things>(user, action=...)`` returns
exactly what each persona may see for each action, and an unknown action is refused.

The permission matrix (tests/security) proves the pages; these tests pin the policy functions
themselves, persona by persona, so a change of rights shows up here by name."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from evaluation.models import Application, ApplicationStatus, Challenge, Cycle, Stage
from evaluation.queries import visible_applications, visible_cycles
from evaluation.queries.assignment import visible_assignments, visible_challenges
from institutions import roles

pytestmark = pytest.mark.django_db
pytest_plugins = ["tests.evaluation.assignment_world"]

PERSONAS = (
    "anonymous",
    "admin_user",
    "manager",
    "evaluator",
    "other_evaluator",
    "conflicted_evaluator",
    "member",
    "other_member",
)


@pytest.fixture
def people(request, assignment_world):
    found = {"anonymous": AnonymousUser()}
    for name in PERSONAS[1:]:
        found[name] = request.getfixturevalue(name)
    return found


def _names(qs, label) -> dict[str, set]:
    return {label(obj) for obj in qs}


def _who_sees(people, policy, label) -> dict[str, set]:
    return {name: _names(policy(user), label) for name, user in people.items()}


def test_role_predicates_are_one_per_role(people):
    table = {
        name: {
            p
            for p in ("is_admin", "is_manager", "is_staff_reader", "is_evaluator")
            if getattr(roles, p)(user)
        }
        | ({"is_institution_member"} if roles.is_institution_member(user) else set())
        for name, user in people.items()
    }
    assert table == {
        "anonymous": set(),
        "admin_user": {"is_admin", "is_staff_reader"},
        "manager": {"is_manager", "is_staff_reader"},
        "evaluator": {"is_evaluator"},
        "other_evaluator": {"is_evaluator"},
        "conflicted_evaluator": {"is_evaluator"},
        "member": {"is_institution_member"},
        "other_member": {"is_institution_member"},
    }
    assert roles.can_read_access_log(people["manager"])
    assert not roles.can_read_access_log(people["evaluator"])
    assert not roles.is_admin(None)


def test_applications_by_action(people, application, other_application):
    label = lambda a: a.institution.name  # noqa: E731
    mine, theirs = label(application), label(other_application)
    both = {mine, theirs}

    def sees(action):
        return _who_sees(people, lambda u: visible_applications(u, action=action), label)

    assert sees("read") == {
        "anonymous": set(),
        "admin_user": both,
        "manager": both,
        "evaluator": {mine},  # cleared: pledge signed, no conflict
        "other_evaluator": set(),
        "conflicted_evaluator": set(),  # 회피 excludes at once
        "member": {mine},
        "other_member": {theirs},
    }
    staff_only = {name: (both if name in ("admin_user", "manager") else set()) for name in people}
    assert sees("review") == staff_only
    assert sees("report") == staff_only  # the cycle has not reached 결과통보

    Cycle.objects.filter(pk=application.cycle_id).update(stage=Stage.NOTIFICATION)
    Application.objects.filter(pk=application.pk).update(status=ApplicationStatus.SCORED)
    Application.objects.filter(pk=other_application.pk).update(status=ApplicationStatus.DRAFT)
    assert sees("report") == staff_only | {"member": {mine}}  # evaluated only: not theirs


def test_assignments_by_action(people, assignment_world, conflicted_evaluator):
    cleared = assignment_world
    excluded = conflicted_evaluator.assignments.get()
    label = lambda a: a.evaluator.username  # noqa: E731
    ok, out = label(cleared), label(excluded)

    def sees(action):
        return _who_sees(people, lambda u: visible_assignments(u, action=action), label)

    nobody = {name: set() for name in people}
    assert sees("read") == nobody | {
        "admin_user": {ok, out},
        "manager": {ok, out},
        "evaluator": {ok},
        "conflicted_evaluator": {out},  # their own, excluded or not
    }
    assert sees("score") == nobody | {"evaluator": {ok}}
    assert sees("decide") == nobody | {"admin_user": {ok, out}}
    assert sees("report") == nobody | {
        "admin_user": {ok, out},
        "manager": {ok, out},
        "evaluator": {ok},  # an excluded evaluator's sheet never counts
    }


def test_challenges_by_action(people, assignment_world, member):
    Challenge.objects.create(assignment=assignment_world, requested_by=member, reason="친족 관계")
    label = lambda c: c.reason  # noqa: E731
    nobody = {name: set() for name in people}

    def sees(action):
        return _who_sees(people, lambda u: visible_challenges(u, action=action), label)

    assert sees("read") == nobody | {
        "admin_user": {"친족 관계"},
        "manager": {"친족 관계"},
        "member": {"친족 관계"},
    }
    assert sees("decide") == nobody | {"admin_user": {"친족 관계"}}


def test_pledge_cycles_are_those_of_an_active_assignment(people, cycle):
    seen = _who_sees(people, lambda u: visible_cycles(u, action="pledge"), lambda c: c.slug)
    assert seen == {name: set() for name in people} | {"evaluator": {cycle.slug}}


@pytest.mark.parametrize(
    "policy",
    [visible_applications, visible_assignments, visible_challenges, visible_cycles],
)
def test_an_unknown_action_is_refused(policy, admin_user):
    with pytest.raises(ValueError, match="unknown action 'write'"):
        policy(admin_user, action="write")
