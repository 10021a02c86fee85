"""Writes for score sheets: record one item's score (autosave), confirm (확정), unlock, and the
append-only audit trail every one of them writes.

Concurrency (docs/decisions/007-score-sheet-concurrency-and-hash.md): every write locks the
sheet row first (``SELECT … FOR UPDATE``), so saves, 확정 and unlocks of one sheet run one at a
time. A save carries the version of the row the evaluator saw; if the stored row has moved on
(the same sheet open in two tabs) the save is refused with ``StaleScoreError``, which carries
the stored row, and nothing is written. A row never written has version 0.

Refusals are Korean and name the item (``A.1.1: …``). A refused write changes nothing. What the
evaluator typed is parsed by ``services.entries`` (re-exported here).
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from indicators.models import Item

from .. import process, queries
from ..models import (
    AreaSubstitution,
    Assignment,
    AuditAction,
    ItemScore,
    ScoreAudit,
    Sheet,
    SheetStatus,
)
from ..queries.assignment import evaluator_application_ids
from ..queries.sheet import sheet_missing, sheet_rubric

# The canonical content and its hash are the tally's (ADR 018): what 확정 seals here is what
# verify_results checks. Re-exported: callers import them from here too.
from ..tally import canonical_json, sheet_canonical_content, sheet_content_hash  # noqa: F401, I001
from .entries import (  # noqa: F401 -- re-exported: callers import them from here
    MAX_COMMENT_CHARS,
    MAX_COUNT,
    VALUE_LIMIT,
    VALUE_PLACES,
    Parsed,
    _dec,
    comment_clean,
    entry_accepts,
    entry_parse,
    score_snapshot,
)


class StaleScoreError(Exception):
    """A save carried an older version than the stored row: nothing was written."""

    def __init__(self, *, item: Item, sent: int, current: ItemScore | None):
        self.item, self.sent, self.current = item, sent, current
        stored = current.version if current is not None else 0
        super().__init__(
            _(
                "%(code)s: 다른 창(탭)에서 이 항목이 먼저 저장되어(저장된 버전 %(stored)s, "
                "이 화면의 버전 %(sent)s) 이 입력은 저장하지 않았습니다. "
                "아래 저장된 값을 확인한 뒤 화면을 새로 고치거나, 내 입력으로 다시 저장하십시오."
            )
            % {"code": item.code, "stored": stored, "sent": sent}
        )


class WrongPasswordError(ValidationError):
    """확정 was refused because the password (the evaluator's signature) did not match."""


# --- the sheet row ---------------------------------------------------------------------------


def _locked_sheet(assignment: Assignment, *, create: bool) -> Sheet | None:
    """The assignment's sheet, locked for this transaction (created on first save)."""
    qs = Sheet.objects.select_for_update()
    if create:
        sheet, _created = qs.get_or_create(assignment=assignment)
        return sheet
    return qs.filter(assignment=assignment).first()


def _check_scorer(assignment: Assignment, by, action: str, item: Item | None = None) -> None:
    """The service's own guard (the views already 404 for outsiders)."""
    if action == AuditAction.IMPORT:
        if not queries.is_admin(by):
            raise PermissionDenied("점수 가져오기는 관리자만 할 수 있습니다.")
        if not Assignment.objects.filter(pk=assignment.pk, exclusion="").exists():
            raise PermissionDenied("배제(제척·기피·회피)된 배정의 평가표는 채점할 수 없습니다.")
        _check_stage(assignment, item)
        return
    if by.pk != assignment.evaluator_id:
        raise PermissionDenied("자신에게 배정된 평가표만 채점할 수 있습니다.")
    # Active assignment, the cycle's pledge signed, no conflict declared: the same rule that
    # lets the evaluator open the application at all.
    cleared = evaluator_application_ids(by).filter(
        pk=assignment.pk, application_id=assignment.application_id
    )
    if not cleared.exists():
        raise PermissionDenied(
            "서약서 서명과 이해충돌 없음 신고를 마친, 배제되지 않은 배정의 평가표만 채점할 수 "
            "있습니다."
        )
    _check_stage(assignment, item)


def _check_stage(assignment: Assignment, item: Item | None) -> None:
    """The process gate of scoring (``process.scoring_blockers``): submitted applications, in
    서류심사·현장실사, and in 이의신청 only the items reopened for 재심."""
    problems = process.scoring_blockers(assignment, item)
    if problems:
        raise ValidationError(problems)


def _substituted_area_ids(assignment: Assignment, *, as_of=None) -> set[int]:
    """The areas replaced by a certificate for the assignment's application; with ``as_of``,
    only those confirmed by then (a sheet's hash covers the substitutions of its 확정)."""
    rows = AreaSubstitution.objects.filter(application_id=assignment.application_id)
    if as_of is not None:
        rows = rows.filter(confirmed_at__lte=as_of)
    return set(rows.values_list("area_id", flat=True))


# --- score_record ----------------------------------------------------------------------------


@transaction.atomic
def score_record(
    *,
    assignment: Assignment,
    item: Item,
    by,
    version: int | None,
    entry: str | None,
    strength: str = "",
    improvement: str = "",
    action: str = AuditAction.SAVE,
) -> ItemScore:
    """Store the evaluator's entry and comments for one item and write one audit row.

    ``version`` is the row version the evaluator's screen holds (0 for a row never saved). A
    different stored version raises ``StaleScoreError``. ``version=None`` skips the check and
    is only for ``action=AuditAction.IMPORT`` (paper sheets, by an admin). A save that changes
    nothing returns the stored row as it is (no new version, no audit row).
    """
    if version is None and action != AuditAction.IMPORT:
        raise ValueError("version is required except for imports")
    _check_scorer(assignment, by, action, item)
    application = assignment.application
    if item.version_id != application.cycle.rubric_version_id:
        raise ValidationError(
            _("%(code)s: 이 평가 주기의 평가지표에 없는 항목입니다.") % {"code": item.code}
        )
    parsed = entry_parse(item, entry, version=application.cycle.rubric_version)
    strength = comment_clean(item, "강점", strength)
    improvement = comment_clean(item, "개선사항", improvement)

    sheet = _locked_sheet(assignment, create=True)
    if sheet.is_confirmed:
        raise ValidationError(
            _(
                "%(code)s: 확정된 평가표는 수정할 수 없습니다 (확정 시각 %(at)s). "
                "수정이 필요하면 관리자에게 확정 해제를 요청하십시오."
            )
            % {
                "code": item.code,
                "at": f"{timezone.localtime(sheet.confirmed_at):%Y-%m-%d %H:%M}",
            }
        )
    if item.indicator.area_id in _substituted_area_ids(assignment):
        raise ValidationError(
            _("%(code)s: 인증서로 대체 인정된 영역의 항목이므로 채점하지 않습니다.")
            % {"code": item.code}
        )

    row = ItemScore.objects.select_for_update().filter(sheet=sheet, item=item).first()
    stored_version = row.version if row is not None else 0
    if version is not None and version != stored_version:
        raise StaleScoreError(item=item, sent=version, current=row)

    fields = {
        "grade": parsed.grade,
        "value": parsed.value,
        "count": parsed.count,
        "points": parsed.points,
        "strength": strength,
        "improvement": improvement,
    }
    if row is not None and all(_same(getattr(row, name), value) for name, value in fields.items()):
        return row
    old = score_snapshot(row)
    now = timezone.now()
    if row is None:
        try:
            with transaction.atomic():
                row = ItemScore.objects.create(
                    sheet=sheet, item=item, version=1, updated_at=now, **fields
                )
        except IntegrityError as exc:  # created meanwhile by another writer
            current = ItemScore.objects.filter(sheet=sheet, item=item).first()
            raise StaleScoreError(item=item, sent=version or 0, current=current) from exc
    else:
        updated = ItemScore.objects.filter(pk=row.pk, version=stored_version).update(
            version=stored_version + 1, updated_at=now, **fields
        )
        if updated != 1:  # only possible without the sheet lock (SQLite ignores FOR UPDATE)
            current = ItemScore.objects.filter(pk=row.pk).first()
            raise StaleScoreError(item=item, sent=stored_version, current=current)
        for name, value in fields.items():
            setattr(row, name, value)
        row.version, row.updated_at = stored_version + 1, now
    ScoreAudit.objects.create(
        sheet=sheet, item=item, actor=by, at=now, action=action, old=old, new=score_snapshot(row)
    )
    return row


def _same(stored, new) -> bool:
    if isinstance(stored, Decimal) or isinstance(new, Decimal):
        if stored is None or new is None:
            return stored is new
        return Decimal(stored) == Decimal(new)
    return stored == new


# --- completeness, content, hash -------------------------------------------------------------


# --- confirm and unlock ----------------------------------------------------------------------


def _recompute(application) -> None:
    from .results import application_result_recompute

    application_result_recompute(application=application)


def _sheet_state(assignment: Assignment) -> tuple[list[Item], dict[int, ItemScore], set[int]]:
    items = list(sheet_rubric(assignment.application.cycle.rubric_version)[0])
    scores = {s.item_id: s for s in ItemScore.objects.filter(sheet__assignment=assignment)}
    return items, scores, _substituted_area_ids(assignment)


def _confirm(
    assignment: Assignment, by, action: str, *, reason: str = "", password: str | None = None
) -> Sheet:
    """Lock, check completeness (then the password, when one is required), hash, store, audit,
    recompute the result. Any refusal raises before anything is written."""
    sheet = _locked_sheet(assignment, create=True)
    if sheet.is_confirmed:
        raise ValidationError(
            _("이미 확정된 평가표입니다 (확정 시각 %(at)s).")
            % {"at": f"{timezone.localtime(sheet.confirmed_at):%Y-%m-%d %H:%M}"}
        )
    items, scores, substituted = _sheet_state(assignment)
    missing = sheet_missing(
        items=items,
        scores=scores,
        substituted=substituted,
        require_comment=assignment.application.cycle.require_comment,
    )
    if missing:
        raise ValidationError(
            [
                _("입력이 끝나지 않은 항목이 %(n)s개 있어 확정하지 않았습니다.")
                % {"n": len(missing)},
                *missing,
            ]
        )
    if action == AuditAction.CONFIRM and not (password and by.check_password(password)):
        raise WrongPasswordError(_("비밀번호가 맞지 않아 확정하지 않았습니다. 다시 입력하십시오."))
    sheet.assignment = assignment
    digest = sheet_content_hash(sheet)
    now = timezone.now()
    sheet.status, sheet.confirmed_at, sheet.content_hash = SheetStatus.CONFIRMED, now, digest
    sheet.save(update_fields=["status", "confirmed_at", "content_hash"])
    ScoreAudit.objects.create(
        sheet=sheet,
        actor=by,
        at=now,
        action=action,
        old={"status": SheetStatus.DRAFT},
        new={
            "status": SheetStatus.CONFIRMED,
            "content_hash": digest,
            "total": _dec(sheet_points_total(scores=scores, items=items, substituted=substituted)),
        },
        reason=reason,
    )
    _recompute(assignment.application)
    return sheet


def sheet_points_total(*, scores, items, substituted) -> Decimal:
    """Sum of the entered points of the scored items (substituted areas left out)."""
    area_of = {item.pk: item.indicator.area_id for item in items}
    return sum(
        (
            s.points
            for item_id, s in scores.items()
            if s.points is not None and area_of.get(item_id) not in substituted
        ),
        Decimal(0),
    )


@transaction.atomic
def sheet_confirm(*, assignment: Assignment, by, password: str) -> Sheet:
    """확정: the evaluator signs with their password; refused with the list of what is missing
    (checked before the password).

    Locks the sheet, stores the time and the SHA-256 of its canonical content, writes a
    ``confirm`` audit row and recomputes the application's result.
    """
    _check_scorer(assignment, by, AuditAction.CONFIRM)
    return _confirm(assignment, by, AuditAction.CONFIRM, password=password)


@transaction.atomic
def sheet_confirm_imported(*, assignment: Assignment, by, reason: str = "") -> Sheet:
    """확정 of a sheet scored on paper and imported by an admin (no password signature; the
    audit row says ``import``)."""
    _check_scorer(assignment, by, AuditAction.IMPORT)
    return _confirm(assignment, by, AuditAction.IMPORT, reason=reason or "종이 평가표 가져오기")


@transaction.atomic
def sheet_unlock(*, assignment: Assignment, by, reason: str) -> Sheet:
    """확정 해제 by an admin, with a reason; the evaluator must confirm again."""
    if not queries.is_admin(by):
        raise PermissionDenied("확정 해제는 관리자만 할 수 있습니다.")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("확정 해제 사유를 입력하십시오."))
    if len(reason) > MAX_COMMENT_CHARS:
        raise ValidationError(
            _("확정 해제 사유가 너무 깁니다 (최대 %(max)s자).") % {"max": MAX_COMMENT_CHARS}
        )
    if "\x00" in reason:  # PostgreSQL refuses NUL in text
        raise ValidationError(_("확정 해제 사유에 허용되지 않는 문자(NUL)가 있습니다."))
    sheet = _locked_sheet(assignment, create=False)
    if sheet is None or not sheet.is_confirmed:
        raise ValidationError(_("확정되지 않은 평가표는 확정 해제할 수 없습니다."))
    old = {
        "status": SheetStatus.CONFIRMED,
        "confirmed_at": sheet.confirmed_at.isoformat(),
        "content_hash": sheet.content_hash,
    }
    sheet.status, sheet.confirmed_at, sheet.content_hash = SheetStatus.DRAFT, None, ""
    sheet.save(update_fields=["status", "confirmed_at", "content_hash"])
    ScoreAudit.objects.create(
        sheet=sheet,
        actor=by,
        action=AuditAction.UNLOCK,
        old=old,
        new={"status": SheetStatus.DRAFT},
        reason=reason,
    )
    _recompute(assignment.application)
    return sheet
