"""Time ``evaluation.scoring.aggregate`` over 1,000 applications × 3 evaluators × 19 items.

The rubric is the seed's shape (A–E, 19 items, 1,000 points, five-level grades, area D
substitutable). Sheets are random but seeded, so every run aggregates the same data. Each repeat
builds a fresh ``Rubric`` (as a service recomputing a cycle would), so the per-rubric caches
start cold, and keeps all 1,000 results (to rank them), so garbage collection is paid for.
Prints the best of a few repeats per rule and its ratio to the 1 s goal. Pure Python, no Django.

    .venv/bin/python bench/aggregate.py
"""

import random
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from evaluation.scoring import (  # noqa: E402
    Area,
    Indicator,
    Item,
    Method,
    Rubric,
    Rule,
    Sheet,
    aggregate,
    item_points,
    rank,
)

APPLICATIONS, EVALUATORS, REPEATS, GOAL_SECONDS = 1000, 3, 5, 1.0
LEVELS = {"S": Decimal("1.0"), "A": Decimal("0.8"), "B": Decimal("0.6"), "C": Decimal("0.4")}
LEVELS["D"] = Decimal("0.2")
# (area, area points, [(indicator, [item points, ...]), ...]) -- the seed rubric's shape.
SHAPE = [
    ("A", 100, [("A.1", [60]), ("A.2", [40])]),
    ("B", 380, [("B.1", [50, 30]), ("B.2", [40, 30]), ("B.3", [80, 40, 40, 70])]),
    ("C", 120, [("C.1", [60]), ("C.2", [30, 30])]),
    ("D", 150, [("D.1", [70, 80])]),
    ("E", 250, [("E.1", [30]), ("E.2", [70, 30]), ("E.3", [120])]),
]


def build_rubric() -> Rubric:
    areas = []
    for code, points, indicators in SHAPE:
        built = []
        for ind_code, item_points_list in indicators:
            items = tuple(
                Item(f"{ind_code}.{n}", Decimal(p), Method.GRADE, levels=LEVELS)
                for n, p in enumerate(item_points_list, start=1)
            )
            built.append(Indicator(ind_code, Decimal(sum(item_points_list)), items))
        ratio = Decimal("1.0") if code == "D" else None
        areas.append(Area(code, Decimal(points), tuple(built), award_ratio=ratio))
    return Rubric(tuple(areas))


def build_sheets(rubric: Rubric, rng: random.Random) -> list[list[Sheet]]:
    items = [it for a in rubric.areas for ind in a.indicators for it in ind.items]
    applications = []
    for _ in range(APPLICATIONS):
        sheets = []
        for e in range(EVALUATORS):
            points = {it.code: item_points(it, rng.choice("SABCD")) for it in items}
            sheets.append(Sheet(f"evaluator{e + 1}", points))
        applications.append(sheets)
    return applications


def main() -> None:
    applications = build_sheets(build_rubric(), random.Random(20250101))
    minimums = {"D": Decimal("0.6")}
    print(f"aggregate: {APPLICATIONS} applications × {EVALUATORS} evaluators × 19 items")
    for rule in Rule:
        best = float("inf")
        for _ in range(REPEATS):
            rubric = build_rubric()
            start = time.perf_counter()
            results = {
                n: aggregate(
                    rubric, sheets, rule=rule, threshold=Decimal(700), area_minimums=minimums
                )
                for n, sheets in enumerate(applications)
            }
            best = min(best, time.perf_counter() - start)
        ranks = rank(results)
        print(
            f"  {rule.value:<18} best of {REPEATS}: {best:.3f} s "
            f"= {best / GOAL_SECONDS:.0%} of the {GOAL_SECONDS:g} s goal "
            f"({sum(r.passed for r in results.values())} pass, top total "
            f"{results[next(iter(ranks))].total})"
        )


if __name__ == "__main__":
    main()
