"""What ``verify_results`` checks: every stored figure of a cycle against the tally's
recomputation from the raw entries, the 확정 seals, the score audit trail and the committee's
basis (ADR 008, 014, 018). Reads only; a constant number of queries per check."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from decimal import Decimal

from indicators.models import Item

from .. import integrity, tally
from ..models import (
    Application,
    AuditAction,
    Cycle,
    ItemScore,
    Result,
    ScoreAudit,
    Sheet,
    SheetStatus,
)
from ..process import stale_decisions
from ..scoring import EntryError, fmt, item_points


def results_differences(cycle: Cycle, *, check_hashes: bool = True) -> list[str]:
    """Recompute every result of ``cycle`` from the raw entries and list, in Korean, every
    stored figure that differs: item points that the entry does not give, stored results
    (total, areas, penalties, decision, reasons, sheets counted, flags, rank) that the
    aggregation does not give, missing or surplus results, and (``check_hashes``) confirmed
    sheets whose content no longer matches the seal (HMAC) taken at 확정, and the score audit
    trail (``audit_trail_differences``). [] when all agree."""
    rules = tally.cycle_rules(cycle)
    names = dict(Application.objects.filter(cycle=cycle).values_list("pk", "institution__name"))
    diffs: list[str] = []

    def where(app_id) -> str:
        return f"신청 {app_id} ({names.get(app_id, '?')})"

    # 1. item points from the entries
    derived: dict[int, dict[str, Decimal]] = {}
    rows = ItemScore.objects.filter(
        tally.counted("sheet__"), sheet__assignment__application__cycle=cycle
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
                    f"{where(app_id)} {username} {code}: 입력값 없이 점수({fmt(stored)})가 저장되어 있습니다"
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
                f"{where(app_id)} {username} {code}: 저장된 점수 {shown} ≠ 입력값"
                f"({fmt(entry) if isinstance(entry, Decimal) else entry})으로 계산한 {fmt(points)}"
            )
        derived.setdefault(sheet_id, {})[code] = points

    # 2. results from those points
    computed, problems = tally.compute(cycle, rules, sheet_points=derived)
    for app_id, messages in sorted(problems.items()):
        diffs += [f"{where(app_id)}: {m}" for m in messages]
    stored = {r.application_id: r for r in Result.objects.filter(application__cycle=cycle)}
    by = tally.ranking_field(rules)
    ranks = tally.ranks({k: getattr(c, by) for k, c in computed.items()})
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
        wanted = computed.get(app_id) or tally.Computed(app_id)
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
        for sheet in (
            Sheet.objects.filter(assignment__application__cycle=cycle, status=SheetStatus.CONFIRMED)
            .select_related("assignment__evaluator", "assignment__application__cycle")
            .order_by("assignment__application_id", "assignment__evaluator__username")
        ):
            if not tally.sheet_matches_seal(sheet):
                a = sheet.assignment
                diffs.append(
                    f"{where(a.application_id)} {a.evaluator.username}: 평가표 내용이 확정 시점의 "
                    "봉인(HMAC)과 다릅니다"
                )
        # 4. the score audit trail: unbroken, and the stored scores are its last values
        diffs += audit_trail_differences(cycle, where)
    # 5. committee decisions taken on another counted-sheet set than today's (ADR 011)
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
    return hashlib.sha256(tally.canonical_json(tally.sheet_canonical_content(sheet))).hexdigest()


def audit_trail_differences(cycle: Cycle, where) -> list[str]:
    """Every sheet of ``cycle``: its ``ScoreAudit`` chain is unbroken (each row's HMAC covers
    its content and the previous row's), every stored score equals the last value the trail
    gives for its item, and the sheet's status and 확정 seal are the trail's last ones (ADR
    014). A constant number of queries."""
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
            if (tally.entry_text(have) or None) != want.get("entry"):
                differ.append(
                    f"입력값 {tally.entry_text(have) or '없음'} ≠ 이력 {want.get('entry') or '없음'}"
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
        return fmt(value)
    return str(value)
