"""Who receives evaluation notices, and the context every notice shares (issue 13)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from django.urls import reverse
from django.utils import timezone

from institutions.models import Membership, User
from institutions.roles import GROUP_NAMES, Role

from ..models import Application


def day(moment: datetime | None) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}" if moment else ""


def members_of(institution_ids) -> list[User]:
    """Active institution staff of these institutions (the recipients of institution notices)."""
    return list(
        User.objects.filter(
            is_active=True,
            memberships__institution_id__in=list(institution_ids),
            groups__name=GROUP_NAMES[Role.INSTITUTION],
        )
        .distinct()
        .order_by("pk")
    )


def members_by_institution(institution_ids) -> dict[int, list[User]]:
    """``members_of`` per institution, in two queries whatever the number of institutions."""
    users = {u.pk: u for u in members_of(institution_ids)}
    by_institution: dict[int, list[User]] = defaultdict(list)
    for institution_id, user_id in (
        Membership.objects.filter(institution_id__in=list(institution_ids), user_id__in=list(users))
        .order_by("user_id")
        .values_list("institution_id", "user_id")
    ):
        by_institution[institution_id].append(users[user_id])
    return by_institution


def application_context(application: Application) -> dict:
    return {
        "cycle": application.cycle.title,
        "institution": application.institution.name,
        "deadline": day(application.cycle.evidence_deadline),
    }


def checklist_url(application: Application) -> str:
    return reverse("evaluation:checklist", args=[application.pk])


def staff() -> list[User]:
    return list(
        User.objects.filter(is_active=True, groups__name=GROUP_NAMES[Role.ADMIN])
        .distinct()
        .order_by("pk")
    )
