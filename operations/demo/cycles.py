"""The four demo cycles, each built once through the product's services and gates (ADR 011),
never by writing a stage: created at 공고, advanced by ``cycle_advance_to`` (which closes 신청
early with a recorded reason, turns drafts into 미제출, checks every gate), applied to and
submitted by the institutions' members, assigned and scored by the evaluators, decided by the
admin. A cycle that already exists is left exactly as it is (idempotent).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

from evaluation import services
from evaluation.models import Application, Assignment, Cycle, Result, Stage
from evaluation.services.assignment import assignments_create_bulk, pledge_sign
from evaluation.services.certification import (
    add_years,
    certification_revoke,
    certifications_issue_for_cycle,
)
from evaluation.services.cycles import cycle_advance_to
from evaluation.services.objections import objection_dismiss, objection_file
from evaluation.services.results import area_substitution_confirm, result_committee_decide
from institutions.models import Certificate, Institution, User

from . import files
from .scores import score_sheet

EARLY = "데모: 신청 조기 마감"
EVALUATORS = ("evaluator1", "evaluator2", "evaluator3")
TITLE = "고용서비스 우수기관 인증 평가 (직업정보제공사업)"
ISMS_NUMBER = "ISMS-KISA-2024-0137"


@dataclass
class World:
    admin: User
    rubric_version: object
    items: list  # the rubric's items in rubric order

    def member(self, username: str) -> User:
        return User.objects.get(username=username)

    def institution(self, username: str) -> Institution:
        return self.member(username).institutions.get()


def _evening(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(18, 0)))


def _plan(start: date, offsets: tuple[int, ...]) -> dict[str, date]:
    """Planned stage dates (shown on the cycle page): ``start`` + each offset in days."""
    return {
        stage: start + timedelta(days=d) for stage, d in zip(Stage.values, offsets, strict=True)
    }


def _create(world: World, *, slug: str, title: str, reference_date: date, deadline, plan) -> Cycle:
    cycle = services.cycle_create(
        by=world.admin,
        title=title,
        slug=slug,
        rubric_version=world.rubric_version,
        reference_date=reference_date,
        evidence_deadline=deadline,
        pass_threshold=Decimal("700"),
        aggregation_rule="trimmed_mean",
        evaluators_per_application=3,
        stage_dates=plan,
        area_minimums={"B": Decimal("0.5")},
    )
    return cycle_advance_to(cycle=cycle, by=world.admin, to=Stage.APPLICATION)


def _apply(
    world: World,
    cycle: Cycle,
    username: str,
    *,
    with_files: set[int],
    submit: bool,
    docx_every: int = 0,
) -> Application:
    """The member applies, writes a narrative for every item and attaches files to the
    items at the positions ``with_files``; then submits when ``submit``."""
    user = world.member(username)
    institution = user.institutions.get()
    application = services.application_create(cycle=cycle, institution=institution, by=user)
    for position, item in enumerate(world.items):
        if position not in with_files:
            continue
        services.evidence_narrative_save(
            application=application,
            item=item,
            narrative=f"{institution.name}의 {item.title} 관련 자료를 첨부합니다.",
            by=user,
        )
        uploads = files.evidence_files(institution, item, position, docx_every=docx_every)
        services.evidence_files_add(
            application=application, item=item, uploads=[(f, f.name) for f in uploads], by=user
        )
    if submit:
        application = services.application_submit(application=application, by=user)
    return application


def _assign(world: World, cycle: Cycle, applications: list[Application]) -> list[User]:
    evaluators = [world.member(name) for name in EVALUATORS]
    assignments_create_bulk(applications=applications, evaluators=evaluators, by=world.admin)
    for evaluator in evaluators:
        pledge_sign(cycle=cycle, evaluator=evaluator, ip="127.0.0.1")
    return evaluators


def _score_all(world: World, applications: dict[str, Application], skip=None) -> None:
    for username, application in applications.items():
        for assignment in Assignment.objects.filter(application=application).select_related(
            "evaluator"
        ):
            score_sheet(
                assignment=assignment,
                username=username,
                items=world.items,
                skip_areas=(skip or {}).get(username, set()),
            )


def _decide_all(world: World, cycle: Cycle) -> None:
    """The 인증위원회 takes the computed decision on every evaluated application."""
    for result in Result.objects.filter(application__cycle=cycle).order_by("pk"):
        result_committee_decide(result=result, by=world.admin)


def _isms_certificate(institution: Institution) -> Certificate:
    cert, created = Certificate.objects.get_or_create(
        kind="ISMS",
        number=ISMS_NUMBER,
        defaults={
            "institution": institution,
            "issuer": "한국인터넷진흥원",
            "valid_from": date(2024, 3, 1),
            "valid_until": date(2027, 2, 28),
        },
    )
    if created:
        content = files.pdf(
            "정보보호 관리체계(ISMS) 인증서",
            [
                f"인증번호: {cert.number}",
                f"기관: {institution.name}",
                "유효기간: 2024-03-01 ~ 2027-02-28",
            ],
        )
        cert.file.save("isms-certificate.pdf", ContentFile(content), save=True)
    return cert


def _all_positions() -> set[int]:
    return set(range(19))


# --- demo-2026: at 이의신청 ---------------------------------------------------------------------


def seed_2026(world: World) -> Cycle:
    """Four submitted applications scored by three evaluators each (inst3's area D substituted
    by its ISMS certificate, inst4 failing), inst5's draft closed as 미제출, the committee's
    decisions taken, results notified, and inst4's objection on two items waiting for an
    admin (기각 or 재심)."""
    today = timezone.localdate()
    cycle = _create(
        world,
        slug="demo-2026",
        title=f"2026년 {TITLE}",
        reference_date=date(2026, 1, 1),
        deadline=_evening(today + timedelta(days=1)),
        plan=_plan(today - timedelta(days=60), (0, 10, 40, 47, 53, 58, 60, 74)),
    )
    missing = {"inst1": {0, 7, 12, 18}, "inst2": set(), "inst3": {13, 14}, "inst4": {5, 9, 16}}
    applications = {
        username: _apply(world, cycle, username, with_files=_all_positions() - gaps, submit=True)
        for username, gaps in missing.items()
    }
    _apply(world, cycle, "inst5", with_files={0, 1, 4, 6}, submit=False)  # becomes 미제출
    _isms_certificate(applications["inst3"].institution)
    cycle = cycle_advance_to(cycle=cycle, by=world.admin, to=Stage.DOCUMENT_REVIEW, reason=EARLY)
    area_d = world.rubric_version.areas.get(code="D")
    area_substitution_confirm(
        application=applications["inst3"],
        area=area_d,
        certificate=Certificate.objects.get(number=ISMS_NUMBER),
        by=world.admin,
    )
    _assign(world, cycle, list(applications.values()))
    _score_all(world, applications, skip={"inst3": {area_d.pk}})
    cycle = cycle_advance_to(cycle=cycle, by=world.admin, to=Stage.COMMITTEE)
    _decide_all(world, cycle)
    cycle = cycle_advance_to(cycle=cycle, by=world.admin, to=Stage.APPEAL)
    contested = [world.items[1], world.items[4]]
    objection_file(
        application=applications["inst4"],
        by=world.member("inst4"),
        reasons={
            contested[0].pk: (
                f"{contested[0].code}: 제출한 운영계획서에 연간 목표와 실행 일정이 모두 있는데 "
                "반영되지 않았습니다."
            ),
            contested[1].pk: (
                f"{contested[1].code}: 현장실사 때 보여 드린 개선 실적(2025년 4건)이 점수에 "
                "빠졌습니다."
            ),
        },
    )
    return cycle


# --- demo-2023: at 확정, certificates issued ----------------------------------------------------


def issue_date(today: date) -> date:
    """The day demo-2023's certificates were issued: three years' validity ending 44 days
    from today, so every certificate of that cycle is 유효 and ends within 90 days (the
    renewal window), whenever the demo is seeded."""
    return add_years(today, -3) + timedelta(days=45)


def seed_2023(world: World) -> Cycle:
    """A finished cycle: inst1–inst4 scored and decided (inst4 failing, its objection
    dismissed), 확정 with certificates issued to the three passing institutions; inst3's
    certificate revoked by the admin."""
    today = timezone.localdate()
    issued_on = issue_date(today)
    cycle = _create(
        world,
        slug="demo-2023",
        title=f"2023년 {TITLE}",
        reference_date=date(2023, 1, 1),
        deadline=_evening(today + timedelta(days=1)),
        plan=_plan(issued_on - timedelta(days=170), (0, 20, 60, 90, 125, 139, 140, 170)),
    )
    usernames = ("inst1", "inst2", "inst3", "inst4")
    applications = {
        u: _apply(world, cycle, u, with_files={0, 2, 4, 9, 14}, submit=True) for u in usernames
    }
    cycle = cycle_advance_to(cycle=cycle, by=world.admin, to=Stage.DOCUMENT_REVIEW, reason=EARLY)
    _assign(world, cycle, list(applications.values()))
    _score_all(world, applications)
    cycle = cycle_advance_to(cycle=cycle, by=world.admin, to=Stage.COMMITTEE)
    _decide_all(world, cycle)
    cycle = cycle_advance_to(cycle=cycle, by=world.admin, to=Stage.APPEAL)
    item = world.items[1]
    objection = objection_file(
        application=applications["inst4"],
        by=world.member("inst4"),
        reasons={item.pk: f"{item.code}: 제출한 자료가 충분히 검토되지 않았습니다."},
    )
    objection_dismiss(
        objection=objection,
        by=world.admin,
        reason="제출 증빙을 다시 확인했으나 평가 기준의 요구 수준에 미치지 못합니다.",
    )
    # The certificates carry the 2023 cycle's real issue date: issued with the service's own
    # ``on`` just before 확정, so the gate's issue on entering 확정 finds nothing left to issue.
    certifications_issue_for_cycle(cycle=cycle, by=world.admin, on=issued_on)
    # The gate's clock after the 이의신청 window (all objections decided): the cycle is past.
    after_window = timezone.now() + timedelta(days=cycle.objection_days, minutes=1)
    cycle = cycle_advance_to(cycle=cycle, by=world.admin, to=Stage.FINAL, now=after_window)
    certification_revoke(
        certification=applications["inst3"].certification,
        by=world.admin,
        reason="데모: 제재 처분(개인정보 보호 위반)에 따른 인증 취소",
    )
    return cycle


# --- demo-open: at 신청 -------------------------------------------------------------------------


def _open_deadline(today: date) -> datetime:
    return _evening(today + timedelta(days=30))


def seed_open(world: World) -> Cycle:
    """Open for applications until 30 days from today: inst1's draft (a 재인증 of its
    demo-2023 certificate) has evidence on about half the items; inst2 has not applied."""
    today = timezone.localdate()
    deadline = _open_deadline(today)
    reference = date(today.year + 1, 1, 1)
    cycle = _create(
        world,
        slug="demo-open",
        title=f"{reference.year}년 {TITLE}",
        reference_date=reference,
        deadline=deadline,
        plan=_plan(today - timedelta(days=7), (0, 3, 38, 58, 82, 89, 90, 104)),
    )
    _apply(
        world,
        cycle,
        "inst1",
        with_files={0, 1, 2, 4, 6, 8, 10, 12, 15, 17},
        submit=False,
        docx_every=3,
    )
    return cycle


def keep_open(cycle: Cycle) -> None:
    """A demo database seeded long ago: demo-open's deadline moves 30 days ahead again so
    that applying and uploading can still be tried. Demo data only (real cycles never change
    their deadline this way); a no-op while the deadline is a week or more away."""
    if cycle.stage == Stage.APPLICATION and cycle.evidence_deadline < timezone.now() + timedelta(
        days=7
    ):
        Cycle.objects.filter(pk=cycle.pk).update(
            evidence_deadline=_open_deadline(timezone.localdate())
        )


# --- demo-review: at 서류심사 -------------------------------------------------------------------


def seed_review(world: World) -> Cycle:
    """Three submitted applications (inst2, inst4, inst5) with evaluator1–3 assigned, pledges
    signed and no conflict: evaluator1 has scored half of inst2's sheet and not started the
    others; evaluator2 has confirmed inst2 and inst4; evaluator3 has confirmed inst5 and
    scored a few items of inst2."""
    today = timezone.localdate()
    cycle = _create(
        world,
        slug="demo-review",
        title=f"2026년 하반기 {TITLE}",
        reference_date=date(2026, 7, 1),
        deadline=_evening(today + timedelta(days=1)),
        plan=_plan(today - timedelta(days=30), (0, 5, 28, 45, 60, 67, 68, 82)),
    )
    usernames = ("inst2", "inst4", "inst5")
    applications = {
        u: _apply(world, cycle, u, with_files={0, 2, 4, 7, 11, 16}, submit=True) for u in usernames
    }
    cycle = cycle_advance_to(cycle=cycle, by=world.admin, to=Stage.DOCUMENT_REVIEW, reason=EARLY)
    _assign(world, cycle, list(applications.values()))
    plan = {  # (evaluator, institution) → (items scored, confirmed)
        ("evaluator1", "inst2"): (10, False),
        ("evaluator2", "inst2"): (None, True),
        ("evaluator2", "inst4"): (None, True),
        ("evaluator3", "inst5"): (None, True),
        ("evaluator3", "inst2"): (4, False),
    }
    for (evaluator, username), (upto, confirm) in plan.items():
        assignment = Assignment.objects.select_related("evaluator").get(
            application=applications[username], evaluator__username=evaluator
        )
        score_sheet(
            assignment=assignment,
            username=username,
            items=world.items,
            upto=upto,
            confirm=confirm,
        )
    # Every other assignment: no conflict declared, nothing scored yet.
    for assignment in Assignment.objects.filter(
        application__cycle=cycle, declaration="pending"
    ).select_related("evaluator"):
        score_sheet(assignment=assignment, username="", items=[], confirm=False)
    return cycle
