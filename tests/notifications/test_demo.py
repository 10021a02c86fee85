"""Every demo account has an e-mail address, so the demo shows who receives what."""

import pytest
from django.core.management import call_command

from institutions.models import User

pytestmark = pytest.mark.django_db

DEMO = {"admin", "manager", "evaluator1", "evaluator2", "evaluator3"} | {
    f"inst{i}" for i in range(1, 6)
}


def test_every_demo_account_has_an_address_even_in_an_older_demo_database():
    call_command("seed_demo")
    User.objects.filter(username="inst1").update(email="")
    call_command("seed_demo")
    emails = dict(User.objects.filter(username__in=DEMO).values_list("username", "email"))
    assert emails == {name: f"{name}@example.invalid" for name in DEMO}
