"""Automatic balanced assignment: a deterministic plan the admin previews (``balancing``), then
applies under a lock on the cycle if nothing it depends on has changed."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from institutions.models import User
from institutions.people.queries import affiliation_conflicts, expertise_coverage

from ... import balancing
from ...models import Application, Assignment, Cycle
from ...queries import assignment as aq
from .assign import _notify_on_commit


@dataclass(frozen=True)
class AutoPlan:
    cycle: Cycle
    cap: int
    pairs: list[tuple[Application, User]]
    shortfalls: list[tuple[Application, int]]
    loads: list[tuple[User, int, int]]  # evaluator, load before, load after
    fingerprint: str
    # Why nothing new is planned, when nothing is (the page says it instead of a bare "none").
    idle_reason: str = ""

    @property
    def is_complete(self) -> bool:
        return not self.shortfalls


def _fingerprint(cycle: Cycle, evaluator_ids: list[int], cap: int) -> str:
    """What the plan depends on: every assignment of the cycle (with its exclusion), the
    applications needing staff, the evaluator pool and the cap."""
    rows = sorted(
        Assignment.objects.filter(application__cycle=cycle).values_list(
            "application_id", "evaluator_id", "exclusion"
        )
    )
    apps = sorted(
        cycle.applications.filter(status__in=aq.STAFFED_STATUSES).values_list("pk", flat=True)
    )
    text = repr(
        (cycle.pk, cycle.evaluators_per_application, cap, sorted(evaluator_ids), apps, rows)
    )
    return hashlib.sha256(text.encode()).hexdigest()


def assignment_auto_plan(*, cycle: Cycle, evaluators: list, cap: int) -> AutoPlan:
    """The balanced plan for ``cycle`` without writing anything (the preview).

    Every application needing staff (submitted, under review, scored) is filled up to the
    cycle's number of evaluators, from ``evaluators``, without exceeding ``cap`` active
    assignments per evaluator in the cycle, never with an evaluator already assigned or
    excluded there or a member of the institution; loads are as even as possible."""
    if cap < 1:
        raise ValidationError(_("평가위원 1인당 최대 배정 수는 1 이상이어야 합니다."))
    # one query: only active users holding the evaluator role, in a fixed order
    pool = list(
        aq.evaluator_pool()
        .filter(pk__in=[u.pk for u in evaluators])
        .order_by("name", "username", "pk")
    )
    if not pool:
        raise ValidationError(_("배정할 평가위원을 한 명 이상 선택하십시오."))
    apps = list(
        cycle.applications.filter(status__in=aq.STAFFED_STATUSES)
        .select_related("institution")
        .order_by("institution__name", "pk")
    )
    taken: dict[int, set[int]] = defaultdict(set)  # any assignment, active or excluded
    active: dict[int, int] = defaultdict(int)
    for app_id, ev_id, exclusion in Assignment.objects.filter(application__cycle=cycle).values_list(
        "application_id", "evaluator_id", "exclusion"
    ):
        taken[app_id].add(ev_id)
        if not exclusion:
            active[app_id] += 1
    members = aq.member_pairs(cycle)
    # Evaluators whose expertise covers more of the rubric's areas come first: among plans
    # of equal balance, ties go to them (balancing is deterministic in this order). ADR 016.
    coverage = expertise_coverage(
        user_ids=[u.pk for u in pool],
        area_codes=cycle.rubric_version.areas.values_list("code", flat=True),
    )
    pool.sort(key=lambda u: -coverage.get(u.pk, 0))
    ids = [u.pk for u in pool]
    loads = aq.cycle_loads(cycle)
    needs = {a.pk: max(0, cycle.evaluators_per_application - active[a.pk]) for a in apps}
    affiliated = affiliation_conflicts(
        user_ids=ids, institution_ids={a.institution_id for a in apps}
    )
    eligible = {
        a.pk: {
            e
            for e in ids
            if e not in taken[a.pk]
            and (a.pk, e) not in members
            and (a.institution_id, e) not in affiliated
        }
        for a in apps
    }
    plan = balancing.balanced_plan(
        applications=[a.pk for a in apps],
        evaluators=ids,
        needs=needs,
        eligible=eligible,
        loads={e: loads.get(e, 0) for e in ids},
        cap=cap,
    )
    by_app = {a.pk: a for a in apps}
    by_user = {u.pk: u for u in pool}
    idle_reason = ""
    if not plan.pairs:
        if not apps:
            idle_reason = _(
                "배정이 필요한 신청이 없습니다: 제출되어 심사 중인 신청만 배정합니다 "
                "(작성 중·철회·미제출 신청은 제외)."
            )
        elif not any(needs.values()):
            idle_reason = _("신청 %(n)s건 모두 평가위원이 이미 %(per)s명씩 배정되어 있습니다.") % {
                "n": len(apps),
                "per": cycle.evaluators_per_application,
            }
        else:
            idle_reason = _(
                "선택한 평가위원으로는 더 배정할 수 없습니다: 이미 배정·배제되었거나, 소속·이해충돌로 "
                "제척되었거나, 1인당 최대 배정 수(%(cap)s건)에 이르렀습니다."
            ) % {"cap": cap}
    return AutoPlan(
        idle_reason=idle_reason,
        cycle=cycle,
        cap=cap,
        pairs=[(by_app[a], by_user[e]) for a, e in plan.pairs],
        shortfalls=[(by_app[a], n) for a, n in plan.shortfalls.items()],
        loads=[(u, loads.get(u.pk, 0), plan.loads[u.pk]) for u in pool],
        fingerprint=_fingerprint(cycle, ids, cap),
    )


@transaction.atomic
def assignment_auto_apply(
    *, cycle: Cycle, evaluators: list, cap: int, fingerprint: str, by
) -> list[Assignment]:
    """Apply the plan the admin previewed. The plan is recomputed (it is deterministic) under
    a lock on the cycle; if anything it depends on changed since the preview, nothing is
    written and the admin is asked to preview again."""
    if not aq.can_assign(by):
        raise PermissionDenied
    cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
    plan = assignment_auto_plan(cycle=cycle, evaluators=evaluators, cap=cap)
    if plan.fingerprint != fingerprint:
        raise ValidationError(
            _("미리보기 이후 배정 현황이 바뀌었습니다. 다시 미리보기를 한 뒤 적용하십시오.")
        )
    created = Assignment.objects.bulk_create(
        Assignment(application=app, evaluator=ev, assigned_by=by) for app, ev in plan.pairs
    )
    _notify_on_commit([(app.pk, ev.pk) for app, ev in plan.pairs])
    return created
