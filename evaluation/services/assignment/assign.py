"""Assigning evaluators to applications one by one or in bulk, and the notice each evaluator
receives (an outbox row in the same transaction, e-mailed by the notifications task after
commit: ADR 012, issue 11 part 3)."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from institutions import roles
from institutions.models import Membership, User
from institutions.people.queries import affiliation_conflicts

from ...models import Application, Assignment
from ...notices import assignments_created
from ...queries import assignment as aq


def _name(user) -> str:
    return getattr(user, "display_name", None) or str(user)


# --- e-mail notices ------------------------------------------------------------------------


def _notify_on_commit(pairs: list[tuple[int, int]]) -> None:
    """Write each evaluator one notice listing their new assignments, with a link to each
    (an outbox row in this transaction, e-mailed after commit by the notifications worker;
    a mail server outage never undoes an assignment)."""
    if pairs:
        assignment_notices_send(pairs=pairs)


def assignment_notices_send(*, pairs: list[tuple[int, int]]) -> int:
    """The assignment notices for these (application id, evaluator id) pairs; returns how
    many outbox rows were new (a repeat writes none)."""
    return assignments_created(pairs)


# --- assignment ----------------------------------------------------------------------------


def _pair_problems(
    application: Application,
    evaluator,
    existing: Assignment | None,
    *,
    is_evaluator: bool,
    is_member: bool,
    affiliation: str = "",
) -> list[str]:
    who = f"{application.institution.name} · {_name(evaluator)}"
    problems = []
    if not is_evaluator:
        problems.append(
            _("%(who)s: 평가위원 역할이 있는 활성 사용자만 배정할 수 있습니다.") % {"who": who}
        )
    if application.status not in aq.ASSIGNABLE_STATUSES:
        problems.append(
            _("%(who)s: '%(status)s' 상태의 신청에는 배정할 수 없습니다.")
            % {"who": who, "status": application.get_status_display()}
        )
    if existing is not None:
        if existing.is_active:
            problems.append(_("%(who)s: 이미 배정되어 있습니다.") % {"who": who})
        else:
            problems.append(
                _(
                    "%(who)s: %(exclusion)s 사유로 배제된 평가위원은 같은 신청에 다시 배정할 수 "
                    "없습니다."
                )
                % {"who": who, "exclusion": existing.get_exclusion_display()}
            )
    if is_member:
        problems.append(
            _("%(who)s: 신청 기관의 구성원은 그 기관을 평가할 수 없습니다.") % {"who": who}
        )
    if affiliation:  # 제척 by a recent affiliation (institutions.people, ADR 016)
        problems.append(f"{who}: {affiliation}")
    return problems


@transaction.atomic
def assignment_create(*, application: Application, evaluator, by) -> Assignment:
    """Assign ``evaluator`` to ``application`` (admin only) and e-mail them after commit."""
    if not aq.can_assign(by):
        raise PermissionDenied
    application = (
        Application.objects.select_for_update()
        .select_related("institution", "cycle")
        .get(pk=application.pk)
    )
    evaluator = User.objects.get(pk=evaluator.pk)
    existing = Assignment.objects.filter(application=application, evaluator=evaluator).first()
    problems = _pair_problems(
        application,
        evaluator,
        existing,
        is_evaluator=roles.is_evaluator(evaluator),
        is_member=application.institution.memberships.filter(user=evaluator).exists(),
        affiliation=affiliation_conflicts(
            user_ids=[evaluator.pk], institution_ids=[application.institution_id]
        ).get((application.institution_id, evaluator.pk), ""),
    )
    if problems:
        raise ValidationError(problems)
    try:
        with transaction.atomic():
            assignment = Assignment.objects.create(
                application=application, evaluator=evaluator, assigned_by=by
            )
    except IntegrityError as exc:  # a concurrent request assigned the same pair
        raise ValidationError(
            _("%(who)s: 이미 배정되어 있습니다.")
            % {"who": f"{application.institution.name} · {_name(evaluator)}"}
        ) from exc
    _notify_on_commit([(application.pk, evaluator.pk)])
    return assignment


@dataclass(frozen=True)
class BulkOutcome:
    created: list[Assignment]
    skipped: list[str]  # "institution · evaluator" already actively assigned


@transaction.atomic
def assignments_create_bulk(*, applications, evaluators, by) -> BulkOutcome:
    """Assign every evaluator in ``evaluators`` to every application in ``applications``.
    Pairs already actively assigned are skipped; any other problem refuses the whole batch
    (nothing is written) with every problem listed."""
    if not aq.can_assign(by):
        raise PermissionDenied
    applications = list(
        Application.objects.select_for_update()
        .select_related("institution", "cycle")
        .filter(pk__in=[a.pk for a in applications])
        .order_by("institution__name", "pk")
    )
    evaluators = list(User.objects.filter(pk__in=[e.pk for e in evaluators]).order_by("name", "pk"))
    if not applications or not evaluators:
        raise ValidationError(_("신청 기관과 평가위원을 각각 하나 이상 선택하십시오."))
    if len({a.cycle_id for a in applications}) > 1:
        raise ValidationError(_("한 번에 한 평가 주기의 신청만 배정할 수 있습니다."))
    existing = {
        (a.application_id, a.evaluator_id): a
        for a in Assignment.objects.filter(
            application__in=applications, evaluator__in=evaluators
        ).select_related("application")
    }
    pool = set(
        aq.evaluator_pool().filter(pk__in=[e.pk for e in evaluators]).values_list("pk", flat=True)
    )
    members = set(
        Membership.objects.filter(
            institution__in=[a.institution_id for a in applications], user__in=evaluators
        ).values_list("institution_id", "user_id")
    )
    affiliated = affiliation_conflicts(
        user_ids=[e.pk for e in evaluators],
        institution_ids=[a.institution_id for a in applications],
    )
    problems, skipped, todo = [], [], []
    for app in applications:
        for ev in evaluators:
            current = existing.get((app.pk, ev.pk))
            if current is not None and current.is_active:
                skipped.append(f"{app.institution.name} · {_name(ev)}")
                continue
            pair = _pair_problems(
                app,
                ev,
                current,
                is_evaluator=ev.pk in pool,
                is_member=(app.institution_id, ev.pk) in members,
                affiliation=affiliated.get((app.institution_id, ev.pk), ""),
            )
            if pair:
                problems += pair
            else:
                todo.append((app, ev))
    if problems:
        raise ValidationError(problems)
    created = Assignment.objects.bulk_create(
        Assignment(application=app, evaluator=ev, assigned_by=by) for app, ev in todo
    )
    _notify_on_commit([(app.pk, ev.pk) for app, ev in todo])
    return BulkOutcome(created=created, skipped=skipped)
