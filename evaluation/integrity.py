"""Keyed tamper evidence (issue 15, finding 2; docs/decisions/014-security-round-two.md).

A plain SHA-256 can be recomputed by anyone who can write to the database: change a score with
SQL, recompute the hash, write it back, and nothing notices. Here every seal is an HMAC-SHA256
under ``INTEGRITY_KEY``, a secret that lives in the environment, never in the database or in a
backup. Three things are sealed:

- a sheet's canonical content at 확정 (``Sheet.content_hash``; ``services.sheet.sheet_content_hash``);
- the score audit trail, as a chain per sheet: each ``ScoreAudit`` row carries ``mac``, the HMAC
  of its own content and of the previous row's ``mac`` (rows in insertion order), so a row cannot
  be changed, removed from the middle, inserted or moved to another sheet without a key;
- a backup's manifest (``operations/backup.py``).

Key rotation: a new ``INTEGRITY_KEY`` seals from now on; the keys it replaces go to
``INTEGRITY_KEYS_OLD`` (comma-separated) and are used for verification only.

This module imports no models; the model passes itself in.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json

from django.conf import settings
from django.db import transaction

MAC_LENGTH = 64  # hex of HMAC-SHA256


def _keys() -> list[bytes]:
    current = settings.INTEGRITY_KEY
    old = getattr(settings, "INTEGRITY_KEYS_OLD", []) or []
    return [key.encode("utf-8") for key in [current, *old] if key]


def canonical(content) -> bytes:
    """UTF-8 JSON with sorted keys and no insignificant whitespace (non-ASCII kept)."""
    return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode(
        "utf-8"
    )


def mac(data: bytes) -> str:
    """HMAC-SHA256 (hex) of ``data`` under the current key."""
    return hmac.new(_keys()[0], data, hashlib.sha256).hexdigest()


def mac_matches(data: bytes, stored: str) -> bool:
    """Whether ``stored`` is the HMAC of ``data`` under the current key or a retired one."""
    if not stored:
        return False
    return any(
        hmac.compare_digest(hmac.new(key, data, hashlib.sha256).hexdigest(), stored)
        for key in _keys()
    )


# --- the score audit chain -------------------------------------------------------------------


def _utc(at: datetime.datetime) -> str:
    return at.astimezone(datetime.UTC).isoformat()


def audit_content(row, prev: str) -> bytes:
    """What a row's ``mac`` covers: every field that says what happened, and the chain."""
    return canonical(
        {
            "sheet": row.sheet_id,
            "item": row.item_id,
            "actor": row.actor_id,
            "at": _utc(row.at),
            "action": str(row.action),
            "old": row.old,
            "new": row.new,
            "reason": row.reason,
            "prev": prev,
        }
    )


def audit_seal(row) -> None:
    """Set ``row.mac`` before its insert: the sheet is locked so that two writers cannot both
    chain onto the same predecessor. Called by ``ScoreAudit.save`` (every insert path)."""
    model = type(row)
    sheet_model = model._meta.get_field("sheet").related_model
    with transaction.atomic():
        list(
            sheet_model._base_manager.select_for_update().filter(pk=row.sheet_id).values_list("pk")
        )
        # JSON values as the database will give them back (e.g. tuples become lists).
        row.old = json.loads(json.dumps(row.old)) if row.old is not None else None
        row.new = json.loads(json.dumps(row.new)) if row.new is not None else None
        prev = (
            model._base_manager.filter(sheet_id=row.sheet_id)
            .order_by("-pk")
            .values_list("mac", flat=True)
            .first()
        ) or ""
        row.mac = mac(audit_content(row, prev))


def audit_chain_problems(rows) -> list[str]:
    """Walk one sheet's rows (in insertion order) and name every row whose seal fails."""
    problems, prev = [], ""
    for row in rows:
        if not row.mac:
            problems.append(f"이력 #{row.pk}: 봉인(HMAC)이 없습니다")
        elif not mac_matches(audit_content(row, prev), row.mac):
            problems.append(
                f"이력 #{row.pk}: 봉인(HMAC)이 맞지 않습니다 (내용이 바뀌었거나 앞 기록이 "
                "삭제·삽입되었습니다)"
            )
        prev = row.mac
    return problems


def audit_seal_fresh(rows: list) -> list:
    """Seal unsaved rows of sheets that have no trail yet, each sheet's rows chained in list
    order, for bulk loaders (the caller must insert them in this order, e.g. ``bulk_create``)."""
    last: dict[int, str] = {}
    for row in rows:
        row.mac = mac(audit_content(row, last.get(row.sheet_id, "")))
        last[row.sheet_id] = row.mac
    return rows
