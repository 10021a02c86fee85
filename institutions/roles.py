"""The four roles of the product. Each role is a Django group with a seeded permission set.

This module is also the one home of the role predicates (``is_admin``, ``is_staff_reader``,
``is_evaluator``, ``is_institution_member``): every app imports them from here (ADR 002). The
access policy itself -- who may see which object -- lives in each app's ``queries``; groups only
say who is who.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("관리자")
    MANAGER = "manager", _("관리책임자")
    EVALUATOR = "evaluator", _("평가위원")
    INSTITUTION = "institution", _("기관담당자")


# Group names are Korean, as the agency's staff see them in Django admin.
GROUP_NAMES: dict[Role, str] = {
    Role.ADMIN: "관리자",
    Role.MANAGER: "관리책임자",
    Role.EVALUATOR: "평가위원",
    Role.INSTITUTION: "기관담당자",
}

# Model permissions each group receives (app_label.codename). "*" means all four actions.
GROUP_PERMISSIONS: dict[Role, list[str]] = {
    Role.ADMIN: [
        "institutions.*institution",
        "institutions.*membership",
        "institutions.*certificate",
        "institutions.view_user",
        "institutions.add_user",
        "institutions.change_user",
        # Django admin is a data-repair tool; published rubric versions stay frozen there too.
        "indicators.*rubric",
        "indicators.*rubricversion",
        "indicators.*gradescale",
        "indicators.*gradelevel",
        "indicators.*area",
        "indicators.*indicator",
        "indicators.*item",
        "indicators.*checkpoint",
    ],
    Role.MANAGER: [
        "institutions.view_institution",
        "institutions.view_membership",
        "institutions.view_certificate",
        "institutions.view_user",
        "indicators.view_rubric",
        "indicators.view_rubricversion",
    ],
    Role.EVALUATOR: [],
    Role.INSTITUTION: [],
}


# --- role predicates (the only place a role check is written; ADR 002) ---------------------------


def holds_role(user, role: Role) -> bool:
    """True if ``user`` is signed in, active and holds ``role`` (superusers hold 관리자)."""
    return bool(user is not None and user.is_authenticated and user.has_role(role))


def is_admin(user) -> bool:
    return holds_role(user, Role.ADMIN)


def is_manager(user) -> bool:
    return holds_role(user, Role.MANAGER)


def is_staff_reader(user) -> bool:
    """Admins and managers read every cycle, application, result and evidence file."""
    return is_admin(user) or is_manager(user)


def is_evaluator(user) -> bool:
    return holds_role(user, Role.EVALUATOR)


def is_institution_member(user) -> bool:
    return holds_role(user, Role.INSTITUTION)


def can_read_access_log(user) -> bool:
    """The evidence and report access logs are read by admins and managers."""
    return is_staff_reader(user)
