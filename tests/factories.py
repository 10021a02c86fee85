"""Builders for test data that several apps share (the people are in ``tests/personas.py``).

``build_rubric`` makes a valid rubric version of any size without going through the importer,
so tests of other apps (and query-count tests at 19 vs 190 items) do not depend on it.

Scored applications are built in one place, ``score_application``, through the sheet services
(``score_record`` and ``sheet_confirm``): real seals, real audit rows, results stored by the
results service. ``score_seeded``, ``scored_cycle`` and the certification tests' ``with_result``
call it. ``tests/test_factories.py`` runs ``verify_results`` over what they make.
"""

from decimal import Decimal

from django.utils import timezone

from indicators.models import (
    Area,
    Checkpoint,
    GradeLevel,
    GradeScale,
    Indicator,
    Item,
    Rubric,
    RubricVersion,
    VersionStatus,
)

FIVE_LEVELS = [
    ("S", "탁월", "1.0"),
    ("A", "우수", "0.8"),
    ("B", "보통", "0.6"),
    ("C", "미흡", "0.4"),
    ("D", "매우미흡", "0.2"),
]


def build_rubric(
    *,
    n_items: int = 19,
    n_areas: int = 5,
    item_points: int = 10,
    code: str = "test-rubric",
    version: str = "1",
    published: bool = True,
    substitution_area: str | None = "D",
) -> RubricVersion:
    """A rubric with ``n_areas`` areas (A, B, …), one indicator per area and ``n_items`` grade
    items spread over them, each worth ``item_points``; total = n_items × item_points."""
    rubric, _ = Rubric.objects.get_or_create(
        code=code, defaults={"title": f"테스트 평가지표 {code}"}
    )
    per_area = [n_items // n_areas + (1 if i < n_items % n_areas else 0) for i in range(n_areas)]
    rv = RubricVersion.objects.create(
        rubric=rubric,
        version=version,
        title=rubric.title,
        total_points=Decimal(n_items * item_points),
        default_scoring={"method": "grade", "scale": "five-level"},
    )
    scale = GradeScale.objects.create(version=rv, name="five-level", title="5등급", order=0)
    GradeLevel.objects.bulk_create(
        GradeLevel(scale=scale, code=c, title=t, ratio=Decimal(r), order=i)
        for i, (c, t, r) in enumerate(FIVE_LEVELS)
    )
    items = []
    for a, count in enumerate(per_area):
        letter = chr(ord("A") + a)
        points = Decimal(count * item_points)
        substitution = None
        if letter == substitution_area:
            substitution = {
                "certificates": ["ISMS", "ISMS-P"],
                "award_ratio": "1.0",
                "note": "ISMS 대체",
            }
        area = Area.objects.create(
            version=rv,
            code=letter,
            title=f"영역 {letter}",
            points=points,
            order=a,
            substitution=substitution,
        )
        indicator = Indicator.objects.create(
            version=rv,
            area=area,
            code=f"{letter}.1",
            title=f"지표 {letter}.1",
            points=points,
            order=0,
        )
        for i in range(count):
            items.append(
                Item(
                    version=rv,
                    indicator=indicator,
                    code=f"{letter}.1.{i + 1}",
                    title=f"항목 {letter}.1.{i + 1}",
                    points=Decimal(item_points),
                    order=i,
                    method="grade",
                    params={"scale": "five-level"},
                    inherits_default=True,
                    purpose=[f"{letter}.1.{i + 1} 평가목적"],
                )
            )
    items = Item.objects.bulk_create(items)
    Checkpoint.objects.bulk_create(
        Checkpoint(item=item, order=0, text=f"{item.code} 착안사항", details=["세부 1"])
        for item in items
    )
    if published:
        RubricVersion.objects.filter(pk=rv.pk).update(
            status=VersionStatus.PUBLISHED, published_at=timezone.now()
        )
        rv.refresh_from_db()
    return rv


# --- scored applications: through the real services ---------------------------------------------
#
# Every scored application in the tests is built here, the way evaluators build one: assigned by
# an admin, the cycle's pledge signed, no conflict declared, every item saved by ``score_record``
# and the sheet signed by ``sheet_confirm`` (which seals it with the real HMAC and recomputes the
# result). ``verify_results`` accepts what these builders make (tests/test_factories.py).

GRADES = "SABCD"
STRENGTHS = [
    "운영계획과 투자계획이 구체적으로 수립되어 있고 예산 편성이 확인됨",
    "고객불만 처리 절차가 문서화되어 담당자와 처리 기한이 명확함",
    "구인·구직 정보의 정확성 검증 절차를 주기적으로 운영함",
    "개인정보 보호 교육을 연 2회 실시하고 이수율을 관리함",
]
IMPROVEMENTS = [
    "점검 결과를 다음 연도 계획에 반영한 근거가 부족함",
    "재발 방지 대책의 효과를 측정하는 지표가 필요함",
    "이용자 만족도 조사 표본이 작아 대표성이 낮음",
    "외부 위탁 업체에 대한 관리·감독 기록이 일부 누락됨",
]
INSTITUTION_NAMES = ["한빛잡정보", "누리커리어", "다온일자리", "새봄취업정보", "바른잡스"]


def plain_comments(position: int, sheet_number: int, item) -> tuple[str, str]:
    """(strength, improvement) of every item: a short strength, no improvement."""
    return "강점", ""


def report_comments(long_comment: str | None = None):
    """Comments as a report shows them: strengths and improvements that vary by item and
    evaluator; ``long_comment`` replaces the first evaluator's first strength."""

    def comments(position: int, sheet_number: int, item) -> tuple[str, str]:
        strength = STRENGTHS[(position + sheet_number) % len(STRENGTHS)]
        if long_comment and position == 0 and sheet_number == 0:
            strength = long_comment
        return strength, IMPROVEMENTS[(position + 2 * sheet_number) % len(IMPROVEMENTS)]

    return comments


def an_admin():
    """An admin to act for the tests' set-up: the first there is, or a new one."""
    from institutions.models import User
    from institutions.roles import Role, is_admin

    from .personas import make_user

    admin = next(
        (u for u in User.objects.filter(is_active=True).order_by("pk") if is_admin(u)), None
    )
    return admin or make_user("factory-admin", Role.ADMIN)


def make_evaluators(n: int, prefix: str = "eval") -> list:
    """``n`` evaluators ``<prefix>1``… (reused when they exist), who sign with ``PASSWORD``."""
    from institutions.models import User
    from institutions.roles import Role

    from .personas import make_user

    users = []
    for i in range(n):
        username = f"{prefix}{i + 1}"
        user = User.objects.filter(username=username).first()
        users.append(user or make_user(username, Role.EVALUATOR, name=f"평가위원{i + 1}"))
    return users


def make_institution(name: str, n: int):
    """An institution with a valid business number derived from ``n``."""
    from institutions.models import Institution, InstitutionType
    from institutions.validators import business_number_is_valid

    prefix = f"{7_000_000 + n:09d}"
    number = next(prefix + str(d) for d in range(10) if business_number_is_valid(prefix + str(d)))
    return Institution.objects.create(
        name=name, business_number=number, type=InstitutionType.WIDE, registered_on="2015-01-01"
    )


def make_cycle(rubric_version, *, slug="rpt-2026", by=None, **fields):
    """A cycle written straight at the 결과통보 stage (or ``stage=``), its evidence deadline
    past: for report and results tests, whose subject is not the process (the gates are tested
    in tests/evaluation/test_process.py). Sheets are still scored through the services."""
    from datetime import date, timedelta

    from evaluation.models import Cycle, Stage

    defaults = {
        "title": "2026 인증 평가",
        "slug": slug,
        "rubric_version": rubric_version,
        "reference_date": date(2026, 1, 1),
        "evidence_deadline": timezone.now() - timedelta(days=30),
        "pass_threshold": Decimal("600") if rubric_version.total_points >= 600 else Decimal("100"),
        "stage": Stage.NOTIFICATION,
        "created_by": by,
    }
    defaults.update(fields)
    return Cycle.objects.create(**defaults)


def add_application(cycle, institution, by):
    """``institution``'s application to ``cycle``, written as submitted and under scoring
    (these tests are about scores and results, not applying)."""
    from datetime import timedelta

    from evaluation.models import Application, ApplicationStatus

    return Application.objects.create(
        cycle=cycle,
        institution=institution,
        status=ApplicationStatus.SCORED,
        created_by=by,
        submitted_at=timezone.now() - timedelta(days=20),
    )


def substitute_area(application, code: str, *, by=None, number: str | None = None):
    """An ISMS certificate of the application's institution replaces area ``code``, confirmed
    by ``area_substitution_confirm`` (before any sheet is scored: its items are then left
    out of every sheet)."""
    from datetime import date

    from evaluation.services.results import area_substitution_confirm
    from indicators.models import Area
    from institutions.models import Certificate

    area = Area.objects.get(version=application.cycle.rubric_version_id, code=code)
    certificate = Certificate.objects.create(
        institution=application.institution,
        kind="ISMS",
        number=number or f"ISMS-{application.pk}-{code}",
        issuer="한국인터넷진흥원",
        valid_from=date(2025, 1, 1),
        valid_until=date(2027, 12, 31),
    )
    return area_substitution_confirm(
        application=application, area=area, certificate=certificate, by=by or an_admin()
    )


class _OpenForScoring:
    """The cycle at 서류심사 and the application submitted while sheets are scored; the
    cycle's stage is put back afterwards (results tests put their cycle where they need it)."""

    def __init__(self, application):
        self.application = application

    def __enter__(self):
        from evaluation.models import (
            EVALUATED_STATUSES,
            Application,
            ApplicationStatus,
            Cycle,
            Stage,
        )
        from evaluation.process import SCORING_STAGES

        app = self.application
        cycle = Cycle.objects.get(pk=app.cycle_id)
        self.stage = cycle.stage
        if cycle.stage not in SCORING_STAGES:
            Cycle.objects.filter(pk=cycle.pk).update(stage=Stage.DOCUMENT_REVIEW)
        status = Application.objects.filter(pk=app.pk).values_list("status", flat=True).get()
        if status not in EVALUATED_STATUSES:
            Application.objects.filter(pk=app.pk).update(
                status=ApplicationStatus.SUBMITTED, submitted_at=timezone.now()
            )
        _fresh(app)
        return self

    def __exit__(self, *exc):
        from evaluation.models import Cycle

        Cycle.objects.filter(pk=self.application.cycle_id).update(stage=self.stage)
        _fresh(self.application)
        return False


def _fresh(application) -> None:
    """Reload what scoring may change, keeping the caller's objects (``application.cycle``
    stays the object the test holds, as a plain ``refresh_from_db`` would not)."""
    application.refresh_from_db(fields=["status", "submitted_at"])
    application.cycle.refresh_from_db(fields=["stage"])


def score_application(
    application,
    grades: dict,
    *,
    confirmed=True,
    excluded: tuple = (),
    skip_areas: tuple = (),
    comments=plain_comments,
    by=None,
) -> list:
    """One sheet per evaluator in ``grades`` ({user: entry, or {item code: entry}}; an entry is
    a grade code, or what the sheet takes for a points, bands or penalty item; items missing
    from a dict get "B"), built through the sheet services. Returns the sheets.

    ``confirmed``: True, False, or a set of users whose sheets are signed (확정). ``excluded``:
    users who then declare a conflict (회피): before 확정 the assignment is excluded at once;
    after it, their withdrawal is accepted by an admin. Items of ``skip_areas`` are left
    unscored (such a sheet cannot be confirmed). ``comments(position, sheet_number, item)``
    gives each item's (strength, improvement)."""
    from evaluation.models import AreaSubstitution, Sheet
    from evaluation.services.assignment import (
        assignment_create,
        conflict_declare,
        pledge_sign,
        withdrawal_decide,
    )
    from evaluation.services.sheet import score_record, sheet_confirm
    from indicators.models import Item

    from .personas import PASSWORD

    admin = by or an_admin()
    substituted = set(
        AreaSubstitution.objects.filter(application=application).values_list("area_id", flat=True)
    )
    items = [
        item
        for item in Item.objects.filter(version=application.cycle.rubric_version_id)
        .select_related("indicator__area", "version")
        .order_by("indicator__area__order", "indicator__order", "order")
        if item.indicator.area_id not in substituted
    ]
    sheets = []
    with _OpenForScoring(application):
        for number, (user, grade) in enumerate(grades.items()):
            assignment = assignment_create(application=application, evaluator=user, by=admin)
            pledge_sign(cycle=application.cycle, evaluator=user, ip=None)
            assignment = conflict_declare(assignment=assignment, conflict=False, by=user)
            for position, item in enumerate(items):
                if item.indicator.area.code in skip_areas:
                    continue
                entry = grade.get(item.code, "B") if isinstance(grade, dict) else grade
                strength, improvement = comments(position, number, item)
                score_record(
                    assignment=assignment,
                    item=item,
                    by=user,
                    version=0,
                    entry=entry,
                    strength=strength,
                    improvement=improvement,
                )
            is_confirmed = confirmed is True or (isinstance(confirmed, set) and user in confirmed)
            if is_confirmed:
                sheet_confirm(assignment=assignment, by=user, password=PASSWORD)
            if user in excluded:
                conflict_declare(assignment=assignment, conflict=True, reason="친족 관계", by=user)
                if is_confirmed:  # after 확정 a 회피 is a request an admin decides
                    request = assignment.withdrawal_requests.get()
                    withdrawal_decide(request=request, accept=True, reason="친족 관계", by=admin)
            sheets.append(Sheet.objects.get(assignment=assignment))
    return sheets


def seeded_grades(application, evaluators, *, seed: int = 0, grades: str | None = None) -> dict:
    """{evaluator: {item code: grade}}: ``grades`` (one letter per evaluator) fixes every item's
    grade per evaluator; otherwise grades S–C are drawn from ``random.Random(seed)``."""
    import random

    from indicators.models import Item

    rng = random.Random(seed)
    codes = list(
        Item.objects.filter(version=application.cycle.rubric_version_id)
        .order_by("indicator__area__order", "indicator__order", "order")
        .values_list("code", flat=True)
    )
    return {
        evaluator: {code: grades[n] if grades else rng.choice(GRADES[:4]) for code in codes}
        for n, evaluator in enumerate(evaluators)
    }


def score_seeded(
    application,
    evaluators,
    *,
    seed: int = 0,
    substitute: str | None = None,
    grades: str | None = None,
    comments: bool = True,
    long_comment: str | None = None,
):
    """``score_application`` with seeded-random grades (or ``grades``, one letter per
    evaluator) and a report's comments; ``substitute`` names an area an ISMS certificate
    replaces. Returns the application's stored ``Result``."""
    from evaluation.models import Result

    if substitute:
        substitute_area(application, substitute, number=f"ISMS-{application.pk}-{seed}")
    score_application(
        application,
        seeded_grades(application, evaluators, seed=seed, grades=grades),
        comments=report_comments(long_comment) if comments else _no_comments,
    )
    return Result.objects.get(application=application)


def _no_comments(position, sheet_number, item) -> tuple[str, str]:
    return "", ""


def scored_cycle(
    rubric_version,
    *,
    n_applications=5,
    n_evaluators=3,
    slug="rpt-2026",
    admin=None,
    **fields,
):
    """A cycle (in the 결과통보 stage unless ``stage`` is given) whose applications are all
    scored through the sheet services, their results stored and ranked by them."""
    admin = admin or an_admin()
    cycle = make_cycle(rubric_version, slug=slug, by=admin, **fields)
    evaluators = make_evaluators(n_evaluators, prefix=f"{slug}-ev")
    apps = []
    for i in range(n_applications):
        name = INSTITUTION_NAMES[i] if i < len(INSTITUTION_NAMES) else f"기관{i + 1:03d}"
        institution = make_institution(name, _slug_number(slug) * 1000 + i)
        app = add_application(cycle, institution, admin)
        score_seeded(app, evaluators, seed=i, substitute="D" if i == 2 else None)
        apps.append(app)
    cycle.refresh_from_db()
    return cycle, apps


def _slug_number(slug: str) -> int:
    import hashlib

    return int(hashlib.sha256(slug.encode()).hexdigest()[:4], 16) % 10_000
