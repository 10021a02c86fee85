"""The factories build scored applications that the product itself accepts: every confirmed
sheet carries the seal ``sheet_confirm`` takes (HMAC of its canonical content), and
``verify_results`` finds nothing to report on any cycle they made. A builder that wrote a made-up
hash (as ``tests/reports/scored.py`` once did) fails here."""

import hashlib
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from evaluation.models import Result, Sheet, SheetStatus
from institutions.roles import Role

from .evaluation.sheet_data import entry_for, mixed_rubric
from .factories import (
    add_application,
    build_rubric,
    make_cycle,
    make_institution,
    score_application,
    score_seeded,
    scored_cycle,
)

pytestmark = pytest.mark.django_db


def verified(cycle) -> str:
    """``verify_results`` on ``cycle``'s slug: its output, or the test fails with its list."""
    out, err = StringIO(), StringIO()
    try:
        call_command("verify_results", cycle.slug, stdout=out, stderr=err)
    except CommandError as exc:
        pytest.fail(f"verify_results refused {cycle.slug}: {exc}\n{err.getvalue()}")
    return out.getvalue()


def sealed(cycle) -> list[Sheet]:
    """The cycle's confirmed sheets, each checked against the seal of its content."""
    from evaluation.services.sheet import sheet_content_hash

    sheets = list(
        Sheet.objects.filter(
            assignment__application__cycle=cycle, status=SheetStatus.CONFIRMED
        ).select_related("assignment__application__cycle")
    )
    for sheet in sheets:
        assert sheet.content_hash == sheet_content_hash(sheet), sheet.assignment
    return sheets


def test_score_application_with_exclusions_and_drafts_verifies(
    cycle, application, other_application, evaluator, other_evaluator, make_user
):
    third = make_user("evaluator3", Role.EVALUATOR)
    late = make_user("evaluator4", Role.EVALUATOR)
    score_application(
        application,
        {evaluator: "S", other_evaluator: "A", late: "D"},
        confirmed={evaluator, other_evaluator},
    )
    score_application(
        other_application,
        {evaluator: "B", other_evaluator: {"A.1.1": "S"}, third: "C"},
        excluded=(third,),
    )
    assert len(sealed(cycle)) == 5  # late's sheet is a draft
    assert Result.objects.filter(application__cycle=cycle).count() == 2
    assert "결과 2건이 모두 재계산 값과 같습니다" in verified(cycle)


def test_entries_of_every_scoring_method_verify(admin_user, evaluator, institution):
    version = mixed_rubric(code="factories-mixed")
    cycle = make_cycle(version, slug="factories-mixed", by=admin_user)
    app = add_application(cycle, institution, admin_user)
    entries = {item.code: entry_for(item) for item in version.items.all()}
    score_application(app, {evaluator: entries})
    assert len(sealed(cycle)) == 1
    assert "결과 1건이 모두 재계산 값과 같습니다" in verified(cycle)


def test_scored_cycle_and_seeded_scores_verify(admin_user):
    cycle, apps = scored_cycle(
        build_rubric(code="factories-cycle"), n_applications=3, n_evaluators=2, slug="fac-2026"
    )
    evaluators = list(
        Sheet.objects.filter(assignment__application=apps[0]).values_list(
            "assignment__evaluator", flat=True
        )
    )
    extra = add_application(cycle, make_institution("추가기관", 1), admin_user)
    from institutions.models import User

    score_seeded(
        extra, list(User.objects.filter(pk__in=evaluators)), seed=9, long_comment="긴 " * 50
    )
    assert len(sealed(cycle)) == 8
    assert apps[2].substitutions.count() == 1  # area D replaced by a certificate
    assert (
        sorted(Result.objects.filter(application__cycle=cycle).values_list("rank", flat=True))[0]
        == 1
    )
    assert "결과 4건이 모두 재계산 값과 같습니다" in verified(cycle)


def test_a_made_up_hash_is_refused(cycle, application, evaluator):
    """The check above can fail: the hash ``tests/reports/scored.py`` used to write."""
    score_application(application, {evaluator: "A"})
    fake = hashlib.sha256(f"{application.pk}-{evaluator.pk}".encode()).hexdigest()
    Sheet._base_manager.filter(assignment__application=application).update(content_hash=fake)
    with pytest.raises(CommandError):
        call_command("verify_results", cycle.slug, stdout=StringIO(), stderr=StringIO())
