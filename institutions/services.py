"""Writes for users, roles and institutions."""

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from .models import Membership, User
from .roles import GROUP_NAMES, GROUP_PERMISSIONS, Role

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


@transaction.atomic
def user_grant_role(*, user: User, role: Role) -> None:
    group = Group.objects.get(name=GROUP_NAMES[role])
    user.groups.add(group)
    if role == Role.ADMIN and not user.is_staff:
        user.is_staff = True  # admins may also use Django admin for raw data fixes
        user.save(update_fields=["is_staff"])
    user.__dict__.pop("_role_cache", None)


@transaction.atomic
def membership_add(*, user: User, institution) -> Membership:
    membership, _created = Membership.objects.get_or_create(user=user, institution=institution)
    return membership
