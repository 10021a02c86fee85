"""The sheet services: score_record (every method, every refusal), 확정 with the password and
the content hash, unlock, and the audit row each write leaves."""

import hashlib
import hmac
import json
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError

from evaluation.models import (
    AreaSubstitution,
    AuditAction,
    ItemScore,
    Result,
    ScoreAudit,
    Sheet,
    SheetStatus,
)
from evaluation.services.assignment import (
    assignment_create,
    conflict_declare,
    pledge_sign,
)
from evaluation.services.sheet import (
    StaleScoreError,
    WrongPasswordError,
    score_record,
    sheet_confirm,
    sheet_content_hash,
    sheet_unlock,
)
from indicators.models import Item
from institutions.models import Certificate

from ..conftest import PASSWORD
from .sheet_data import fill, mixed_rubric, points_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def rubric_version(db):
    return mixed_rubric()


def _item(assignment, code):
    return Item.objects.select_related("indicator", "version").get(
        version_id=assignment.application.cycle.rubric_version_id, code=code
    )


def _save(assignment, code, entry, *, version=0, strength="좋음", improvement="", by=None):
    return score_record(
        assignment=assignment,
        item=_item(assignment, code),
        by=by or assignment.evaluator,
        version=version,
        entry=entry,
        strength=strength,
        improvement=improvement,
    )


def _snapshot():
    """Everything a refused write must leave as it was."""
    return (
        list(Sheet.objects.values_list("pk", "status", "confirmed_at", "content_hash")),
        list(
            ItemScore.objects.values_list(
                "pk", "grade", "value", "count", "points", "strength", "improvement", "version"
            )
        ),
        ScoreAudit.objects.count(),
    )


# --- score_record: each method -------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "entry", "stored", "points"),
    [
        ("A.1.1", "S", {"grade": "S"}, Decimal("10")),
        ("A.1.1", "D", {"grade": "D"}, Decimal("2")),
        ("A.1.2", "7.5", {"value": Decimal("7.5")}, Decimal("7.5")),
        ("A.1.2", "0", {"value": Decimal("0")}, Decimal("0")),
        ("A.1.2", "10", {"value": Decimal("10")}, Decimal("10")),
        ("A.1.3", "49.9", {"value": Decimal("49.9")}, Decimal("0")),
        ("A.1.3", "80", {"value": Decimal("80")}, Decimal("8")),
        ("A.1.3", "99", {"value": Decimal("99")}, Decimal("10")),
        ("A.1.4", "0", {"count": 0}, Decimal("0")),
        ("A.1.4", "2", {"count": 2}, Decimal("-6")),
        ("A.1.4", "5", {"count": 5}, Decimal("-10")),  # capped at the item's −10
    ],
)
def test_each_method_stores_entry_and_points(cleared_assignment, code, entry, stored, points):
    row = _save(cleared_assignment, code, entry)
    row.refresh_from_db()
    for name, value in stored.items():
        assert getattr(row, name) == value
    assert row.points == points
    assert row.version == 1
    audit = ScoreAudit.objects.get()
    assert audit.action == AuditAction.SAVE
    assert audit.actor == cleared_assignment.evaluator
    assert audit.item.code == code
    assert audit.old is None
    assert audit.new["entry"] == entry
    assert Decimal(audit.new["points"]) == points
    assert audit.new["version"] == 1


def test_second_save_records_old_and_new_and_bumps_version(cleared_assignment):
    _save(cleared_assignment, "A.1.1", "B", strength="초안")
    row = _save(cleared_assignment, "A.1.1", "A", version=1, strength="보완", improvement="문서화")
    assert (row.grade, row.points, row.version) == ("A", Decimal("8"), 2)
    first, second = ScoreAudit.objects.order_by("pk")
    assert second.old == {
        "entry": "B",
        "points": "6",
        "strength": "초안",
        "improvement": "",
        "version": 1,
    }
    assert second.new == {
        "entry": "A",
        "points": "8",
        "strength": "보완",
        "improvement": "문서화",
        "version": 2,
    }


def test_unchanged_save_writes_nothing(cleared_assignment):
    _save(cleared_assignment, "A.1.1", "B")
    before = _snapshot()
    row = _save(cleared_assignment, "A.1.1", "B", version=1)
    assert row.version == 1
    assert _snapshot() == before


def test_comment_without_entry_is_saved_as_no_entry(cleared_assignment):
    row = _save(cleared_assignment, "A.1.1", "", strength="아직 등급 미정")
    assert (row.grade, row.value, row.count, row.points) == ("", None, None, None)
    assert row.strength == "아직 등급 미정"


def test_windows_line_endings_are_normalised(cleared_assignment):
    row = _save(cleared_assignment, "A.1.1", "A", strength="첫째\r\n둘째")
    assert row.strength == "첫째\n둘째"


# --- score_record: bad input (each refused, nothing written) ----------------------------------


@pytest.mark.parametrize(
    ("code", "entry", "message"),
    [
        ("A.1.1", "X", "A.1.1: 'X' 등급은 척도에 없습니다"),
        ("A.1.1", "s", "A.1.1: 's' 등급은 척도에 없습니다"),
        ("A.1.2", "10.5", "A.1.2: 점수(10.5)는 0~10 범위를 벗어납니다"),
        ("A.1.2", "-1", "A.1.2: 점수 '-1': 음수일 수 없습니다"),
        ("A.1.2", "7.3", "A.1.2: 점수(7.3)는 0.5 단위가 아닙니다"),
        ("A.1.2", "칠", "A.1.2: 점수 '칠': 숫자가 아닙니다. 쓸 수 있는 형식: 숫자"),
        ("A.1.2", "NaN", "A.1.2: 점수 'NaN': 숫자가 아닙니다."),
        ("A.1.3", "많음", "A.1.3: 측정값 '많음': 숫자가 아닙니다."),
        ("A.1.3", "1e20", "A.1.3: 측정값 '1e20': 지수 표기(예: 1e3)는 쓸 수 없습니다"),
        ("A.1.3", "80.123456", "A.1.3: 측정값 '80.123456': 소수점 이하 4자리까지만"),
        ("A.1.4", "-1", "A.1.4: 건수 '-1': 음수일 수 없습니다"),
        ("A.1.4", "1.5", "A.1.4: 건수 '1.5': 정수여야 합니다"),
    ],
)
def test_bad_entry_is_refused_and_nothing_written(cleared_assignment, code, entry, message):
    _save(cleared_assignment, "B.1.1", "A")  # an existing sheet and row to leave untouched
    before = _snapshot()
    with pytest.raises(ValidationError) as exc:
        _save(cleared_assignment, code, entry)
    assert message in " ".join(exc.value.messages)
    assert _snapshot() == before


def test_bad_entry_on_a_fresh_sheet_creates_no_sheet(cleared_assignment):
    with pytest.raises(ValidationError):
        _save(cleared_assignment, "A.1.1", "Z")
    assert not Sheet.objects.exists()
    assert not ScoreAudit.objects.exists()


def test_overlong_comment_is_refused(cleared_assignment):
    with pytest.raises(ValidationError) as exc:
        _save(cleared_assignment, "A.1.1", "A", strength="가" * 4001)
    assert "A.1.1: 강점 내용이 너무 깁니다 (4001자, 최대 4000자)." in exc.value.messages
    assert not ItemScore.objects.exists()


def test_stale_version_is_refused_with_the_stored_row(cleared_assignment):
    _save(cleared_assignment, "A.1.1", "B", strength="첫 탭")  # tab 1: version 0 → 1
    before = _snapshot()
    with pytest.raises(StaleScoreError) as exc:  # tab 2 still shows version 0
        _save(cleared_assignment, "A.1.1", "S", strength="둘째 탭")
    assert exc.value.current.grade == "B"
    assert exc.value.current.strength == "첫 탭"
    assert exc.value.current.version == 1
    assert "A.1.1: 다른 창(탭)에서 이 항목이 먼저 저장되어(저장된 버전 1, 이 화면의 버전 0)" in str(
        exc.value
    )
    assert _snapshot() == before


def test_future_version_is_refused_too(cleared_assignment):
    with pytest.raises(StaleScoreError):
        _save(cleared_assignment, "A.1.1", "B", version=3)
    assert not ItemScore.objects.exists()


def test_save_after_confirm_is_refused(cleared_assignment):
    fill(cleared_assignment)
    sheet_confirm(assignment=cleared_assignment, by=cleared_assignment.evaluator, password=PASSWORD)
    before = _snapshot()
    with pytest.raises(ValidationError) as exc:
        _save(cleared_assignment, "A.1.1", "S", version=1)
    assert "A.1.1: 확정된 평가표는 수정할 수 없습니다" in exc.value.messages[0]
    assert _snapshot() == before


def test_unassigned_evaluator_cannot_save(cleared_assignment, other_evaluator):
    with pytest.raises(PermissionDenied):
        _save(cleared_assignment, "A.1.1", "A", by=other_evaluator)
    assert not Sheet.objects.exists()


def test_conflicted_evaluator_cannot_save(cleared_assignment, evaluator):
    _save(cleared_assignment, "A.1.1", "A")
    conflict_declare(assignment=cleared_assignment, conflict=True, reason="이전 직장", by=evaluator)
    cleared_assignment.refresh_from_db()
    before = _snapshot()
    with pytest.raises(PermissionDenied):
        _save(cleared_assignment, "A.1.2", "5")
    assert _snapshot() == before


def test_evaluator_without_pledge_cannot_save(assignment):
    with pytest.raises(PermissionDenied):
        _save(assignment, "A.1.1", "A")
    assert not Sheet.objects.exists()


def test_item_of_a_substituted_area_is_refused(cleared_assignment, admin_user, institution):
    certificate = Certificate.objects.create(
        institution=institution,
        kind="ISMS",
        number="ISMS-1",
        issuer="KISA",
        valid_from="2025-01-01",
        valid_until="2027-12-31",
    )
    area = cleared_assignment.application.cycle.rubric_version.areas.get(code="D")
    AreaSubstitution.objects.create(
        application=cleared_assignment.application,
        area=area,
        certificate=certificate,
        confirmed_by=admin_user,
    )
    with pytest.raises(ValidationError) as exc:
        _save(cleared_assignment, "D.1.1", "A")
    assert exc.value.messages == [
        "D.1.1: 인증서로 대체 인정된 영역의 항목이므로 채점하지 않습니다."
    ]
    assert not ItemScore.objects.exists()


def test_item_of_another_rubric_is_refused(cleared_assignment):
    other = mixed_rubric(code="other")
    item = Item.objects.select_related("indicator", "version").get(version=other, code="A.1.1")
    with pytest.raises(ValidationError) as exc:
        score_record(
            assignment=cleared_assignment,
            item=item,
            by=cleared_assignment.evaluator,
            version=0,
            entry="A",
        )
    assert exc.value.messages == ["A.1.1: 이 평가 주기의 평가지표에 없는 항목입니다."]


# --- 확정 ----------------------------------------------------------------------------------


def test_confirm_with_missing_items_lists_them_and_writes_nothing(cleared_assignment):
    fill(cleared_assignment, skip={"A.1.3", "C.1.2"})
    _save(cleared_assignment, "C.1.2", "A", strength="")  # entry but no comment
    before = _snapshot()
    with pytest.raises(ValidationError) as exc:
        sheet_confirm(
            assignment=cleared_assignment, by=cleared_assignment.evaluator, password=PASSWORD
        )
    assert exc.value.messages == [
        "입력이 끝나지 않은 항목이 2개 있어 확정하지 않았습니다.",
        "A.1.3 항목 A.1.3: 측정값 미입력, 강점 또는 개선사항 의견 없음",
        "C.1.2 항목 C.1.2: 강점 또는 개선사항 의견 없음",
    ]
    assert _snapshot() == before


def test_confirm_without_the_comment_rule(cleared_assignment):
    cycle = cleared_assignment.application.cycle
    cycle.require_comment = False
    cycle.save(update_fields=["require_comment"])
    fill(cleared_assignment, comment="")
    sheet = sheet_confirm(
        assignment=cleared_assignment, by=cleared_assignment.evaluator, password=PASSWORD
    )
    assert sheet.is_confirmed


def test_confirm_of_an_empty_sheet_lists_every_item(cleared_assignment):
    with pytest.raises(ValidationError) as exc:
        sheet_confirm(
            assignment=cleared_assignment, by=cleared_assignment.evaluator, password=PASSWORD
        )
    assert exc.value.messages[0] == "입력이 끝나지 않은 항목이 19개 있어 확정하지 않았습니다."
    assert not Sheet.objects.exists()


def test_confirm_with_a_wrong_password_is_refused(cleared_assignment):
    fill(cleared_assignment)
    before = _snapshot()
    with pytest.raises(WrongPasswordError) as exc:
        sheet_confirm(
            assignment=cleared_assignment, by=cleared_assignment.evaluator, password="wrong"
        )
    assert exc.value.messages == ["비밀번호가 맞지 않아 확정하지 않았습니다. 다시 입력하십시오."]
    assert _snapshot() == before


def _expected_hash(assignment, rows) -> str:
    """The canonical JSON of ADR 007, built independently of the service."""
    application = assignment.application
    version = application.cycle.rubric_version
    content = {
        "format": "certeval.sheet/1",
        "application": application.pk,
        "cycle": application.cycle.slug,
        "rubric": f"{version.rubric.code}@{version.version}",
        "evaluator": assignment.evaluator_id,
        "substituted_areas": [],
        "items": sorted(
            (
                {
                    "code": row.item.code,
                    "method": row.item.method,
                    "entry": {
                        "grade": row.grade,
                        "points": format(row.value.normalize(), "f") if row.value else None,
                        "bands": format(row.value.normalize(), "f") if row.value else None,
                        "penalty": str(row.count),
                    }[row.item.method],
                    "points": format(points_for(row.item).normalize(), "f"),
                    "strength": row.strength,
                    "improvement": row.improvement,
                }
                for row in rows
            ),
            key=lambda r: r["code"],
        ),
    }
    raw = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    # keyed (ADR 014): HMAC-SHA256 under INTEGRITY_KEY, not a hash anyone can recompute
    return hmac.new(
        settings.INTEGRITY_KEY.encode(), raw.encode("utf-8"), hashlib.sha256
    ).hexdigest()


def test_confirm_locks_with_time_hash_audit_and_result(cleared_assignment):
    rows = fill(cleared_assignment)
    sheet = sheet_confirm(
        assignment=cleared_assignment, by=cleared_assignment.evaluator, password=PASSWORD
    )
    sheet.refresh_from_db()
    assert sheet.status == SheetStatus.CONFIRMED
    assert sheet.confirmed_at is not None
    assert sheet.content_hash == _expected_hash(cleared_assignment, rows)
    audit = ScoreAudit.objects.filter(action=AuditAction.CONFIRM).get()
    assert audit.actor == cleared_assignment.evaluator
    assert audit.new["content_hash"] == sheet.content_hash
    # 16 grade items × 8 + 7.5 (points) + 8 (bands) − 3 (penalty)
    assert audit.new["total"] == "140.5"
    # The result was recomputed in the same transaction from this one counted sheet.
    result = Result.objects.get(application=cleared_assignment.application)
    assert result.sheets_counted == 1
    assert result.total == Decimal("140.5")


def test_confirm_twice_is_refused(cleared_assignment):
    fill(cleared_assignment)
    sheet_confirm(assignment=cleared_assignment, by=cleared_assignment.evaluator, password=PASSWORD)
    before = _snapshot()
    with pytest.raises(ValidationError) as exc:
        sheet_confirm(
            assignment=cleared_assignment, by=cleared_assignment.evaluator, password=PASSWORD
        )
    assert exc.value.messages[0].startswith("이미 확정된 평가표입니다")
    assert _snapshot() == before


def test_someone_else_cannot_confirm(cleared_assignment, other_evaluator):
    fill(cleared_assignment)
    with pytest.raises(PermissionDenied):
        sheet_confirm(assignment=cleared_assignment, by=other_evaluator, password=PASSWORD)
    assert not Sheet.objects.filter(status=SheetStatus.CONFIRMED).exists()


def test_hash_depends_on_content_only(cleared_assignment, admin_user):
    fill(cleared_assignment)
    first = sheet_confirm(
        assignment=cleared_assignment, by=cleared_assignment.evaluator, password=PASSWORD
    ).content_hash
    sheet_unlock(assignment=cleared_assignment, by=admin_user, reason="재검토")
    again = sheet_confirm(
        assignment=cleared_assignment, by=cleared_assignment.evaluator, password=PASSWORD
    ).content_hash
    assert again == first  # same content, same hash, whatever the time
    sheet_unlock(assignment=cleared_assignment, by=admin_user, reason="A.1.1 재검토")
    _save(cleared_assignment, "A.1.1", "S", version=1, strength="근거가 충분함")
    changed = sheet_confirm(
        assignment=cleared_assignment, by=cleared_assignment.evaluator, password=PASSWORD
    ).content_hash
    assert changed != first
    assert changed == sheet_content_hash(Sheet.objects.get())


# --- unlock --------------------------------------------------------------------------------


def test_admin_unlock_needs_a_reason_and_the_evaluator_confirms_again(
    cleared_assignment, admin_user
):
    fill(cleared_assignment)
    sheet = sheet_confirm(
        assignment=cleared_assignment, by=cleared_assignment.evaluator, password=PASSWORD
    )
    digest = sheet.content_hash
    before = _snapshot()
    with pytest.raises(ValidationError) as exc:
        sheet_unlock(assignment=cleared_assignment, by=admin_user, reason="   ")
    assert exc.value.messages == ["확정 해제 사유를 입력하십시오."]
    assert _snapshot() == before

    sheet = sheet_unlock(assignment=cleared_assignment, by=admin_user, reason="B영역 재검토")
    sheet.refresh_from_db()
    assert (sheet.status, sheet.confirmed_at, sheet.content_hash) == (SheetStatus.DRAFT, None, "")
    audit = ScoreAudit.objects.filter(action=AuditAction.UNLOCK).get()
    assert audit.actor == admin_user
    assert audit.reason == "B영역 재검토"
    assert audit.old["content_hash"] == digest
    assert audit.new == {"status": "draft"}
    # No longer counted: the result has no counted sheet.
    result = Result.objects.filter(application=cleared_assignment.application).first()
    assert result is None or result.sheets_counted == 0
    # The evaluator can edit again, then must confirm again.
    _save(cleared_assignment, "A.1.1", "S", version=1, strength="재검토")
    assert Sheet.objects.get().status == SheetStatus.DRAFT


@pytest.mark.parametrize("who", ["manager", "evaluator", "member"])
def test_only_admins_unlock(cleared_assignment, request, who):
    fill(cleared_assignment)
    sheet_confirm(assignment=cleared_assignment, by=cleared_assignment.evaluator, password=PASSWORD)
    user = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        sheet_unlock(assignment=cleared_assignment, by=user, reason="이유")
    assert Sheet.objects.get().status == SheetStatus.CONFIRMED


def test_unlock_of_a_draft_is_refused(cleared_assignment, admin_user):
    _save(cleared_assignment, "A.1.1", "A")
    with pytest.raises(ValidationError) as exc:
        sheet_unlock(assignment=cleared_assignment, by=admin_user, reason="이유")
    assert exc.value.messages == ["확정되지 않은 평가표는 확정 해제할 수 없습니다."]


def test_other_evaluators_sheets_are_separate(cleared_assignment, other_evaluator, admin_user):
    other = assignment_create(
        application=cleared_assignment.application, evaluator=other_evaluator, by=admin_user
    )
    pledge_sign(cycle=other.application.cycle, evaluator=other_evaluator, ip=None)
    other = conflict_declare(assignment=other, conflict=False, by=other_evaluator)
    _save(cleared_assignment, "A.1.1", "A")
    _save(other, "A.1.1", "C")  # its own row: version 0 is right for it
    assert sorted(ItemScore.objects.values_list("grade", flat=True)) == ["A", "C"]
