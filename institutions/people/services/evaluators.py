"""The evaluator pool: an evaluator's profile (expertise) and affiliations."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ...models import Affiliation, EvaluatorProfile, Institution, PeopleEventKind, User
from ...roles import is_evaluator
from .common import _event, _require_admin


@transaction.atomic
def evaluator_profile_update(
    *,
    evaluator: User,
    by: User,
    expertise: list[str],
    qualifications: str,
    organisation: str,
    phone: str,
) -> EvaluatorProfile:
    _require_admin(by, _("평가위원 정보 변경"))
    if not is_evaluator(evaluator):
        raise ValidationError(
            _("%(name)s 사용자는 평가위원이 아닙니다.") % {"name": evaluator.display_name}
        )
    codes = sorted({c.strip() for c in expertise if c.strip()})
    profile, _created = EvaluatorProfile.objects.select_for_update().get_or_create(user=evaluator)
    before = (profile.expertise, profile.qualifications, profile.organisation, profile.phone)
    profile.expertise = codes
    profile.qualifications = qualifications.strip()
    profile.organisation = organisation.strip()
    profile.phone = phone.strip()
    profile.save()
    if before != (codes, profile.qualifications, profile.organisation, profile.phone):
        _event(
            PeopleEventKind.PROFILE_CHANGED,
            by=by,
            subject=evaluator,
            detail=f"전문 분야 {', '.join(before[0] or []) or '없음'} → {', '.join(codes) or '없음'}",
        )
    return profile


@transaction.atomic
def affiliation_add(
    *,
    evaluator: User,
    by: User,
    institution: Institution | None,
    organisation: str,
    started_on: date,
    ended_on: date | None,
) -> Affiliation:
    _require_admin(by, _("소속 이력 추가"))
    problems = []
    organisation = (organisation or "").strip()
    if institution is None and not organisation:
        problems.append(_("소속 기관을 고르거나 기관명을 입력하십시오."))
    if ended_on is not None and ended_on < started_on:
        problems.append(
            _("종료일(%(end)s)이 시작일(%(start)s)보다 앞섭니다.")
            % {"end": ended_on, "start": started_on}
        )
    if problems:
        raise ValidationError(problems)
    affiliation = Affiliation.objects.create(
        user=evaluator,
        institution=institution,
        organisation=organisation,
        started_on=started_on,
        ended_on=ended_on,
    )
    _event(
        PeopleEventKind.AFFILIATION_ADDED,
        by=by,
        institution=institution,
        subject=evaluator,
        detail=f"{affiliation} 소속 이력",
    )
    return affiliation
