"""Invitations into an institution (or the evaluator pool), their acceptance, and members
leaving an institution."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ...models import Institution, Invitation, Membership, PeopleEventKind, User
from ...roles import Role
from ...services import membership_add, user_grant_role
from .. import mail, queries, tokens
from .common import LinkProblem, _event, _password_problems, _require_admin, _username_taken


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
        raise PermissionDenied(_("이 초대를 보낼 권한이 없습니다."))
    if role not in (Role.INSTITUTION, Role.EVALUATOR):
        problems.append(_("기관담당자 또는 평가위원만 초대할 수 있습니다."))
    if role == Role.INSTITUTION and institution is None:
        problems.append(_("기관담당자를 초대할 기관을 고르십시오."))
    if not email or "@" not in email:
        problems.append(_("이메일 주소('%(email)s')가 올바르지 않습니다.") % {"email": email})
    elif (
        institution is not None
        and Membership.objects.filter(
            institution=institution, user__email__iexact=email, user__is_active=True
        ).exists()
    ):
        problems.append(
            _("%(email)s 사용자는 이미 %(institution)s의 구성원입니다.")
            % {"email": email, "institution": institution.name}
        )
    if problems:
        raise ValidationError(problems)
    invitation = Invitation.objects.create(
        email=email, role=role, institution=institution, invited_by=by
    )
    _event(
        PeopleEventKind.INVITED,
        by=by,
        institution=institution,
        detail=f"{email} 주소를 {Role(role).label} 역할로 초대",
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
            _("초대 링크가 올바르지 않습니다. 메일의 링크 전체를 복사했는지 확인하십시오."),
            code="invalid",
        )
    if invitation.accepted_at is not None:
        raise LinkProblem(
            _("이미 사용된 초대 링크입니다. 가입하신 계정으로 로그인하십시오."), code="used"
        )
    if found.expired and not allow_expired:
        raise LinkProblem(
            _("초대 링크의 유효기간이 지났습니다. 새 초대 링크를 받으십시오."), code="expired"
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
        raise LinkProblem(_("이미 사용된 초대 링크입니다."), code="used")
    problems = []
    if _username_taken(username):
        problems.append(
            _("'%(username)s' 아이디는 이미 쓰이고 있습니다. 다른 아이디를 고르십시오.")
            % {"username": username}
        )
    if not (name or "").strip():
        problems.append(_("이름을 입력하십시오."))
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
    _require_admin(by, _("구성원 비활성화"))
    reason = (reason or "").strip()
    problems = []
    user = User.objects.select_for_update().get(pk=membership.user_id)
    if not user.is_active:
        problems.append(_("%(name)s 계정은 이미 비활성화되었습니다.") % {"name": user.display_name})
    if user.pk == by.pk:
        problems.append(_("자기 자신은 비활성화할 수 없습니다."))
    if not reason:
        problems.append(_("비활성화 사유를 입력하십시오."))
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
