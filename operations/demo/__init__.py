"""Demo data for every app (``manage.py seed_demo``): the demo accounts and institutions
(``accounts``), the seed rubric (``rubric``), and four cycles on it (``cycles``), one per moment
of the certification process, so that every role can act at once.

- ``demo-2026`` at 이의신청: inst1–inst4 submitted and scored by evaluator1–3 (all sheets
  confirmed; inst3's area D substituted by its ISMS certificate; inst4 below 700 points),
  inst5 never submitted (미제출, no result), the 인증위원회's decisions taken, results notified,
  and inst4's objection on two items pending for an admin.
- ``demo-2023`` at 확정: certificates issued to inst1–inst3 (inst3's revoked), each valid and
  ending within 90 days of the seeding day; inst4 failed and its objection was dismissed.
- ``demo-open`` at 신청 until 30 days from today: inst1's draft (재인증) with evidence on about
  half the items (PDF, XLSX, PNG and DOCX files); inst2 has not applied.
- ``demo-review`` at 서류심사: inst2, inst4, inst5 submitted; evaluator1 has half a sheet and two
  untouched ones, evaluator2 and evaluator3 have confirmed some.

Everything goes through the product's services and stage gates (``cycles``). Idempotent: a
cycle that exists is left as it is, so running ``seed_demo`` twice changes nothing.
"""

from __future__ import annotations

from django.utils import timezone

from evaluation.models import Application, Cycle
from institutions.models import User

from . import accounts, cycles, rubric
from .cycles import World

BUILDERS = {
    "demo-2026": cycles.seed_2026,
    "demo-2023": cycles.seed_2023,  # before demo-open: inst1 applies there as 재인증
    "demo-open": cycles.seed_open,
    "demo-review": cycles.seed_review,
}
CYCLE_SLUG = "demo-2026"


def seed(*, stdout=None) -> dict:
    """Everything, in dependency order: accounts, the rubric, the cycles."""
    seeded = accounts.seed()
    rubric_version = rubric.seed()
    world = World(
        admin=User.objects.get(username="admin"),
        rubric_version=rubric_version,
        items=list(
            rubric_version.items.select_related("indicator__area").order_by(
                "indicator__area__order", "indicator__order", "order"
            )
        ),
    )
    built = {}
    for slug, build in BUILDERS.items():
        cycle = Cycle.objects.filter(slug=slug).first()
        if cycle is None:
            cycle = build(world)
        elif slug == "demo-open":
            cycles.keep_open(cycle)
        built[slug] = cycle
    if stdout is not None:
        for cycle in built.values():
            cycle.refresh_from_db()
            applications = Application.objects.filter(cycle=cycle).count()
            stdout.write(
                f"평가 주기 {cycle.slug}: {cycle.get_stage_display()} 단계, 신청 {applications}건, "
                f"신청 마감 {timezone.localtime(cycle.evidence_deadline):%Y-%m-%d %H:%M}"
            )
    return {**seeded, "rubric_version": rubric_version, "cycles": built}
