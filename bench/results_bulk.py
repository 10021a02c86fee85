"""Time ``cycle_results_recompute`` end to end on a database holding 1,000 applications ×
3 evaluators × 19 items (57,000 stored item scores): load every score, aggregate, store the
results and rank them.

Data: the seed rubric (A–E, 19 items, 1,000 points, area D substitutable), a cycle with the
trimmed-mean rule, a 700-point threshold and a 50 % minimum on area B; every application has
three confirmed sheets of random (seeded) grades; one in 20 applications has area D
substituted. Everything is bulk-created, so building the data is not what is measured.

Three timings, each the best of ``--repeats`` runs with the pure-rubric cache cleared first
(so building the rubric from the database is paid for every time):
- ``create``: no result stored yet, 1,000 rows inserted;
- ``update``: every stored result differs (figures wiped first), 1,000 rows updated;
- ``steady``: nothing changed since the last recompute, nothing written.
Each line prints wall-clock seconds, the ratio to the 1 s goal, this process's CPU seconds
(on SQLite that is nearly all the work, and it is less disturbed by other processes on a shared
machine; the load average is printed too), and the number of queries.

    .venv/bin/python bench/results_bulk.py                 # SQLite in a temporary directory
    DATABASE_URL=postgres://…/throwaway .venv/bin/python bench/results_bulk.py

DATABASE_URL must name a throwaway database: it is migrated and filled with bench data.
Exits 1 if a timing exceeds the goal.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
GOAL_SECONDS = 1.0


def setup_django(tmp: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    if not os.environ.get("DATABASE_URL"):
        os.environ["VAR_DIR"] = tmp
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def build(n_apps: int, n_evaluators: int, seed: int):
    from django.db import transaction
    from django.utils import timezone

    import operations.demo.rubric
    from evaluation import scoring
    from evaluation.adapters import scoring_rubric
    from evaluation.models import (
        Application,
        AreaSubstitution,
        Assignment,
        Cycle,
        CycleAreaMinimum,
        Declaration,
        ItemScore,
        Sheet,
        SheetStatus,
        Stage,
    )
    from institutions.models import Certificate, Institution, User

    rng = random.Random(seed)
    slug = f"bench-{int(time.time())}-{rng.randrange(10**6)}"
    with transaction.atomic():
        version = operations.demo.rubric.seed()
        rubric = scoring_rubric(version)
        admin, _ = User.objects.get_or_create(username="bench-admin")
        evaluators = [
            User.objects.get_or_create(username=f"bench-evaluator{e + 1}")[0]
            for e in range(n_evaluators)
        ]
        now = timezone.now()
        cycle = Cycle.objects.create(
            title="벤치마크 주기",
            slug=slug,
            rubric_version=version,
            reference_date=date(2026, 1, 1),
            stage=Stage.DOCUMENT_REVIEW,
            evidence_deadline=now - timedelta(days=1),
            aggregation_rule="trimmed_mean",
            pass_threshold=Decimal(700),
            created_by=admin,
        )
        areas = {a.code: a for a in version.areas.all()}
        CycleAreaMinimum.objects.create(cycle=cycle, area=areas["B"], ratio=Decimal("0.5"))
        base = Institution.objects.count()
        institutions = Institution.objects.bulk_create(
            Institution(
                name=f"벤치기관{base + i:05d}",
                business_number=f"9{base + i:09d}",
                type="wide",
                registered_on=date(2015, 1, 1),
            )
            for i in range(n_apps)
        )
        apps = Application.objects.bulk_create(
            Application(
                cycle=cycle,
                institution=inst,
                status="submitted",
                created_by=admin,
                submitted_at=now,
            )
            for inst in institutions
        )
        assignments = Assignment.objects.bulk_create(
            Assignment(
                application=app,
                evaluator=ev,
                assigned_by=admin,
                declaration=Declaration.NONE,
                declared_at=now,
            )
            for app in apps
            for ev in evaluators
        )
        sheets = Sheet.objects.bulk_create(
            Sheet(
                assignment=a,
                status=SheetStatus.CONFIRMED,
                confirmed_at=now,
                content_hash="0" * 64,
            )
            for a in assignments
        )
        items = list(version.items.select_related("indicator__area").order_by("pk"))
        substituted = {app.pk for app in apps[::20]}
        certs = Certificate.objects.bulk_create(
            Certificate(
                institution_id=app.institution_id,
                kind="ISMS",
                number=f"{slug}-{app.pk}",
                issuer="KISA",
                valid_from=date(2025, 1, 1),
                valid_until=date(2027, 1, 1),
            )
            for app in apps
            if app.pk in substituted
        )
        AreaSubstitution.objects.bulk_create(
            AreaSubstitution(
                application_id=app_id,
                area=areas["D"],
                certificate=cert,
                confirmed_by=admin,
            )
            for cert, app_id in zip(certs, sorted(substituted), strict=True)
        )
        rows = []
        for sheet, assignment in zip(sheets, assignments, strict=True):
            skip_d = assignment.application_id in substituted
            for item in items:
                if skip_d and item.indicator.area.code == "D":
                    continue
                grade = rng.choices("SABCD", weights=(2, 4, 3, 1, 1))[0]
                rows.append(
                    ItemScore(
                        sheet=sheet,
                        item=item,
                        grade=grade,
                        points=scoring.item_points(rubric.item(item.code), grade),
                        version=1,
                    )
                )
        ItemScore.objects.bulk_create(rows, batch_size=5000)
    from django.db import connection

    with connection.cursor() as cursor:
        # fresh planner statistics, as autovacuum keeps them on a live database
        cursor.execute("ANALYZE")
    return cycle, len(rows)


def timed(cycle, repeats: int, before) -> tuple[float, int, dict]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from evaluation.adapters import _scoring_rubric
    from evaluation.services.results import cycle_results_recompute

    best, cpu, queries, outcome = float("inf"), float("inf"), 0, {}
    for _ in range(repeats):
        before()
        _scoring_rubric.cache_clear()
        with CaptureQueriesContext(connection) as ctx:
            start, start_cpu = time.perf_counter(), time.process_time()
            outcome = cycle_results_recompute(cycle=cycle)
            elapsed = time.perf_counter() - start
            cpu = min(cpu, time.process_time() - start_cpu)
        if elapsed < best:
            best, queries = elapsed, len(ctx.captured_queries)
    return best, cpu, queries, outcome


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--applications", type=int, default=1000)
    parser.add_argument("--evaluators", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="results-bench-") as tmp:
        setup_django(tmp)
        from django.db import connection

        from evaluation.models import Result

        start = time.perf_counter()
        cycle, n_scores = build(args.applications, args.evaluators, seed=20260101)
        print(
            f"results_bulk on {connection.vendor}: {args.applications} applications × "
            f"{args.evaluators} evaluators × 19 items = {n_scores} item scores "
            f"(built in {time.perf_counter() - start:.1f} s)"
        )
        mine = Result.objects.filter(application__cycle=cycle)
        runs = [
            ("create", lambda: mine.delete()),
            ("update", lambda: mine.update(total=0, areas={}, rank=None)),
            ("steady", lambda: None),
        ]
        failed = False
        for name, before in runs:
            seconds, cpu, queries, outcome = timed(cycle, args.repeats, before)
            failed |= seconds > GOAL_SECONDS
            print(
                f"  {name:<7} best of {args.repeats}: {seconds:.3f} s = "
                f"{seconds / GOAL_SECONDS:.0%} of the {GOAL_SECONDS:g} s goal "
                f"(this process's CPU {cpu:.3f} s), {queries} queries ({outcome})"
            )
        print(f"  load average during the run: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        stored = mine.count()
        passed = mine.filter(decision="pass").count()
        print(
            f"  stored {stored} results, {passed} pass, top total {mine.order_by('rank')[0].total}"
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
