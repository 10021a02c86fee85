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
from django.utils.translation import gettext_lazy as _

from ..models import (
    Affiliation,
    Certificate,
    EvaluatorProfile,
    Institution,
    Membership,
    PeopleEvent,
    Registration,
    Sanction,
)
from ..roles import GROUP_NAMES, Role, is_admin, is_institution_member


def can_manage_people(user) -> bool:
    return is_admin(user)


def is_member(user) -> bool:
    return is_institution_member(user)


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

SANCTION_FILTERS = {"": _("전체"), "active": _("제재 중"), "none": _("제재 없음")}
CERTIFICATE_FILTERS = {
    "": _("전체"),
    "valid": _("유효한 인증(ISMS 등) 보유"),
    "none": _("유효한 인증 없음"),
}


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


# --- the evaluator pool: 제척 by affiliation, expertise --------------------------------------


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _ids(values):
    """A queryset stays a subquery; anything else becomes a list."""
    return values if isinstance(values, QuerySet) else list(values)


def affiliation_bar_rows(
    *, user_ids, institution_ids, day: date | None = None, years: int | None = None
) -> list[tuple[Institution, object, str]]:
    """(institution, evaluator, why) for every evaluator affiliated with an institution within
    ``years`` before ``day`` (제척), both defaulting to the setting and today. One query;
    ``user_ids`` and ``institution_ids`` may be querysets (subqueries)."""
    from django.conf import settings

    day = day or timezone.localdate()
    years = settings.CONFLICT_AFFILIATION_YEARS if years is None else years
    cutoff = _years_before(day, years)
    rows = (
        Affiliation.objects.filter(
            user_id__in=_ids(user_ids), institution_id__in=_ids(institution_ids)
        )
        .filter(started_on__lte=day)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=cutoff))
        .select_related("institution", "user")
        .order_by("institution__name", "user__name", "user__username", "-started_on")
    )
    found, seen = [], set()
    for a in rows:
        if (a.institution_id, a.user_id) in seen:
            continue
        seen.add((a.institution_id, a.user_id))
        until = a.ended_on or "현재"
        found.append(
            (
                a.institution,
                a.user,
                f"제척: {a.institution.name} 소속 이력({a.started_on} ~ {until})이 최근 "
                f"{years}년 이내입니다.",
            )
        )
    return found


def affiliation_conflicts(
    *, user_ids, institution_ids, day: date | None = None, years: int | None = None
) -> dict[tuple[int, int], str]:
    """(institution id, user id) -> why that evaluator may not evaluate that institution
    (제척). One query."""
    return {
        (institution.pk, user.pk): why
        for institution, user, why in affiliation_bar_rows(
            user_ids=user_ids, institution_ids=institution_ids, day=day, years=years
        )
    }


def expertise_coverage(*, user_ids, area_codes) -> dict[int, int]:
    """User id -> how many of ``area_codes`` their profile's expertise covers. One query."""
    wanted = {str(c) for c in area_codes}
    return {
        user_id: len(wanted & {str(c) for c in (codes or [])})
        for user_id, codes in EvaluatorProfile.objects.filter(
            user_id__in=list(user_ids)
        ).values_list("user_id", "expertise")
    }


def evaluators_for_list(user):
    """The admin's evaluator pool page: evaluators with profile and affiliations."""
    from ..models import User

    if not can_manage_people(user):
        return User.objects.none()
    return (
        User.objects.filter(groups__name=GROUP_NAMES[Role.EVALUATOR])
        .distinct()
        .select_related("evaluator_profile")
        .prefetch_related(
            Prefetch("affiliations", queryset=Affiliation.objects.select_related("institution"))
        )
        .order_by("name", "username")
    )


def people_events(user) -> QuerySet[PeopleEvent]:
    if not can_manage_people(user):
        return PeopleEvent.objects.none()
    return PeopleEvent.objects.select_related("actor", "subject", "institution")
