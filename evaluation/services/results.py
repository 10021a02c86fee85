"""Results: recomputed from the confirmed sheets, ranked across the cycle; the 인증위원회
decision; area substitution by certificate.

Contract used by the sheet services: ``application_result_recompute(application=...)`` is
called (inside the confirming/unlocking transaction) whenever a sheet is confirmed or unlocked.

How a result is computed (docs/decisions/008-results-storage-and-recompute.md) is the tally's
(``evaluation.tally``, ADR 018); this module stores it:
- every sheet of the application goes to ``scoring.aggregate``; only confirmed sheets of active
  (not excluded: 회피·기피·제척) assignments count, with their stored ``ItemScore.points``;
- an area substituted by a confirmed certificate (``AreaSubstitution``) is scored as points ×
  award ratio, and any points a sheet still holds for its items are left out;
- the cycle gives the rule, threshold, area minimums and disagreement ratio; the rubric version
  gives the rounding;
- the stored figures are the rounded ones (as displayed and decided); the evaluator key is the
  username, so ``export_scores`` carries everything needed to recompute the same result.

Loading is a constant number of queries whatever the number of applications, sheets or items;
storing is one insert of the new results and one prepared ``UPDATE`` executed for each changed
result (see ``_store``); nothing is written for a result that did not change.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager, nullcontext

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from indicators.models import Area
from institutions.models import Certificate

from .. import process, queries, scoring
from ..models import (
    Application,
    AreaSubstitution,
    Assignment,
    Cycle,
    Decision,
    FrozenCycleError,
    Result,
    SheetStatus,
    Stage,
)
from ..tally import (  # noqa: F401 -- computed by the tally (ADR 018), re-exported for callers
    FIGURES,
    Computed,
    CycleRules,
    compute,
    cycle_rules,
    load_sheets,
    ranking_field,
    ranks,
)


def _problem_error(problems: dict[int, list[str]]) -> scoring.SheetError:
    names = dict(Application.objects.filter(pk__in=problems).values_list("pk", "institution__name"))
    return scoring.SheetError(
        f"신청 {app_id} ({names.get(app_id, '?')}): {problem}"
        for app_id in sorted(problems)
        for problem in problems[app_id]
    )


def _differs(stored: Result, wanted: Computed) -> bool:
    return any(getattr(stored, name) != value for name, value in wanted.figures.items())


# --- storing -------------------------------------------------------------------------------


def _store(cycle: Cycle, computed: dict[int, Computed], *, whole_cycle: bool) -> dict:
    """Write ``computed`` and re-rank the cycle: one read of the stored results, then one
    ``bulk_create`` and at most two ``bulk_update``s (figures; ranks only)."""
    now = timezone.now()
    if whole_cycle:
        stored = {r.application_id: r for r in Result.objects.filter(application__cycle=cycle)}
        for app_id in stored.keys() - computed.keys():
            computed[app_id] = Computed(app_id)  # lost every sheet: the result empties out
    else:
        stored = {r.application_id: r for r in Result.objects.filter(application_id__in=computed)}
        others = Result.objects.filter(application__cycle=cycle).exclude(
            application_id__in=computed
        )
        for r in others.only("pk", "application_id", "total", "normalised_total", "rank"):
            stored[r.application_id] = r

    created: list[Result] = []
    changed: set[int] = set()
    for app_id, wanted in computed.items():
        result = stored.get(app_id)
        if result is None:
            if wanted.total is None:
                continue  # nothing counted yet and nothing stored: no row
            result = Result(application_id=app_id, computed_at=now, **wanted.figures)
            stored[app_id] = result
            created.append(result)
        elif _differs(result, wanted):
            for name, value in wanted.figures.items():
                setattr(result, name, value)
            result.computed_at = now
            changed.add(app_id)

    rank_only: list[Result] = []
    by = "normalised_total" if cycle.aggregation_rule == scoring.Rule.Z_MEAN else "total"
    for app_id, rank in ranks({k: getattr(r, by) for k, r in stored.items()}).items():
        result = stored[app_id]
        if result.rank != rank:
            result.rank = rank
            if result.pk is not None and app_id not in changed:
                rank_only.append(result)
    figure_rows = [stored[app_id] for app_id in sorted(changed)]

    if whole_cycle and connection.vendor == "sqlite":
        _insert_rows(created)  # the callers of a whole-cycle recompute need no primary keys
    else:
        # The base manager skips the freeze guard's parent check (one query): ``_lock_cycle``
        # has refused a cycle at 확정 under the same lock already.
        Result._base_manager.bulk_create(created)
    _update_rows(figure_rows, [*FIGURES, "rank", "computed_at"])
    _update_rows(rank_only, ["rank"])
    return {
        "created": len(created),
        "updated": len(figure_rows),
        "reranked": len(rank_only),
        "results": stored,
    }


def _update_rows(rows: list[Result], fields: list[str]) -> None:
    """``UPDATE result SET … WHERE id = %s`` once, executed for every row (``executemany``).

    ``QuerySet.bulk_update`` builds one ``CASE WHEN id = … THEN …`` expression per field and
    row: for 1,000 results that alone took 3–4 s. Values go through each field's
    ``get_db_prep_save``, exactly as ``Model.save`` would send them."""
    if not rows:
        return
    meta, quote = Result._meta, connection.ops.quote_name
    columns = [meta.get_field(name) for name in fields]
    sql = "UPDATE {} SET {} WHERE {} = %s".format(
        quote(meta.db_table),
        ", ".join(f"{quote(f.column)} = %s" for f in columns),
        quote(meta.pk.column),
    )
    params = [
        [f.get_db_prep_save(getattr(row, f.attname), connection) for f in columns] + [row.pk]
        for row in rows
    ]
    with connection.cursor() as cursor:
        batch = _execute_batch() if connection.vendor == "postgresql" else None
        if batch is None:
            cursor.executemany(sql, params)  # SQLite: one prepared statement, in process
            return
        # PostgreSQL: executemany is one network round trip per row (1,000 × ~1 ms);
        # psycopg2's execute_batch sends the statements in pages of 500.
        log = getattr(cursor, "debug_sql", None)  # the debug wrapper logs it as one query
        with log(sql, params, many=True) if log else nullcontext(), connection.wrap_database_errors:
            batch(cursor.cursor, sql, params, page_size=500)


def _insert_rows(rows: list[Result]) -> None:
    """``INSERT`` once, executed for every row: on SQLite, Django's ``bulk_create`` splits
    1,000 results into 15 statements of 71 rows (its 999-parameter limit) and compiles each;
    one prepared statement run 1,000 times in process is about twice as fast."""
    if not rows:
        return
    meta, quote = Result._meta, connection.ops.quote_name
    columns = [f for f in meta.concrete_fields if not f.primary_key]
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(meta.db_table),
        ", ".join(quote(f.column) for f in columns),
        ", ".join(["%s"] * len(columns)),
    )
    params = [
        [f.get_db_prep_save(f.pre_save(row, True), connection) for f in columns] for row in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def _execute_batch():
    try:
        from psycopg2.extras import execute_batch
    except ImportError:  # psycopg 3: executemany pipelines on its own
        return None
    return execute_batch


@contextmanager
def gc_paused():
    """Pause Python's cyclic garbage collector for a bulk computation.

    Aggregating a 1,000-application cycle allocates a few hundred thousand small objects
    (Decimals, tuples, dicts) that are freed by reference counting; on the way the collector
    keeps starting full passes over the whole process heap (Django's included), which cost a
    quarter of the run (bench/results_bulk.py). The collector is re-enabled on exit, whatever
    happens, and only if it was enabled before."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _lock_cycle(cycle: Cycle) -> Cycle:
    """Serialise recomputes of one cycle (ranks depend on every result of it). A cycle at
    확정 is frozen: its results are never recomputed (ADR 011)."""
    locked = Cycle.objects.select_for_update().select_related("rubric_version").get(pk=cycle.pk)
    if locked.stage == Stage.FINAL:
        raise FrozenCycleError("평가 결과")
    return locked


@transaction.atomic
def application_result_recompute(*, application: Application) -> Result | None:
    """Recompute and store ``application``'s result, then re-rank its cycle.

    Returns the stored result (None when no sheet counts and none was stored). Raises
    ``scoring.SheetError`` naming the application and every problem (nothing is written)."""
    cycle = _lock_cycle(application.cycle)
    rules = cycle_rules(cycle)
    if rules.rule is scoring.Rule.Z_MEAN:
        # One sheet moves its evaluator's mean and spread: every normalised total changes.
        computed, problems = compute(cycle, rules)
        if problems:
            raise _problem_error(problems)
        _store(cycle, computed, whole_cycle=True)
        return Result.objects.filter(application=application).first()
    computed, problems = compute(cycle, rules, [application.pk])
    if problems:
        raise _problem_error(problems)
    stored = _store(cycle, computed, whole_cycle=False)["results"]
    return stored.get(application.pk)


@transaction.atomic
def cycle_results_recompute(*, cycle: Cycle) -> dict:
    """Recompute every result of ``cycle`` in bulk and rank them.

    A constant number of queries whatever the number of applications (see the module doc).
    Returns counts: ``created``, ``updated`` (figures changed), ``reranked`` (rank only).
    Raises ``scoring.SheetError`` listing every problem of every application; then nothing is
    written."""
    cycle = _lock_cycle(cycle)
    rules = cycle_rules(cycle)
    with gc_paused():
        computed, problems = compute(cycle, rules)
        if problems:
            raise _problem_error(problems)
        refused = next((c.z_refusal for c in computed.values() if c.z_refusal), ())
        if refused:  # z_mean: the rule is refused, nothing is written
            raise scoring.SheetError(refused)
        outcome = _store(cycle, computed, whole_cycle=True)
    outcome.pop("results")
    return outcome


# --- 인증위원회 decision ---------------------------------------------------------------------


def result_incomplete_reasons(result: Result, assignments=None) -> list[str]:
    """Why the committee may not decide on ``result`` yet (Korean), or []. ``assignments``:
    the application's assignments with ``sheet`` and ``evaluator`` loaded, if at hand."""
    reasons = []
    if result.total is None:
        reasons.append(_("확정된 평가표가 없어 계산된 결과가 없습니다."))
    if assignments is None:
        assignments = Assignment.objects.filter(
            application_id=result.application_id
        ).select_related("evaluator", "sheet")
    pending = sorted(
        (
            a
            for a in assignments
            if a.is_active
            and not (getattr(a, "sheet", None) and a.sheet.status == SheetStatus.CONFIRMED)
        ),
        key=lambda a: a.evaluator.username,
    )
    if pending:
        names = ", ".join(a.evaluator.display_name for a in pending)
        reasons.append(_("아직 확정하지 않은 평가위원이 있습니다: %(names)s") % {"names": names})
    return reasons


@transaction.atomic
def result_committee_decide(*, result: Result, by, decision: str = "", reason: str = "") -> Result:
    """Record the 인증위원회 decision on ``result``.

    It defaults to the computed decision; a decision other than the computed one needs a
    reason. Who decided and when are recorded on the result. Refusals are Korean and list
    every problem at once; nothing changes then."""
    if not queries.is_admin(by):
        raise PermissionDenied
    result = (
        Result.objects.select_for_update()
        .select_related("application__cycle", "application__institution")
        .get(pk=result.pk)
    )
    decision = (decision or "").strip() or result.decision
    reason = (reason or "").strip()
    errors = process.committee_blockers(result.application.cycle)
    errors += result_incomplete_reasons(result)
    if decision not in Decision.values:
        errors.append(
            _("인증위원회 결정('%(decision)s')은 인증 또는 미인증이어야 합니다.")
            % {"decision": decision}
        )
    elif result.decision and decision != result.decision and not reason:
        errors.append(
            _(
                "인증위원회 결정(%(decision)s)이 계산된 판정(%(computed)s)과 다르므로 사유를 "
                "입력해야 합니다."
            )
            % {
                "decision": Decision(decision).label,
                "computed": Decision(result.decision).label,
            }
        )
    if errors:
        raise ValidationError(errors)
    result.committee_decision = decision
    result.committee_reason = reason
    result.committee_by = by
    result.committee_at = timezone.now()
    # The counted-sheet set this decision stands on: a different set later makes it stale.
    result.committee_basis = process.counted_basis([result.application_id])[result.application_id]
    result.save(
        update_fields=[
            "committee_decision",
            "committee_reason",
            "committee_by",
            "committee_at",
            "committee_basis",
        ]
    )
    return result


# --- area substitution -------------------------------------------------------------------------


def substitution_problems(
    *, application: Application, area: Area, certificate: Certificate
) -> list[str]:
    """Every reason ``certificate`` may not replace ``area`` for ``application`` (Korean)."""
    cycle = application.cycle
    problems = []
    substitution = area.substitution or {}
    if area.version_id != cycle.rubric_version_id:
        problems.append(
            _("%(code)s 영역은 이 평가 주기의 평가지표(%(version)s)에 없습니다.")
            % {"code": area.code, "version": cycle.rubric_version}
        )
    elif not substitution.get("certificates") or substitution.get("award_ratio") is None:
        problems.append(
            _("%(code)s 영역은 인증서로 대체할 수 없는 영역입니다.") % {"code": area.code}
        )
    elif certificate.kind not in substitution["certificates"]:
        allowed = ", ".join(substitution["certificates"])
        problems.append(
            _(
                "%(code)s 영역은 %(allowed)s 인증으로만 대체할 수 있습니다 (선택한 인증서: %(chosen)s)."
            )
            % {
                "code": area.code,
                "allowed": allowed,
                "chosen": f"{certificate.kind} {certificate.number}",
            }
        )
    if certificate.institution_id != application.institution_id:
        problems.append(
            _("인증서(%(certificate)s)는 %(name)s의 인증서가 아닙니다.")
            % {
                "certificate": f"{certificate.kind} {certificate.number}",
                "name": application.institution.name,
            }
        )
    if not certificate.is_valid_on(cycle.reference_date):
        problems.append(
            _(
                "인증서 %(certificate)s의 유효기간(%(valid_from)s~%(valid_until)s)이 "
                "기준일(%(reference)s)을 포함하지 않습니다."
            )
            % {
                "certificate": f"{certificate.kind} {certificate.number}",
                "valid_from": certificate.valid_from,
                "valid_until": certificate.valid_until,
                "reference": cycle.reference_date,
            }
        )
    if AreaSubstitution.objects.filter(application=application, area=area).exists():
        problems.append(_("%(code)s 영역은 이미 대체 인정되었습니다.") % {"code": area.code})
    return problems


@transaction.atomic
def area_substitution_confirm(
    *, application: Application, area: Area, certificate: Certificate, by
) -> AreaSubstitution:
    """An admin confirms that ``certificate`` replaces ``area`` for ``application``: a valid
    certificate (on the cycle's reference date) of the application's institution, of a kind
    the area lists. The area then scores points × award ratio, and the result is recomputed."""
    if not queries.is_admin(by):
        raise PermissionDenied
    application = Application.objects.select_related("cycle__rubric_version", "institution").get(
        pk=application.pk
    )
    problems = substitution_problems(application=application, area=area, certificate=certificate)
    if problems:
        raise ValidationError(problems)
    substitution = AreaSubstitution.objects.create(
        application=application, area=area, certificate=certificate, confirmed_by=by
    )
    application_result_recompute(application=application)
    return substitution
