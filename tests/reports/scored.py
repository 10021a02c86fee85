"""Scored cycles for report tests and benchmarks, built with the ORM (read by reports only).

``score_application`` gives an application ``n_evaluators`` confirmed sheets with a grade, the
points it gives and both comments on every item, and stores its ``Result`` computed by
``evaluation.scoring`` (the same rules as the results service). ``rank_cycle`` stores ranks.
"""

from __future__ import annotations

import hashlib
import random
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from evaluation import scoring
from evaluation.adapters import scoring_rubric
from evaluation.models import (
    Application,
    ApplicationStatus,
    AreaSubstitution,
    Assignment,
    Cycle,
    ItemScore,
    Result,
    Sheet,
    SheetStatus,
    Stage,
)
from indicators.models import Area, Item
from institutions.models import Certificate, Institution, InstitutionType, User
from institutions.roles import Role
from institutions.services import user_grant_role

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


def make_evaluators(n: int, prefix: str = "eval") -> list[User]:
    users = []
    for i in range(n):
        user, created = User.objects.get_or_create(
            username=f"{prefix}{i + 1}", defaults={"name": f"평가위원{i + 1}"}
        )
        if created:
            user.set_unusable_password()
            user.save()
            user_grant_role(user=user, role=Role.EVALUATOR)
        users.append(user)
    return users


def make_institution(name: str, n: int) -> Institution:
    from institutions.validators import business_number_is_valid

    prefix = f"{7_000_000 + n:09d}"
    number = next(prefix + str(d) for d in range(10) if business_number_is_valid(prefix + str(d)))
    return Institution.objects.create(
        name=name, business_number=number, type=InstitutionType.WIDE, registered_on="2015-01-01"
    )


def make_cycle(rubric_version, *, slug="rpt-2026", by=None, **fields) -> Cycle:
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


def add_application(cycle: Cycle, institution: Institution, by: User) -> Application:
    return Application.objects.create(
        cycle=cycle,
        institution=institution,
        status=ApplicationStatus.SCORED,
        created_by=by,
        submitted_at=timezone.now() - timedelta(days=20),
    )


def score_application(
    application: Application,
    evaluators: list[User],
    *,
    seed: int = 0,
    substitute: str | None = None,
    grades: str | None = None,
    comments: bool = True,
    long_comment: str | None = None,
) -> Result:
    """Confirmed sheets for ``evaluators`` and the stored result. ``grades`` (one letter per
    evaluator) fixes every item's grade per evaluator; otherwise grades are seeded-random."""
    rng = random.Random(seed)
    cycle = application.cycle
    version = cycle.rubric_version
    items = list(
        Item.objects.filter(version=version)
        .select_related("indicator__area")
        .order_by("indicator__area__order", "indicator__order", "order")
    )
    rubric = scoring_rubric(version)
    substituted = set()
    if substitute:
        area = Area.objects.get(version=version, code=substitute)
        cert = Certificate.objects.create(
            institution=application.institution,
            kind="ISMS",
            number=f"ISMS-{application.pk}-{seed}",
            issuer="한국인터넷진흥원",
            valid_from=date(2025, 1, 1),
            valid_until=date(2027, 12, 31),
        )
        AreaSubstitution.objects.create(
            application=application,
            area=area,
            certificate=cert,
            confirmed_by=application.created_by,
        )
        substituted.add(substitute)
    pure_sheets = []
    now = timezone.now()
    for n, evaluator in enumerate(evaluators):
        assignment = Assignment.objects.create(application=application, evaluator=evaluator)
        sheet = Sheet.objects.create(
            assignment=assignment,
            status=SheetStatus.CONFIRMED,
            confirmed_at=now - timedelta(hours=len(evaluators) - n),
            content_hash=hashlib.sha256(f"{application.pk}-{evaluator.pk}".encode()).hexdigest(),
        )
        rows, points = [], {}
        for i, item in enumerate(items):
            if item.indicator.area.code in substituted:
                continue
            grade = grades[n] if grades else rng.choice(GRADES[:4])
            value = scoring.item_points(rubric.item(item.code), grade)
            points[item.code] = value
            strength = improvement = ""
            if comments:
                strength = STRENGTHS[(i + n) % len(STRENGTHS)]
                improvement = IMPROVEMENTS[(i + 2 * n) % len(IMPROVEMENTS)]
                if long_comment and i == 0 and n == 0:
                    strength = long_comment
            rows.append(
                ItemScore(
                    sheet=sheet,
                    item=item,
                    grade=grade,
                    points=value,
                    strength=strength,
                    improvement=improvement,
                    version=1,
                )
            )
        ItemScore.objects.bulk_create(rows)
        pure_sheets.append(scoring.Sheet(evaluator.username, points))
    return store_result(application, rubric, pure_sheets, substituted)


def store_result(application, rubric, pure_sheets, substituted) -> Result:
    cycle = application.cycle
    minimums = {m.area.code: m.ratio for m in cycle.area_minimums.select_related("area")}
    computed = scoring.aggregate(
        rubric,
        pure_sheets,
        rule=cycle.aggregation_rule,
        threshold=cycle.pass_threshold,
        area_minimums=minimums,
        substituted_areas=substituted,
        disagreement_ratio=cycle.disagreement_ratio,
    )
    result, _ = Result.objects.update_or_create(
        application=application,
        defaults={
            "total": computed.total.rounded,
            "areas": {a.code: str(a.score.rounded) for a in computed.areas},
            "penalties": computed.penalty_total.rounded,
            "decision": "pass" if computed.passed else "fail",
            "reasons": list(computed.reasons),
            "sheets_counted": len(pure_sheets),
            "computed_at": timezone.now(),
        },
    )
    return result


def rank_cycle(cycle: Cycle) -> None:
    results = list(Result.objects.filter(application__cycle=cycle, total__isnull=False))
    first: dict[Decimal, int] = {}
    for position, total in enumerate(sorted((r.total for r in results), reverse=True), 1):
        first.setdefault(total, position)
    for r in results:
        r.rank = first[r.total]
    Result.objects.bulk_update(results, ["rank"])


def _slug_number(slug: str) -> int:
    return int(hashlib.sha256(slug.encode()).hexdigest()[:4], 16) % 10_000


INSTITUTION_NAMES = ["한빛잡정보", "누리커리어", "다온일자리", "새봄취업정보", "바른잡스"]


def scored_cycle(
    rubric_version, *, n_applications=5, n_evaluators=3, slug="rpt-2026", admin=None, **fields
) -> tuple[Cycle, list[Application]]:
    """A cycle in the 결과통보 stage whose applications are all scored and ranked."""
    admin = admin or User.objects.filter(is_superuser=True).first()
    if admin is None:
        admin = User.objects.create_superuser(username=f"{slug}-admin", password=None)
    cycle = make_cycle(rubric_version, slug=slug, by=admin, **fields)
    evaluators = make_evaluators(n_evaluators, prefix=f"{slug}-ev")
    apps = []
    for i in range(n_applications):
        name = INSTITUTION_NAMES[i] if i < len(INSTITUTION_NAMES) else f"기관{i + 1:03d}"
        institution = make_institution(name, _slug_number(slug) * 1000 + i)
        app = add_application(cycle, institution, admin)
        score_application(app, evaluators, seed=i, substitute="D" if i == 2 else None)
        apps.append(app)
    rank_cycle(cycle)
    return cycle, apps
