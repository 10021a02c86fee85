"""The evaluator pool: affiliations bar assignment (제척) within the configured years, in manual,
bulk and automatic assignment, named on the conflicts page; automatic assignment prefers
evaluators whose expertise covers the rubric's areas."""

import html
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from evaluation.models import Application, ApplicationStatus, Assignment
from evaluation.services import assignment as services
from institutions.models import Affiliation, EvaluatorProfile
from institutions.people.queries import affiliation_conflicts
from institutions.roles import Role

pytestmark = pytest.mark.django_db


def _years_ago(years: int, days: int = 0) -> date:
    today = timezone.localdate()
    return today.replace(year=today.year - years) - timedelta(days=days)


@pytest.fixture
def pool(make_user):
    return [make_user(f"ev{i}", Role.EVALUATOR) for i in range(3)]


def test_recent_affiliation_bars_manual_assignment(application, pool, admin_user, settings):
    settings.CONFLICT_AFFILIATION_YEARS = 3
    Affiliation.objects.create(
        user=pool[0],
        institution=application.institution,
        started_on=date(2015, 1, 1),
        ended_on=_years_ago(2),
    )
    with pytest.raises(ValidationError) as exc:
        services.assignment_create(application=application, evaluator=pool[0], by=admin_user)
    [problem] = exc.value.messages
    assert problem.startswith(f"{application.institution.name} · ev0: 제척: ")
    assert "소속 이력" in problem and "최근 3년 이내" in problem
    assert not Assignment.objects.exists()
    # the setting decides: with one year, the same affiliation is too old to bar
    settings.CONFLICT_AFFILIATION_YEARS = 1
    services.assignment_create(application=application, evaluator=pool[0], by=admin_user)
    assert Assignment.objects.count() == 1


def test_current_and_old_affiliations(application, pool):
    inst = application.institution
    Affiliation.objects.create(user=pool[0], institution=inst, started_on=date(2020, 1, 1))
    Affiliation.objects.create(
        user=pool[1], institution=inst, started_on=date(2001, 1, 1), ended_on=_years_ago(3, 1)
    )
    bars = affiliation_conflicts(user_ids=[u.pk for u in pool], institution_ids=[inst.pk], years=3)
    assert set(bars) == {(inst.pk, pool[0].pk)}
    assert "현재" in bars[(inst.pk, pool[0].pk)]


def test_bulk_assignment_refuses_the_whole_batch(application, pool, admin_user):
    Affiliation.objects.create(
        user=pool[1], institution=application.institution, started_on=date(2024, 1, 1)
    )
    with pytest.raises(ValidationError) as exc:
        services.assignments_create_bulk(applications=[application], evaluators=pool, by=admin_user)
    assert [m for m in exc.value.messages if "제척" in m] == [
        m for m in exc.value.messages if m.startswith(f"{application.institution.name} · ev1")
    ]
    assert not Assignment.objects.exists()


def _submit(application):
    Application.objects.filter(pk=application.pk).update(
        status=ApplicationStatus.SUBMITTED, submitted_at=timezone.now()
    )


def test_auto_assignment_skips_barred_and_prefers_expertise(application, pool, cycle, make_user):
    _submit(application)
    cycle.evaluators_per_application = 1
    cycle.save(update_fields=["evaluators_per_application"])
    codes = list(cycle.rubric_version.areas.values_list("code", flat=True))
    # ev0 barred; ev1 no profile; ev2 covers every area: ev2 is chosen
    Affiliation.objects.create(
        user=pool[0], institution=application.institution, started_on=date(2024, 1, 1)
    )
    EvaluatorProfile.objects.create(user=pool[2], expertise=codes)
    plan = services.assignment_auto_plan(cycle=cycle, evaluators=pool, cap=5)
    assert [(a.pk, e.username) for a, e in plan.pairs] == [(application.pk, "ev2")]
    # without the profile the tie goes back to name order (ev1, ev0 being barred)
    EvaluatorProfile.objects.filter(user=pool[2]).update(expertise=[])
    plan = services.assignment_auto_plan(cycle=cycle, evaluators=pool, cap=5)
    assert [e.username for _, e in plan.pairs] == ["ev1"]


def test_conflicts_page_names_the_bar(application, pool, admin_user, cycle):
    Affiliation.objects.create(
        user=pool[0], institution=application.institution, started_on=date(2024, 1, 1)
    )
    client = Client()
    client.force_login(admin_user, backend="django.contrib.auth.backends.ModelBackend")
    text = html.unescape(
        client.get(reverse("evaluation:conflicts", args=[cycle.slug])).content.decode()
    )
    section = text[text.index('data-testid="affiliation-bars"') :]
    assert "ev0" in section and "제척" in section and application.institution.name in section
    assert "ev1" not in section


def test_admin_invites_an_evaluator_and_edits_the_profile(
    admin_user, pool, institution, django_capture_on_commit_callbacks
):
    from django.core import mail

    from institutions.models import PeopleEvent

    client = Client()
    client.force_login(admin_user, backend="django.contrib.auth.backends.ModelBackend")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("people:evaluator_list"), {"email": "new@eval.example"})
    assert response.status_code == 302
    [message] = mail.outbox
    assert message.to == ["new@eval.example"] and "평가위원" in message.subject
    url = reverse("people:evaluator_detail", args=[pool[0].pk])
    response = client.post(
        url,
        {
            "expertise": "B, A,, A",
            "qualifications": "직업상담사 1급",
            "organisation": "",
            "phone": "",
        },
    )
    assert response.status_code == 302
    assert pool[0].evaluator_profile.expertise == ["A", "B"]
    client.post(
        reverse("people:affiliation_add", args=[pool[0].pk]),
        {"institution": "", "organisation": "", "started_on": "2020-01-01"},
    )
    assert not Affiliation.objects.exists()  # neither institution nor name: refused
    client.post(
        reverse("people:affiliation_add", args=[pool[0].pk]),
        {"institution": institution.pk, "started_on": "2020-01-01", "ended_on": "2021-01-01"},
    )
    assert Affiliation.objects.get().institution == institution
    assert list(PeopleEvent.objects.order_by("pk").values_list("kind", flat=True)) == [
        "invited",
        "profile_changed",
        "affiliation_added",
    ]
    text = html.unescape(client.get(reverse("people:evaluator_list")).content.decode())
    assert "A, B" in text and institution.name in text


@pytest.mark.parametrize("n", [2, 12])
def test_evaluator_list_query_count_is_flat(
    n, admin_user, make_user, institution, django_assert_max_num_queries
):
    for i in range(n):
        user = make_user(f"pool{i}", Role.EVALUATOR)
        EvaluatorProfile.objects.create(user=user, expertise=["A"])
        Affiliation.objects.create(user=user, institution=institution, started_on=date(2020, 1, 1))
    client = Client()
    client.force_login(admin_user, backend="django.contrib.auth.backends.ModelBackend")
    with django_assert_max_num_queries(9):
        assert client.get(reverse("people:evaluator_list")).status_code == 200
