"""Admin assignment pages, per persona: the board, one-by-one, bulk, automatic (preview then
apply), 제척; and the evaluator's home."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from evaluation.models import Application, ApplicationStatus, Assignment, Exclusion
from evaluation.services import assignment as services
from evaluation.services.applications import application_create
from institutions.roles import Role
from institutions.services import membership_add

from ..personas import ALL_PERSONAS, expect
from .assignment_helpers import force_submit
from .helpers import without_data_marks

pytest_plugins = ["tests.evaluation.assignment_world"]

pytestmark = pytest.mark.django_db

STAFF = {"admin_user", "manager"}


# --- GET pages per persona -----------------------------------------------------------------


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_board(persona, as_persona, assignment_world):
    user, client = as_persona
    response = client.get(
        reverse("evaluation:assignment_board", args=[assignment_world.application.cycle.slug])
    )
    expect(response, persona, STAFF)
    if persona in STAFF:
        body = without_data_marks(response.content.decode())
        assert assignment_world.application.institution.name in body
        assert "evaluator1" in body and "(이해충돌 없음)" in body
        assert "<s>evaluator7</s> 회피" in body
        assert ("자동 균형 배정" in body) == (persona == "admin_user")
        # 1 of 3 active: the reassignment prompt names the application and links to it
        assert 'data-testid="reassign-prompt"' in body
        assert (
            reverse("evaluation:application_assignments", args=[assignment_world.application.pk])
            in body
        )


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_application_assignments_page(persona, as_persona, assignment_world):
    user, client = as_persona
    response = client.get(
        reverse("evaluation:application_assignments", args=[assignment_world.application.pk])
    )
    expect(response, persona, STAFF)
    if persona in STAFF:
        body = response.content.decode()
        assert "전 직장 동료" in body  # the recusal reason is recorded and shown
        assert ('data-testid="assign-form"' in body) == (persona == "admin_user")
        assert "2명 부족" in body


@pytest.mark.parametrize("persona", ALL_PERSONAS)
@pytest.mark.parametrize("page", ["assignment_bulk", "assignment_auto"])
def test_admin_only_pages(persona, as_persona, assignment_world, page):
    user, client = as_persona
    response = client.get(
        reverse(f"evaluation:{page}", args=[assignment_world.application.cycle.slug])
    )
    expect(response, persona, {"admin_user"})


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_assign_one_post(
    persona, as_persona, assignment_world, make_user, django_capture_on_commit_callbacks
):
    user, client = as_persona
    new = make_user("evaluator3", Role.EVALUATOR, email="ev3@example.kr")
    url = reverse("evaluation:application_assignments", args=[assignment_world.application.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"evaluator": new.pk})
    created = Assignment.objects.filter(evaluator=new).exists()
    if persona == "admin_user":
        assert response.status_code == 302 and created
        assert [m.to for m in mail.outbox] == [["ev3@example.kr"]]
    else:
        assert not created and mail.outbox == []
        expect(response, persona, set())
        if persona == "manager":
            assert response.status_code == 404


def test_assign_one_refuses_excluded_evaluator(
    assignment_world, client_for, admin_user, conflicted_evaluator
):
    url = reverse("evaluation:application_assignments", args=[assignment_world.application.pk])
    response = client_for(admin_user).post(url, {"evaluator": conflicted_evaluator.pk})
    assert response.status_code == 400
    # not even offered: the form's choices leave him out, and the field says so
    assert conflicted_evaluator not in response.context["form"].fields["evaluator"].queryset
    assert "올바르게 선택해 주세요" in response.content.decode()
    assert Assignment.objects.filter(evaluator=conflicted_evaluator).count() == 1


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_disqualify_post(persona, as_persona, assignment_world):
    user, client = as_persona
    url = reverse("evaluation:disqualify", args=[assignment_world.pk])
    response = client.post(url, {"reason": "기관 임원의 친족"})
    assignment_world.refresh_from_db()
    if persona == "admin_user":
        assert response.status_code == 302
        assert assignment_world.exclusion == Exclusion.DISQUALIFICATION
        assert (
            assignment_world.exclusion_reason == "기관 임원의 친족"
            and assignment_world.excluded_by == user
        )
    else:
        assert assignment_world.is_active
        expect(response, persona, set())


def test_disqualify_without_reason_changes_nothing(assignment_world, client_for, admin_user):
    client = client_for(admin_user)
    response = client.post(
        reverse("evaluation:disqualify", args=[assignment_world.pk]), {"reason": ""}, follow=True
    )
    assignment_world.refresh_from_db()
    assert assignment_world.is_active
    assert (
        f"{assignment_world.application.institution.name} · evaluator1: 제척 사유를 입력하십시오."
        in (response.content.decode())
    )


def test_disqualify_prompts_reassignment(assignment_world, client_for, admin_user):
    client = client_for(admin_user)
    response = client.post(
        reverse("evaluation:disqualify", args=[assignment_world.pk]),
        {"reason": "친족"},
        follow=True,
    )
    body = response.content.decode()
    assert "제척했습니다" in body and "재배정하십시오" in body
    assert "3명 부족" in body


# --- bulk ----------------------------------------------------------------------------------


@pytest.fixture
def three_evaluators(make_user):
    return [make_user(f"bulk{i}", Role.EVALUATOR, email=f"b{i}@example.kr") for i in range(3)]


def test_bulk_assigns_every_pair(
    assignment_world, other_application, three_evaluators, client_for, admin_user,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    force_submit(other_application)
    client = client_for(admin_user)
    url = reverse("evaluation:assignment_bulk", args=[assignment_world.application.cycle.slug])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {
                "applications": [assignment_world.application.pk, other_application.pk],
                "evaluators": [e.pk for e in three_evaluators],
            },
        )
    assert response.status_code == 302
    assert Assignment.objects.filter(evaluator__in=three_evaluators).count() == 6
    assert len(mail.outbox) == 3  # one notice per evaluator listing both applications
    assert all(other_application.institution.name in m.body for m in mail.outbox)


def test_bulk_with_a_conflict_writes_nothing(
    assignment_world,
    other_application,
    three_evaluators,
    client_for,
    admin_user,
    conflicted_evaluator,
):
    force_submit(other_application)  # the world left it 미제출; here it is in review too
    client = client_for(admin_user)
    url = reverse("evaluation:assignment_bulk", args=[assignment_world.application.cycle.slug])
    response = client.post(
        url,
        {
            "applications": [assignment_world.application.pk, other_application.pk],
            "evaluators": [e.pk for e in three_evaluators] + [conflicted_evaluator.pk],
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert (
        f"{assignment_world.application.institution.name} · evaluator7: 회피 사유로 배제된" in body
    )
    assert not Assignment.objects.filter(evaluator__in=three_evaluators).exists()


def test_bulk_skips_pairs_already_assigned(assignment_world, client_for, admin_user, evaluator):
    client = client_for(admin_user)
    url = reverse("evaluation:assignment_bulk", args=[assignment_world.application.cycle.slug])
    response = client.post(
        url,
        {"applications": [assignment_world.application.pk], "evaluators": [evaluator.pk]},
        follow=True,
    )
    assert "이미 배정되어 건너뛴 조합" in response.content.decode()
    assert Assignment.objects.filter(evaluator=evaluator).count() == 1


def test_bulk_empty_selection_is_named(assignment_world, client_for, admin_user):
    client = client_for(admin_user)
    url = reverse("evaluation:assignment_bulk", args=[assignment_world.application.cycle.slug])
    response = client.post(url, {"applications": [], "evaluators": []})
    assert response.status_code == 400
    assert response.content.decode().count("필수 항목입니다") == 2


# --- automatic: preview then apply ---------------------------------------------------------


@pytest.fixture
def auto_cycle(assignment_world, make_institution, make_user, three_evaluators, admin_user):
    cycle = assignment_world.application.cycle
    apps = [assignment_world.application]
    for i in range(3):
        inst = make_institution(f"자동{i}")
        m = make_user(f"auto-m{i}", Role.INSTITUTION)
        membership_add(user=m, institution=inst)
        # 신청 has closed (the world is in 서류심사): submitted applications, as test data
        apps.append(
            Application.objects.create(
                cycle=cycle,
                institution=inst,
                created_by=m,
                status=ApplicationStatus.SUBMITTED,
                submitted_at=timezone.now(),
            )
        )
    return cycle, apps


def test_auto_preview_writes_nothing_then_apply(
    auto_cycle, client_for, admin_user, django_capture_on_commit_callbacks
):
    cycle, apps = auto_cycle
    client = client_for(admin_user)
    url = reverse("evaluation:assignment_auto", args=[cycle.slug])
    before = Assignment.objects.count()
    from evaluation.queries.assignment import evaluator_pool

    pool = [u.pk for u in evaluator_pool()]
    response = client.post(url, {"action": "preview", "cap": 3, "evaluators": pool})
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="plan"' in body and "아직 저장되지 않음" in body
    assert Assignment.objects.count() == before and mail.outbox == []
    fingerprint = response.context["plan"].fingerprint
    planned = {(a.pk, e.pk) for a, e in response.context["plan"].pairs}
    assert len(planned) == 11  # 4 applications x 3, minus evaluator1 already on one
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, {"action": "apply", "cap": 3, "evaluators": pool, "fingerprint": fingerprint}
        )
    assert response.status_code == 302
    after = set(Assignment.objects.values_list("application_id", "evaluator_id"))
    assert planned <= after and Assignment.objects.count() == before + 11
    assert mail.outbox  # notices went out
    # the conflicted evaluator was never put back on the application he recused from
    assert (
        Assignment.objects.filter(application=apps[0], evaluator__username="evaluator7").count()
        == 1
    )


def test_auto_apply_with_stale_fingerprint_writes_nothing(auto_cycle, client_for, admin_user):
    cycle, apps = auto_cycle
    client = client_for(admin_user)
    url = reverse("evaluation:assignment_auto", args=[cycle.slug])
    from evaluation.queries.assignment import evaluator_pool

    pool = [u.pk for u in evaluator_pool()]
    before = Assignment.objects.count()
    response = client.post(
        url, {"action": "apply", "cap": 3, "evaluators": pool, "fingerprint": "0" * 64}
    )
    assert response.status_code == 400
    assert "다시 미리보기를 한 뒤 적용하십시오" in response.content.decode()
    assert Assignment.objects.count() == before


def test_auto_form_errors_are_named(auto_cycle, client_for, admin_user):
    cycle, _ = auto_cycle
    response = client_for(admin_user).post(
        reverse("evaluation:assignment_auto", args=[cycle.slug]), {"action": "preview", "cap": 0}
    )
    assert response.status_code == 400
    assert "1" in response.content.decode()  # "값이 1 이상이어야 합니다" from the cap field


def test_manager_cannot_post_auto(auto_cycle, client_for, manager):
    cycle, _ = auto_cycle
    before = Assignment.objects.count()
    response = client_for(manager).post(
        reverse("evaluation:assignment_auto", args=[cycle.slug]), {"action": "apply", "cap": 3}
    )
    assert response.status_code == 404 and Assignment.objects.count() == before


# --- evaluator home ------------------------------------------------------------------------


def test_evaluator_home_lists_assignments(
    assignment_world, client_for, evaluator, other_application, admin_user
):
    force_submit(other_application)  # the world left it 미제출; here it is in review too
    pending = services.assignment_create(
        application=other_application, evaluator=evaluator, by=admin_user
    )
    body = client_for(evaluator).get("/").content.decode()
    table = body.split('data-testid="home-assignments"')[1]
    assert assignment_world.application.institution.name in table
    assert other_application.institution.name in table
    assert "이해충돌 신고 필요" in table
    assert reverse("evaluation:open_assignment", args=[pending.pk]) in table
    assert reverse("evaluation:sheet", args=[assignment_world.pk]) in table  # cleared: straight in
    assert "평가 시작" in table


def test_conflicted_evaluator_home_shows_exclusion_without_link(
    assignment_world, client_for, conflicted_evaluator
):
    body = client_for(conflicted_evaluator).get("/").content.decode()
    table = body.split('data-testid="home-assignments"')[1]
    assert "평가 제외 (회피)" in table
    assert "/assignments/" not in table and "/sheets/" not in table


@pytest.mark.parametrize("n", [1, 12])
def test_home_query_count_does_not_grow(
    n, make_user, make_institution, cycle, admin_user, client_for, django_assert_max_num_queries
):
    ev = make_user("evaluator-home", Role.EVALUATOR)
    for i in range(n):
        inst = make_institution(f"홈{i}")
        m = make_user(f"home-m{i}", Role.INSTITUTION)
        membership_add(user=m, institution=inst)
        app = application_create(cycle=cycle, institution=inst, by=m)
        a = services.assignment_create(application=app, evaluator=ev, by=admin_user)
        if i % 3 == 0:
            services.pledge_sign(cycle=cycle, evaluator=ev, ip=None)
            services.conflict_declare(assignment=a, conflict=False, by=ev)
    client = client_for(ev)
    with django_assert_max_num_queries(8):
        response = client.get("/")
    body = response.content.decode()
    assert body.count("/assignments/") + body.count("/sheets/") == n


# --- query counts on the list pages --------------------------------------------------------


def _populate(cycle, make_user, make_institution, admin_user, n_apps, n_evs):
    """``n_apps`` submitted applications, each with three evaluators of ``n_evs``: one
    disqualified, one challenged (every other challenge rejected)."""
    evs = [make_user(f"qc-ev{i}", Role.EVALUATOR) for i in range(n_evs)]
    for i in range(n_apps):
        inst = make_institution(f"쿼리{i}")
        m = make_user(f"qc-m{i}", Role.INSTITUTION)
        membership_add(user=m, institution=inst)
        app = force_submit(application_create(cycle=cycle, institution=inst, by=m))
        trio = [evs[(i + k) % n_evs] for k in range(3)]
        made = [
            services.assignment_create(application=app, evaluator=e, by=admin_user) for e in trio
        ]
        services.assignment_disqualify(assignment=made[0], reason="제척", by=admin_user)
        challenge = services.challenge_request(assignment=made[1], reason="기피", by=m)
        if i % 2:
            services.challenge_decide(
                challenge=challenge, upheld=False, reason="기각", by=admin_user
            )
    return evs


@pytest.mark.parametrize(("n_apps", "n_evs"), [(2, 4), (15, 12)])
@pytest.mark.parametrize(
    "page", ["assignment_board", "conflicts", "assignment_auto", "assignment_bulk"]
)
def test_list_pages_query_count(
    n_apps, n_evs, page, cycle, make_user, make_institution, admin_user, client_for,
    django_assert_max_num_queries,
):  # fmt: skip
    _populate(cycle, make_user, make_institution, admin_user, n_apps, n_evs)
    client = client_for(admin_user)
    # 10: the conflicts page lists 제척 by affiliation in one more query (ADR 016)
    with django_assert_max_num_queries(10):
        response = client.get(reverse(f"evaluation:{page}", args=[cycle.slug]))
    assert response.status_code == 200
    if page == "assignment_board":
        assert len(response.context["rows"]) == n_apps


@pytest.mark.parametrize(("n_apps", "n_evs"), [(2, 4), (15, 12)])
def test_auto_preview_query_count(
    n_apps, n_evs, cycle, make_user, make_institution, admin_user, client_for,
    django_assert_max_num_queries,
):  # fmt: skip
    evs = _populate(cycle, make_user, make_institution, admin_user, n_apps, n_evs)
    client = client_for(admin_user)
    url = reverse("evaluation:assignment_auto", args=[cycle.slug])
    data = {"action": "preview", "cap": 50, "evaluators": [e.pk for e in evs]}
    # 18: the plan reads the rubric's area codes, expertise and affiliations (ADR 016)
    with django_assert_max_num_queries(18):
        response = client.post(url, data)
    assert response.status_code == 200
    assert response.context["plan"].is_complete
    assert len(response.context["plan"].pairs) == n_apps  # the disqualified seat, refilled


@pytest.mark.parametrize("n", [1, 10])
def test_application_page_query_count(
    n, application, make_user, admin_user, client_for, django_assert_max_num_queries
):
    for i in range(n):
        e = make_user(f"ap-ev{i}", Role.EVALUATOR)
        a = services.assignment_create(application=application, evaluator=e, by=admin_user)
        if i % 2:
            services.assignment_disqualify(assignment=a, reason="제척", by=admin_user)
    client = client_for(admin_user)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("evaluation:application_assignments", args=[application.pk]))
    assert response.status_code == 200


def test_auto_form_suggests_the_even_share_as_cap(assignment_world, client_for, admin_user):
    # active: evaluator1 on the application (1); missing: 2 seats; pool: 3 evaluators -> 1
    response = client_for(admin_user).get(
        reverse("evaluation:assignment_auto", args=[assignment_world.application.cycle.slug])
    )
    form = response.context["form"]
    assert form.initial["cap"] == 1
    assert {u.username for u in form.initial["evaluators"]} == {
        "evaluator1",
        "evaluator7",
        "evaluator9",
    }
