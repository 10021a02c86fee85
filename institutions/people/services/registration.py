"""Registration of an institution and its first member: the sign-up, the e-mail confirmation by
a signed link, and the admin's decision (ADR 016)."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ...models import Institution, PeopleEventKind, Registration, User
from ...roles import Role
from ...services import membership_add, user_grant_role
from ...validators import business_number_is_valid
from .. import mail, tokens
from .common import (
    RS,
    LinkProblem,
    _event,
    _number_taken,
    _password_problems,
    _require_admin,
    _username_taken,
    duplicate_number_message,
)


@transaction.atomic
def registration_submit(
    *,
    institution_name: str,
    business_number: str,
    institution_type: str,
    registered_on: date,
    representative: str,
    address: str,
    contact_name: str,
    email: str,
    phone: str,
    username: str,
    password: str,
    privacy_consent: bool,
    terms_consent: bool,
) -> Registration:
    """Record an institution's sign-up (unconfirmed) and mail the confirmation link. Refused,
    writing nothing, for a wrong check digit, a number already registered, a taken 아이디, a
    weak password or a missing consent."""
    number = business_number.replace("-", "").strip()
    problems = []
    if not business_number_is_valid(number):
        problems.append(
            _(
                "사업자등록번호('%(number)s')가 올바르지 않습니다 "
                "(숫자 10자리, 마지막 검증번호를 확인하십시오)."
            )
            % {"number": business_number}
        )
    elif _number_taken(number):
        problems.append(duplicate_number_message(number))
    if _username_taken(username):
        problems.append(
            _("'%(username)s' 아이디는 이미 쓰이고 있습니다. 다른 아이디를 고르십시오.")
            % {"username": username}
        )
    problems += _password_problems(password, User(username=username, email=email))
    if not privacy_consent:
        problems.append(_("개인정보 수집·이용에 동의해야 가입을 신청할 수 있습니다."))
    if not terms_consent:
        problems.append(_("이용약관에 동의해야 가입을 신청할 수 있습니다."))
    if problems:
        raise ValidationError(problems)
    now = timezone.now()
    try:
        with transaction.atomic():
            registration = Registration.objects.create(
                institution_name=institution_name.strip(),
                business_number=number,
                institution_type=institution_type,
                registered_on=registered_on,
                representative=representative.strip(),
                address=address.strip(),
                contact_name=contact_name.strip(),
                email=email.strip(),
                phone=phone.strip(),
                username=username,
                password_hash=make_password(password),
                privacy_consent_at=now,
                privacy_consent_version=settings.PRIVACY_CONSENT_VERSION,
                terms_consent_at=now,
            )
    except IntegrityError:  # a concurrent sign-up with the same number won the race
        raise ValidationError([duplicate_number_message(number)]) from None
    _event(
        PeopleEventKind.REGISTERED,
        detail=f"{registration.institution_name} ({number}) 가입 신청, 담당자 {contact_name}",
    )
    _send_confirmation(registration)
    return registration


def _send_confirmation(registration: Registration) -> None:
    token = tokens.make(tokens.REGISTRATION, pk=registration.pk, email=registration.email)
    mail.send_on_commit(
        "registration_confirm",
        registration.email,
        {
            "registration": registration,
            "link": mail.absolute(reverse("people:register_confirm", args=[token])),
            "hours": settings.REGISTRATION_CONFIRM_MAX_AGE // 3600,
        },
    )


def registration_for_token(token: str) -> Registration:
    """The unconfirmed registration a confirmation link names, or ``LinkProblem``."""
    found = tokens.read(tokens.REGISTRATION, token, max_age=settings.REGISTRATION_CONFIRM_MAX_AGE)
    registration = (
        Registration.objects.filter(pk=found.pk, email=found.email).first()
        if found.pk is not None
        else None
    )
    if registration is None:
        raise LinkProblem(
            _("확인 링크가 올바르지 않습니다. 메일의 링크 전체를 복사했는지 확인하십시오."),
            code="invalid",
        )
    if registration.status != RS.UNCONFIRMED:
        raise LinkProblem(
            _("이미 확인된 이메일 주소입니다. 관리자 승인을 기다려 주십시오."), code="used"
        )
    if found.expired:
        raise LinkProblem(
            _("확인 링크의 유효기간이 지났습니다. 새 확인 링크를 요청하십시오."), code="expired"
        )
    return registration


@transaction.atomic
def registration_confirm_email(*, token: str) -> Registration:
    registration = registration_for_token(token)
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if registration.status != RS.UNCONFIRMED:
        raise LinkProblem(_("이미 확인된 이메일 주소입니다."), code="used")
    registration.status = RS.PENDING
    registration.email_confirmed_at = timezone.now()
    registration.save(update_fields=["status", "email_confirmed_at"])
    _event(
        PeopleEventKind.EMAIL_CONFIRMED,
        detail=f"{registration.institution_name} 담당자 이메일 확인",
    )
    return registration


@transaction.atomic
def registration_resend(*, email: str) -> None:
    """Send a fresh confirmation link to every unconfirmed registration of ``email``; silent
    when there is none (the page never says whether the address is known)."""
    for registration in Registration.objects.filter(
        email__iexact=email.strip(), status=RS.UNCONFIRMED
    ):
        _send_confirmation(registration)


@transaction.atomic
def registration_approve(*, registration: Registration, by: User) -> Registration:
    """Create the institution and the contact person's account (기관담당자), and tell them.
    Refused with every blocker: not an admin, e-mail not confirmed, decided already, the number
    or 아이디 taken meanwhile."""
    _require_admin(by, _("가입 승인"))
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    problems = []
    if registration.status == RS.UNCONFIRMED:
        problems.append(
            _("%(name)s: 담당자가 아직 이메일 주소를 확인하지 않아 승인할 수 없습니다.")
            % {"name": registration.institution_name}
        )
    elif registration.status != RS.PENDING:
        problems.append(
            _("%(name)s: 이미 %(status)s된 신청입니다.")
            % {"name": registration.institution_name, "status": registration.get_status_display()}
        )
    if Institution.objects.filter(business_number=registration.business_number).exists():
        problems.append(
            _(
                "사업자등록번호 %(number)s의 기관이 이미 있습니다 (일괄 등록 등으로 먼저 "
                "등록됨). 반려하고 기존 기관에 구성원으로 초대하십시오."
            )
            % {"number": registration.business_number}
        )
    if User.objects.filter(username__iexact=registration.username).exists():
        problems.append(
            _("'%(username)s' 아이디가 그사이 다른 계정에 쓰였습니다.")
            % {"username": registration.username}
        )
    if problems:
        raise ValidationError(problems)
    institution = Institution.objects.create(
        name=registration.institution_name,
        business_number=registration.business_number,
        type=registration.institution_type,
        registered_on=registration.registered_on,
        representative=registration.representative,
        address=registration.address,
        contact_name=registration.contact_name,
        contact_email=registration.email,
        contact_phone=registration.phone,
    )
    user = User(username=registration.username, name=registration.contact_name)
    user.email = registration.email
    user.password = registration.password_hash
    user.save()
    user_grant_role(user=user, role=Role.INSTITUTION)
    membership_add(user=user, institution=institution)
    registration.status = RS.APPROVED
    registration.decided_at = timezone.now()
    registration.decided_by = by
    registration.institution = institution
    registration.user = user
    registration.save(update_fields=["status", "decided_at", "decided_by", "institution", "user"])
    _event(
        PeopleEventKind.APPROVED,
        by=by,
        institution=institution,
        subject=user,
        detail=f"{institution.name} 가입 승인, 담당자 계정 {user.username}",
    )
    mail.send_on_commit(
        "registration_approved",
        registration.email,
        {"registration": registration, "link": mail.absolute(reverse("login"))},
    )
    return registration


@transaction.atomic
def registration_reject(*, registration: Registration, by: User, reason: str) -> Registration:
    _require_admin(by, _("가입 반려"))
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    problems = []
    reason = (reason or "").strip()
    if registration.status in (RS.APPROVED, RS.REJECTED):
        problems.append(
            _("%(name)s: 이미 %(status)s된 신청입니다.")
            % {"name": registration.institution_name, "status": registration.get_status_display()}
        )
    if not reason:
        problems.append(_("반려 사유를 입력하십시오. 신청자에게 그대로 전달됩니다."))
    if problems:
        raise ValidationError(problems)
    registration.status = RS.REJECTED
    registration.decided_at = timezone.now()
    registration.decided_by = by
    registration.decision_reason = reason
    if registration.email_confirmed_at is None:
        registration.email_confirmed_at = registration.decided_at  # the check constraint
    registration.save(
        update_fields=[
            "status",
            "decided_at",
            "decided_by",
            "decision_reason",
            "email_confirmed_at",
        ]
    )
    _event(
        PeopleEventKind.REJECTED,
        by=by,
        detail=f"{registration.institution_name} 가입 반려: {reason}",
    )
    mail.send_on_commit("registration_rejected", registration.email, {"registration": registration})
    return registration
