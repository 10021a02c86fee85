"""Reads and access policy of the certification process: objections, withdrawal requests,
and the institution's own result (ADR 011)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from institutions.roles import is_admin, is_institution_member, is_staff_reader

from .. import process
from ..models import (
    EVALUATED_STATUSES,
    Application,
    Assignment,
    Cycle,
    ItemScore,
    Objection,
    RequestDecision,
    Result,
    SheetStatus,
    WithdrawalRequest,
)
from . import application_filter
from .assignment import can_assign

# --- objections --------------------------------------------------------------------------------


def visible_objections(user, *, action: str = "read") -> QuerySet[Objection]:
    """read: staff every objection; members their institution's. decide: admins only."""
    if not user.is_authenticated or not user.is_active:
        return Objection.objects.none()
    if action == "decide":
        return Objection.objects.all() if is_admin(user) else Objection.objects.none()
    if is_staff_reader(user):
        return Objection.objects.all()
    if is_institution_member(user):
        return Objection.objects.filter(application__institution__memberships__user=user)
    return Objection.objects.none()


def objection_for(user, pk, *, action: str = "read") -> Objection:
    return get_object_or_404(
        visible_objections(user, action=action).select_related(
            "application__cycle__rubric_version",
            "application__institution",
            "filed_by",
            "decided_by",
            "concluded_by",
        ),
        pk=pk,
    )


def cycle_objections(cycle: Cycle) -> list[Objection]:
    return list(
        Objection.objects.filter(application__cycle=cycle)
        .select_related("application__institution", "filed_by")
        .prefetch_related("items__item")
        .order_by("filed_at", "pk")
    )


# --- withdrawal requests -----------------------------------------------------------------------


def visible_withdrawals(user) -> QuerySet[WithdrawalRequest]:
    """Admins (who assign) decide withdrawal requests; nobody else sees them here."""
    if not can_assign(user):
        return WithdrawalRequest.objects.none()
    return WithdrawalRequest.objects.select_related(
        "assignment__application__institution",
        "assignment__application__cycle",
        "assignment__evaluator",
        "assignment__sheet",
        "requested_by",
        "decided_by",
    )


def cycle_withdrawals(cycle: Cycle) -> list[WithdrawalRequest]:
    return list(
        WithdrawalRequest.objects.filter(assignment__application__cycle=cycle)
        .select_related("assignment__application__institution", "assignment__evaluator")
        .order_by("decision", "-requested_at")
    )


def pending_withdrawal(assignment: Assignment) -> WithdrawalRequest | None:
    return assignment.withdrawal_requests.filter(decision=RequestDecision.PENDING).first()


# --- the institution's result ------------------------------------------------------------------


def objectable_application(user, pk) -> Application:
    """The member's own application whose result has been notified (404 otherwise)."""
    q = application_filter(user)
    if q is None or not is_institution_member(user):
        raise Http404
    application = get_object_or_404(
        Application.objects.filter(q, institution__memberships__user=user)
        .select_related("cycle__rubric_version__rubric", "institution")
        .distinct(),
        pk=pk,
    )
    if not process.result_visible_to_institution(application):
        raise Http404
    return application


@dataclass
class ItemLine:
    code: str
    title: str
    area: str
    points: Decimal  # the item's 배점 (negative for a penalty)
    score: Decimal | None  # the application's aggregated points on it
    penalty: bool
    comments: list[tuple[str, str, str]] = field(default_factory=list)  # (평가위원 n, 강점, 개선)


@dataclass
class InstitutionResult:
    application: Application
    result: Result | None
    items: list[ItemLine]
    objection: Objection | None
    areas: list  # (code, title, 배점, score or None, substituted)
    window_open: bool
    deadline: object
    rule: str


def institution_result(application: Application) -> InstitutionResult:
    """What the institution sees from 결과통보 on: totals, areas, decision and its rule, item
    points, and (where the cycle publishes them) the comments of 평가위원 1, 2, 3 -- never
    their names. A constant number of queries."""
    from ..services.objections import item_points

    cycle = application.cycle
    result = Result.objects.filter(application=application).first()
    points = item_points(application)
    comments: dict[int, list[tuple[str, str, str]]] = {}
    if cycle.publish_comments:
        counted = list(
            Assignment.objects.filter(
                application=application, exclusion="", sheet__status=SheetStatus.CONFIRMED
            )
            .order_by("assigned_at", "pk")
            .values_list("sheet__pk", flat=True)
        )
        number = {sheet_id: n for n, sheet_id in enumerate(counted, start=1)}
        for sheet_id, item_id, strength, improvement in (
            ItemScore.objects.filter(sheet_id__in=counted)
            .order_by("sheet_id")
            .values_list("sheet_id", "item_id", "strength", "improvement")
        ):
            if strength or improvement:
                comments.setdefault(item_id, []).append(
                    (f"평가위원 {number[sheet_id]}", strength, improvement)
                )
    from .sheet import sheet_rubric

    items = [
        ItemLine(
            code=item.code,
            title=item.title,
            area=item.indicator.area.code,
            points=item.points,
            score=points.get(item.code),
            penalty=item.method == "penalty",
            comments=comments.get(item.pk, []),
        )
        for item in sheet_rubric(cycle.rubric_version)[0]
    ]
    objection = (
        Objection.objects.filter(application=application).prefetch_related("items__item").first()
    )
    from indicators.models import Area

    substituted = set(application.substitutions.values_list("area__code", flat=True))
    areas = [
        (
            a.code,
            a.title,
            a.points,
            (result.areas or {}).get(a.code) if result else None,
            a.code in substituted,
        )
        for a in Area.objects.filter(version_id=cycle.rubric_version_id).order_by("order")
    ]
    return InstitutionResult(
        application=application,
        result=result,
        items=items,
        objection=objection,
        areas=areas,
        window_open=process.objection_window_open(cycle) and objection is None,
        deadline=process.objection_deadline(cycle),
        rule=cycle.get_aggregation_rule_display(),
    )


def evaluated(application: Application) -> bool:
    return application.status in EVALUATED_STATUSES
