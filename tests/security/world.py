"""One seeded world for the security tests, and the URLconf walked into request cases.

The world (built once per test module, see ``conftest.py``):

- a cycle ``sec-2026`` on a published 19-item rubric (frozen by its use), in the 결과통보
  stage, one evaluator per application; a second cycle ``sec-open`` still taking
  applications (nobody has applied), so ``apply`` has a cycle to open;
- a draft rubric version with an area, an indicator, an item and a checkpoint, for the editor;
- institution A (``member``) and institution B (``other_member``), each with a submitted
  application carrying a PDF and a narrative on A.1.1;
- ``evaluator``: assigned to A's application, pledge signed, no conflict declared, every item
  scored and the sheet confirmed (확정), so A has a result; a 결과보고서 of A is stored;
- ``conflicted_evaluator``: assigned to A's application too, pledge signed, conflict
  declared (회피: the assignment is excluded);
- ``other_evaluator``: not assigned to A's application; cleared on B's application with a
  draft sheet -- an evaluator who works in the same cycle is the outsider most likely to slip
  through, so this persona covers "unassigned" and "assigned elsewhere" at once;
- a pending 기피 request by ``member`` against ``evaluator``'s assignment;
- ``manager`` and ``admin_user``.

URL kwargs are filled from the world by ``KWARG_RULES`` (route regex, kwarg name, value).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone

from evaluation import services
from evaluation.models import (
    Application,
    ApplicationStatus,
    Cycle,
    CycleStageAdvance,
    Objection,
    ObjectionItem,
    Stage,
    WithdrawalRequest,
)
from evaluation.services import assignment as assignment_services
from evaluation.services.sheet import score_record, sheet_confirm
from indicators.models import Area, Checkpoint, Indicator, Item
from institutions.models import Institution, InstitutionType
from institutions.services import membership_add, roles_sync
from reports.models import Report, ReportKind, ReportStatus

from ..evaluation import files as F
from ..factories import build_rubric
from ..personas import MATRIX_ORDER, PASSWORD, USERS, make_persona
from ..process import open_for_scoring

# Outsiders first, then the people the target objects belong to, then staff.
PERSONAS = MATRIX_ORDER

EVIDENCE_ITEM = "A.1.1"


@dataclass
class World:
    users: dict
    cycle: Cycle
    open_cycle: Cycle
    application: Application
    other_application: Application
    evidence_file: object
    assignment: object
    conflicted_assignment: object
    other_assignment: object
    challenge: object
    report: Report
    frozen_rubric: object
    draft_rubric: object
    draft_area: Area
    draft_indicator: Indicator
    draft_item: Item
    draft_checkpoint: Checkpoint
    media: object = None
    certification: object = None  # A's 인증서 (ADR 017)
    registration: object = None  # an institution's sign-up, e-mail not confirmed (ADR 016)
    objection: object = None  # A's pending 이의신청 on A.1.1 (ADR 011)
    withdrawal: object = None  # evaluator's pending 회피 request after 확정 (ADR 011)
    clients: dict = field(default_factory=dict)  # persona -> PersonaClient (conftest)


def _institution(name: str, n: int) -> Institution:
    from institutions.validators import business_number_is_valid

    prefix = f"{8_100_000 + n:09d}"
    number = next(prefix + str(d) for d in range(10) if business_number_is_valid(prefix + str(d)))
    return Institution.objects.create(
        name=name,
        business_number=number,
        type=InstitutionType.WIDE,
        registered_on=date(2015, 1, 1),
    )


def _cycle(rubric, admin, slug: str, title: str) -> Cycle:
    cycle = services.cycle_create(
        by=admin,
        title=title,
        slug=slug,
        rubric_version=rubric,
        reference_date=date(2026, 1, 1),
        evidence_deadline=timezone.now() + timedelta(days=7),
        pass_threshold=Decimal("100"),
        evaluators_per_application=1,
    )
    return services.cycle_advance_stage(cycle=cycle, by=admin, expected_stage=Stage.ANNOUNCEMENT)


def _evidence(application, member, text: str):
    item = application.cycle.rubric_version.items.get(code=EVIDENCE_ITEM)
    services.evidence_narrative_save(
        application=application, item=item, narrative=f"{text} 운영계획", by=member
    )
    [stored] = services.evidence_files_add(
        application=application,
        item=item,
        uploads=[(F.upload("운영계획서.pdf", F.pdf_bytes(text)), "운영계획서.pdf")],
        by=member,
    )
    return stored


def _submitted(application: Application) -> Application:
    """Submitted without a full checklist: these tests are about access, not evidence."""
    Application.objects.filter(pk=application.pk).update(
        status=ApplicationStatus.SUBMITTED, submitted_at=timezone.now()
    )
    application.refresh_from_db()
    return application


def _cleared(application, evaluator, admin, *, conflict: bool = False):
    assignment = assignment_services.assignment_create(
        application=application, evaluator=evaluator, by=admin
    )
    assignment_services.pledge_sign(cycle=application.cycle, evaluator=evaluator, ip="127.0.0.1")
    return assignment_services.conflict_declare(
        assignment=assignment,
        conflict=conflict,
        reason="전 직장 동료" if conflict else "",
        by=evaluator,
    )


def _report(application: Application, by) -> Report:
    """A finished 결과보고서 of ``application`` with its file stored (no render needed)."""
    content = F.pdf_bytes("result report")
    key = default_storage.save("reports/result/security-world.pdf", ContentFile(content))
    return Report.objects.create(
        kind=ReportKind.RESULT,
        cycle=application.cycle,
        application=application,
        title=f"{application.institution.name} 결과보고서",
        input_hash=hashlib.sha256(b"security-world").hexdigest(),
        template_version="security-world",
        status=ReportStatus.DONE,
        progress_done=1,
        storage_key=key,
        file_name="결과보고서.pdf",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        requested_by=by,
        finished_at=timezone.now(),
    )


def _certification(application: Application, by):
    """A 인증서 of A's application, written directly (issuing at 확정 is tested elsewhere)."""
    from evaluation.models import Certification
    from evaluation.services.certification import new_verification_code

    return Certification.objects.create(
        programme=application.cycle.rubric_version.rubric.code,
        year=2026,
        sequence=1,
        number="제2026-0001호",
        institution=application.institution,
        application=application,
        cycle=application.cycle,
        rubric_version=application.cycle.rubric_version,
        valid_from=date(2026, 1, 1),
        valid_until=date(2099, 12, 31),
        verification_code=new_verification_code(),
        issued_by=by,
    )


def _registration():
    """A sign-up waiting for its e-mail confirmation (so approving it is refused)."""
    from institutions.models import Registration

    return Registration.objects.create(
        institution_name="새길일자리",
        business_number="2208162517",
        institution_type=InstitutionType.WIDE,
        registered_on=date(2016, 3, 2),
        representative="김대표",
        address="서울특별시 중구",
        contact_name="이담당",
        email="contact@saegil.example",
        phone="02-123-4567",
        username="saegil",
        password_hash="!",
        privacy_consent_at=timezone.now(),
        privacy_consent_version="test",
        terms_consent_at=timezone.now(),
    )


def build_world() -> World:
    roles_sync()
    users = {name: make_persona(name) for name in USERS}
    admin = users["admin_user"]
    institution = _institution("한빛잡정보", 1)
    other_institution = _institution("누리커리어", 2)
    membership_add(user=users["member"], institution=institution)
    membership_add(user=users["other_member"], institution=other_institution)

    frozen = build_rubric(code="security-rubric")
    draft = build_rubric(code="security-draft", published=False)
    cycle = _cycle(frozen, admin, "sec-2026", "2026 인증 평가")
    open_cycle = _cycle(frozen, admin, "sec-open", "2026 추가 인증 평가")

    application = services.application_create(
        cycle=cycle, institution=institution, by=users["member"]
    )
    other_application = services.application_create(
        cycle=cycle, institution=other_institution, by=users["other_member"]
    )
    evidence_file = _evidence(application, users["member"], "A plan")
    _evidence(other_application, users["other_member"], "B plan")
    application = _submitted(application)
    other_application = _submitted(other_application)
    # Scoring happens in 서류심사: through the gate, closing 신청 early with a reason.
    cycle = open_for_scoring(cycle, admin, submit=False)

    assignment = _cleared(application, users["evaluator"], admin)
    conflicted_assignment = _cleared(
        application, users["conflicted_evaluator"], admin, conflict=True
    )
    other_assignment = _cleared(other_application, users["other_evaluator"], admin)
    for item in frozen.items.order_by("pk"):
        score_record(
            assignment=assignment,
            item=item,
            by=users["evaluator"],
            version=0,
            entry="A",
            strength="근거가 충분함",
        )
    sheet_confirm(assignment=assignment, by=users["evaluator"], password=PASSWORD)
    item = frozen.items.get(code=EVIDENCE_ITEM)
    score_record(
        assignment=other_assignment,
        item=item,
        by=users["other_evaluator"],
        version=0,
        entry="B",
        strength="근거 일부",
    )
    challenge = assignment_services.challenge_request(
        assignment=assignment, reason="이해관계가 있습니다.", by=users["member"]
    )
    Cycle.objects.filter(pk=cycle.pk).update(
        stage=Stage.NOTIFICATION, evidence_deadline=timezone.now() - timedelta(days=30)
    )
    CycleStageAdvance.objects.create(
        cycle=cycle, from_stage=Stage.COMMITTEE, to_stage=Stage.NOTIFICATION, advanced_by=admin
    )
    cycle.refresh_from_db()
    application.refresh_from_db()
    report = _report(application, admin)
    objection = Objection.objects.create(application=application, filed_by=users["member"])
    ObjectionItem.objects.create(
        objection=objection, item=frozen.items.get(code=EVIDENCE_ITEM), reason="근거 누락"
    )
    withdrawal = WithdrawalRequest.objects.create(
        assignment=assignment, reason="확정 뒤 알게 된 관계", requested_by=users["evaluator"]
    )

    draft_area = draft.areas.order_by("order").first()
    draft_indicator = draft_area.indicators.order_by("order").first()
    draft_item = draft_indicator.items.order_by("order").first()
    return World(
        users=users,
        cycle=cycle,
        open_cycle=open_cycle,
        application=application,
        other_application=other_application,
        evidence_file=evidence_file,
        assignment=assignment,
        conflicted_assignment=conflicted_assignment,
        other_assignment=other_assignment,
        challenge=challenge,
        report=report,
        frozen_rubric=frozen,
        draft_rubric=draft,
        draft_area=draft_area,
        draft_indicator=draft_indicator,
        draft_item=draft_item,
        draft_checkpoint=draft_item.checkpoints.order_by("order").first(),
        certification=_certification(application, admin),
        registration=_registration(),
        objection=objection,
        withdrawal=withdrawal,
    )


# --- the URLconf ---------------------------------------------------------------------------

# Left out of the walk, each for a stated reason. Nothing else may be.
EXCLUDED_NAMESPACES = {
    # Django's own admin (django-admin/): a data-repair tool behind is_staff and Django's
    # model permissions, not the product's access policy; Django tests it.
    "admin": "Django admin",
}
EXCLUDED_VIEWS = {
    # Static and media helpers that ``django.conf.urls.static.static()`` mounts in DEBUG.
    "django.views.static.serve",
    "django.contrib.staticfiles.views.serve",
}


@dataclass(frozen=True)
class Route:
    name: str  # "namespace:name" (or "" when the pattern has no name)
    route: str  # the full route, e.g. "applications/<int:pk>/items/<str:code>/"
    kwargs: tuple[str, ...]


_ROUTE_KWARG = re.compile(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>")


def _view_path(callback) -> str:
    view = getattr(callback, "view_class", None) or callback
    while hasattr(view, "__wrapped__"):
        view = view.__wrapped__
    return f"{view.__module__}.{view.__qualname__}"


def walk_urls(resolver=None, prefix: str = "", namespace: str = "") -> list[Route]:
    """Every URL pattern of the URLconf, through includes and namespaces, minus the
    exclusions above."""
    resolver = resolver or get_resolver()
    found = []
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or ""
            if ns in EXCLUDED_NAMESPACES:
                continue
            inner = f"{namespace}:{ns}" if namespace and ns else (ns or namespace)
            found += walk_urls(entry, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            if _view_path(entry.callback) in EXCLUDED_VIEWS:
                continue
            route = prefix + str(entry.pattern)
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name or ""
            kwargs = tuple(a or b for a, b in _ROUTE_KWARG.findall(route))
            found.append(Route(name=name, route=route, kwargs=kwargs))
    return found


# (route regex, kwarg, value from the world). The first rule matching route and kwarg wins.
KWARG_RULES = [
    # rubrics: the editor works on the draft; every other rubric page on the frozen version
    (r"^rubrics/<int:pk>/edit/", "pk", lambda w: w.draft_rubric.pk),
    (r"^rubrics/<int:pk>/", "pk", lambda w: w.frozen_rubric.pk),
    (r"/areas/<int:node_pk>/", "node_pk", lambda w: w.draft_area.pk),
    (r"/indicators/<int:node_pk>/", "node_pk", lambda w: w.draft_indicator.pk),
    (r"/items/<int:node_pk>/", "node_pk", lambda w: w.draft_item.pk),
    (r"/<node:kind>/<int:node_pk>/", "kind", lambda w: "item"),
    (r"/<node:kind>/<int:node_pk>/", "node_pk", lambda w: w.draft_item.pk),
    (r"/checkpoints/<int:checkpoint_pk>/", "checkpoint_pk", lambda w: w.draft_checkpoint.pk),
    (r"/move/<str:direction>/", "direction", lambda w: "down"),
    # cycles: the open one only where an institution applies
    (r"^portal/apply/<slug:slug>/", "slug", lambda w: w.open_cycle.slug),
    (r"<slug:slug>", "slug", lambda w: w.cycle.slug),
    (r"/dashboard/<str:kind>\.svg", "kind", lambda w: "totals"),
    # evaluation and reports objects, all on institution A's side
    (r"^(reports/)?applications/<int:pk>/", "pk", lambda w: w.application.pk),
    (r"/items/<str:code>/", "code", lambda w: EVIDENCE_ITEM),
    (r"^evidence/<int:pk>/", "pk", lambda w: w.evidence_file.pk),
    (r"^(reports/)?assignments/<int:pk>/", "pk", lambda w: w.assignment.pk),
    (r"^(reports/)?certifications/<int:pk>/", "pk", lambda w: w.certification.pk),
    (r"^verify/<str:code>/", "code", lambda w: w.certification.verification_code),
    (r"^sheets/<int:pk>/", "pk", lambda w: w.assignment.pk),  # a sheet is its assignment's
    (r"^challenges/<int:pk>/", "pk", lambda w: w.challenge.pk),
    (r"^objections/<int:pk>/", "pk", lambda w: w.objection.pk),
    (r"^withdrawals/<int:pk>/", "pk", lambda w: w.withdrawal.pk),
    (r"^reports/<int:pk>/", "pk", lambda w: w.report.pk),
    # users and roles: the assigned evaluator's account; a reset link with a wrong token
    (r"^users/<int:pk>/", "pk", lambda w: w.users["evaluator"].pk),
    # people (ADR 016): a confirmation or invitation link that is not ours (the "invalid link"
    # page); admin pages on institution A, its member's membership, the pending sign-up
    (r"^accounts/(register|invitation)/", "token", lambda w: "not-a-token"),
    (r"^people/registrations/<int:pk>/", "pk", lambda w: w.registration.pk),
    (r"^people/evaluators/<int:pk>/", "pk", lambda w: w.users["evaluator"].pk),
    (r"^people/institutions/<int:pk>/", "pk", lambda w: w.application.institution_id),
    (
        r"^people/memberships/<int:pk>/",
        "pk",
        lambda w: w.users["member"].memberships.get().pk,
    ),
    (r"^accounts/reset/", "uidb64", lambda w: "MQ"),
    (r"^accounts/reset/", "token", lambda w: "0-0"),
]


class UnfillableURL(Exception):
    pass


def url_for(route: Route, world: World, **overrides) -> str:
    """The URL of ``route`` with every kwarg taken from the world (or ``overrides``); raises
    ``UnfillableURL`` naming what it could not fill (a new URL needs a rule above, never a
    skip)."""
    kwargs = {}
    for name in route.kwargs:
        if name in overrides:
            kwargs[name] = overrides[name]
            continue
        for pattern, kwarg, value in KWARG_RULES:
            if kwarg == name and re.search(pattern, route.route):
                kwargs[name] = value(world)
                break
        else:
            raise UnfillableURL(
                f"{route.name or route.route}: no KWARG_RULES entry fills '{name}' "
                f"in route {route.route!r}"
            )
    url = reverse(route.name, kwargs=kwargs)
    match = resolve(url)
    if match.view_name != route.name:
        raise UnfillableURL(f"{route.name}: {url} resolves to {match.view_name} instead")
    return url
