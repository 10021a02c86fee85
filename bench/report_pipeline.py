"""One 결과보고서: the whole pipeline against WeasyPrint's ``write_pdf`` alone, and a second
request for an unchanged report (served, not rendered).

Runs in a throw-away VAR_DIR (SQLite, files on local disk, Celery eager -- the embedded
defaults), or on the database in DATABASE_URL if one is set (use a scratch database). Seeds the
shipped rubric and a scored cycle of 10 institutions × 3 evaluators × 19 items, warms the
process (fonts, rubric cache, templates) with one report, then, interleaved, REPEATS times:

- pipeline: ``report_request_result`` → inputs (queries) → hash → row → on commit the task:
  claim → template → charts → WeasyPrint → storage → done. A comment changes before each run,
  so every run renders a new report;
- write_pdf: ``HTML(string=…).write_pdf(stylesheets=[same CSS], font_config=same)`` on the
  HTML that run produced;
- served: the same request again (nothing changed): the done report is found by its hash.

Prints medians, the pipeline / write_pdf ratio (goal ≤ 1.2) and the served time.

    .venv/bin/python bench/report_pipeline.py [--repeats 7]
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
GOAL = 1.2


def setup_django(var_dir: str) -> None:
    os.environ.setdefault("VAR_DIR", var_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.pop("CELERY_BROKER_URL", None)  # eager: the task runs in this process
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    logging.getLogger("celery").setLevel(logging.WARNING)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-report-") as var_dir:
        setup_django(var_dir)
        return run(args.repeats)


def run(repeats: int) -> int:
    from django.db import connection
    from weasyprint import HTML

    import operations.demo.rubric
    from evaluation.models import ItemScore
    from institutions.models import User
    from reports import documents, pdf, services
    from reports.models import Report
    from tests.factories import scored_cycle

    admin = User.objects.create_superuser("bench-admin", password=None)
    cycle, apps = scored_cycle(operations.demo.rubric.seed(), n_applications=10, admin=admin)
    app = apps[0]
    row = ItemScore.objects.filter(sheet__assignment__application=app).order_by("pk").first()

    def change_a_comment(i: int) -> None:
        row.strength = f"벤치마크 {i}: 운영계획과 투자계획이 구체적으로 수립되어 있음"
        row.save(update_fields=["strength"])

    def request() -> Report:
        return services.report_request_result(application=app, by=admin)

    change_a_comment(-1)
    warm = request()  # fonts, rubric cache, template loading
    warm.refresh_from_db()
    assert warm.status == "done", warm.error

    pipeline, write_pdf, served = [], [], []
    pages = 0
    for i in range(repeats):
        change_a_comment(i)
        t0 = time.perf_counter()
        report = request()
        pipeline.append(time.perf_counter() - t0)
        report.refresh_from_db()
        assert report.status == "done" and report.attempts == 1, report.error

        html = documents.render_html("result", report.inputs)
        css = pdf.stylesheet(documents.print_css())
        t0 = time.perf_counter()
        data = HTML(string=html).write_pdf(stylesheets=[css], font_config=pdf.font_config())
        write_pdf.append(time.perf_counter() - t0)
        assert data[:5] == b"%PDF-"
        if not pages:  # counted once, outside the timings
            pages = len(
                HTML(string=html).render(stylesheets=[css], font_config=pdf.font_config()).pages
            )

        t0 = time.perf_counter()
        again = request()
        served.append(time.perf_counter() - t0)
        assert again.pk == report.pk

    renders = Report.objects.count()
    p, w, s = (statistics.median(x) for x in (pipeline, write_pdf, served))
    print(f"one 결과보고서 ({pages} pages), {connection.vendor}, {repeats} runs, medians:")
    print(f"  pipeline (queries + template + render + store): {p * 1000:8.1f} ms")
    print(f"  write_pdf on the same HTML:                     {w * 1000:8.1f} ms")
    print(f"  ratio pipeline / write_pdf:                     {p / w:8.3f}  (goal ≤ {GOAL})")
    print(f"  second request, unchanged (served by hash):     {s * 1000:8.1f} ms")
    print(f"  rendering vs serving:                           {p / s:8.0f}×")
    print(f"  reports rendered: {renders} (warm-up + {repeats}); served requests: {repeats}")
    print(f"  all pipeline runs: {', '.join(f'{x * 1000:.0f}' for x in pipeline)} ms")
    print(f"  all write_pdf runs: {', '.join(f'{x * 1000:.0f}' for x in write_pdf)} ms")
    return 0 if p / w <= GOAL else 1


if __name__ == "__main__":
    sys.exit(main())
