"""Home sections and navigation entries of the evaluation app, per role."""

import pytest
from django.urls import reverse

from ..conftest import PERSONAS

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("persona", PERSONAS[1:])
def test_nav_entries_per_role(persona, persona_client, cycle):
    _user, client = persona_client
    text = client.get(reverse("home")).content.decode()
    staff = persona in ("admin_user", "manager")
    assert (f'href="{reverse("evaluation:cycle_list")}"' in text) == staff
    assert (f'href="{reverse("evaluation:access_log")}"' in text) == staff
    assert (f'href="{reverse("evaluation:portal")}"' in text) == (persona.endswith("member"))


def test_institution_home_lists_its_applications_with_progress_and_deadline(
    client_for, member, application
):
    text = client_for(member).get(reverse("home")).content.decode()
    deadline = application.cycle.evidence_deadline
    from django.utils import timezone

    assert "우리 기관의 신청" in text
    assert f'href="{reverse("evaluation:checklist", args=[application.pk])}"' in text
    assert "증빙 0 / 19 항목 첨부" in text
    assert f"제출 마감 {timezone.localtime(deadline):%Y-%m-%d %H:%M}" in text


@pytest.mark.parametrize("persona", ["admin_user", "manager"])
def test_staff_home_lists_cycles(persona, persona_client, cycle, application):
    _user, client = persona_client
    text = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("evaluation:cycle_detail", args=[cycle.slug])}"' in text
    assert "신청 1건" in text


def test_other_institution_home_does_not_show_our_application(
    client_for, other_member, application
):
    text = client_for(other_member).get(reverse("home")).content.decode()
    assert reverse("evaluation:checklist", args=[application.pk]) not in text
