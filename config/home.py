"""What each role's home page lists. One function per role; a user with several roles sees
each of their sections. Every entry is a real link into the product, never a placeholder."""

from dataclasses import dataclass, field

from evaluation.queries import cycles_for_list, my_applications
from evaluation.queries.assignment import evaluator_home_assignments
from evaluation.queries.reliability import own_severity_cycles
from indicators.queries import visible_rubric_versions
from institutions.roles import Role


@dataclass
class Section:
    role: Role
    template: str
    context: dict = field(default_factory=dict)


def _cycles(user) -> dict:
    return {"cycles": list(cycles_for_list(user)[:5])}


def _rubric_versions(user) -> dict:
    return {"rubric_versions": list(visible_rubric_versions(user).order_by("-created_at")[:5])}


def _admin(user) -> dict:
    return {**_cycles(user), **_rubric_versions(user)}


def _manager(user) -> dict:
    return _cycles(user)


def _evaluator(user) -> dict:
    return {
        "assignments": evaluator_home_assignments(user),
        # 확정 cycles where the evaluator may see their own severity (ADR 015)
        "severity_cycles": list(own_severity_cycles(user).order_by("-reference_date")),
    }


def _institution(user) -> dict:
    return {
        "institutions": list(user.institutions.all()),
        "applications": my_applications(user),
    }


_BUILDERS = {
    Role.ADMIN: _admin,
    Role.MANAGER: _manager,
    Role.EVALUATOR: _evaluator,
    Role.INSTITUTION: _institution,
}


def home_sections(user) -> list[Section]:
    roles = user.role_set()
    return [
        Section(role=role, template=f"home/_{role.value}.html", context=builder(user))
        for role, builder in _BUILDERS.items()
        if role in roles
    ]
