"""Bring data from before keyed tamper evidence under it, once (ADR 014, "Existing data").

Before issue 15 a 확정 sheet carried a plain SHA-256 of its content and audit rows carried no
seal. After ``migrate`` and before the application serves again, an operator with
``INTEGRITY_KEY`` runs ``manage.py integrity_seal_legacy``:

1. every sheet whose trail has an unsealed row gets its whole chain sealed, in insertion order;
2. every confirmed sheet whose ``content_hash`` is still the plain SHA-256 of its current
   content gets the HMAC instead. A sheet whose content no longer matches its SHA-256 is not
   sealed but named: it was changed after 확정 and must be looked at first.

The 확정 audit rows keep the SHA-256 they recorded; sealed into the chain they cannot change,
and ``verify_results`` accepts the plain SHA-256 there when it is that of the sealed content.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from django.db import transaction

from .. import integrity
from ..models import ScoreAudit, Sheet, SheetStatus
from .sheet import canonical_json, sheet_canonical_content


@dataclass
class LegacyReport:
    chains: int = 0
    rows: int = 0
    sheets: int = 0
    refused: list[str] = field(default_factory=list)


@transaction.atomic
def integrity_seal_legacy(*, dry_run: bool = False) -> LegacyReport:
    report = LegacyReport()
    unsealed = sorted(set(ScoreAudit.objects.filter(mac="").values_list("sheet_id", flat=True)))
    for sheet_id in unsealed:
        prev = ""
        for row in ScoreAudit.objects.filter(sheet_id=sheet_id).order_by("pk"):
            sealed = integrity.mac(integrity.audit_content(row, prev))
            if sealed != row.mac and not dry_run:
                # the one sanctioned rewrite of the append-only trail (it only adds seals)
                ScoreAudit._base_manager.filter(pk=row.pk).update(mac=sealed)
            report.rows += sealed != row.mac
            prev = sealed
        report.chains += 1
    for sheet in Sheet.objects.filter(status=SheetStatus.CONFIRMED).select_related(
        "assignment__application__cycle", "assignment__evaluator"
    ):
        content = canonical_json(sheet_canonical_content(sheet))
        if integrity.mac_matches(content, sheet.content_hash):
            continue
        if hashlib.sha256(content).hexdigest() != sheet.content_hash:
            report.refused.append(
                f"평가표 #{sheet.pk} (신청 {sheet.assignment.application_id}, "
                f"{sheet.assignment.evaluator.username}): 내용이 확정 시점의 SHA-256과 달라 "
                "봉인하지 않았습니다"
            )
            continue
        if not dry_run:
            Sheet._base_manager.filter(pk=sheet.pk).update(content_hash=integrity.mac(content))
        report.sheets += 1
    return report
