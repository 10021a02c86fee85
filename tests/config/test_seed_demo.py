import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from institutions.models import Institution, Membership, User
from institutions.roles import Role


def test_seed_demo_is_idempotent_and_creates_the_demo_accounts(db):
    call_command("seed_demo", stdout=None)
    counts = (User.objects.count(), Institution.objects.count(), Membership.objects.count())
    call_command("seed_demo")
    assert (User.objects.count(), Institution.objects.count(), Membership.objects.count()) == counts
    expected = {"admin", "manager", "evaluator1", "evaluator2", "evaluator3"} | {
        f"inst{i}" for i in range(1, 6)
    }
    assert set(User.objects.values_list("username", flat=True)) >= expected
    for username in expected:
        assert User.objects.get(username=username).check_password("demo1234!")
    assert User.objects.get(username="admin").has_role(Role.ADMIN)
    assert User.objects.get(username="manager").has_role(Role.MANAGER)
    assert User.objects.get(username="evaluator2").has_role(Role.EVALUATOR)
    inst3 = User.objects.get(username="inst3")
    assert inst3.has_role(Role.INSTITUTION)
    assert inst3.institutions.count() == 1


def test_seed_demo_refuses_when_not_allowed(db, settings):
    settings.SEED_DEMO_ALLOWED = False
    with pytest.raises(CommandError, match="운영 환경"):
        call_command("seed_demo")
    assert not User.objects.exists()
