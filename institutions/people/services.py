"""Writes of the people side: registration and its decision, invitations, members, institution
edits and sanctions. Each is keyword-only and atomic, refuses with every problem at once (in
Korean), and records what it changed in ``PeopleEvent`` (who, when, what). ADR 016."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from ..models import (
    Affiliation,
    EvaluatorProfile,
    Institution,
    Invitation,
    Membership,
    PeopleEvent,
    PeopleEventKind,
    Registration,
    RegistrationStatus,
    Sanction,
    User,
)
from ..roles import Role
from ..services import membership_add, user_grant_role
from ..validators import business_number_is_valid
from . import mail, queries, tokens

RS = RegistrationStatus


def _event(kind, *, by=None, institution=None, subject=None, detail: str = "") -> None:
    PeopleEvent.objects.create(
        kind=kind, actor=by, institution=institution, subject=subject, detail=detail
    )


def _require_admin(by, what: str) -> None:
    if not queries.can_manage_people(by):
        raise PermissionDenied(f"{what}은(는) 관리자만 할 수 있습니다.")


def duplicate_number_message(number: str) -> str:
    """The refusal for a number already registered: whom to contact, never whose it is."""
    return (
        f"사업자등록번호 {number}은(는) 이미 등록되어 있거나 가입 심사 중입니다. 같은 기관의 "
        "기존 담당자에게 구성원 초대를 요청하시거나, 운영기관"
        f"({settings.SUPPORT_EMAIL})에 문의하십시오."
    )


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
        return [f"비밀번호: {m}" for m in exc.messages]
    return []


# --- registration ------------------------------------------------------------------------


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
            f"사업자등록번호 '{business_number}'가 올바르지 않습니다 "
            "(숫자 10자리, 마지막 검증번호를 확인하십시오)."
        )
    elif _number_taken(number):
        problems.append(duplicate_number_message(number))
    if _username_taken(username):
        problems.append(
            f"아이디 '{username}'은(는) 이미 쓰이고 있습니다. 다른 아이디를 고르십시오."
        )
    problems += _password_problems(password, User(username=username, email=email))
    if not privacy_consent:
        problems.append("개인정보 수집·이용에 동의해야 가입을 신청할 수 있습니다.")
    if not terms_consent:
        problems.append("이용약관에 동의해야 가입을 신청할 수 있습니다.")
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


class LinkProblem(ValidationError):
    """A link that cannot be used; ``code`` is ``invalid``, ``expired`` or ``used``."""


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
            "확인 링크가 올바르지 않습니다. 메일의 링크 전체를 복사했는지 확인하십시오.",
            code="invalid",
        )
    if registration.status != RS.UNCONFIRMED:
        raise LinkProblem(
            "이미 확인된 이메일 주소입니다. 관리자 승인을 기다려 주십시오.", code="used"
        )
    if found.expired:
        raise LinkProblem(
            "확인 링크의 유효기간이 지났습니다. 새 확인 링크를 요청하십시오.", code="expired"
        )
    return registration


@transaction.atomic
def registration_confirm_email(*, token: str) -> Registration:
    registration = registration_for_token(token)
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if registration.status != RS.UNCONFIRMED:
        raise LinkProblem("이미 확인된 이메일 주소입니다.", code="used")
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
    _require_admin(by, "가입 승인")
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    problems = []
    if registration.status == RS.UNCONFIRMED:
        problems.append(
            f"{registration.institution_name}: 담당자가 아직 이메일 주소를 확인하지 않아 "
            "승인할 수 없습니다."
        )
    elif registration.status != RS.PENDING:
        problems.append(
            f"{registration.institution_name}: 이미 {registration.get_status_display()}된 "
            "신청입니다."
        )
    if Institution.objects.filter(business_number=registration.business_number).exists():
        problems.append(
            f"사업자등록번호 {registration.business_number}의 기관이 이미 있습니다 "
            "(일괄 등록 등으로 먼저 등록됨). 반려하고 기존 기관에 구성원으로 초대하십시오."
        )
    if User.objects.filter(username__iexact=registration.username).exists():
        problems.append(f"아이디 '{registration.username}'이(가) 그사이 다른 계정에 쓰였습니다.")
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
    _require_admin(by, "가입 반려")
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    problems = []
    reason = (reason or "").strip()
    if registration.status in (RS.APPROVED, RS.REJECTED):
        problems.append(
            f"{registration.institution_name}: 이미 {registration.get_status_display()}된 "
            "신청입니다."
        )
    if not reason:
        problems.append("반려 사유를 입력하십시오. 신청자에게 그대로 전달됩니다.")
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


# --- invitations and members ---------------------------------------------------------------


@transaction.atomic
def invitation_create(
    *, email: str, role: str, by: User | None, institution: Institution | None = None
) -> Invitation:
    """Invite ``email`` to ``institution`` (role 기관담당자) or to the evaluator pool (role
    평가위원). Admins invite anyone; a member invites colleagues to their own institution.
    ``by`` None is the system (bulk import)."""
    email = (email or "").strip()
    problems = []
    if by is not None and not queries.can_invite(by, role=role, institution=institution):
        raise PermissionDenied("이 초대를 보낼 권한이 없습니다.")
    if role not in (Role.INSTITUTION, Role.EVALUATOR):
        problems.append("기관담당자 또는 평가위원만 초대할 수 있습니다.")
    if role == Role.INSTITUTION and institution is None:
        problems.append("기관담당자를 초대할 기관을 고르십시오.")
    if not email or "@" not in email:
        problems.append(f"이메일 주소 '{email}'가 올바르지 않습니다.")
    elif (
        institution is not None
        and Membership.objects.filter(
            institution=institution, user__email__iexact=email, user__is_active=True
        ).exists()
    ):
        problems.append(f"{email}은(는) 이미 {institution.name}의 구성원입니다.")
    if problems:
        raise ValidationError(problems)
    invitation = Invitation.objects.create(
        email=email, role=role, institution=institution, invited_by=by
    )
    _event(
        PeopleEventKind.INVITED,
        by=by,
        institution=institution,
        detail=f"{email}을(를) {Role(role).label}(으)로 초대",
    )
    _send_invitation(invitation)
    return invitation


def _send_invitation(invitation: Invitation) -> None:
    token = tokens.make(tokens.INVITATION, pk=invitation.pk, email=invitation.email)
    Invitation.objects.filter(pk=invitation.pk).update(sent_at=timezone.now())
    mail.send_on_commit(
        "invitation",
        invitation.email,
        {
            "invitation": invitation,
            "link": mail.absolute(reverse("people:invitation_accept", args=[token])),
            "days": settings.INVITATION_MAX_AGE // 86400,
        },
    )


def invitation_for_token(token: str, *, allow_expired: bool = False) -> Invitation:
    found = tokens.read(tokens.INVITATION, token, max_age=settings.INVITATION_MAX_AGE)
    invitation = (
        Invitation.objects.select_related("institution")
        .filter(pk=found.pk, email=found.email)
        .first()
        if found.pk is not None
        else None
    )
    if invitation is None:
        raise LinkProblem(
            "초대 링크가 올바르지 않습니다. 메일의 링크 전체를 복사했는지 확인하십시오.",
            code="invalid",
        )
    if invitation.accepted_at is not None:
        raise LinkProblem(
            "이미 사용된 초대 링크입니다. 가입하신 계정으로 로그인하십시오.", code="used"
        )
    if found.expired and not allow_expired:
        raise LinkProblem(
            "초대 링크의 유효기간이 지났습니다. 새 초대 링크를 받으십시오.", code="expired"
        )
    return invitation


@transaction.atomic
def invitation_resend(*, token: str) -> Invitation:
    """A new link for an expired (genuine, unused) invitation, to the address it was sent to."""
    invitation = invitation_for_token(token, allow_expired=True)
    _send_invitation(invitation)
    return invitation


@transaction.atomic
def invitation_accept(*, token: str, username: str, name: str, password: str) -> User:
    """The invitee's account: created with the password they chose, the invited role and (for
    members) the membership. The link is spent."""
    invitation = invitation_for_token(token)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise LinkProblem("이미 사용된 초대 링크입니다.", code="used")
    problems = []
    if _username_taken(username):
        problems.append(
            f"아이디 '{username}'은(는) 이미 쓰이고 있습니다. 다른 아이디를 고르십시오."
        )
    if not (name or "").strip():
        problems.append("이름을 입력하십시오.")
    problems += _password_problems(password, User(username=username, email=invitation.email))
    if problems:
        raise ValidationError(problems)
    user = User.objects.create_user(
        username=username, email=invitation.email, password=password, name=name.strip()
    )
    user_grant_role(user=user, role=Role(invitation.role))
    if invitation.institution is not None:
        membership_add(user=user, institution=invitation.institution)
    invitation.accepted_at = timezone.now()
    invitation.user = user
    invitation.save(update_fields=["accepted_at", "user"])
    _event(
        PeopleEventKind.JOINED,
        by=user,
        institution=invitation.institution,
        subject=user,
        detail=f"{invitation.email} 초대 수락, 계정 {username}",
    )
    return user


@transaction.atomic
def member_deactivate(*, membership: Membership, by: User, reason: str) -> Membership:
    """The member leaves: their account is deactivated at once (every session of theirs is
    refused from the next request, since Django loads only active users)."""
    _require_admin(by, "구성원 비활성화")
    reason = (reason or "").strip()
    problems = []
    user = User.objects.select_for_update().get(pk=membership.user_id)
    if not user.is_active:
        problems.append(f"{user.display_name}은(는) 이미 비활성화된 계정입니다.")
    if user.pk == by.pk:
        problems.append("자기 자신은 비활성화할 수 없습니다.")
    if not reason:
        problems.append("비활성화 사유를 입력하십시오.")
    if problems:
        raise ValidationError(problems)
    user.is_active = False
    user.save(update_fields=["is_active"])
    _event(
        PeopleEventKind.DEACTIVATED,
        by=by,
        institution=membership.institution,
        subject=user,
        detail=f"{user.display_name}({user.username}) 비활성화: {reason}",
    )
    return membership


# --- institutions ------------------------------------------------------------------------

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
        _require_admin(by, "기관 정보 변경")
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    locked = Institution.objects.select_for_update().get(pk=institution.pk)
    changed = []
    for field, value in changes.items():
        old = getattr(locked, field)
        if old != value:
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
        _require_admin(by, "제재 기록")
    reason = (reason or "").strip()
    problems = []
    if ends_on is not None and ends_on < starts_on:
        problems.append(f"제재 종료일 {ends_on}이(가) 시작일 {starts_on}보다 앞섭니다.")
    if not reason:
        problems.append("제재 사유를 입력하십시오.")
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


# --- the evaluator pool ------------------------------------------------------------------


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
    _require_admin(by, "평가위원 정보 변경")
    if not evaluator.has_role(Role.EVALUATOR):
        raise ValidationError(f"{evaluator.display_name}은(는) 평가위원이 아닙니다.")
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
    _require_admin(by, "소속 이력 추가")
    problems = []
    organisation = (organisation or "").strip()
    if institution is None and not organisation:
        problems.append("소속 기관을 고르거나 기관명을 입력하십시오.")
    if ended_on is not None and ended_on < started_on:
        problems.append(f"종료일 {ended_on}이(가) 시작일 {started_on}보다 앞섭니다.")
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
