"""Fixtures for the assignment/conflict view tests (a pytest plugin: test modules list it in
``pytest_plugins``): the personas of tests/conftest.py plus a *conflicted* evaluator
(assigned to the same application, then recused)."""

from __future__ import annotations

import pytest

from evaluation.services import assignment as services
from institutions.roles import Role

from ..personas import client_for
from .assignment_helpers import force_submit


@pytest.fixture
def conflicted_evaluator(make_user, application, admin_user):
    user = make_user("evaluator7", Role.EVALUATOR)
    a = services.assignment_create(application=application, evaluator=user, by=admin_user)
    services.pledge_sign(cycle=application.cycle, evaluator=user, ip=None)
    services.conflict_declare(assignment=a, conflict=True, reason="전 직장 동료", by=user)
    return user


@pytest.fixture
def application_pdf(application, member):
    """One PDF of evidence on ``application`` (item A.1.1), uploaded while it is a draft."""
    from evaluation import services as evaluation_services

    from . import files as F

    [stored] = evaluation_services.evidence_files_add(
        application=application,
        item=application.cycle.rubric_version.items.get(code="A.1.1"),
        uploads=[(F.upload("운영계획서.pdf", F.pdf_bytes("plan")), "운영계획서.pdf")],
        by=member,
    )
    return stored


@pytest.fixture
def assignment_world(
    application_pdf, other_application, cleared_assignment, conflicted_evaluator, other_evaluator
):
    """``application`` submitted with one PDF; ``evaluator`` cleared on it;
    ``conflicted_evaluator`` recused there; ``other_evaluator`` in the pool, not assigned."""
    force_submit(cleared_assignment.application)
    return cleared_assignment


@pytest.fixture
def as_persona(request, assignment_world):
    """``(user or None, client)`` for the ``persona`` parameter, after ``assignment_world``
    is built."""
    name = request.getfixturevalue("persona")
    user = None if name == "anonymous" else request.getfixturevalue(name)
    return user, client_for(user)
