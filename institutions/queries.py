"""Reads of users and their account history; also the access policy for them (ADR 002)."""

from django.contrib.auth.models import Group
from django.db.models import Prefetch, QuerySet

from .models import AccountAudit, User
from .roles import is_admin


def can_manage_users(user) -> bool:
    """Only admins see the 사용자·역할 pages, grant and revoke roles and send reset links."""
    return is_admin(user)


def visible_users(user) -> QuerySet[User]:
    """The users ``user`` may manage: all of them for an admin, nobody otherwise. Groups are
    prefetched, so a list costs the same number of queries whatever its length."""
    if not can_manage_users(user):
        return User.objects.none()
    return User.objects.order_by("username").prefetch_related(
        Prefetch("groups", queryset=Group.objects.only("name"))
    )


def user_account_audit(user: User) -> QuerySet[AccountAudit]:
    return AccountAudit.objects.filter(user=user).select_related("actor")
