"""Fixtures for report tests: a scored cycle in the 결과통보 stage on the seed rubric.

``scored.app`` is ``member``'s institution (한빛잡정보), scored by ``evaluator`` and two more
evaluators; ``scored.other_app`` is ``other_member``'s (누리커리어), with area D substituted.
``other_evaluator`` is assigned to neither.
"""

from types import SimpleNamespace

import pytest

from evaluation.models import Assignment, Stage
from institutions.roles import Role

from ..factories import add_application, make_cycle, score_seeded


@pytest.fixture
def seed_rubric(db):
    import operations.demo.rubric

    return operations.demo.rubric.seed()


@pytest.fixture
def scored(seed_rubric, admin_user, institution, other_institution, evaluator, make_user, member):
    evaluators = [
        evaluator,
        make_user("evaluator2", Role.EVALUATOR),
        make_user("evaluator3", Role.EVALUATOR),
    ]
    cycle = make_cycle(seed_rubric, slug="rpt-test", by=admin_user, show_rank=True)
    app = add_application(cycle, institution, member)
    result = score_seeded(app, evaluators, seed=1)
    other_app = add_application(cycle, other_institution, admin_user)
    other_result = score_seeded(other_app, evaluators, seed=2, substitute="D")
    result.refresh_from_db()
    other_result.refresh_from_db()
    return SimpleNamespace(
        cycle=cycle,
        app=app,
        other_app=other_app,
        result=result,
        other_result=other_result,
        evaluators=evaluators,
        assignment=Assignment.objects.get(application=app, evaluator=evaluator),
        other_assignment=Assignment.objects.get(application=other_app, evaluator=evaluators[1]),
    )


@pytest.fixture
def before_notification(scored):
    """The same cycle one stage earlier (인증위원회): institutions may not see results yet."""
    scored.cycle.stage = Stage.COMMITTEE
    scored.cycle.save(update_fields=["stage"])
    return scored


def stored_files(media, kind: str | None = None) -> list:
    root = media / "reports"
    if kind:
        root = root / kind
    if not root.exists():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file())
