"""The pure balancing module, and the automatic assignment services built on it."""

import ast
import itertools
from pathlib import Path

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from evaluation import balancing
from evaluation.models import Assignment
from evaluation.services import assignment as services
from evaluation.services.applications import application_create
from institutions.roles import Role
from institutions.services import membership_add


def plan(apps, evs, need, eligible=None, loads=None, cap=10):
    return balancing.balanced_plan(
        applications=apps,
        evaluators=evs,
        needs={a: need for a in apps} if isinstance(need, int) else need,
        eligible=eligible or {a: set(evs) for a in apps},
        loads=loads or {},
        cap=cap,
    )


def test_pure_module_imports_no_django():
    tree = ast.parse(Path(balancing.__file__).read_text())
    names = [
        n.module if isinstance(n, ast.ImportFrom) else a.name
        for n in ast.walk(tree)
        if isinstance(n, ast.Import | ast.ImportFrom)
        for a in (n.names if isinstance(n, ast.Import) else [n])
    ]
    assert not [n for n in names if n and n.startswith("django")]


def test_even_loads_without_conflicts():
    p = plan(list(range(7)), list("abcde"), 3, cap=5)
    assert not p.shortfalls and len(p.pairs) == 21
    assert sorted(p.loads.values()) == [4, 4, 4, 4, 5]


def test_each_application_gets_distinct_evaluators():
    p = plan(list(range(4)), list("abc"), 3)
    for a in range(4):
        assert sorted(e for x, e in p.pairs if x == a) == ["a", "b", "c"]


def test_moves_a_planned_seat_to_fill_a_constrained_application():
    # A greedy pass gives app 0 evaluator "a" (first in order) and leaves app 1 empty; the
    # augmenting path moves app 0 to "b" so that app 1 can have "a".
    p = plan([0, 1], ["a", "b"], 1, eligible={0: {"a", "b"}, 1: {"a"}}, cap=1)
    assert not p.shortfalls
    assert set(p.pairs) == {(0, "b"), (1, "a")}


def test_cap_is_respected_and_shortfalls_reported():
    p = plan(list(range(5)), list("ab"), 2, cap=3)
    assert max(p.loads.values()) == 3
    assert len(p.pairs) == 6
    assert sum(p.shortfalls.values()) == 4


def test_existing_loads_count():
    p = plan(list(range(3)), list("abc"), 1, loads={"a": 2, "b": 1}, cap=5)
    assert p.loads == {"a": 2, "b": 2, "c": 2}
    assert {e for _, e in p.pairs} == {"b", "c"}


def test_conflicts_never_planned_and_balance_kept():
    evs = list("abcdef")
    eligible = {a: set(evs) - {evs[a % 6]} for a in range(6)}
    p = plan(list(range(6)), evs, 3, eligible=eligible, cap=10)
    assert not p.shortfalls
    assert all(e in eligible[a] for a, e in p.pairs)
    assert set(p.loads.values()) == {3}


def test_deterministic():
    args = (list(range(9)), list("abcd"), 2)
    assert plan(*args, cap=5) == plan(*args, cap=5)


def _max_seats_brute(apps, evs, need, eligible, cap):
    """Largest number of seats any valid plan fills (tiny inputs only)."""
    options = [
        [c for k in range(need + 1) for c in itertools.combinations(sorted(eligible[a]), k)]
        for a in apps
    ]
    best = 0
    for combo in itertools.product(*options):
        loads = {}
        for chosen in combo:
            for e in chosen:
                loads[e] = loads.get(e, 0) + 1
        if all(v <= cap for v in loads.values()):
            best = max(best, sum(len(c) for c in combo))
    return best


@settings(max_examples=120, deadline=None)
@given(
    n_apps=st.integers(1, 6),
    n_evs=st.integers(1, 5),
    need=st.integers(1, 3),
    cap=st.integers(1, 4),
    data=st.data(),
)
def test_properties(n_apps, n_evs, need, cap, data):
    apps, evs = list(range(n_apps)), [f"e{i}" for i in range(n_evs)]
    eligible = {
        a: set(data.draw(st.lists(st.sampled_from(evs), unique=True, max_size=n_evs))) for a in apps
    }
    p = plan(apps, evs, need, eligible=eligible, cap=cap)
    # valid: eligible pairs only, no pair twice, no application over its need, cap kept
    assert len(set(p.pairs)) == len(p.pairs)
    assert all(e in eligible[a] for a, e in p.pairs)
    for a in apps:
        got = sum(1 for x, _ in p.pairs if x == a)
        assert got + p.shortfalls.get(a, 0) == need
    assert all(v <= cap for v in p.loads.values())
    # balanced: no seat can move from a busier evaluator to one with 2 fewer
    for a, e in p.pairs:
        for other in eligible[a]:
            if (a, other) not in p.pairs:
                assert p.loads[other] + 1 >= p.loads[e], (a, e, other, p)
    # maximal: when every application may take every evaluator, everything that fits is
    # filled and the loads differ by at most one
    if all(eligible[a] == set(evs) for a in apps):
        seats = n_apps * min(need, n_evs)
        assert len(p.pairs) == min(seats, cap * n_evs) or need > n_evs
        if len(p.pairs) == n_apps * need:
            assert max(p.loads.values()) - min(p.loads.values()) <= 1


@settings(max_examples=60, deadline=None)
@given(n_apps=st.integers(1, 4), n_evs=st.integers(1, 4), cap=st.integers(1, 3), data=st.data())
def test_fills_as_many_seats_as_possible(n_apps, n_evs, cap, data):
    apps, evs = list(range(n_apps)), [f"e{i}" for i in range(n_evs)]
    eligible = {
        a: set(data.draw(st.lists(st.sampled_from(evs), unique=True, max_size=n_evs))) for a in apps
    }
    p = plan(apps, evs, 2, eligible=eligible, cap=cap)
    assert len(p.pairs) == _max_seats_brute(apps, evs, 2, eligible, cap)


# --- the service: preview and apply --------------------------------------------------------


@pytest.fixture
def staffed_cycle(cycle, admin_user, make_user, make_institution):
    """Seven submitted applications (one draft) and five evaluators with e-mail addresses."""
    apps = []
    for i in range(8):
        inst = make_institution(f"기관{i:02d}")
        user = make_user(f"m{i}", Role.INSTITUTION)
        membership_add(user=user, institution=inst)
        app = application_create(cycle=cycle, institution=inst, by=user)
        if i < 7:
            _force_submit(app)
        apps.append(app)
    evs = [make_user(f"ev{i}", Role.EVALUATOR, email=f"ev{i}@example.kr") for i in range(5)]
    return cycle, apps, evs


def _force_submit(app):
    """Submitted without evidence: the balancing does not care about the checklist."""
    from django.utils import timezone

    from evaluation.models import Application, ApplicationStatus

    Application.objects.filter(pk=app.pk).update(
        status=ApplicationStatus.SUBMITTED, submitted_at=timezone.now()
    )
    app.refresh_from_db()


def test_preview_writes_nothing(staffed_cycle, django_assert_max_num_queries):
    cycle, apps, evs = staffed_cycle
    with django_assert_max_num_queries(12):
        p = services.assignment_auto_plan(cycle=cycle, evaluators=evs, cap=5)
    assert not Assignment.objects.exists()
    assert mail.outbox == []
    assert len(p.pairs) == 21 and p.is_complete
    assert {a.pk for a, _ in p.pairs} == {a.pk for a in apps[:7]}  # not the draft
    after = [n for _, _, n in p.loads]
    assert max(after) - min(after) <= 1 and max(after) <= 5


def test_apply_creates_the_previewed_plan_and_mails_once_per_evaluator(
    staffed_cycle, admin_user, django_capture_on_commit_callbacks
):
    cycle, apps, evs = staffed_cycle
    p = services.assignment_auto_plan(cycle=cycle, evaluators=evs, cap=5)
    with django_capture_on_commit_callbacks(execute=True):
        created = services.assignment_auto_apply(
            cycle=cycle, evaluators=evs, cap=5, fingerprint=p.fingerprint, by=admin_user
        )
    assert {(a.application_id, a.evaluator_id) for a in created} == {
        (a.pk, e.pk) for a, e in p.pairs
    }
    assert sorted(m.to[0] for m in mail.outbox) == sorted(e.email for e in evs)
    # nothing left to do: a second plan is empty
    again = services.assignment_auto_plan(cycle=cycle, evaluators=evs, cap=5)
    assert again.pairs == [] and again.is_complete


def test_apply_refused_when_state_changed(staffed_cycle, admin_user):
    cycle, apps, evs = staffed_cycle
    p = services.assignment_auto_plan(cycle=cycle, evaluators=evs, cap=5)
    services.assignment_create(application=apps[0], evaluator=evs[4], by=admin_user)
    with pytest.raises(ValidationError) as exc:
        services.assignment_auto_apply(
            cycle=cycle, evaluators=evs, cap=5, fingerprint=p.fingerprint, by=admin_user
        )
    assert "미리보기 이후 배정 현황이 바뀌었습니다" in exc.value.messages[0]
    assert Assignment.objects.count() == 1


def test_auto_respects_conflicts_and_cap(staffed_cycle, admin_user):
    cycle, apps, evs = staffed_cycle
    # ev0 recused from apps[0]; ev1 disqualified from apps[1]; ev2 is a member of apps[2]
    a0 = services.assignment_create(application=apps[0], evaluator=evs[0], by=admin_user)
    services.pledge_sign(cycle=cycle, evaluator=evs[0], ip=None)
    services.conflict_declare(assignment=a0, conflict=True, reason="전 직장", by=evs[0])
    a1 = services.assignment_create(application=apps[1], evaluator=evs[1], by=admin_user)
    services.assignment_disqualify(assignment=a1, reason="친족", by=admin_user)
    membership_add(user=evs[2], institution=apps[2].institution)
    # ev3 already actively on apps[3]
    services.assignment_create(application=apps[3], evaluator=evs[3], by=admin_user)
    p = services.assignment_auto_plan(cycle=cycle, evaluators=evs, cap=5)
    pairs = {(a.pk, e.pk) for a, e in p.pairs}
    assert (apps[0].pk, evs[0].pk) not in pairs
    assert (apps[1].pk, evs[1].pk) not in pairs
    assert (apps[2].pk, evs[2].pk) not in pairs
    assert (apps[3].pk, evs[3].pk) not in pairs
    assert sum(1 for a, _ in p.pairs if a.pk == apps[3].pk) == 2  # one already there
    assert p.is_complete and len(p.pairs) == 20
    after = {u.pk: n for u, _, n in p.loads}
    assert max(after.values()) <= 5 and max(after.values()) - min(after.values()) <= 1


def test_auto_with_too_small_cap_reports_shortfalls(staffed_cycle):
    cycle, apps, evs = staffed_cycle
    p = services.assignment_auto_plan(cycle=cycle, evaluators=evs, cap=2)
    assert len(p.pairs) == 10 and not p.is_complete
    assert sum(n for _, n in p.shortfalls) == 11
    assert all(n == 2 for _, _, n in p.loads)


def test_auto_refuses_bad_input(staffed_cycle, member):
    cycle, apps, evs = staffed_cycle
    with pytest.raises(ValidationError):
        services.assignment_auto_plan(cycle=cycle, evaluators=evs, cap=0)
    with pytest.raises(ValidationError):
        services.assignment_auto_plan(cycle=cycle, evaluators=[member], cap=3)


def test_an_empty_plan_says_why(staffed_cycle, admin_user, cycle, make_user):
    """Issue 14, item 17: "새로 배정할 것이 없습니다" comes with its reason."""
    _, apps, evs = staffed_cycle
    p = services.assignment_auto_plan(cycle=cycle, evaluators=evs, cap=5)
    assert p.pairs and p.idle_reason == ""
    services.assignment_auto_apply(
        cycle=cycle, evaluators=evs, cap=5, fingerprint=p.fingerprint, by=admin_user
    )
    full = services.assignment_auto_plan(cycle=cycle, evaluators=evs, cap=5)
    assert full.pairs == []
    assert full.idle_reason == (
        f"신청 7건 모두 평가위원이 이미 {cycle.evaluators_per_application}명씩 배정되어 있습니다."
    )
    fresh = [make_user("ev9", Role.EVALUATOR)]
    Assignment.objects.all().delete()
    capped = services.assignment_auto_plan(cycle=cycle, evaluators=fresh, cap=1)
    assert len(capped.pairs) == 1
    services.assignment_auto_apply(
        cycle=cycle, evaluators=fresh, cap=1, fingerprint=capped.fingerprint, by=admin_user
    )
    stuck = services.assignment_auto_plan(cycle=cycle, evaluators=fresh, cap=1)
    assert stuck.pairs == [] and "1인당 최대 배정 수(1건)에 이르렀습니다" in stuck.idle_reason


def test_an_empty_plan_without_submitted_applications_says_so(cycle, make_user):
    evs = [make_user("ev-x", Role.EVALUATOR)]
    p = services.assignment_auto_plan(cycle=cycle, evaluators=evs, cap=5)
    assert p.pairs == []
    assert p.idle_reason.startswith("배정이 필요한 신청이 없습니다: 제출되어 심사 중인 신청만")
