"""Reads and access policy for assignments, pledges and conflicts of interest.

The rules an evaluator goes through before seeing anything of an application:
1. an *active* assignment (no exclusion: 회피, 기피 upheld or 제척 removes it);
2. the cycle's pledge (서약서), signed once per cycle;
3. a declaration of no conflict on that assignment (a declared conflict is a 회피, which
   excludes the assignment at once).
``evaluator_application_ids`` is that rule as a subquery; the application/evidence policy in
``evaluation.queries._evaluator_applications`` uses it, so a conflicted or not-yet-cleared
evaluator gets 404 on the application and on every evidence file.

``scorable_assignment`` is what the score sheet fetches (404 unless the assignment is the
user's and active); ``entry_redirect`` says where to send the evaluator first (pledge,
declaration) -- the sheet view should call it and redirect when it returns a URL.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.http import urlencode

from institutions.models import User
from institutions.people.queries import affiliation_bar_rows
from institutions.roles import (
    GROUP_NAMES,
    Role,
    is_admin,
    is_evaluator,
    is_institution_member,
    is_staff_reader,
)

from ..models import (
    Application,
    ApplicationStatus,
    Assignment,
    Challenge,
    ChallengeDecision,
    Cycle,
    CycleStageDate,
    Declaration,
    Pledge,
    Stage,
)

ACTIVE = Q(exclusion="")

# Applications an assignment may be made to by hand; withdrawn ones never.
ASSIGNABLE_STATUSES = (
    ApplicationStatus.DRAFT,
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.UNDER_REVIEW,
    ApplicationStatus.SCORED,
)
# Applications that need their evaluators now: the automatic assignment fills these, and the
# reassignment prompt lists those short of the cycle's number.
STAFFED_STATUSES = (
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.UNDER_REVIEW,
    ApplicationStatus.SCORED,
)


def can_assign(user) -> bool:
    return is_admin(user)


def can_view_assignments(user) -> bool:
    return is_staff_reader(user)


# --- what other modules build on ------------------------------------------------------------


def active_assignments() -> QuerySet[Assignment]:
    return Assignment.objects.filter(ACTIVE)


def counted_assignments(application: Application) -> QuerySet[Assignment]:
    """The assignments whose sheets count in ``application``'s result: active ones (a
    declared conflict, an upheld 기피 or a 제척 excludes the assignment, and its sheet never
    counts)."""
    return Assignment.objects.filter(ACTIVE, application=application)


def cycle_counted_assignments(cycle: Cycle) -> QuerySet[Assignment]:
    """``counted_assignments`` for every application of ``cycle`` at once."""
    return Assignment.objects.filter(ACTIVE, application__cycle=cycle)


def has_signed_pledge(user, cycle: Cycle) -> bool:
    return (
        bool(user and user.is_authenticated)
        and Pledge.objects.filter(cycle=cycle, evaluator=user).exists()
    )


def evaluator_application_ids(user) -> QuerySet:
    """Ids of the applications ``user`` may open as an evaluator: an active assignment, the
    cycle's pledge signed, and no conflict declared."""
    pledged = Pledge.objects.filter(cycle=OuterRef("application__cycle"), evaluator=user)
    return (
        Assignment.objects.filter(ACTIVE, evaluator=user, declaration=Declaration.NONE)
        .filter(Exists(pledged))
        .values("application_id")
    )


ASSIGNMENT_ACTIONS = ("read", "score", "decide", "report")


def visible_assignments(user, *, action: str = "read") -> QuerySet[Assignment]:
    """The one policy for assignments (ADR 002), by what ``user`` means to do:

    - ``read``: admins and managers every assignment, an evaluator their own (active or
      excluded);
    - ``score``: an evaluator's own *active* assignments -- the sheet, the declaration, the way
      in (pledge and declaration are checked by ``entry_redirect``, not here);
    - ``decide``: admins, every assignment -- 제척 and unlocking a confirmed sheet;
    - ``report``: request its 평가표 -- admins and managers every one, an evaluator their own
      that is not excluded (an excluded evaluator's sheet never counts).
    """
    if action not in ASSIGNMENT_ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    if action == "decide":
        return Assignment.objects.all() if is_admin(user) else Assignment.objects.none()
    if action in ("read", "report") and is_staff_reader(user):
        return Assignment.objects.all()
    if not is_evaluator(user):
        return Assignment.objects.none()
    if action == "read":
        return Assignment.objects.filter(evaluator=user)
    return Assignment.objects.filter(ACTIVE, evaluator=user)


def scorable_assignment(user, assignment_pk) -> Assignment:
    """The active assignment ``assignment_pk`` of evaluator ``user``; 404 for anyone else, and
    for an excluded assignment. Pledge and declaration are not checked here: call
    ``entry_redirect`` and send the evaluator there first."""
    return get_object_or_404(
        visible_assignments(user, action="score").select_related(
            "application__cycle__rubric_version", "application__institution"
        ),
        pk=assignment_pk,
    )


CHALLENGE_ACTIONS = ("read", "decide")


def visible_challenges(user, *, action: str = "read") -> QuerySet[Challenge]:
    """The one policy for 기피 requests (ADR 002):

    - ``read``: admins and managers every request, institution members those made against
      their own institution's applications;
    - ``decide``: admins, every request (인용/기각).
    """
    if action not in CHALLENGE_ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    if action == "decide":
        return Challenge.objects.all() if is_admin(user) else Challenge.objects.none()
    if is_staff_reader(user):
        return Challenge.objects.all()
    if is_institution_member(user):
        return Challenge.objects.filter(
            assignment__application__institution__memberships__user=user
        ).distinct()
    return Challenge.objects.none()


def pledge_cycles(user) -> QuerySet[Cycle]:
    """The cycles whose 서약서 ``user`` may open and sign: those where they hold an active
    assignment (``visible_cycles(user, action="pledge")`` asks this)."""
    if not is_evaluator(user):
        return Cycle.objects.none()
    return Cycle.objects.filter(
        applications__assignments__evaluator=user,
        applications__assignments__exclusion="",
    ).distinct()


def entry_redirect(assignment: Assignment, *, next_url: str = "") -> str | None:
    """Where the evaluator must go before opening ``assignment``'s application: the pledge
    page if the cycle's pledge is unsigned, the declaration page if no declaration yet;
    None when they may go in."""
    cycle = assignment.application.cycle
    query = f"?{urlencode({'next': next_url})}" if next_url else ""
    if not Pledge.objects.filter(cycle=cycle, evaluator_id=assignment.evaluator_id).exists():
        return reverse("evaluation:pledge", args=[cycle.slug]) + query
    if assignment.declaration == Declaration.PENDING:
        return reverse("evaluation:declare", args=[assignment.pk]) + query
    return None


def application_entry_redirect(user, application_pk, *, next_url: str = "") -> str | None:
    """For an evaluator with an active assignment to ``application_pk`` who has not yet
    signed the cycle's pledge or declared: where to go first (pages that show an application
    redirect there instead of answering 404). None for everyone else."""
    if not is_evaluator(user):
        return None
    assignment = (
        Assignment.objects.filter(ACTIVE, evaluator=user, application_id=application_pk)
        .select_related("application__cycle")
        .first()
    )
    return entry_redirect(assignment, next_url=next_url) if assignment else None


# --- evaluators and loads -------------------------------------------------------------------


def evaluator_pool() -> QuerySet[User]:
    """Every active user who holds the evaluator role."""
    return (
        User.objects.filter(is_active=True, groups__name=GROUP_NAMES[Role.EVALUATOR])
        .distinct()
        .order_by("name", "username")
    )


def cycle_loads(cycle: Cycle) -> dict[int, int]:
    """Evaluator id -> number of active assignments in ``cycle``. One query."""
    rows = (
        cycle_counted_assignments(cycle).values("evaluator_id").annotate(n=Count("pk")).order_by()
    )
    return {row["evaluator_id"]: row["n"] for row in rows}


def member_pairs(cycle: Cycle) -> set[tuple[int, int]]:
    """(application id, user id) for every member of an applying institution: such a user
    may never evaluate that application. One query."""
    return set(
        Application.objects.filter(cycle=cycle)
        .filter(institution__memberships__isnull=False)
        .values_list("pk", "institution__memberships__user_id")
    )


@dataclass(frozen=True)
class AffiliationBar:
    institution: object
    evaluator: User
    reason: str


def affiliation_bars(cycle: Cycle) -> list[AffiliationBar]:
    """Every (applying institution, evaluator of the pool) pair of ``cycle`` barred by a
    recent affiliation (제척, ``institutions.people.queries``). One query."""
    return [
        AffiliationBar(institution, user, why)
        for institution, user, why in affiliation_bar_rows(
            user_ids=evaluator_pool().values("pk"),
            institution_ids=cycle.applications.values("institution_id"),
        )
    ]


def evaluator_pool_for(application: Application) -> list[User]:
    """Evaluators who could be added to ``application`` now: not assigned (or excluded)
    there already, not a member of the institution."""
    taken = Assignment.objects.filter(application=application).values("evaluator_id")
    members = application.institution.memberships.values("user_id")
    return list(evaluator_pool().exclude(pk__in=taken).exclude(pk__in=members))


# --- the admin's board ----------------------------------------------------------------------


@dataclass
class BoardRow:
    application: Application
    active: list[Assignment]
    excluded: list[Assignment]
    pending_challenges: int
    required: int

    @property
    def short_by(self) -> int:
        return max(0, self.required - len(self.active))

    @property
    def needs_staff(self) -> bool:
        return self.application.status in STAFFED_STATUSES


def cycle_board(cycle: Cycle) -> list[BoardRow]:
    """One row per application of ``cycle`` with its assignments. Three queries."""
    pending = Challenge.objects.filter(
        assignment__application=OuterRef("pk"), decision=ChallengeDecision.PENDING
    )
    apps = list(
        cycle.applications.select_related("institution")
        .annotate(
            n_pending=Subquery(
                pending.values("assignment__application").annotate(n=Count("pk")).values("n")[:1]
            )
        )
        .order_by("institution__name", "pk")
    )
    by_app: dict[int, list[Assignment]] = {}
    for a in (
        Assignment.objects.filter(application__cycle=cycle)
        .select_related("evaluator", "sheet")
        .order_by("assigned_at", "pk")
    ):
        by_app.setdefault(a.application_id, []).append(a)
    rows = []
    for app in apps:
        mine = by_app.get(app.pk, [])
        rows.append(
            BoardRow(
                application=app,
                active=[a for a in mine if a.is_active],
                excluded=[a for a in mine if not a.is_active],
                pending_challenges=app.n_pending or 0,
                required=cycle.evaluators_per_application,
            )
        )
    return rows


def short_applications(cycle: Cycle) -> QuerySet[Application]:
    """Applications that need evaluators now and have fewer active ones than the cycle asks:
    the admin's reassignment prompt. One query."""
    return (
        cycle.applications.filter(status__in=STAFFED_STATUSES)
        .select_related("institution")
        .annotate(n_active=Count("assignments", filter=Q(assignments__exclusion="")))
        .filter(n_active__lt=cycle.evaluators_per_application)
        .order_by("institution__name", "pk")
    )


def pending_challenges(cycle: Cycle) -> QuerySet[Challenge]:
    return (
        Challenge.objects.filter(
            assignment__application__cycle=cycle, decision=ChallengeDecision.PENDING
        )
        .select_related(
            "assignment__evaluator", "assignment__application__institution", "requested_by"
        )
        .order_by("requested_at", "pk")
    )


def cycle_challenges(cycle: Cycle) -> QuerySet[Challenge]:
    return (
        Challenge.objects.filter(assignment__application__cycle=cycle)
        .select_related(
            "assignment__evaluator",
            "assignment__application__institution",
            "requested_by",
            "decided_by",
        )
        .order_by("-requested_at", "-pk")
    )


def cycle_exclusions(cycle: Cycle) -> QuerySet[Assignment]:
    return (
        Assignment.objects.filter(application__cycle=cycle)
        .exclude(ACTIVE)
        .select_related("evaluator", "application__institution", "excluded_by")
        .order_by("-excluded_at", "-pk")
    )


def application_assignment_rows(application: Application) -> list[Assignment]:
    """Every assignment of ``application`` (active and excluded) with who assigned and who
    excluded it, oldest first: the application's assignment page. One query."""
    return list(
        Assignment.objects.filter(application=application)
        .select_related("evaluator", "excluded_by", "assigned_by")
        .order_by("assigned_at", "pk")
    )


# --- institutions: 기피 --------------------------------------------------------------------


def application_challenges(application: Application) -> QuerySet[Challenge]:
    return (
        Challenge.objects.filter(assignment__application=application)
        .select_related("assignment__evaluator")
        .order_by("-requested_at", "-pk")
    )


# --- evaluator home -------------------------------------------------------------------------


def evaluator_home_assignments(user) -> list[Assignment]:
    """The evaluator's assignments with application, institution, cycle, sheet, pledge and
    evaluation deadline (the 인증위원회 stage date). Two queries whatever their number."""
    if not is_evaluator(user):
        return []
    committee = CycleStageDate.objects.filter(
        cycle=OuterRef("application__cycle"), stage=Stage.COMMITTEE
    ).values("starts_on")[:1]
    pledged = Pledge.objects.filter(cycle=OuterRef("application__cycle"), evaluator=user)
    return list(
        visible_assignments(user)
        .filter(evaluator=user)
        .select_related("application__institution", "application__cycle", "sheet")
        .annotate(deadline=Subquery(committee), pledged=Exists(pledged))
        .order_by("-application__cycle__reference_date", "application__institution__name", "pk")
    )
