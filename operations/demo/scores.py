"""The demo's grades, and scoring a sheet through the sheet services as an evaluator does."""

from __future__ import annotations

from evaluation.models import Assignment, Declaration
from evaluation.services.assignment import conflict_declare
from evaluation.services.sheet import score_record, sheet_confirm

from .accounts import DEMO_PASSWORD

GRADES = "SABCD"
# username → evaluator2's grade for each of the 19 items in rubric order; evaluator1 is a step
# more generous on every fourth item, evaluator3 a step stricter on every third. Under the
# cycle's trimmed mean the middle sheet counts: inst2 948, inst3 806 (D substituted by its
# ISMS certificate: 150), inst1 804, inst5 708 and inst4 548 (below the 700-point threshold).
PATTERNS = {
    "inst1": "ASABAASABAABAAASABA",
    "inst2": "SSASSASASSSASSASSAS",
    "inst3": "AABAAABAASAABAAAABA",
    "inst4": "BCBBCBBBCBBCBBCBBCB",
    "inst5": "ABBABBAABABBABAABBA",
}
# (institution, evaluator, item code) → grade: inst2's B.3.1 scored far apart (S, S, C):
# spread 48 > 0.40 × 80, a disagreement flag on the dashboard
OVERRIDES = {("inst2", "evaluator3", "B.3.1"): "C"}


def grade(username: str, evaluator: str, position: int, code: str) -> str:
    override = OVERRIDES.get((username, evaluator, code))
    if override:
        return override
    step = GRADES.index(PATTERNS[username][position])
    if evaluator == "evaluator1" and position % 4 == 0:
        step -= 1
    elif evaluator == "evaluator3" and position % 3 == 1:
        step += 1
    return GRADES[min(max(step, 0), len(GRADES) - 1)]


def score_sheet(
    *,
    assignment: Assignment,
    username: str,
    items: list,
    skip_areas: set[int] = frozenset(),
    upto: int | None = None,
    confirm: bool = True,
) -> None:
    """The assigned evaluator declares no conflict, scores the first ``upto`` items (all by
    default; items of ``skip_areas``, substituted areas, are left out) with comments, and
    confirms with the demo password when ``confirm``. For a sheet never saved before."""
    evaluator = assignment.evaluator
    if assignment.declaration == Declaration.PENDING:
        assignment = conflict_declare(assignment=assignment, conflict=False, by=evaluator)
    for position, item in enumerate(items[:upto]):
        if item.indicator.area_id in skip_areas:
            continue
        entry = grade(username, evaluator.username, position, item.code)
        score_record(
            assignment=assignment,
            item=item,
            by=evaluator,
            version=0,
            entry=entry,
            strength=f"{item.title}: 계획과 실행 근거가 구체적으로 제시됨",
            improvement="" if entry in "SA" else "성과 점검과 개선 주기를 명확히 할 필요",
        )
    if confirm:
        sheet_confirm(assignment=assignment, by=evaluator, password=DEMO_PASSWORD)
