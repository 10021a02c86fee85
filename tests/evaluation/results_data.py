"""Builders for results tests: assignments, sheets and item scores written straight to the
ORM (bulk), so results, dashboards and commands can be tested at any size without going
through the score sheet's UI. Points are derived from the entries by ``scoring.item_points``,
exactly as the sheet services store them."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from evaluation import integrity, scoring
from evaluation.adapters import scoring_rubric
from evaluation.models import (
    Assignment,
    AuditAction,
    Declaration,
    Exclusion,
    ItemScore,
    ScoreAudit,
    Sheet,
    SheetStatus,
)
from evaluation.services.sheet import score_snapshot, sheet_content_hash


def score_application(
    application,
    grades: dict,
    *,
    confirmed=True,
    excluded: tuple = (),
    skip_areas: tuple = (),
) -> list[Sheet]:
    """One sheet per evaluator in ``grades`` ({user: grade code, or {item code: code}}).

    ``confirmed``: True, False, or a set of users whose sheets are confirmed. ``excluded``:
    users whose assignments are excluded (회피). Items of ``skip_areas`` get no score."""
    version = application.cycle.rubric_version
    rubric = scoring_rubric(version)
    items = list(version.items.select_related("indicator__area").order_by("pk"))
    now = timezone.now()
    sheets = []
    for user, grade in grades.items():
        is_excluded = user in excluded
        assignment = Assignment.objects.create(
            application=application,
            evaluator=user,
            declaration=Declaration.CONFLICT if is_excluded else Declaration.NONE,
            declared_at=now,
            exclusion=Exclusion.RECUSAL if is_excluded else "",
            excluded_at=now if is_excluded else None,
            exclusion_reason="친족 관계" if is_excluded else "",
        )
        is_confirmed = confirmed is True or (isinstance(confirmed, set) and user in confirmed)
        sheet = Sheet.objects.create(
            assignment=assignment,
            status=SheetStatus.CONFIRMED if is_confirmed else SheetStatus.DRAFT,
            confirmed_at=now if is_confirmed else None,
            content_hash="0" * 64 if is_confirmed else "",
        )
        rows = []
        for item in items:
            if item.indicator.area.code in skip_areas:
                continue
            code = grade.get(item.code, "B") if isinstance(grade, dict) else grade
            points = scoring.item_points(rubric.item(item.code), code)
            rows.append(
                ItemScore(
                    sheet=sheet,
                    item=item,
                    grade=code,
                    points=points,
                    strength="강점",
                    version=1,
                )
            )
        ItemScore.objects.bulk_create(rows)
        # the audit trail the sheet services write: one save per score, then the 확정
        trail = [
            ScoreAudit(
                sheet=sheet,
                item=row.item,
                actor=user,
                at=now,
                action=AuditAction.SAVE,
                new=score_snapshot(row),
            )
            for row in rows
        ]
        if is_confirmed:  # the seal (HMAC) the sheet services take at 확정
            sheet.content_hash = sheet_content_hash(sheet)
            sheet.save(update_fields=["content_hash"])
            trail.append(
                ScoreAudit(
                    sheet=sheet,
                    actor=user,
                    at=now,
                    action=AuditAction.CONFIRM,
                    old={"status": SheetStatus.DRAFT},
                    new={"status": SheetStatus.CONFIRMED, "content_hash": sheet.content_hash},
                )
            )
        ScoreAudit.objects.bulk_create(integrity.audit_seal_fresh(trail))
        sheets.append(sheet)
    return sheets


def expected_total(application, grades_by_user: dict) -> Decimal:
    """The mean total of uniform-grade sheets (rule mean), computed by hand from the rubric."""
    version = application.cycle.rubric_version
    rubric = scoring_rubric(version)
    totals = []
    for grade in grades_by_user.values():
        total = Decimal(0)
        for area in rubric.areas:
            for indicator in area.indicators:
                for item in indicator.items:
                    total += item.points * item.levels[grade]
        totals.append(total)
    return sum(totals) / len(totals)
