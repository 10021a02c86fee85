"""Reads and access policy for results and the cycle dashboard.

Who reads results: admins and managers (every cycle). Nobody else yet -- institutions hear
their result through the reports, later. Only admins write (인증위원회 decision, area
substitution). Every read here runs a constant number of queries, whatever the number of
applications, evaluators or items.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, QuerySet

from indicators.models import Area
from institutions.models import Certificate

from ..models import (
    Application,
    ApplicationStatus,
    AreaSubstitution,
    Assignment,
    Cycle,
    Result,
    SheetStatus,
)
from . import is_admin, is_staff_reader

# --- policy --------------------------------------------------------------------------------


def can_read_results(user) -> bool:
    return is_staff_reader(user)


def can_decide(user) -> bool:
    """The 인증위원회 decision and area substitution are the admin's."""
    return is_admin(user)


def visible_results(user) -> QuerySet[Result]:
    if not can_read_results(user):
        return Result.objects.none()
    return Result.objects.all()


def result_applications(user) -> QuerySet[Application]:
    """Applications whose result page ``user`` may open (404 for everyone else)."""
    if not can_read_results(user):
        return Application.objects.none()
    return Application.objects.all()


# --- dashboard: progress -------------------------------------------------------------------

SUBMITTED = (
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.UNDER_REVIEW,
    ApplicationStatus.SCORED,
    ApplicationStatus.DECIDED,
)


@dataclass
class EvaluatorProgress:
    evaluator_id: int
    name: str
    username: str
    assigned: int  # active assignments
    confirmed: int  # of those, confirmed sheets
    excluded: int  # assignments excluded (회피·기피·제척)

    @property
    def percent(self) -> int:
        return round(100 * self.confirmed / self.assigned) if self.assigned else 0


@dataclass
class Progress:
    applications: int
    submitted: int
    by_status: dict[str, int]
    evaluators: list[EvaluatorProgress]

    @property
    def assigned(self) -> int:
        return sum(e.assigned for e in self.evaluators)

    @property
    def confirmed(self) -> int:
        return sum(e.confirmed for e in self.evaluators)


def cycle_progress(cycle: Cycle) -> Progress:
    """Submitted applications and confirmed sheets per evaluator: two queries."""
    by_status = dict(
        Application.objects.filter(cycle=cycle)
        .values_list("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    active = Q(exclusion="")
    rows = (
        Assignment.objects.filter(application__cycle=cycle)
        .values("evaluator_id", "evaluator__name", "evaluator__username")
        .annotate(
            assigned=Count("pk", filter=active),
            confirmed=Count("pk", filter=active & Q(sheet__status=SheetStatus.CONFIRMED)),
            excluded=Count("pk", filter=~active),
        )
        .order_by("evaluator__name", "evaluator__username")
    )
    evaluators = [
        EvaluatorProgress(
            evaluator_id=r["evaluator_id"],
            name=r["evaluator__name"] or r["evaluator__username"],
            username=r["evaluator__username"],
            assigned=r["assigned"],
            confirmed=r["confirmed"],
            excluded=r["excluded"],
        )
        for r in rows
    ]
    return Progress(
        applications=sum(n for s, n in by_status.items() if s != ApplicationStatus.WITHDRAWN),
        submitted=sum(by_status.get(s, 0) for s in SUBMITTED),
        by_status=by_status,
        evaluators=evaluators,
    )


# --- dashboard: results table --------------------------------------------------------------


@dataclass
class ResultRow:
    application: Application
    result: Result | None
    areas: list[str | None]  # rounded area scores as stored, in rubric order
    substituted: set[str]
    sheets_active: int
    sheets_confirmed: int
    stale_decision: bool = False  # decided on another counted-sheet set (ADR 011)

    @property
    def total(self) -> Decimal | None:
        return self.result.total if self.result else None

    @property
    def rank(self) -> int | None:
        return self.result.rank if self.result else None

    @property
    def penalty(self) -> Decimal | None:
        """감점 (≤ 0): total = sum of the areas + penalty."""
        return self.result.penalties if self.result and self.result.total is not None else None

    @property
    def decision(self) -> str:
        return self.result.decision if self.result else ""

    @property
    def final_decision(self) -> str:
        return self.result.final_decision if self.result else ""

    @property
    def flagged(self) -> list[str]:
        if not self.result:
            return []
        return sorted(c for c, d in self.result.disagreement.items() if d.get("flagged"))

    @property
    def committee_stale(self) -> bool:
        """The counted sheets changed after the 인증위원회 decided: it must decide again."""
        return self.stale_decision


SORTS = {
    "institution": lambda row: row.application.institution.name,
    "status": lambda row: row.application.status,
    "total": lambda row: row.total,
    "rank": lambda row: row.rank,
    "decision": lambda row: row.final_decision or None,
    "flags": lambda row: len(row.flagged),
    "sheets": lambda row: row.sheets_confirmed,
}
DEFAULT_SORT = "rank"


def sort_rows(rows: list[ResultRow], sort: str, area_codes: list[str]) -> tuple[list, str]:
    """Rows ordered by ``sort`` (a key of ``SORTS`` or ``area:<code>``; ``-`` first for
    descending). Rows without the value go last either way; ties keep institution order.
    Returns the rows and the sort actually applied (an unknown one falls back to rank)."""
    descending = sort.startswith("-")
    name = sort.lstrip("-")
    if name.startswith("area:") and name[5:] in area_codes:
        index = area_codes.index(name[5:])

        def key(row):
            value = row.areas[index]
            return None if value is None else Decimal(value)
    elif name in SORTS:
        key = SORTS[name]
    else:
        name, descending, key = DEFAULT_SORT, False, SORTS[DEFAULT_SORT]
    rows = sorted(rows, key=lambda r: r.application.institution.name)
    present = [r for r in rows if key(r) is not None]
    missing = [r for r in rows if key(r) is None]
    present.sort(key=key, reverse=descending)
    return present + missing, ("-" if descending else "") + name


def cycle_areas(cycle: Cycle) -> list[Area]:
    return list(Area.objects.filter(version_id=cycle.rubric_version_id).order_by("order"))


def cycle_results_table(cycle: Cycle, areas: list[Area]) -> list[ResultRow]:
    """One row per (not withdrawn) application of ``cycle`` with its stored result, sheet
    counts and whether its committee decision is stale: three queries."""
    active = Q(assignments__exclusion="")
    applications = (
        Application.objects.filter(cycle=cycle)
        .exclude(status=ApplicationStatus.WITHDRAWN)
        .select_related("institution", "result")
        .annotate(
            sheets_active=Count("assignments", filter=active, distinct=True),
            sheets_confirmed=Count(
                "assignments",
                filter=active & Q(assignments__sheet__status=SheetStatus.CONFIRMED),
                distinct=True,
            ),
        )
        .order_by("institution__name", "pk")
    )
    substituted: dict[int, set[str]] = {}
    for app_id, code in AreaSubstitution.objects.filter(application__cycle=cycle).values_list(
        "application_id", "area__code"
    ):
        substituted.setdefault(app_id, set()).add(code)
    applications = list(applications)
    from ..process import stale_decisions

    stale = stale_decisions([a.result for a in applications if getattr(a, "result", None)])
    rows = []
    for app in applications:
        result = getattr(app, "result", None)
        stored = result.areas if result else {}
        rows.append(
            ResultRow(
                application=app,
                result=result,
                areas=[stored.get(a.code) for a in areas],
                substituted=substituted.get(app.pk, set()),
                sheets_active=app.sheets_active,
                sheets_confirmed=app.sheets_confirmed,
                stale_decision=bool(result and result.pk in stale),
            )
        )
    return rows


# --- dashboard: distribution and averages ----------------------------------------------------

ONE_PLACE = Decimal("0.1")


@dataclass
class AreaAverage:
    area: Area
    average: Decimal | None  # mean rounded score, 2 places half-up
    rate: Decimal | None  # average / points in percent, 1 place half-up
    n: int


def area_averages(rows: list[ResultRow], areas: list[Area]) -> list[AreaAverage]:
    """Per area, the mean of the stored (rounded) area scores over the computed results."""
    out = []
    for i, area in enumerate(areas):
        values = [Decimal(r.areas[i]) for r in rows if r.total is not None and r.areas[i]]
        if not values:
            out.append(AreaAverage(area, None, None, 0))
            continue
        mean = sum(values) / len(values)
        rate = (
            (mean * 100 / area.points).quantize(ONE_PLACE, ROUND_HALF_UP) if area.points else None
        )
        out.append(
            AreaAverage(area, mean.quantize(Decimal("0.01"), ROUND_HALF_UP), rate, len(values))
        )
    return out


def computed_totals(rows: list[ResultRow]) -> list[Decimal]:
    return [r.total for r in rows if r.total is not None]


# --- one application ---------------------------------------------------------------------------


@dataclass
class ApplicationResult:
    """What the result page shows: the stored result, the pure result recomputed from the
    sheets for item-level figures, the sheets, the substitutions and what an admin may do."""

    application: Application
    result: Result | None
    computed: object | None  # services.results.Computed
    problems: list[str]
    sheets: list[Assignment]
    evaluator_names: list[str]  # evaluator keys (usernames) in column order
    item_rows: list[dict]
    substitutions: list[AreaSubstitution]
    substitutable: list[Area]  # areas a certificate may replace (substituted or not)
    certificates: list[Certificate]  # the institution's, ``valid_on_reference`` set
    areas: list[Area] = field(default_factory=list)
    dropped: frozenset[str] = frozenset()  # counted sheets the rule left out (usernames)
    evaluator_labels: list[str] = field(default_factory=list)  # names, in column order

    @property
    def open_areas(self) -> list[Area]:
        """Substitutable areas not substituted yet."""
        taken = {s.area_id for s in self.substitutions}
        return [a for a in self.substitutable if a.pk not in taken]


def application_result(application: Application) -> ApplicationResult:
    """Everything the result page needs, in a constant number of queries."""
    from ..services import results as results_service

    cycle = application.cycle
    rules = results_service.cycle_rules(cycle)
    computed_all, problems = results_service.compute(cycle, rules, [application.pk])
    computed = computed_all.get(application.pk)
    result = Result.objects.filter(application=application).select_related("committee_by").first()
    sheets = list(
        Assignment.objects.filter(application=application)
        .select_related("evaluator", "sheet", "excluded_by")
        .order_by("evaluator__username")
    )
    counted = [a for a in sheets if a.is_active and _confirmed(a)]
    names = [a.evaluator.username for a in counted]
    points = _sheet_points(counted, rules)
    pure = computed.result if computed else None
    item_scores = {i.code: i for i in pure.items + pure.penalties} if pure else {}
    spreads = {d.code: d for d in pure.disagreements} if pure else {}
    substituted = computed.substituted if computed else frozenset()
    items = []
    for area in rules.rubric.areas:
        for indicator in area.indicators:
            for item in indicator.items:
                items.append(
                    {
                        "code": item.code,
                        "area": area.code,
                        "points": item.points,
                        "substituted": area.code in substituted,
                        "values": [points.get(n, {}).get(item.code) for n in names],
                        "score": item_scores.get(item.code),
                        "spread": spreads.get(item.code),
                    }
                )
    subs = list(
        AreaSubstitution.objects.filter(application=application)
        .select_related("area", "certificate", "confirmed_by")
        .order_by("area__order")
    )
    areas = cycle_areas(cycle)
    substitutable = [a for a in areas if a.substitution and a.substitution.get("certificates")]
    day = cycle.reference_date
    certificates = list(
        Certificate.objects.filter(institution_id=application.institution_id).order_by(
            "kind", "-valid_until", "number"
        )
    )
    for cert in certificates:
        cert.valid_on_reference = cert.is_valid_on(day)
    return ApplicationResult(
        application=application,
        result=result,
        computed=computed,
        problems=problems.get(application.pk, []),
        sheets=sheets,
        evaluator_names=names,
        item_rows=items,
        substitutions=subs,
        substitutable=substitutable,
        certificates=certificates,
        areas=areas,
        dropped=frozenset(pure.dropped) if pure else frozenset(),
        evaluator_labels=[a.evaluator.display_name for a in counted],
    )


def _confirmed(assignment: Assignment) -> bool:
    sheet = getattr(assignment, "sheet", None)
    return sheet is not None and sheet.status == SheetStatus.CONFIRMED


def _sheet_points(assignments: list[Assignment], rules) -> dict[str, dict[str, Decimal]]:
    from ..models import ItemScore

    by_sheet = {a.sheet.pk: a.evaluator.username for a in assignments}
    out: dict[str, dict[str, Decimal]] = {}
    for sheet_id, item_id, value in ItemScore.objects.filter(
        sheet_id__in=list(by_sheet), points__isnull=False
    ).values_list("sheet_id", "item_id", "points"):
        out.setdefault(by_sheet[sheet_id], {})[rules.item_codes[item_id]] = value
    return out


# --- exports -----------------------------------------------------------------------------------

SCORE_COLUMNS = [
    "application_id",
    "institution",
    "evaluator",
    "item_code",
    "method",
    "entered",
    "points",
    "confirmed",
]


def score_export_rows(cycle: Cycle):
    """One row per (application, evaluator, item) with an entry, for the cycle's active
    assignments (an excluded evaluator's sheet never counts and is not exported), in
    application, evaluator and rubric order. One query, streamed."""
    from ..models import ItemScore
    from ..scoring import fmt
    from .sheet import entry_text

    scores = (
        ItemScore.objects.filter(
            sheet__assignment__application__cycle=cycle,
            sheet__assignment__exclusion="",
            points__isnull=False,
        )
        .select_related(
            "item", "sheet__assignment__application__institution", "sheet__assignment__evaluator"
        )
        .order_by(
            "sheet__assignment__application_id",
            "sheet__assignment__evaluator__username",
            "item__indicator__area__order",
            "item__indicator__order",
            "item__order",
        )
    )
    for score in scores.iterator(chunk_size=2000):
        assignment = score.sheet.assignment
        yield [
            assignment.application_id,
            assignment.application.institution.name,
            assignment.evaluator.username,
            score.item.code,
            score.item.method,
            entry_text(score),
            fmt(score.points),
            "true" if score.sheet.status == SheetStatus.CONFIRMED else "false",
        ]


def result_export_columns(areas: list[Area]) -> list[str]:
    return [
        "application_id",
        "institution",
        "total",
        *[a.code for a in areas],
        "penalty",
        "decision",
        "rank",
    ]


def result_export_rows(cycle: Cycle, areas: list[Area]) -> list[dict]:
    """One row per (not withdrawn) application: the stored figures as displayed (rubric
    places), the computed decision and the rank; blanks when nothing is computed yet.
    Extra keys (not CSV columns): ``substituted_areas``, ``committee_decision``."""
    places = cycle.rubric_version.rounding_places
    quantum = Decimal(1).scaleb(-places)

    def shown(value):
        return "" if value is None else format(Decimal(value).quantize(quantum), "f")

    rows = []
    for row in sorted(
        cycle_results_table(cycle, areas), key=lambda r: (r.rank is None, r.rank, r.application.pk)
    ):
        result = row.result
        out = {
            "application_id": row.application.pk,
            "institution": row.application.institution.name,
            "total": shown(row.total),
        }
        for area, value in zip(areas, row.areas, strict=True):
            out[area.code] = shown(value)
        out["penalty"] = shown(row.penalty)
        out["decision"] = row.decision
        out["rank"] = row.rank if row.rank is not None else ""
        out["substituted_areas"] = sorted(row.substituted)
        out["committee_decision"] = result.committee_decision if result else ""
        rows.append(out)
    return rows


# --- verification ------------------------------------------------------------------------------


def results_differences(cycle: Cycle, *, check_hashes: bool = True) -> list[str]:
    """Recompute every result of ``cycle`` from the raw entries and list, in Korean, every
    stored figure that differs: item points that the entry does not give, stored results
    (total, areas, penalties, decision, reasons, sheets counted, flags, rank) that the
    aggregation does not give, missing or surplus results, and (``check_hashes``) confirmed
    sheets whose content no longer matches the seal (HMAC) taken at 확정, and the score audit
    trail (``audit_trail_differences``). [] when all agree."""
    from ..models import ItemScore, Sheet
    from ..scoring import EntryError, fmt, item_points
    from ..services import results as results_service

    rules = results_service.cycle_rules(cycle)
    names = dict(Application.objects.filter(cycle=cycle).values_list("pk", "institution__name"))
    diffs: list[str] = []

    def where(app_id) -> str:
        return f"신청 {app_id} ({names.get(app_id, '?')})"

    # 1. item points from the entries
    derived: dict[int, dict[str, Decimal]] = {}
    rows = ItemScore.objects.filter(
        sheet__assignment__application__cycle=cycle,
        sheet__status=SheetStatus.CONFIRMED,
        sheet__assignment__exclusion="",
    ).values_list(
        "sheet_id",
        "sheet__assignment__application_id",
        "sheet__assignment__evaluator__username",
        "item_id",
        "grade",
        "value",
        "count",
        "points",
    )
    for sheet_id, app_id, username, item_id, grade, value, count, stored in rows:
        code = rules.item_codes[item_id]
        method = rules.methods[code]
        entry = grade if method == "grade" else count if method == "penalty" else value
        if entry in (None, ""):
            if stored is not None:
                diffs.append(
                    f"{where(app_id)} {username} {code}: 입력값 없이 점수 {fmt(stored)}이(가) 저장되어 있습니다"
                )
            continue
        try:
            points = item_points(rules.rubric.item(code), entry)
        except EntryError as exc:
            diffs.append(f"{where(app_id)} {username} {exc}")
            continue
        if stored is None or Decimal(stored) != points:
            shown = "없음" if stored is None else fmt(stored)
            diffs.append(
                f"{where(app_id)} {username} {code}: 저장된 점수 {shown} ≠ 입력값 "
                f"{fmt(entry) if isinstance(entry, Decimal) else entry}(으)로 계산한 {fmt(points)}"
            )
        derived.setdefault(sheet_id, {})[code] = points

    # 2. results from those points
    computed, problems = results_service.compute(cycle, rules, sheet_points=derived)
    for app_id, messages in sorted(problems.items()):
        diffs += [f"{where(app_id)}: {m}" for m in messages]
    stored = {r.application_id: r for r in Result.objects.filter(application__cycle=cycle)}
    by = "normalised_total" if rules.rule is results_service.scoring.Rule.Z_MEAN else "total"
    ranks = results_service.ranks({k: getattr(c, by) for k, c in computed.items()})
    labels = {
        "total": "총점",
        "penalties": "감점",
        "decision": "판정",
        "reasons": "판정 사유",
        "sheets_counted": "반영 평가표 수",
        "disagreement": "편차 경고",
        "normalised_total": "표준화 총점",
    }
    for app_id in sorted(computed.keys() | stored.keys()):
        if app_id in problems:
            continue
        wanted = computed.get(app_id) or results_service.Computed(app_id)
        result = stored.get(app_id)
        if result is None:
            if wanted.total is not None:
                diffs.append(
                    f"{where(app_id)}: 저장된 결과가 없습니다 (재계산 총점 {wanted.total})"
                )
            continue
        for name, label in labels.items():
            have, want = getattr(result, name), getattr(wanted, name)
            if have != want:
                diffs.append(
                    f"{where(app_id)}: {label} 저장값 {_show(have)} ≠ 재계산 {_show(want)}"
                )
        for code in sorted(result.areas.keys() | wanted.areas.keys()):
            have, want = result.areas.get(code), wanted.areas.get(code)
            if (None if have is None else Decimal(have)) != (
                None if want is None else Decimal(want)
            ):
                diffs.append(
                    f"{where(app_id)}: {code} 영역 저장값 {_show(have)} ≠ 재계산 {_show(want)}"
                )
        if result.rank != ranks.get(app_id):
            diffs.append(
                f"{where(app_id)}: 순위 저장값 {_show(result.rank)} ≠ 재계산 {_show(ranks.get(app_id))}"
            )

    # 3. sheet content against the seal (HMAC under INTEGRITY_KEY) taken at 확정
    if check_hashes:
        from .. import integrity
        from ..services.sheet import canonical_json, sheet_canonical_content

        for sheet in (
            Sheet.objects.filter(assignment__application__cycle=cycle, status=SheetStatus.CONFIRMED)
            .select_related("assignment__evaluator", "assignment__application__cycle")
            .order_by("assignment__application_id", "assignment__evaluator__username")
        ):
            content = canonical_json(sheet_canonical_content(sheet))
            if not integrity.mac_matches(content, sheet.content_hash):
                a = sheet.assignment
                diffs.append(
                    f"{where(a.application_id)} {a.evaluator.username}: 평가표 내용이 확정 시점의 "
                    "봉인(HMAC)과 다릅니다"
                )
        # 4. the score audit trail: unbroken, and the stored scores are its last values
        diffs += audit_trail_differences(cycle, where)
    # 5. committee decisions taken on another counted-sheet set than today's (ADR 011)
    from ..process import stale_decisions

    decided = [r for r in stored.values() if r.committee_decision]
    stale = stale_decisions(decided)
    for result in sorted((r for r in decided if r.pk in stale), key=lambda r: r.application_id):
        diffs.append(
            f"{where(result.application_id)}: 인증위원회 결정 이후 반영 평가표가 바뀌었습니다 "
            "(결정의 근거와 현재 반영 평가표가 다릅니다)"
        )
    return diffs


def _legacy_sha256(sheet) -> str:
    """A 확정 row written before keyed seals recorded the plain SHA-256 of the content; sealed
    into the chain since (``integrity_seal_legacy``), it still names the content (ADR 014)."""
    import hashlib

    from ..services.sheet import canonical_json, sheet_canonical_content

    return hashlib.sha256(canonical_json(sheet_canonical_content(sheet))).hexdigest()


def audit_trail_differences(cycle: Cycle, where) -> list[str]:
    """Every sheet of ``cycle``: its ``ScoreAudit`` chain is unbroken (each row's HMAC covers
    its content and the previous row's), every stored score equals the last value the trail
    gives for its item, and the sheet's status and 확정 seal are the trail's last ones (ADR
    014). A constant number of queries."""
    from collections import defaultdict

    from indicators.models import Item

    from .. import integrity
    from ..models import AuditAction, ItemScore, ScoreAudit, Sheet
    from .sheet import entry_text

    sheets = list(
        Sheet.objects.filter(assignment__application__cycle=cycle)
        .select_related("assignment__evaluator")
        .order_by("assignment__application_id", "assignment__evaluator__username")
    )
    trail = defaultdict(list)
    for row in ScoreAudit.objects.filter(sheet__in=sheets).order_by("sheet_id", "pk"):
        trail[row.sheet_id].append(row)
    scores = defaultdict(dict)
    for score in ItemScore.objects.filter(sheet__in=sheets):
        scores[score.sheet_id][score.item_id] = score
    codes = dict(Item.objects.filter(version_id=cycle.rubric_version_id).values_list("pk", "code"))
    diffs = []
    for sheet in sheets:
        who = f"{where(sheet.assignment.application_id)} {sheet.assignment.evaluator.username}"
        rows = trail.get(sheet.pk, [])
        diffs += [f"{who}: {problem}" for problem in integrity.audit_chain_problems(rows)]
        final, status = {}, None
        for row in rows:
            if row.item_id is not None and row.action in (AuditAction.SAVE, AuditAction.IMPORT):
                final[row.item_id] = row.new
            if isinstance(row.new, dict) and "status" in row.new:
                status = row.new
        stored = scores.get(sheet.pk, {})
        for item_id in sorted(final.keys() | stored.keys()):
            code = codes.get(item_id, f"항목 {item_id}")
            want, have = final.get(item_id), stored.get(item_id)
            if have is None:
                if want is not None:
                    diffs.append(f"{who} {code}: 이력의 마지막 값이 있는데 저장된 점수가 없습니다")
                continue
            if want is None:
                diffs.append(f"{who} {code}: 이력에 없는 점수가 저장되어 있습니다")
                continue
            have_points = None if have.points is None else Decimal(have.points)
            want_points = None if want.get("points") is None else Decimal(want["points"])
            differ = []
            if (entry_text(have) or None) != want.get("entry"):
                differ.append(
                    f"입력값 {entry_text(have) or '없음'} ≠ 이력 {want.get('entry') or '없음'}"
                )
            if have_points != want_points:
                differ.append(f"점수 {_show(have_points)} ≠ 이력 {_show(want_points)}")
            if have.strength != want.get("strength"):
                differ.append("강점 의견")
            if have.improvement != want.get("improvement"):
                differ.append("개선 의견")
            if have.version != want.get("version"):
                differ.append(f"판 {have.version} ≠ 이력 {want.get('version')}")
            if differ:
                diffs.append(
                    f"{who} {code}: 저장된 값이 점수 이력의 마지막 값과 다릅니다 ("
                    + ", ".join(differ)
                    + ")"
                )
        if sheet.status == SheetStatus.CONFIRMED and (
            status is None
            or status.get("status") != SheetStatus.CONFIRMED
            or status.get("content_hash") not in (sheet.content_hash, _legacy_sha256(sheet))
        ):
            diffs.append(f"{who}: 확정 상태와 봉인이 이력의 마지막 확정 기록과 다릅니다")
    return diffs


def _show(value) -> str:
    if value is None or value == "":
        return "없음"
    if isinstance(value, Decimal):
        from ..scoring import fmt

        return fmt(value)
    return str(value)
