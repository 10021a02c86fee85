"""Demo data for the evaluation app: the cycle ``demo-2026`` on the seed rubric, five
applications with evidence for most items, and one institution holding a valid ISMS
certificate. Idempotent: what exists is left as it is.

The cycle is fully scored, through the same services as the product's pages: evaluator1–3
are assigned to every application, sign the cycle's pledge, declare no conflict, score every
item (with a 강점 comment) and confirm (확정) with their password; the results are computed on
each 확정. The ISMS holder (inst3) has area D substituted by its certificate, confirmed by the
admin before scoring; inst4 falls short of the 700-point threshold; one item of inst2 is scored
far apart (a disagreement flag). inst1's application stays a draft with A.1.1 unattached, so
the newcomer's upload journey still works.

Evidence files are generated here (small real PDFs rendered by WeasyPrint, one PNG, one XLSX)
and go through the same service as a user's upload, so they are sniffed, hashed and stored
under random keys like any other.
"""

from __future__ import annotations

import io
import logging
import struct
import zlib
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from html import escape

from django.core.files.base import ContentFile
from django.utils import timezone

import indicators.demo
from institutions.models import Certificate, Institution, User

from . import services
from .models import Application, ApplicationStatus, Cycle, Stage

CYCLE_SLUG = "demo-2026"

# username → (status to leave the application in, items (by position) without evidence)
DEMO_APPLICATIONS = {
    "inst1": (ApplicationStatus.DRAFT, {0, 7, 12, 18}),
    "inst2": (ApplicationStatus.SUBMITTED, set()),
    "inst3": (ApplicationStatus.SUBMITTED, {13, 14}),  # area D: substituted by ISMS
    "inst4": (ApplicationStatus.SUBMITTED, {5, 9, 16}),
    "inst5": (ApplicationStatus.DRAFT, {2, 3, 10, 15, 17}),
}
ISMS_HOLDER = "inst3"

_font_config = None


def _pdf(title: str, lines: list[str]) -> bytes:
    global _font_config
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    if _font_config is None:
        _font_config = FontConfiguration()
        logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    body = "".join(f"<p>{escape(line)}</p>" for line in lines)
    html = (
        '<html lang="ko"><head><style>@page { size: A4; margin: 2cm } '
        'body { font-family: "NanumGothic", "Noto Sans CJK KR", sans-serif; font-size: 11pt } '
        "h1 { font-size: 16pt }</style></head>"
        f"<body><h1>{escape(title)}</h1>{body}</body></html>"
    )
    return HTML(string=html).write_pdf(font_config=_font_config)


def _png(seed: int) -> bytes:
    """A small real PNG (a 320×200 colour gradient), different for each seed."""
    width, height = 320, 200
    rows = b"".join(
        b"\x00"
        + bytes(
            value
            for x in range(width)
            for value in ((x * 255 // width + seed) % 256, y * 255 // height, 160)
        )
        for y in range(height)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def _xlsx(institution: str, item_code: str) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "처리대장"
    sheet.append(["접수일", "구분", "내용", "처리 결과"])
    for day in range(1, 6):
        sheet.append([f"2025-0{day}-1{day}", "고객불만", f"{institution} 민원 {day}", "처리 완료"])
    sheet.append([f"{item_code} 증빙 ({institution})"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


_item_pdfs: dict[int, bytes] = {}


def _item_pdf(item) -> bytes:
    """One rendered PDF per item, shared by the institutions (duplicates are refused only
    within one application), so seeding renders 19 PDFs rather than ~80."""
    if item.pk not in _item_pdfs:
        _item_pdfs[item.pk] = _pdf(
            f"{item.code} {item.title}",
            [
                f"평가항목: {item.code} {item.title}",
                "이 문서는 데모용으로 자동 생성한 증빙 자료입니다.",
                *(f"· {line}" for line in (item.purpose or [])[:2]),
            ],
        )
    return _item_pdfs[item.pk]


def _evidence_files(institution: Institution, item, position: int) -> list[ContentFile]:
    name = institution.name
    files = [ContentFile(_item_pdf(item), name=f"{item.code}_{item.title}_{name}.pdf")]
    if position == 2:
        files.append(ContentFile(_xlsx(name, item.code), name=f"{item.code}_처리대장.xlsx"))
    if position == 4:
        files.append(
            ContentFile(_png(institution.pk * 7 + position), name=f"{item.code}_현장사진.png")
        )
    return files


def _demo_deadline(today: date) -> datetime:
    return timezone.make_aware(datetime.combine(today + timedelta(days=30), time(18, 0)))


def _cycle(rubric_version, admin: User) -> Cycle:
    existing = Cycle.objects.filter(slug=CYCLE_SLUG).first()
    if existing is not None:
        if existing.evidence_deadline < timezone.now() + timedelta(days=7):
            # A demo database seeded long ago: keep the demo usable (uploads need an open
            # deadline). Demo data only; real cycles never change their deadline this way.
            Cycle.objects.filter(pk=existing.pk).update(
                evidence_deadline=_demo_deadline(timezone.localdate())
            )
            existing.refresh_from_db()
        return existing
    today = timezone.localdate()
    deadline = _demo_deadline(today)
    deadline_day = timezone.localtime(deadline).date()
    cycle = services.cycle_create(
        by=admin,
        title="2026년 고용서비스 우수기관 인증 평가 (직업정보제공사업)",
        slug=CYCLE_SLUG,
        rubric_version=rubric_version,
        reference_date=date(2026, 1, 1),
        evidence_deadline=deadline,
        pass_threshold=Decimal("700"),
        aggregation_rule="trimmed_mean",
        evaluators_per_application=3,
        stage_dates={
            Stage.ANNOUNCEMENT: today - timedelta(days=14),
            Stage.APPLICATION: today - timedelta(days=7),
            Stage.DOCUMENT_REVIEW: deadline_day + timedelta(days=1),
            Stage.SITE_VISIT: deadline_day + timedelta(days=21),
            Stage.COMMITTEE: deadline_day + timedelta(days=45),
            Stage.NOTIFICATION: deadline_day + timedelta(days=52),
            Stage.APPEAL: deadline_day + timedelta(days=53),
            Stage.FINAL: deadline_day + timedelta(days=70),
        },
        area_minimums={"B": Decimal("0.5")},
    )
    return services.cycle_advance_stage(cycle=cycle, by=admin, expected_stage=Stage.ANNOUNCEMENT)


def _certificate(institution: Institution) -> Certificate:
    cert, created = Certificate.objects.get_or_create(
        kind="ISMS",
        number="ISMS-KISA-2024-0137",
        defaults={
            "institution": institution,
            "issuer": "한국인터넷진흥원",
            "valid_from": date(2024, 3, 1),
            "valid_until": date(2027, 2, 28),
        },
    )
    if created:
        content = _pdf(
            "정보보호 관리체계(ISMS) 인증서",
            [
                f"인증번호: {cert.number}",
                f"기관: {institution.name}",
                "유효기간: 2024-03-01 ~ 2027-02-28",
            ],
        )
        cert.file.save("isms-certificate.pdf", ContentFile(content), save=True)
    return cert


def seed(*, stdout=None) -> dict:
    rubric_version = indicators.demo.seed()
    admin = User.objects.get(username="admin")
    cycle = _cycle(rubric_version, admin)
    items = list(
        rubric_version.items.select_related("indicator__area").order_by(
            "indicator__area__order", "indicator__order", "order"
        )
    )
    applications = {}
    for username, (status, missing) in DEMO_APPLICATIONS.items():
        user = User.objects.get(username=username)
        institution = user.institutions.get()
        if username == ISMS_HOLDER:
            _certificate(institution)
        application = Application.objects.filter(cycle=cycle, institution=institution).first()
        if application is None:
            application = services.application_create(cycle=cycle, institution=institution, by=user)
            for position, item in enumerate(items):
                if position in missing:
                    continue
                services.evidence_narrative_save(
                    application=application,
                    item=item,
                    narrative=f"{institution.name}의 {item.title} 관련 자료를 첨부합니다.",
                    by=user,
                )
                uploads = _evidence_files(institution, item, position)
                services.evidence_files_add(
                    application=application,
                    item=item,
                    uploads=[(f, f.name) for f in uploads],
                    by=user,
                )
            if status == ApplicationStatus.SUBMITTED:
                application = services.application_submit(application=application, by=user)
        applications[username] = application
    scored = _score(cycle, applications, admin, items)
    if stdout is not None:
        stdout.write(
            f"평가 주기 {cycle.slug}: 신청 {len(applications)}건, "
            f"증빙 제출 마감 {timezone.localtime(cycle.evidence_deadline):%Y-%m-%d %H:%M}, "
            f"확정된 평가표 {scored}건"
        )
    return {"cycle": cycle, "applications": applications}


# --- scoring -----------------------------------------------------------------------------------

DEMO_EVALUATORS = ("evaluator1", "evaluator2", "evaluator3")
GRADES = "SABCD"
# username → evaluator2's grade for each of the 19 items in rubric order; evaluator1 is a step
# more generous on every fourth item, evaluator3 a step stricter on every third. Under the
# cycle's trimmed mean the middle sheet counts: inst2 948, inst3 806 (D substituted: 150),
# inst1 804, inst5 708 and inst4 548 (below the 700-point threshold).
DEMO_PATTERNS = {
    "inst1": "ASABAASABAABAAASABA",
    "inst2": "SSASSASASSSASSASSAS",
    "inst3": "AABAAABAASAABAAAABA",
    "inst4": "BCBBCBBBCBBCBBCBBCB",
    "inst5": "ABBABBAABABBABAABBA",
}
# (institution, evaluator, item code) → grade: inst2's B.3.1 scored far apart (S, S, C):
# spread 48 > 0.40 × 80, a disagreement flag on the dashboard
DEMO_OVERRIDES = {("inst2", "evaluator3", "B.3.1"): "C"}


def _demo_grade(username: str, evaluator: str, position: int, code: str) -> str:
    override = DEMO_OVERRIDES.get((username, evaluator, code))
    if override:
        return override
    step = GRADES.index(DEMO_PATTERNS[username][position])
    if evaluator == "evaluator1" and position % 4 == 0:
        step -= 1
    elif evaluator == "evaluator3" and position % 3 == 1:
        step += 1
    return GRADES[min(max(step, 0), len(GRADES) - 1)]


def _substitute_isms(application: Application, admin: User) -> None:
    from .models import AreaSubstitution
    from .services.results import area_substitution_confirm

    area = application.cycle.rubric_version.areas.get(code="D")
    if AreaSubstitution.objects.filter(application=application, area=area).exists():
        return
    certificate = Certificate.objects.get(
        institution=application.institution, kind="ISMS", number="ISMS-KISA-2024-0137"
    )
    area_substitution_confirm(application=application, area=area, certificate=certificate, by=admin)


def _score(cycle: Cycle, applications: dict[str, Application], admin: User, items) -> int:
    """Assign, pledge, declare, score and confirm every sheet not yet confirmed (idempotent:
    confirmed sheets are left as they are). Returns the number of confirmed sheets."""
    from institutions.demo import DEMO_PASSWORD

    from .models import AreaSubstitution, Assignment, Declaration, ItemScore, Sheet
    from .services.assignment import assignments_create_bulk, conflict_declare, pledge_sign
    from .services.results import cycle_results_recompute
    from .services.sheet import score_record, sheet_confirm

    evaluators = [User.objects.get(username=name) for name in DEMO_EVALUATORS]
    _substitute_isms(applications[ISMS_HOLDER], admin)
    assignments_create_bulk(
        applications=list(applications.values()), evaluators=evaluators, by=admin
    )
    for evaluator in evaluators:
        pledge_sign(cycle=cycle, evaluator=evaluator, ip="127.0.0.1")
    substituted = set(
        AreaSubstitution.objects.filter(application__cycle=cycle).values_list(
            "application_id", "area_id"
        )
    )
    for username, application in applications.items():
        for evaluator in evaluators:
            assignment = Assignment.objects.get(application=application, evaluator=evaluator)
            sheet = Sheet.objects.filter(assignment=assignment).first()
            if sheet is not None and sheet.is_confirmed:
                continue
            if assignment.declaration == Declaration.PENDING:
                assignment = conflict_declare(assignment=assignment, conflict=False, by=evaluator)
            stored = {s.item_id: s for s in ItemScore.objects.filter(sheet__assignment=assignment)}
            for position, item in enumerate(items):
                if (application.pk, item.indicator.area_id) in substituted:
                    continue
                grade = _demo_grade(username, evaluator.username, position, item.code)
                current = stored.get(item.pk)
                score_record(
                    assignment=assignment,
                    item=item,
                    by=evaluator,
                    version=current.version if current else 0,
                    entry=grade,
                    strength=f"{item.title}: 계획과 실행 근거가 구체적으로 제시됨",
                    improvement="" if grade in "SA" else "성과 점검과 개선 주기를 명확히 할 필요",
                )
            sheet_confirm(assignment=assignment, by=evaluator, password=DEMO_PASSWORD)
    cycle_results_recompute(cycle=cycle)  # already current after each 확정; ranks settle
    return Sheet.objects.filter(assignment__application__cycle=cycle, status="confirmed").count()
