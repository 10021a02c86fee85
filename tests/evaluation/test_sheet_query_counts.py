"""The score sheet runs a constant number of queries (≤ 15): the same for 19 and 190 items and
for 3 and 9 evaluators; autosave and the audit page are constant too."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from evaluation import services
from evaluation.models import (
    Evidence,
    EvidenceFile,
    ItemScore,
    ScoreAudit,
    Sheet,
    SheetStatus,
    Stage,
)
from evaluation.services.assignment import assignment_create, conflict_declare, pledge_sign
from evaluation.services.sheet import sheet_content_hash
from institutions.roles import Role

from ..factories import build_rubric
from ..process import open_for_scoring

pytestmark = pytest.mark.django_db

MAX_SHEET_QUERIES = 15


def _cycle(version, admin):
    cycle = services.cycle_create(
        by=admin,
        title="쿼리 수",
        slug=f"q{version.pk}",
        rubric_version=version,
        reference_date=date(2026, 1, 1),
        evidence_deadline=timezone.now() + timedelta(days=3),
        pass_threshold=Decimal("1"),
        show_other_sheets_after_confirm=True,
    )
    return services.cycle_advance_stage(cycle=cycle, by=admin, expected_stage=Stage.ANNOUNCEMENT)


def _scored(assignment, items, *, confirmed: bool):
    """A sheet with every item scored (rows made in bulk: test data, not the path measured;
    2,508 saves through ``score_record`` per test would take minutes). A confirmed sheet is
    sealed with its real hash, as ``sheet_confirm`` seals it."""
    sheet = Sheet.objects.create(assignment=assignment, status=SheetStatus.DRAFT)
    rows = ItemScore.objects.bulk_create(
        ItemScore(
            sheet=sheet,
            item=item,
            grade="A",
            points=Decimal("8"),
            strength=f"{item.code} 강점",
            improvement="개선",
            version=1,
        )
        for item in items
    )
    ScoreAudit.objects.bulk_create(
        ScoreAudit(sheet=sheet, item=row.item, actor=assignment.evaluator, action="save", new={})
        for row in rows
    )
    if confirmed:  # status, time and seal together, as the table's constraint requires
        sheet.status, sheet.confirmed_at = SheetStatus.CONFIRMED, timezone.now()
        sheet.content_hash = sheet_content_hash(sheet)
        sheet.save(update_fields=["status", "confirmed_at", "content_hash"])
    return sheet


def _world(n_items, n_evaluators, make_user, make_institution, admin_user):
    version = build_rubric(n_items=n_items, code=f"r{n_items}-{n_evaluators}")
    cycle = _cycle(version, admin_user)
    institution = make_institution()
    member = make_user(f"m{n_items}-{n_evaluators}", Role.INSTITUTION)
    from institutions.services import membership_add

    membership_add(user=member, institution=institution)
    application = services.application_create(cycle=cycle, institution=institution, by=member)
    items = list(version.items.all())
    evidences = Evidence.objects.bulk_create(
        Evidence(application=application, item=item, narrative=f"{item.code} 설명")
        for item in items
    )
    EvidenceFile.objects.bulk_create(
        EvidenceFile(
            evidence=evidence,
            application=application,
            original_name=f"{evidence.item.code}-{n}.pdf",
            storage_key=f"q/{application.pk}-{evidence.pk}-{n}",
            size=100 + n,
            sha256=f"{application.pk:08d}{evidence.pk:08d}{n:048d}",
            kind="pdf",
            uploaded_by=member,
        )
        for evidence in evidences
        for n in range(2)
    )
    cycle = open_for_scoring(cycle, admin_user)  # scoring happens in 서류심사 (ADR 011)
    assignments = []
    for n in range(n_evaluators):
        user = make_user(f"ev{n_items}-{n_evaluators}-{n}", Role.EVALUATOR)
        assignment = assignment_create(application=application, evaluator=user, by=admin_user)
        pledge_sign(cycle=cycle, evaluator=user, ip=None)
        assignments.append(conflict_declare(assignment=assignment, conflict=False, by=user))
    for assignment in assignments:
        _scored(assignment, items, confirmed=True)
    return assignments[0], items


def _count(client, method, url, data=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = getattr(client, method)(url, data, headers={"HX-Request": "true"})
    assert response.status_code == 200, response.content[:500]
    return len(ctx.captured_queries)


SIZES = [(19, 3), (190, 3), (19, 9), (190, 9)]


def test_sheet_page_queries_are_constant(make_user, make_institution, admin_user, client_for):
    counts = {}
    for n_items, n_evaluators in SIZES:
        mine, items = _world(n_items, n_evaluators, make_user, make_institution, admin_user)
        client = client_for(mine.evaluator)
        url = reverse("evaluation:sheet", args=[mine.pk])
        client.get(url)  # warm per-process caches (the frozen rubric, content types)
        counts[n_items, n_evaluators] = _count(client, "get", url)
        # the biggest page: confirmed, the other evaluators' sheets shown
        assert b"other-sheets" in client.get(url).content
    print("sheet page (confirmed, others shown):", counts)
    assert len(set(counts.values())) == 1, counts
    assert max(counts.values()) <= MAX_SHEET_QUERIES, counts


def test_draft_sheet_page_and_autosave_queries_are_constant(
    make_user, make_institution, admin_user, client_for
):
    pages, saves = {}, {}
    for n_items, n_evaluators in SIZES:
        mine, items = _world(n_items, n_evaluators, make_user, make_institution, admin_user)
        Sheet.objects.filter(assignment=mine).update(
            status=SheetStatus.DRAFT, confirmed_at=None, content_hash=""
        )
        client = client_for(mine.evaluator)
        url = reverse("evaluation:sheet", args=[mine.pk])
        client.get(url)
        pages[n_items, n_evaluators] = _count(client, "get", url)
        save_url = reverse("evaluation:score_save", args=[mine.pk, items[0].code])
        _count(client, "post", save_url, {"version": 1, "grade": "S", "strength": "warm"})
        saves[n_items, n_evaluators] = _count(
            client, "post", save_url, {"version": 2, "grade": "B", "strength": "측정"}
        )
    print("draft sheet page:", pages, "autosave:", saves)
    assert len(set(pages.values())) == 1, pages
    assert max(pages.values()) <= MAX_SHEET_QUERIES, pages
    assert len(set(saves.values())) == 1, saves


def test_audit_page_queries_are_constant(make_user, make_institution, admin_user, client_for):
    counts = {}
    for n_items, n_evaluators in [(19, 3), (190, 9)]:
        mine, _ = _world(n_items, n_evaluators, make_user, make_institution, admin_user)
        client = client_for(admin_user)
        url = reverse("evaluation:sheet_audit", args=[mine.application_id])
        client.get(url)
        counts[n_items, n_evaluators] = _count(client, "get", url)
    print("audit page:", counts)
    assert len(set(counts.values())) == 1, counts
