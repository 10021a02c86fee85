"""What every write of the people side shares: the event record, the admin check, the
refusals for a taken number, username or a weak password, and the unusable-link error."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from ...models import Institution, PeopleEvent, Registration, RegistrationStatus, User
from .. import queries

RS = RegistrationStatus


def _event(kind, *, by=None, institution=None, subject=None, detail: str = "") -> None:
    PeopleEvent.objects.create(
        kind=kind, actor=by, institution=institution, subject=subject, detail=detail
    )


def _require_admin(by, what: str) -> None:
    if not queries.can_manage_people(by):
        raise PermissionDenied(_("%(what)s: 관리자만 할 수 있습니다.") % {"what": what})


def duplicate_number_message(number: str) -> str:
    """The refusal for a number already registered: whom to contact, never whose it is."""
    return _(
        "사업자등록번호(%(number)s)는 이미 등록되어 있거나 가입 심사 중입니다. 같은 기관의 "
        "기존 담당자에게 구성원 초대를 요청하시거나, 운영기관(%(email)s)에 문의하십시오."
    ) % {"number": number, "email": settings.SUPPORT_EMAIL}


def _number_taken(number: str) -> bool:
    return (
        Institution.objects.filter(business_number=number).exists()
        or Registration.objects.filter(business_number=number).exclude(status=RS.REJECTED).exists()
    )


def _username_taken(username: str, *, exclude_registration=None) -> bool:
    live = Registration.objects.filter(username__iexact=username).exclude(
        status__in=[RS.REJECTED, RS.APPROVED]
    )
    if exclude_registration is not None:
        live = live.exclude(pk=exclude_registration.pk)
    return User.objects.filter(username__iexact=username).exists() or live.exists()


def _password_problems(password: str, user: User | None = None) -> list[str]:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        return [_("비밀번호: %(problem)s") % {"problem": m} for m in exc.messages]
    return []


class LinkProblem(ValidationError):
    """A link that cannot be used; ``code`` is ``invalid``, ``expired`` or ``used``."""
