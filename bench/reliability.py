"""Time the reliability figures (docs/decisions/015-reliability.md) of a cycle of 1,000
applications × 3 evaluators × 19 items: Krippendorff's α overall, per area (5) and per item
(19), each with its bootstrap interval, and every evaluator's severity.

Data: ``bench/results_bulk.py``'s cycle (the seed rubric, random seeded grades, one
application in 20 with area D substituted), bulk-created; building it is not measured.

Four timings, each the best of ``--repeats`` runs:
- ``pure, no bootstrap``: ``reliability.analyse`` on the ratings already in memory (goal 1 s);
- ``pure, N resamples``: the same with the bootstrap (goal 5 s);
- ``from the DB, no bootstrap`` and ``from the DB, N resamples``: ``cycle_reliability``, which
  also loads the counted sheets (the dashboard's section does this on every request).
Each line prints wall-clock seconds and the ratio to its goal, and this process's CPU seconds.

    .venv/bin/python bench/reliability.py                 # SQLite in a temporary directory
    DATABASE_URL=postgres://…/throwaway .venv/bin/python bench/reliability.py

DATABASE_URL must name a throwaway database. Exits 1 if a timing exceeds its goal.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from results_bulk import build, setup_django  # noqa: E402

GOALS = {False: 1.0, True: 5.0}  # with the bootstrap?


def best(repeats: int, run) -> tuple[float, float, object]:
    wall, cpu, out = float("inf"), float("inf"), None
    for _ in range(repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        out = run()
        wall = min(wall, time.perf_counter() - start)
        cpu = min(cpu, time.process_time() - start_cpu)
    return wall, cpu, out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--applications", type=int, default=1000)
    parser.add_argument("--evaluators", type=int, default=3)
    parser.add_argument("--resamples", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="reliability-bench-") as tmp:
        setup_django(tmp)
        from django.db import connection

        from evaluation import reliability
        from evaluation.services.reliability import cycle_ratings, cycle_reliability

        start = time.perf_counter()
        cycle, n_scores = build(args.applications, args.evaluators, seed=20260101)
        ratings = cycle_ratings(cycle)
        print(
            f"reliability on {connection.vendor}: {args.applications} applications × "
            f"{args.evaluators} evaluators × 19 items = {n_scores} item scores, "
            f"{len(ratings)} ratings (built in {time.perf_counter() - start:.1f} s)"
        )
        runs = [
            ("pure, no bootstrap", False, lambda: reliability.analyse(ratings, resamples=0)),
            (
                f"pure, {args.resamples} resamples",
                True,
                lambda: reliability.analyse(ratings, resamples=args.resamples),
            ),
            ("from the DB, no bootstrap", False, lambda: cycle_reliability(cycle, resamples=0)),
            (
                f"from the DB, {args.resamples} resamples",
                True,
                lambda: cycle_reliability(cycle, resamples=args.resamples),
            ),
        ]
        failed, found = False, None
        for name, boot, run in runs:
            seconds, cpu, found = best(args.repeats, run)
            goal = GOALS[boot]
            failed |= seconds > goal
            print(
                f"  {name:<32} best of {args.repeats}: {seconds:.3f} s = "
                f"{seconds / goal:.0%} of the {goal:g} s goal (CPU {cpu:.3f} s)"
            )
        print(f"  load average during the run: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        o = found.overall
        print(
            f"  α overall {o.value} [{o.low}, {o.high}] over {o.units} units, "
            f"{o.pairable} values; severity % "
            + ", ".join(f"{s.evaluator} {s.percent}" for s in found.evaluators)
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
