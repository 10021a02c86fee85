"""Reads and the access policy of the evaluation app.

Each ``visible_<things>(user)`` returns exactly what ``user`` may see; single objects are
fetched with ``get_object_or_404(visible_<things>(user), ...)`` so outsiders get 404.
Write rights are the ``can_*`` predicates below.

Who sees an application (and therefore its evidence):
- admins and managers: every application;
- institution members: their own institution's applications;
- evaluators: the applications actively assigned to them, once they signed the cycle's pledge
  and declared no conflict; ``_evaluator_applications`` is the one place that grants it.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from indicators.models import Checkpoint, Item
from institutions.models import Certificate, Institution
from institutions.roles import (
    can_read_access_log,
    is_admin,
    is_evaluator,
    is_institution_member,
    is_staff_reader,
)

from ..models import (
    EVALUATED_STATUSES,
    STAGE_ORDER,
    Application,
    ApplicationStatus,
    Cycle,
    Evidence,
    EvidenceAccess,
    EvidenceFile,
    FileState,
    Stage,
)
from ..process import result_visible_to_institution

# --- roles (defined once, in institutions.roles; re-exported for the services) --------------


def member_institutions(user) -> QuerySet[Institution]:
    if not is_institution_member(user):
        return Institution.objects.none()
    return Institution.objects.filter(memberships__user=user)


# --- cycles --------------------------------------------------------------------------------


CYCLE_ACTIONS = ("read", "pledge")


def visible_cycles(user, *, action: str = "read") -> QuerySet[Cycle]:
    """The one policy for cycles (ADR 002).

    ``read``: admins and managers all; institution members the cycles open for applications
    and those their institution applied to; evaluators none (they reach a cycle through their
    assignments). ``pledge``: the cycles whose 서약서 an evaluator may sign -- those where they
    hold an active assignment (``queries.assignment.pledge_cycles``)."""
    if action not in CYCLE_ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    if action == "pledge":
        from .assignment import pledge_cycles

        return pledge_cycles(user)
    if not user.is_authenticated:
        return Cycle.objects.none()
    if is_staff_reader(user):
        return Cycle.objects.all()
    if is_institution_member(user):
        return Cycle.objects.filter(
            Q(stage=Stage.APPLICATION) | Q(applications__institution__memberships__user=user)
        ).distinct()
    return Cycle.objects.none()


def cycles_for_list(user) -> QuerySet[Cycle]:
    """The admin/manager cycle list: one query whatever the number of cycles."""
    return (
        visible_cycles(user)
        .select_related("rubric_version__rubric")
        .annotate(n_applications=Count("applications", distinct=True))
        .order_by("-reference_date", "slug")
    )


def open_cycles_for(user) -> QuerySet[Cycle]:
    """Cycles in the 신청 stage whose deadline has not passed, that ``user``'s institutions
    have not applied to yet."""
    applied = Application.objects.filter(cycle=OuterRef("pk"), institution__memberships__user=user)
    return (
        visible_cycles(user)
        .filter(stage=Stage.APPLICATION, evidence_deadline__gt=timezone.now())
        .annotate(already=Exists(applied))
        .filter(already=False)
        .select_related("rubric_version")
        .order_by("evidence_deadline")
    )


def can_manage_cycles(user) -> bool:
    return is_admin(user)


# --- applications ----------------------------------------------------------------------------


def _evaluator_applications(user) -> Q:
    """The evaluator branch of the policy: applications assigned to ``user`` and cleared for
    them -- an active assignment (no 회피/기피/제척), the cycle's pledge signed and no conflict
    declared (see ``queries.assignment.evaluator_application_ids``). Anything else is 404,
    for the application and for its evidence."""
    from .assignment import evaluator_application_ids

    return Q(pk__in=evaluator_application_ids(user))


def application_filter(user) -> Q | None:
    """The policy as a Q over Application, or None for "nothing"."""
    if not user.is_authenticated or not user.is_active:
        return None
    if is_staff_reader(user):
        return Q()
    q = Q(pk__in=[])
    granted = False
    if is_institution_member(user):
        q |= Q(institution__memberships__user=user)
        granted = True
    if is_evaluator(user):
        q |= _evaluator_applications(user)
        granted = True
    return q if granted else None


# The cycle stages from 결과통보 on: an institution's result may be shown and reported.
NOTIFIED_STAGES = tuple(STAGE_ORDER[STAGE_ORDER.index(Stage.NOTIFICATION) :])

APPLICATION_ACTIONS = ("read", "review", "report")


def visible_applications(user, *, action: str = "read") -> QuerySet[Application]:
    """The one policy for applications (ADR 002), by what ``user`` means to do:

    - ``read``: open the application and its evidence -- admins and managers every one,
      institution members their own institution's, evaluators those they are cleared for;
    - ``review``: read its scores, result and score audit trail -- admins and managers;
    - ``report``: request its 결과보고서 -- admins and managers every one, institution
      members their own evaluated applications once the cycle reached 결과통보.

    Writes on top (the 인증위원회 decision, reopening) are the ``can_*`` predicates."""
    if action not in APPLICATION_ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    if action == "read":
        q = application_filter(user)
        if q is None:
            return Application.objects.none()
        return Application.objects.filter(q).distinct()
    if is_staff_reader(user):
        return Application.objects.all()
    if action == "report" and is_institution_member(user):
        # Only evaluated applications have a result to report (a 미제출 one has none).
        return Application.objects.filter(
            institution__memberships__user=user,
            cycle__stage__in=NOTIFIED_STAGES,
            status__in=EVALUATED_STATUSES,
        ).distinct()
    return Application.objects.none()


def is_member_of(user, application: Application) -> bool:
    return (
        is_institution_member(user)
        and application.institution.memberships.filter(user=user).exists()
    )


def applications_with_progress(qs: QuerySet[Application]) -> QuerySet[Application]:
    """Annotate ``n_attached`` (items with at least one current file) and ``total_bytes``.
    One query whatever the number of applications or items."""
    current = Q(evidence_files__state=FileState.CURRENT)
    return qs.select_related("institution", "cycle", "cycle__rubric_version").annotate(
        n_attached=Count("evidence_files__evidence__item", filter=current, distinct=True),
        total_bytes=Sum("evidence_files__size", filter=current),
    )


def item_counts(version_ids) -> dict[int, int]:
    """Number of items per rubric version, in one query."""
    rows = (
        Item.objects.filter(version_id__in=set(version_ids))
        .values("version_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["version_id"]: row["n"] for row in rows}


def my_applications(user) -> list[Application]:
    """The institution member's applications with progress (``n_items`` set), in two queries."""
    if not is_institution_member(user):
        return []
    apps = list(
        applications_with_progress(
            Application.objects.filter(institution__memberships__user=user)
        ).order_by("-cycle__reference_date", "institution__name")
    )
    counts = item_counts(a.cycle.rubric_version_id for a in apps)
    for app in apps:
        app.n_items = counts.get(app.cycle.rubric_version_id, 0)
        app.lock_reason = evidence_lock_reason(app)
        app.result_visible = result_visible_to_institution(app)
    return apps


def cycle_applications(cycle: Cycle) -> list[Application]:
    """The admin's list of a cycle's applications with progress, in two queries."""
    apps = list(applications_with_progress(cycle.applications.all()).order_by("institution__name"))
    n_items = item_counts([cycle.rubric_version_id]).get(cycle.rubric_version_id, 0)
    for app in apps:
        app.n_items = n_items
    return apps


# --- evidence lock -------------------------------------------------------------------------


def _fmt(moment: datetime) -> str:
    return date_format(timezone.localtime(moment), "Y-m-d H:i")


def evidence_lock_reason(application: Application, now: datetime | None = None) -> str | None:
    """Why the application's evidence cannot change now, in Korean; None if it can."""
    now = now or timezone.now()
    if application.status != ApplicationStatus.DRAFT:
        return _(
            "신청서가 '%(status)s' 상태이므로 증빙을 변경할 수 없습니다. "
            "변경이 필요하면 관리자에게 재개방을 요청하십시오."
        ) % {"status": application.get_status_display()}
    deadline = application.cycle.evidence_deadline
    if now > deadline:
        until = application.evidence_open_until
        if until is None or now > until:
            when = _fmt(until) if until and until > deadline else _fmt(deadline)
            return _(
                "증빙 제출 기한(%(when)s)이 지나 증빙을 변경할 수 없습니다. "
                "변경이 필요하면 관리자에게 재개방을 요청하십시오."
            ) % {"when": when}
    return None


def can_edit_evidence(user, application: Application, now: datetime | None = None) -> bool:
    return is_member_of(user, application) and evidence_lock_reason(application, now) is None


def can_submit(user, application: Application, now: datetime | None = None) -> bool:
    return can_edit_evidence(user, application, now)


def can_reopen(user, application: Application) -> bool:
    return is_admin(user) and application.status in (
        ApplicationStatus.DRAFT,
        ApplicationStatus.SUBMITTED,
    )


# --- checklist -----------------------------------------------------------------------------


def rubric_items(version_id: int) -> list[Item]:
    """The version's items in order, with indicator, area and checkpoints: two queries."""
    return list(
        Item.objects.filter(version_id=version_id)
        .select_related("indicator__area")
        .prefetch_related(Prefetch("checkpoints", queryset=Checkpoint.objects.order_by("order")))
        .order_by("indicator__area__order", "indicator__order", "order")
    )


def application_items(application: Application) -> QuerySet[Item]:
    """The items of ``application``'s rubric version, with indicator, area and checkpoints;
    the application itself is fetched through ``visible_applications`` first."""
    return (
        Item.objects.filter(version_id=application.cycle.rubric_version_id)
        .select_related("indicator__area")
        .prefetch_related("checkpoints")
    )


def current_evidence(
    application: Application,
) -> tuple[dict[int, Evidence], dict[int, list[EvidenceFile]]]:
    """The application's evidence rows and current files, by item id: two queries."""
    evidences = {e.item_id: e for e in Evidence.objects.filter(application=application)}
    files: dict[int, list[EvidenceFile]] = {}
    for f in (
        EvidenceFile.objects.filter(application=application, state=FileState.CURRENT)
        .select_related("evidence")
        .order_by("uploaded_at", "pk")
    ):
        files.setdefault(f.evidence.item_id, []).append(f)
    return evidences, files


def application_checklist(application: Application) -> list[dict]:
    """One row per rubric item: the item, its evidence (or None) and its current files.
    A constant number of queries whatever the number of items."""
    items = rubric_items(application.cycle.rubric_version_id)
    evidences, files = current_evidence(application)
    return [
        {
            "item": item,
            "evidence": evidences.get(item.pk),
            "files": files.get(item.pk, []),
            "attached": bool(files.get(item.pk)),
        }
        for item in items
    ]


def missing_items(application: Application) -> list[Item]:
    return [row["item"] for row in application_checklist(application) if not row["attached"]]


def valid_certificates(application: Application) -> list[Certificate]:
    """The institution's certificates valid on the cycle's reference date."""
    day = application.cycle.reference_date
    return list(
        Certificate.objects.filter(
            institution_id=application.institution_id, valid_from__lte=day, valid_until__gte=day
        )
    )


def item_files(application: Application, item: Item) -> tuple[list, list]:
    """(current files, earlier versions and removed files kept until submission)."""
    current, kept = [], []
    for f in (
        EvidenceFile.objects.filter(application=application, evidence__item=item)
        .exclude(purged_at__isnull=False)
        .select_related("uploaded_by")
        .order_by("uploaded_at", "pk")
    ):
        (current if f.state == FileState.CURRENT else kept).append(f)
    return current, kept


def linkable_files(application: Application, item: Item, on_item: list) -> list[EvidenceFile]:
    """Current files of ``application`` on other items that ``item`` does not have yet (one
    per content), for linking instead of uploading again."""
    here = {f.sha256 for f in on_item}
    result: dict[str, EvidenceFile] = {}
    for f in (
        EvidenceFile.objects.filter(application=application, state=FileState.CURRENT)
        .exclude(evidence__item=item)
        .select_related("evidence__item")
        .order_by("evidence__item__code", "original_name", "pk")
    ):
        if f.sha256 not in here:
            result.setdefault(f.sha256, f)
    return list(result.values())


def application_total_bytes(application: Application) -> int:
    total = EvidenceFile.objects.filter(
        application=application, state=FileState.CURRENT, linked_from__isnull=True
    ).aggregate(total=Sum("size"))["total"]
    return total or 0


# --- evidence files ------------------------------------------------------------------------


def visible_evidence_files(user) -> QuerySet[EvidenceFile]:
    """Files whose bytes still exist, of applications ``user`` may see."""
    q = application_filter(user)
    if q is None:
        return EvidenceFile.objects.none()
    visible = Application.objects.filter(q).values("pk")
    return EvidenceFile.objects.filter(application__in=visible, purged_at__isnull=True)


# --- access log ----------------------------------------------------------------------------


def visible_accesses(user) -> QuerySet[EvidenceAccess]:
    if not can_read_access_log(user):
        return EvidenceAccess.objects.none()
    return EvidenceAccess.objects.select_related(
        "user", "file__evidence__item", "application__institution", "application__cycle"
    ).order_by("-at", "-pk")
