"""The pledge (서약서): once per cycle, before any application of the cycle opens."""

import pytest
from django.urls import reverse

from evaluation.models import Pledge

from ..personas import ALL_PERSONAS, login_redirect

pytest_plugins = ["tests.evaluation.assignment_world"]

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_pledge_page(persona, as_persona, assignment_world):
    user, client = as_persona
    response = client.get(
        reverse("evaluation:pledge", args=[assignment_world.application.cycle.slug])
    )
    if persona == "anonymous":
        assert login_redirect(response)
    elif persona == "evaluator":
        assert response.status_code == 200
        assert 'data-testid="pledge-signed"' in response.content.decode()
    else:
        # other evaluators have no (active) assignment in the cycle; nobody else pledges
        assert response.status_code == 404


def test_sign_pledge_and_go_on(assignment, evaluator, client_for):
    cycle = assignment.application.cycle
    client = client_for(evaluator)
    start = reverse("evaluation:open_assignment", args=[assignment.pk])
    response = client.get(start)
    pledge = reverse("evaluation:pledge", args=[cycle.slug])
    assert response.status_code == 302 and response["Location"].startswith(pledge)
    page = client.get(response["Location"])
    assert page.status_code == 200 and "서약서" in page.content.decode()
    assert page.context["next"] == start
    response = client.post(pledge, {"agree": "on", "next": start}, REMOTE_ADDR="10.9.8.7")
    assert response.status_code == 302 and response["Location"] == start
    signed = Pledge.objects.get(cycle=cycle, evaluator=evaluator)
    assert signed.ip_address == "10.9.8.7" and signed.text_version == "1"
    # then the declaration, then the sheet
    response = client.get(start)
    assert response["Location"].startswith(reverse("evaluation:declare", args=[assignment.pk]))
    client.post(response["Location"], {"declaration": "none", "next": start})
    response = client.get(start)
    assert response.status_code == 302
    assert response["Location"] == reverse("evaluation:sheet", args=[assignment.pk])


def test_pledge_needs_agreement(assignment, evaluator, client_for):
    cycle = assignment.application.cycle
    response = client_for(evaluator).post(reverse("evaluation:pledge", args=[cycle.slug]), {})
    assert response.status_code == 400
    assert "서약 내용에 동의해야 평가를 시작할 수 있습니다." in response.content.decode()
    assert not Pledge.objects.exists()


def test_pledge_once_per_cycle(assignment, evaluator, client_for):
    cycle = assignment.application.cycle
    client = client_for(evaluator)
    url = reverse("evaluation:pledge", args=[cycle.slug])
    client.post(url, {"agree": "on"}, REMOTE_ADDR="10.0.0.1")
    client.post(url, {"agree": "on"}, REMOTE_ADDR="10.0.0.2")
    assert list(Pledge.objects.values_list("ip_address", flat=True)) == ["10.0.0.1"]


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_open_assignment(persona, as_persona, assignment_world):
    user, client = as_persona
    response = client.get(reverse("evaluation:open_assignment", args=[assignment_world.pk]))
    if persona == "anonymous":
        assert login_redirect(response)
    elif persona == "evaluator":
        assert response.status_code == 302 and "/accounts/login/" not in response["Location"]
    else:
        assert response.status_code == 404
