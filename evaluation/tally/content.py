"""A sheet's canonical content and its hash (the seal taken at 확정; ADR 007, 014).

The services seal a sheet with ``sheet_content_hash`` when it is confirmed; ``verify_results``
and the committee's basis read the same content here, so what is sealed and what is checked
cannot drift apart.
"""

from __future__ import annotations

import json

from indicators.models import Area

from .. import scoring
from ..models import AreaSubstitution, ItemScore, Sheet

SHEET_FORMAT = "certeval.sheet/1"


def entry_text(score) -> str:
    """The entry of a stored row (an ItemScore or a dict of its fields) as typed; "" if none."""
    if score is None:
        return ""
    get = score.get if isinstance(score, dict) else lambda name: getattr(score, name)
    if get("grade"):
        return get("grade")
    if get("value") is not None:
        return scoring.fmt(get("value"))
    if get("count") is not None:
        return str(get("count"))
    return ""


def _dec(value) -> str | None:
    return None if value is None else scoring.fmt(value)


def sheet_canonical_content(sheet: Sheet) -> dict:
    """The sheet's content as hashed at 확정 (see ADR 007 for the exact rules).

    ``{"format", "application", "cycle", "rubric", "evaluator", "substituted_areas", "items"}``;
    items are the scored ones (substituted areas left out), sorted by code, each
    ``{"code", "method", "entry", "points", "strength", "improvement"}`` with numbers as
    normalised decimal strings (no exponent, no trailing zeros).
    """
    assignment = sheet.assignment
    application = assignment.application
    version = application.cycle.rubric_version
    # A confirmed sheet is verified against what it was confirmed with: a substitution
    # confirmed later changes the result (the area scores by the certificate), not the sheet.
    subs = AreaSubstitution.objects.filter(application_id=assignment.application_id)
    if sheet.confirmed_at is not None:
        subs = subs.filter(confirmed_at__lte=sheet.confirmed_at)
    substituted = set(subs.values_list("area_id", flat=True))

    rows = (
        ItemScore.objects.filter(sheet=sheet)
        .exclude(item__indicator__area_id__in=substituted)
        .select_related("item")
        .order_by()
    )
    items = sorted(
        (
            {
                "code": s.item.code,
                "method": s.item.method,
                "entry": entry_text(s) or None,
                "points": _dec(s.points),
                "strength": s.strength,
                "improvement": s.improvement,
            }
            for s in rows
        ),
        key=lambda row: row["code"],
    )
    areas = sorted(Area.objects.filter(pk__in=substituted).values_list("code", flat=True))
    return {
        "format": SHEET_FORMAT,
        "application": application.pk,
        "cycle": application.cycle.slug,
        "rubric": f"{version.rubric.code}@{version.version}",
        "evaluator": assignment.evaluator_id,
        "substituted_areas": areas,
        "items": items,
    }


def canonical_json(content: dict) -> bytes:
    """UTF-8 JSON with sorted keys, no insignificant whitespace, non-ASCII kept as is."""
    return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode(
        "utf-8"
    )


def sheet_content_hash(sheet: Sheet) -> str:
    """HMAC-SHA256 (hex) under ``INTEGRITY_KEY`` of ``canonical_json(sheet_canonical_content(
    sheet))``: keyed, so a database writer cannot recompute it (evaluation/integrity.py)."""
    from .. import integrity

    return integrity.mac(canonical_json(sheet_canonical_content(sheet)))


def sheet_matches_seal(sheet: Sheet) -> bool:
    """The sheet's content today is what its 확정 sealed (HMAC under ``INTEGRITY_KEY``)."""
    from .. import integrity

    return integrity.mac_matches(canonical_json(sheet_canonical_content(sheet)), sheet.content_hash)
