"""Set up and inspect the database of an app server under test, from a subprocess whose
``DATABASE_URL`` points at a private PostgreSQL cluster (see ``private.py``).

    python -m tests.faults.appctl seed    # migrate, seed rubric, one evaluator's filled sheet
    python -m tests.faults.appctl state   # the sheet as stored, as JSON

``seed`` prints JSON: the evaluator's credentials, the assignment and, per grade item, the
grades its scale accepts. The sheet is filled (every item, version 1) but not confirmed.
``state`` prints every score row, every audit row and the sheet's stored and recomputed hash.
"""

from __future__ import annotations

import json
import os
import sys

PASSWORD = "fault-pass-1234!"


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def seed() -> dict:
    from datetime import date, timedelta
    from decimal import Decimal

    from django.core.exceptions import ValidationError
    from django.core.management import call_command
    from django.utils import timezone

    import operations.demo.rubric
    from evaluation import services
    from evaluation.services.assignment import assignment_create, conflict_declare, pledge_sign
    from evaluation.services.sheet import entry_parse, score_record
    from indicators.models import Item
    from institutions.models import Institution, InstitutionType, User
    from institutions.roles import Role
    from institutions.services import membership_add, roles_sync, user_grant_role

    call_command("migrate", verbosity=0)
    roles_sync()

    def user(username: str, role: Role) -> User:
        made = User.objects.create_user(username=username, password=PASSWORD, name=username)
        user_grant_role(user=made, role=role)
        return User.objects.get(pk=made.pk)

    admin, evaluator, member = (
        user("fault-admin", Role.ADMIN),
        user("fault-evaluator", Role.EVALUATOR),
        user("fault-member", Role.INSTITUTION),
    )
    institution = Institution.objects.create(
        name="한빛잡정보",
        business_number="1018100340",
        type=InstitutionType.WIDE,
        registered_on="2015-01-01",
    )
    membership_add(user=member, institution=institution)
    version = operations.demo.rubric.seed()
    cycle = services.cycle_create(
        by=admin,
        title="2026 장애 시험",
        slug="fault-2026",
        rubric_version=version,
        reference_date=date(2026, 1, 1),
        evidence_deadline=timezone.now() + timedelta(days=7),
        pass_threshold=Decimal("600"),
    )
    cycle = services.cycle_advance_stage(cycle=cycle, by=admin, expected_stage=cycle.stage)
    application = services.application_create(cycle=cycle, institution=institution, by=member)
    assignment = assignment_create(application=application, evaluator=evaluator, by=admin)
    pledge_sign(cycle=cycle, evaluator=evaluator, ip="127.0.0.1")
    assignment = conflict_declare(assignment=assignment, conflict=False, reason="", by=evaluator)
    # Scoring happens on a submitted application in 서류심사 (ADR 011).
    services.application_transition(application=application, to="submitted", by=admin)
    services.cycle_advance_to(
        cycle=cycle, by=admin, to="document_review", reason="장애 시험: 신청 조기 마감"
    )

    grades: dict[str, list[str]] = {}
    items = Item.objects.filter(version=version).select_related("indicator", "version")
    for item in items.order_by("indicator__area__order", "indicator__order", "order"):
        if item.method == "grade":
            accepted = []
            for code in "SABCDE":
                try:
                    entry_parse(item, code, version=version)
                except ValidationError:
                    continue
                accepted.append(code)
            grades[item.code] = accepted
            entry = accepted[0]
        elif item.method == "penalty":
            entry = "0"
        else:
            entry = "0"
        score_record(
            assignment=assignment,
            item=item,
            by=evaluator,
            version=0,
            entry=entry,
            strength="초기 입력",
        )
    return {
        "username": evaluator.username,
        "password": PASSWORD,
        "assignment": assignment.pk,
        "grades": grades,
    }


def state() -> dict:
    from evaluation.models import ItemScore, ScoreAudit, Sheet
    from evaluation.queries.sheet import entry_text
    from evaluation.services.sheet import sheet_content_hash

    [sheet] = Sheet.objects.select_related("assignment__application__cycle")
    rows = {
        s.item.code: {
            "entry": entry_text(s),
            "points": str(s.points),
            "strength": s.strength,
            "improvement": s.improvement,
            "version": s.version,
        }
        for s in ItemScore.objects.filter(sheet=sheet).select_related("item")
    }
    audit = [
        {
            "item": a.item.code if a.item_id else None,
            "action": a.action,
            "old": a.old,
            "new": a.new,
        }
        for a in ScoreAudit.objects.filter(sheet=sheet).select_related("item").order_by("pk")
    ]
    return {
        "status": sheet.status,
        "content_hash": sheet.content_hash,
        "recomputed_hash": sheet_content_hash(sheet),
        "rows": rows,
        "audit": audit,
    }


if __name__ == "__main__":
    _setup()
    command = sys.argv[1]
    print(json.dumps({"seed": seed, "state": state}[command](), ensure_ascii=False))
