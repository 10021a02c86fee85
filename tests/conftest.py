"""Persona fixtures and service guards shared by every test.

The personas follow the style guide kept beside the repository (``../shared/docs/style.md``,
section "Tests"; it is not part of this repository): admin, manager, evaluator (assigned),
other evaluator, institution member, member of another institution, anonymous. Who they are is
written once, in ``tests/personas.py``; these fixtures make them. Issues that add assignments
and applications extend these fixtures rather than inventing new users.
"""

import os

import pytest

from institutions.models import Institution, InstitutionType
from institutions.services import membership_add, roles_sync

# Re-exported: test modules import the personas' names and password from here.
from .personas import PASSWORD, PERSONAS, make_persona  # noqa: F401
from .personas import client_for as _client_for
from .personas import make_user as _make_user

# A real SMTP server (aiosmtpd) for any test: ``smtp_server``, ``hanging_smtp_server``.
from .smtp import hanging_smtp_server, smtp_server  # noqa: F401

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


def service_unavailable(what: str) -> None:
    """Skip a test whose service is missing -- or fail it when CI requires the services."""
    if REQUIRE_SERVICES:
        pytest.fail(f"REQUIRE_SERVICES=1 but {what}", pytrace=False)
    pytest.skip(what)


@pytest.fixture
def roles(db):
    return roles_sync()


@pytest.fixture
def make_user(roles):
    return _make_user


@pytest.fixture
def make_institution(db):
    counter = iter(range(1, 10_000))

    def make(name: str | None = None, **fields) -> Institution:
        from institutions.validators import business_number_is_valid

        n = next(counter)
        prefix = f"{n:09d}"
        number = next(
            prefix + str(d) for d in range(10) if business_number_is_valid(prefix + str(d))
        )
        defaults = {
            "name": name or f"기관{n}",
            "business_number": number,
            "type": InstitutionType.WIDE,
            "registered_on": "2015-01-01",
        }
        defaults.update(fields)
        return Institution.objects.create(**defaults)

    return make


@pytest.fixture
def institution(make_institution):
    return make_institution("한빛잡정보")


@pytest.fixture
def other_institution(make_institution):
    return make_institution("누리커리어")


@pytest.fixture
def admin_user(roles):
    return make_persona("admin_user")


@pytest.fixture
def manager(roles):
    return make_persona("manager")


@pytest.fixture
def evaluator(roles):
    return make_persona("evaluator")


@pytest.fixture
def other_evaluator(roles):
    return make_persona("other_evaluator")


@pytest.fixture
def member(roles, institution):
    user = make_persona("member")
    membership_add(user=user, institution=institution)
    return user


@pytest.fixture
def other_member(roles, other_institution):
    user = make_persona("other_member")
    membership_add(user=user, institution=other_institution)
    return user


@pytest.fixture
def client_for():
    return _client_for


@pytest.fixture
def persona_client(request):
    """Parametrise a test with ``@pytest.mark.parametrize('persona', PERSONAS)`` and ask for
    ``persona_client``: it returns ``(user_or_None, client)``."""
    name = request.getfixturevalue("persona")
    user = None if name == "anonymous" else request.getfixturevalue(name)
    return user, _client_for(user)


def _redis_reachable(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=2).ping())
    except Exception:
        return False


@pytest.fixture
def redis_url():
    """A reachable Redis URL (CELERY_BROKER_URL, or the local default)."""
    url = os.environ.get("CELERY_BROKER_URL") or "redis://127.0.0.1:6379/0"
    if not _redis_reachable(url):
        service_unavailable(f"Redis is not reachable at {url}")
    return url


@pytest.fixture
def postgres_required():
    """Fails under REQUIRE_SERVICES=1 (CI) when the suite is not running on PostgreSQL."""
    from django.db import connection

    if connection.vendor != "postgresql":
        service_unavailable("DATABASE_URL does not point at PostgreSQL")


@pytest.fixture(autouse=True, scope="session")
def _celery_eager_in_process():
    """Tests run tasks in-process unless a test starts a real worker (tests/e2e)."""
    from config.celery import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield


@pytest.fixture
def rubric_version(db):
    """A published 19-item rubric version (5 areas, area D substitutable by ISMS/ISMS-P)."""
    from .factories import build_rubric

    return build_rubric()


# --- evaluation: storage, cycles, applications (issue 4) ---------------------------------------


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Rate limits count in the default (local-memory) cache: each test starts with none, so
    one test's requests (the permission matrix's, say) never throttle another's."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """PBKDF2 costs ~0.4 s per user; tests create many users and prove nothing about it."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _uploads_in_tmp(settings, tmp_path):
    """Every test stores files (evidence, certificates, seed data) under its own tmp dir, never
    in var/media; upload temp files go to a dir the tests can inspect."""
    media = tmp_path / "media"
    upload_tmp = tmp_path / "upload-tmp"
    upload_tmp.mkdir()
    settings.FILE_UPLOAD_TEMP_DIR = str(upload_tmp)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": media, "base_url": None},
        },
    }
    return media


@pytest.fixture
def cycle(rubric_version, admin_user):
    """A cycle on the 19-item rubric, in the 신청 stage, evidence deadline in a week."""
    from datetime import date, timedelta
    from decimal import Decimal

    from django.utils import timezone

    from evaluation import services
    from evaluation.models import Stage

    created = services.cycle_create(
        by=admin_user,
        title="2026 인증 평가",
        slug="test-2026",
        rubric_version=rubric_version,
        reference_date=date(2026, 1, 1),
        evidence_deadline=timezone.now() + timedelta(days=7),
        pass_threshold=Decimal("140"),
    )
    return services.cycle_advance_stage(
        cycle=created, by=admin_user, expected_stage=Stage.ANNOUNCEMENT
    )


@pytest.fixture
def application(cycle, member, institution):
    """``member``'s institution's draft application to ``cycle``."""
    from evaluation import services

    return services.application_create(cycle=cycle, institution=institution, by=member)


@pytest.fixture
def other_application(cycle, other_member, other_institution):
    from evaluation import services

    return services.application_create(cycle=cycle, institution=other_institution, by=other_member)


# --- evaluation: assignments (scoring issue) -----------------------------------------------------


@pytest.fixture
def assignment(application, evaluator, admin_user):
    """``evaluator`` assigned to ``application``; pledge not signed, no declaration yet."""
    from evaluation.services.assignment import assignment_create

    return assignment_create(application=application, evaluator=evaluator, by=admin_user)


@pytest.fixture
def cleared_assignment(assignment, evaluator, admin_user):
    """``assignment`` once the evaluator signed the cycle's pledge and declared no conflict,
    with the application submitted and the cycle advanced through its gates to 서류심사: the
    evaluator may now open the application, its evidence and score the sheet."""
    from evaluation.services.assignment import conflict_declare, pledge_sign
    from tests.process import open_for_scoring

    pledge_sign(cycle=assignment.application.cycle, evaluator=evaluator, ip="127.0.0.1")
    cleared = conflict_declare(assignment=assignment, conflict=False, reason="", by=evaluator)
    open_for_scoring(assignment.application.cycle, admin_user, only=assignment.application)
    cleared.application.refresh_from_db()
    cleared.application.cycle.refresh_from_db()
    return cleared
