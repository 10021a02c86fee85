"""Reads of the people side, and its access policy (ADR 002, ADR 016).

- Admins see and manage every institution, registration, member and invitation.
- An institution member sees the members of their own institution(s) and invites colleagues
  there; never another institution's members.
- Everyone else sees none of it.
"""

from __future__ import annotations

from datetime import date

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from ..models import (
    Certificate,
    Institution,
    Membership,
    PeopleEvent,
    Registration,
    Sanction,
)
from ..roles import Role


def can_manage_people(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.has_role(Role.ADMIN))


def is_member(user) -> bool:
    return bool(user.is_authenticated and user.has_role(Role.INSTITUTION))


def can_invite(user, *, role: str, institution: Institution | None) -> bool:
    if can_manage_people(user):
        return True
    return (
        role == Role.INSTITUTION
        and institution is not None
        and is_member(user)
        and Membership.objects.filter(user=user, institution=institution).exists()
    )


def own_institutions(user) -> QuerySet[Institution]:
    if not is_member(user):
        return Institution.objects.none()
    return Institution.objects.filter(memberships__user=user).order_by("name")


def visible_members(user) -> QuerySet[Membership]:
    """Admins: every membership. Members: those of their own institutions."""
    base = Membership.objects.select_related("user", "institution").order_by(
        "institution__name", "user__username"
    )
    if can_manage_people(user):
        return base
    if is_member(user):
        return base.filter(institution__in=own_institutions(user).values("pk"))
    return base.none()


def visible_registrations(user) -> QuerySet[Registration]:
    if not can_manage_people(user):
        return Registration.objects.none()
    return Registration.objects.select_related("decided_by")


# --- sanctions: the one rule eligibility reads ---------------------------------------------


def active_sanctions(day: date) -> QuerySet[Sanction]:
    return Sanction.objects.filter(starts_on__lte=day).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=day)
    )


def sanction_on(institution: Institution, day: date) -> str:
    """Why ``institution`` stands sanctioned on ``day`` (Korean), or "" if it does not: the
    standing flag, or a recorded 제재 whose period covers the day."""
    if institution.sanctioned:
        return "기한 없는 제재 이력이 있습니다"
    sanction = active_sanctions(day).filter(institution=institution).order_by("starts_on").first()
    if sanction is None:
        return ""
    until = sanction.ends_on or "해제 시"
    return f"제재 기간 {sanction.starts_on} ~ {until} ({sanction.reason})"


# --- the admin's institution list ----------------------------------------------------------

SANCTION_FILTERS = {"": "전체", "active": "제재 중", "none": "제재 없음"}
CERTIFICATE_FILTERS = {"": "전체", "valid": "유효한 인증(ISMS 등) 보유", "none": "유효한 인증 없음"}


def institutions_for_list(
    user, *, q: str = "", type: str = "", sanction: str = "", certificate: str = ""
) -> QuerySet[Institution]:
    """The admin's list, searched (name or number) and filtered; a fixed number of queries
    whatever its length (annotations, no per-row queries)."""
    if not can_manage_people(user):
        return Institution.objects.none()
    today = timezone.localdate()
    sanctioned = Exists(active_sanctions(today).filter(institution=OuterRef("pk")))
    valid_cert = Exists(
        Certificate.objects.filter(
            institution=OuterRef("pk"), valid_from__lte=today, valid_until__gte=today
        )
    )
    qs = Institution.objects.annotate(
        sanctioned_now=sanctioned,
        has_valid_certificate=valid_cert,
        member_count=Count("memberships", filter=Q(memberships__user__is_active=True)),
    )
    if q:
        digits = q.replace("-", "").strip()
        qs = qs.filter(Q(name__icontains=q.strip()) | Q(business_number__startswith=digits))
    if type:
        qs = qs.filter(type=type)
    if sanction == "active":
        qs = qs.filter(Q(sanctioned=True) | Q(sanctioned_now=True))
    elif sanction == "none":
        qs = qs.filter(sanctioned=False, sanctioned_now=False)
    if certificate == "valid":
        qs = qs.filter(has_valid_certificate=True)
    elif certificate == "none":
        qs = qs.filter(has_valid_certificate=False)
    return qs.order_by("name", "pk")


def visible_institutions(user) -> QuerySet[Institution]:
    """Single institutions on the admin pages (outsiders get 404)."""
    if not can_manage_people(user):
        return Institution.objects.none()
    return Institution.objects.prefetch_related(
        Prefetch(
            "memberships",
            queryset=Membership.objects.select_related("user").order_by("user__username"),
        ),
        "certificates",
        "sanctions",
    )


def institution_events(institution: Institution) -> QuerySet[PeopleEvent]:
    return PeopleEvent.objects.filter(institution=institution).select_related("actor", "subject")
