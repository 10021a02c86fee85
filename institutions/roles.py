"""The four roles of the product. Each role is a Django group with a seeded permission set.

The access policy itself lives in each app's ``queries.py``; groups only say who is who.
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
