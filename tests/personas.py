"""The personas of the test suite, written once: who they are, how they are made, and what a
page answers each of them.

The style guide this suite follows (``../shared/docs/style.md``, kept beside the repository,
section "Tests") asks for personas as fixtures: admin, manager, evaluator (assigned), other
evaluator, institution member, member of another institution, anonymous. ``tests/conftest.py``
turns ``USERS`` into those fixtures; the security world (``tests/security/world.py``) and the
assignment tests build the same people from the same table, plus ``conflicted_evaluator``
(assigned, then recused).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from django.test import Client

from institutions.models import User
from institutions.roles import Role

PASSWORD = "test-pass-1234!"

# fixture name -> (username, role). Usernames are fixed: tests and expected texts name them.
USERS = {
    "admin_user": ("admin1", Role.ADMIN),
    "manager": ("manager1", Role.MANAGER),
    "evaluator": ("evaluator1", Role.EVALUATOR),
    "other_evaluator": ("evaluator9", Role.EVALUATOR),
    "conflicted_evaluator": ("evaluator7", Role.EVALUATOR),
    "member": ("member1", Role.INSTITUTION),
    "other_member": ("member9", Role.INSTITUTION),
}

# The personas every view is tested for (``@pytest.mark.parametrize("persona", PERSONAS)``).
PERSONAS = [
    "anonymous",
    "admin_user",
    "manager",
    "evaluator",
    "other_evaluator",
    "member",
    "other_member",
]
# ... plus the evaluator assigned to the same application who declared a conflict (회피).
ALL_PERSONAS = [*PERSONAS, "conflicted_evaluator"]
# The same people in the permission matrix's order: outsiders first, then the people the
# target objects belong to, then staff.
MATRIX_ORDER = (
    "anonymous",
    "other_member",  # a member of another institution (B)
    "other_evaluator",  # not assigned to A's application (cleared on B's)
    "conflicted_evaluator",  # assigned to A's application, declared a conflict (회피)
    "evaluator",  # assigned to A's application, cleared, sheet confirmed
    "member",  # a member of institution A
    "manager",
    "admin_user",
)
assert set(MATRIX_ORDER) == set(ALL_PERSONAS)


def make_user(username: str, role: Role | None = None, **extra) -> User:
    """A user with ``PASSWORD`` (so 확정 can be signed) and, if given, ``role``."""
    from institutions.services import user_grant_role

    extra.setdefault("name", username)
    user = User.objects.create_user(username=username, password=PASSWORD, **extra)
    if role is not None:
        user_grant_role(user=user, role=role)
    return User.objects.get(pk=user.pk)


def make_persona(name: str) -> User:
    """The persona ``name`` of ``USERS`` (not yet a member of any institution)."""
    username, role = USERS[name]
    return make_user(username, role)


def client_for(user) -> Client:
    """A test client logged in as ``user`` (anonymous for None)."""
    client = Client()
    if user is not None:
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def login_redirect(response) -> bool:
    return response.status_code == 302 and "/accounts/login/" in response["Location"]


def expect(
    response, persona: str, allowed: Collection[str] | Mapping[str, int], code: int = 200
) -> None:
    """What a page answers ``persona``: anonymous is sent to the login page; a persona in
    ``allowed`` gets ``code`` (or its own status when ``allowed`` maps personas to statuses);
    everyone else gets 404, as outsiders do."""
    if persona == "anonymous":
        assert login_redirect(response), (response.status_code, response.get("Location"))
        return
    if isinstance(allowed, Mapping):
        wanted = allowed.get(persona, 404)
    else:
        wanted = code if persona in allowed else 404
    assert response.status_code == wanted, (persona, response.status_code, response.content[:400])
