"""Edits of an institution's record and its sanctions (제재), each recorded."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from ...models import Institution, PeopleEventKind, Sanction, User
from .common import _event, _require_admin

EDITABLE_FIELDS = (
    "name",
    "type",
    "registered_on",
    "representative",
    "address",
    "contact_name",
    "contact_email",
    "contact_phone",
)


@transaction.atomic
def institution_update(*, institution: Institution, by: User | None, **changes) -> list[str]:
    """Change the named fields; records which changed (old → new). Returns the changed field
    labels. ``by`` None is the system (bulk import)."""
    if by is not None:
        _require_admin(by, _("기관 정보 변경"))
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    locked = Institution.objects.select_for_update().get(pk=institution.pk)
    changed = []
    for field, value in changes.items():
        old = getattr(locked, field)
        if old != value:
            with translation.override(settings.LANGUAGE_CODE):  # the record is Korean
                label = str(Institution._meta.get_field(field).verbose_name)
            changed.append(f"{label}: {old} → {value}")
            setattr(locked, field, value)
    if changed:
        locked.full_clean(exclude=["business_number"])
        locked.save(update_fields=[f for f in changes if f in EDITABLE_FIELDS])
        _event(
            PeopleEventKind.INSTITUTION_CHANGED,
            by=by,
            institution=locked,
            detail="; ".join(changed),
        )
    return changed


@transaction.atomic
def sanction_record(
    *,
    institution: Institution,
    by: User | None,
    starts_on: date,
    ends_on: date | None,
    reason: str,
) -> Sanction:
    """Record a 제재. Eligibility (``evaluation``) reads it through ``queries.sanction_on``."""
    if by is not None:
        _require_admin(by, _("제재 기록"))
    reason = (reason or "").strip()
    problems = []
    if ends_on is not None and ends_on < starts_on:
        problems.append(
            _("제재 종료일(%(end)s)이 시작일(%(start)s)보다 앞섭니다.")
            % {"end": ends_on, "start": starts_on}
        )
    if not reason:
        problems.append(_("제재 사유를 입력하십시오."))
    if problems:
        raise ValidationError(problems)
    sanction = Sanction.objects.create(
        institution=institution,
        starts_on=starts_on,
        ends_on=ends_on,
        reason=reason,
        recorded_by=by,
    )
    _event(
        PeopleEventKind.SANCTION_RECORDED,
        by=by,
        institution=institution,
        detail=f"제재 {starts_on} ~ {ends_on or '해제 시까지'}: {reason}",
    )
    return sanction
