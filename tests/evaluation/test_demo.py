"""The demo (``manage.py seed_demo``): one cycle per moment of the certification process, each
state checked through the services and pages a user would use, and a second run changing
nothing. Seeding costs ~10 s of CPU, so one test seeds once and checks everything."""

import io
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from evaluation import process, queries
from evaluation.models import (
    Application,
    ApplicationStatus,
    Assignment,
    Certification,
    CertificationStatus,
    Cycle,
    Declaration,
    EvidenceFile,
    FileState,
    ItemScore,
    Objection,
    ObjectionStatus,
    Pledge,
    Result,
    ScoreAudit,
    Sheet,
    Stage,
)
from evaluation.queries.process import visible_objections
from evaluation.services.applications import application_create
from evaluation.services.evidence import evidence_files_add
from evaluation.services.objections import objection_rereview
from evaluation.services.sheet import StaleScoreError, score_record
from evaluation.sniff import sniff
from institutions.models import User
from operations.demo.cycles import EARLY

from .files import pdf_bytes

pytestmark = pytest.mark.django_db

MODELS = (
    Cycle,
    Application,
    EvidenceFile,
    Assignment,
    Pledge,
    Sheet,
    ItemScore,
    ScoreAudit,
    Result,
    Objection,
    Certification,
    User,
)


def _counts():
    return {m.__name__: m.objects.count() for m in MODELS}


def _apps(slug):
    return {
        a.institution.memberships.get().user.username: a
        for a in Application.objects.filter(cycle__slug=slug).select_related("cycle", "institution")
    }


def _items(cycle):
    return list(
        cycle.rubric_version.items.select_related("indicator__area").order_by(
            "indicator__area__order", "indicator__order", "order"
        )
    )


def _user(name):
    return User.objects.get(username=name)


def test_seed_demo_builds_each_stage_through_the_services_and_is_idempotent(
    _uploads_in_tmp, client
):
    call_command("seed_demo", stdout=io.StringIO())
    counts = _counts()
    stored = sorted(p for p in _uploads_in_tmp.rglob("*") if p.is_file())
    stamps = list(Result.objects.order_by("pk").values_list("computed_at", flat=True))
    call_command("seed_demo", stdout=io.StringIO())
    assert _counts() == counts
    assert sorted(p for p in _uploads_in_tmp.rglob("*") if p.is_file()) == stored
    assert list(Result.objects.order_by("pk").values_list("computed_at", flat=True)) == stamps

    stages = dict(Cycle.objects.values_list("slug", "stage"))
    assert stages == {
        "demo-2026": Stage.APPEAL,
        "demo-2023": Stage.FINAL,
        "demo-open": Stage.APPLICATION,
        "demo-review": Stage.DOCUMENT_REVIEW,
    }
    # Every stored file is real: its bytes exist and sniff as the recorded kind.
    files = list(EvidenceFile.objects.all())
    assert {f.kind for f in files} == {"pdf", "xlsx", "png", "docx"}
    for f in files:
        with default_storage.open(f.storage_key, "rb") as handle:
            assert sniff(handle).kind == f.kind

    _check_2026()
    _check_2023(client)
    _check_open()
    _check_review()


def _check_2026():
    apps = _apps("demo-2026")
    cycle = apps["inst1"].cycle
    assert cycle.closed_early_reason == EARLY
    assert {u: a.status for u, a in apps.items()} == {
        "inst1": ApplicationStatus.SUBMITTED,
        "inst2": ApplicationStatus.SUBMITTED,
        "inst3": ApplicationStatus.SUBMITTED,
        "inst4": ApplicationStatus.SUBMITTED,
        "inst5": ApplicationStatus.NOT_SUBMITTED,
    }
    # 미제출: never evaluated, no result
    assert not Result.objects.filter(application=apps["inst5"]).exists()
    assert not Assignment.objects.filter(application=apps["inst5"]).exists()
    assert not process.result_visible_to_institution(apps["inst5"])
    # notified: each evaluated institution sees its result, and may still object
    assert all(process.result_visible_to_institution(apps[u]) for u in ("inst1", "inst2", "inst3"))
    assert process.objection_window_open(cycle)
    objection = Objection.objects.get(application__cycle=cycle)
    assert (objection.application, objection.filed_by.username) == (apps["inst4"], "inst4")
    assert objection.status == ObjectionStatus.PENDING
    contested = [oi.item for oi in objection.items.order_by("item__code")]
    assert [i.code for i in contested] == ["A.2.1", "B.2.1"]
    assert visible_objections(_user("admin")).filter(pk=objection.pk).exists()
    # the gate out of 이의신청 names the pending objection and the open window
    blockers = [b.message for b in process.stage_blockers(cycle)]
    assert any("이의신청 기간" in m for m in blockers)
    assert any("푸른직업정보: 이의신청이 '접수' 상태" in m for m in blockers)

    # Nobody can score on demo-2026 ...
    items = _items(cycle)
    for assignment in Assignment.objects.filter(application__cycle=cycle).select_related(
        "evaluator"
    ):
        assert process.scoring_blockers(assignment, items[0])
    sheet_of = Assignment.objects.get(application=apps["inst4"], evaluator__username="evaluator1")
    stored = ItemScore.objects.get(sheet__assignment=sheet_of, item=contested[0])
    with pytest.raises(ValidationError, match="재심으로 다시 열린 항목만"):
        score_record(
            assignment=sheet_of,
            item=contested[0],
            by=sheet_of.evaluator,
            version=stored.version,
            entry="S",
            strength="재검토",
        )
    # ... except on the items an admin reopens for 재심.
    objection_rereview(
        objection=objection, by=_user("admin"), reason="증빙 재검토", item_ids=[contested[0].pk]
    )
    saved = score_record(
        assignment=sheet_of,
        item=contested[0],
        by=sheet_of.evaluator,
        version=stored.version,
        entry="A",
        strength="재심: 연간 목표와 일정 확인",
        improvement="",
    )
    assert saved.version == stored.version + 1
    assert process.scoring_blockers(sheet_of, contested[1])


def _check_2023(client):
    apps = _apps("demo-2023")
    cycle = apps["inst1"].cycle
    today = timezone.localdate()
    assert {a.status for a in apps.values()} == {ApplicationStatus.DECIDED}
    certs = {c.institution.memberships.get().user.username: c for c in cycle.certifications.all()}
    assert sorted(certs) == ["inst1", "inst2", "inst3"]  # inst4 failed
    assert {u: c.status for u, c in certs.items()} == {
        "inst1": CertificationStatus.VALID,
        "inst2": CertificationStatus.VALID,
        "inst3": CertificationStatus.REVOKED,
    }
    for cert in certs.values():  # issued as a 2023 cycle's, ending within 90 days
        assert cert.valid_from < today - timedelta(days=365 * 2)
        assert today < cert.valid_until <= today + timedelta(days=90)
        assert cert.number.startswith(f"제{cert.valid_from.year}-")
    assert Objection.objects.get(application=apps["inst4"]).status == ObjectionStatus.DISMISSED
    # the public page says 유효 / 취소
    for username, word in (("inst1", "유효"), ("inst3", "취소")):
        page = client.get(
            reverse("evaluation:certification_verify", args=[certs[username].verification_code])
        )
        assert page.status_code == 200
        assert word in page.content.decode()
    # 확정 froze the cycle: no scoring, no change to a score
    assignment = Assignment.objects.filter(application=apps["inst1"]).first()
    assert process.scoring_blockers(assignment, _items(cycle)[0])
    assert process.freeze_blockers(cycle, "점수")


def _check_open():
    cycle = Cycle.objects.get(slug="demo-open")
    assert cycle.evidence_deadline > timezone.now() + timedelta(days=20)
    apps = _apps("demo-open")
    assert list(apps) == ["inst1"]
    draft = apps["inst1"]
    assert draft.status == ApplicationStatus.DRAFT
    # 재인증: it renews inst1's demo-2023 certificate, which ends within 90 days
    assert draft.renewal_of.cycle.slug == "demo-2023"
    current = EvidenceFile.objects.filter(application=draft, state=FileState.CURRENT)
    with_files = set(current.values_list("evidence__item__code", flat=True))
    assert len(with_files) == 10  # about half of the 19 items
    assert {"pdf", "png", "docx"} <= set(current.values_list("kind", flat=True))
    # inst1 can upload to an item without evidence, and could submit
    inst1 = _user("inst1")
    assert queries.can_edit_evidence(inst1, draft) and queries.can_submit(inst1, draft)
    empty = next(i for i in _items(cycle) if i.code not in with_files)
    added = evidence_files_add(
        application=draft,
        item=empty,
        uploads=[(ContentFile(pdf_bytes(), name="추가자료.pdf"), "추가자료.pdf")],
        by=inst1,
    )
    assert [f.kind for f in added] == ["pdf"]
    # inst2 has not applied, and can
    inst2 = _user("inst2")
    created = application_create(cycle=cycle, institution=inst2.institutions.get(), by=inst2)
    assert created.status == ApplicationStatus.DRAFT


def _check_review():
    apps = _apps("demo-review")
    cycle = apps["inst2"].cycle
    assert cycle.closed_early_reason == EARLY
    assert sorted(apps) == ["inst2", "inst4", "inst5"]
    assert {a.status for a in apps.values()} == {ApplicationStatus.SUBMITTED}
    assignments = Assignment.objects.filter(application__cycle=cycle)
    assert assignments.count() == 9
    assert set(assignments.values_list("declaration", "exclusion")) == {(Declaration.NONE, "")}
    assert Pledge.objects.filter(cycle=cycle).count() == 3
    progress = {
        (a.evaluator.username, a.application.institution.memberships.get().user.username): (
            ItemScore.objects.filter(sheet__assignment=a).count(),
            Sheet.objects.filter(assignment=a, status="confirmed").exists(),
        )
        for a in assignments.select_related("evaluator", "application__institution")
    }
    assert {k: v for k, v in progress.items() if k[0] == "evaluator1"} == {
        ("evaluator1", "inst2"): (10, False),
        ("evaluator1", "inst4"): (0, False),
        ("evaluator1", "inst5"): (0, False),
    }
    assert sorted(k for k, v in progress.items() if v[1]) == [
        ("evaluator2", "inst2"),
        ("evaluator2", "inst4"),
        ("evaluator3", "inst5"),
    ]
    # evaluator1 autosaves the next item of the half-scored sheet; a second tab holding the
    # old version is refused (the 409 of the page)
    evaluator1 = _user("evaluator1")
    half = assignments.get(evaluator=evaluator1, application=apps["inst2"])
    item = _items(cycle)[10]
    assert process.scoring_blockers(half, item) == []
    saved = score_record(
        assignment=half, item=item, by=evaluator1, version=0, entry="A", strength="근거 충분"
    )
    assert saved.version == 1
    with pytest.raises(StaleScoreError):
        score_record(
            assignment=half, item=item, by=evaluator1, version=0, entry="B", strength="다른 탭"
        )
    untouched = assignments.get(evaluator=evaluator1, application=apps["inst4"])
    assert process.scoring_blockers(untouched, item) == []
