"""Writes for users, roles and institutions."""

from django.contrib.auth.models import Group, Permission
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from .mail import QueuedPasswordResetForm
from .models import AccountAction, AccountAudit, Membership, User
from .roles import GROUP_NAMES, GROUP_PERMISSIONS, Role, is_admin

_ACTIONS = ("view", "add", "change", "delete")


def _expand(spec: str) -> list[tuple[str, str]]:
    app_label, codename = spec.split(".", 1)
    if codename.startswith("*"):
        return [(app_label, f"{action}_{codename[1:]}") for action in _ACTIONS]
    return [(app_label, codename)]


@transaction.atomic
def roles_sync() -> dict[Role, Group]:
    """Create the four role groups and give each its permission set. Idempotent.

    Permissions of apps not migrated yet are skipped; the next call adds them.
    """
    groups = {}
    for role, name in GROUP_NAMES.items():
        group, _created = Group.objects.get_or_create(name=name)
        wanted = [pair for spec in GROUP_PERMISSIONS[role] for pair in _expand(spec)]
        perms = Permission.objects.filter(
            content_type__app_label__in={app for app, _ in wanted},
            codename__in={code for _, code in wanted},
        ).select_related("content_type")
        allowed = set(wanted)
        group.permissions.set(
            [p for p in perms if (p.content_type.app_label, p.codename) in allowed]
        )
        groups[role] = group
    return groups


MAX_REASON_CHARS = 2000


def _check_actor(by, reason: str, what: str) -> str:
    """``by`` None is the system (seed data, ``manage.py``); a person must be an admin and give
    a reason. Returns the cleaned reason."""
    reason = (reason or "").strip()
    if by is None:
        return reason
    if not is_admin(by):
        raise PermissionDenied(_("%(what)s: 관리자만 할 수 있습니다.") % {"what": what})
    if not reason:
        raise ValidationError(_("%(what)s 사유를 입력하십시오.") % {"what": what})
    if len(reason) > MAX_REASON_CHARS:
        raise ValidationError(
            _("%(what)s 사유가 너무 깁니다 (최대 %(max)d자).")
            % {"what": what, "max": MAX_REASON_CHARS}
        )
    if "\x00" in reason:
        raise ValidationError(
            _("%(what)s 사유에 허용되지 않는 문자(NUL)가 있습니다.") % {"what": what}
        )
    return reason


@transaction.atomic
def user_grant_role(*, user: User, role: Role, by: User | None = None, reason: str = "") -> bool:
    """Give ``user`` the role; the one way a role is granted (Django admin cannot: only
    superusers edit groups there). Audited when it changes anything. Returns whether it did.

    ``by`` must be an admin and ``reason`` is then required; ``by=None`` is the system.
    """
    reason = _check_actor(by, reason, _("역할 부여"))
    group = Group.objects.get(name=GROUP_NAMES[role])
    added = not user.groups.filter(pk=group.pk).exists()
    if added:
        user.groups.add(group)
        AccountAudit.objects.create(
            user=user, actor=by, action=AccountAction.GRANT, role=role, reason=reason
        )
    if role == Role.ADMIN and not user.is_staff:
        user.is_staff = True  # admins may also use Django admin for raw data fixes
        user.save(update_fields=["is_staff"])
    user.__dict__.pop("_role_cache", None)
    return added


@transaction.atomic
def user_revoke_role(*, user: User, role: Role, by: User | None, reason: str = "") -> bool:
    """Take the role from ``user``, audited. An admin cannot take their own admin role (the
    last admin would lock everyone out). Returns whether anything changed."""
    reason = _check_actor(by, reason, _("역할 해제"))
    if by is not None and by.pk == user.pk and role == Role.ADMIN:
        raise ValidationError(
            _("자신의 관리자 역할은 해제할 수 없습니다. 다른 관리자에게 요청하십시오.")
        )
    group = Group.objects.get(name=GROUP_NAMES[role])
    removed = user.groups.filter(pk=group.pk).exists()
    if removed:
        user.groups.remove(group)
        AccountAudit.objects.create(
            user=user, actor=by, action=AccountAction.REVOKE, role=role, reason=reason
        )
    if role == Role.ADMIN and user.is_staff and not user.is_superuser:
        user.is_staff = False
        user.save(update_fields=["is_staff"])
    user.__dict__.pop("_role_cache", None)
    return removed


def _reset_mail(user: User, *, domain: str, use_https: bool) -> None:
    """Django's own reset e-mail (rendered as PasswordResetForm renders it, sent by
    ``tasks.send_email``) with a one-time token for exactly this user."""
    context = {
        "email": user.email,
        "domain": domain,
        "site_name": domain,
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "user": user,
        "token": default_token_generator.make_token(user),
        "protocol": "https" if use_https else "http",
    }
    QueuedPasswordResetForm().send_mail(
        "registration/password_reset_subject.txt",
        "institutions/email/password_reset_by_admin.txt",
        context,
        None,
        user.email,
    )


@transaction.atomic
def user_password_reset_send(
    *, user: User, by: User, reason: str, domain: str, use_https: bool = True
) -> AccountAudit:
    """Send ``user`` a password-reset link (after commit). Nobody but the user ever sees or
    chooses the new password; the link dies once used or when the password changes."""
    reason = _check_actor(by, reason, _("비밀번호 재설정 링크 발송"))
    if by is None:
        raise PermissionDenied(_("비밀번호 재설정 링크 발송은 관리자만 할 수 있습니다."))
    problems = []
    who = {"name": user.display_name, "username": user.username}
    if not user.is_active:
        problems.append(_("%(name)s(%(username)s) 계정이 비활성 상태입니다.") % who)
    if not user.email:
        problems.append(
            _("%(name)s(%(username)s)에게 이메일 주소가 없어 링크를 보낼 수 없습니다.") % who
        )
    if user.is_superuser and not by.is_superuser:
        problems.append(_("최고관리자(superuser)의 비밀번호 재설정은 최고관리자만 할 수 있습니다."))
    if problems:
        raise ValidationError(problems)
    entry = AccountAudit.objects.create(
        user=user, actor=by, action=AccountAction.PASSWORD_RESET, reason=reason
    )
    transaction.on_commit(lambda: _reset_mail(user, domain=domain, use_https=use_https))
    return entry


@transaction.atomic
def membership_add(*, user: User, institution) -> Membership:
    membership, _created = Membership.objects.get_or_create(user=user, institution=institution)
    return membership


@transaction.atomic
def user_second_factor_reset(*, user: User, by: User, reason: str) -> AccountAudit:
    """Remove ``user``'s authenticator and recovery codes (a lost phone), audited; they enrol
    again at their next log-in. Only an admin, with a reason; a superuser's only by a
    superuser."""
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    reason = _check_actor(by, reason, _("2단계 인증 초기화"))
    if by is None:
        raise PermissionDenied(_("2단계 인증 초기화는 관리자만 할 수 있습니다."))
    if user.is_superuser and not by.is_superuser:
        raise ValidationError(
            _("최고관리자(superuser)의 2단계 인증은 최고관리자만 초기화할 수 있습니다.")
        )
    removed = TOTPDevice.objects.filter(user=user).delete()[0]
    removed += StaticDevice.objects.filter(user=user).delete()[0]
    if not removed:
        raise ValidationError(
            _("%(name)s(%(username)s) 계정에는 등록한 2단계 인증 수단이 없습니다.")
            % {"name": user.display_name, "username": user.username}
        )
    return AccountAudit.objects.create(
        user=user, actor=by, action=AccountAction.SECOND_FACTOR_RESET, reason=reason
    )
