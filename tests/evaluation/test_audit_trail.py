"""The score audit trail: one row per save, confirm, unlock and import, with old and new
values; append-only in the model layer; no page or admin screen that edits or deletes it."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from evaluation.models import AppendOnlyError, AuditAction, ScoreAudit, Sheet, SheetStatus
from evaluation.services.sheet import (
    score_record,
    sheet_confirm,
    sheet_confirm_imported,
    sheet_unlock,
)
from indicators.models import Item
from institutions.models import User

from ..conftest import PASSWORD
from .sheet_data import fill, mixed_rubric

pytestmark = pytest.mark.django_db


@pytest.fixture
def rubric_version(db):
    return mixed_rubric()


def _item(assignment, code="A.1.1"):
    return Item.objects.select_related("indicator", "version").get(
        version_id=assignment.application.cycle.rubric_version_id, code=code
    )


def test_each_write_leaves_one_row_in_order(cleared_assignment, admin_user):
    evaluator = cleared_assignment.evaluator
    fill(cleared_assignment)
    score_record(
        assignment=cleared_assignment,
        item=_item(cleared_assignment),
        by=evaluator,
        version=1,
        entry="S",
        strength="보완 후 탁월",
    )
    sheet_confirm(assignment=cleared_assignment, by=evaluator, password=PASSWORD)
    sheet_unlock(assignment=cleared_assignment, by=admin_user, reason="재검토 요청")
    actions = list(ScoreAudit.objects.order_by("at", "pk").values_list("action", flat=True))
    assert actions == [AuditAction.SAVE] * 20 + [AuditAction.CONFIRM, AuditAction.UNLOCK]
    change = ScoreAudit.objects.filter(action=AuditAction.SAVE, item__code="A.1.1").last()
    assert change.old["entry"] == "A" and change.new["entry"] == "S"
    assert (change.old["points"], change.new["points"]) == ("8", "10")
    assert (change.old["version"], change.new["version"]) == (1, 2)
    unlock = ScoreAudit.objects.get(action=AuditAction.UNLOCK)
    assert (unlock.actor, unlock.reason, unlock.item) == (admin_user, "재검토 요청", None)


def test_rows_cannot_be_changed_or_deleted(cleared_assignment):
    fill(cleared_assignment)
    n = ScoreAudit.objects.count()
    row = ScoreAudit.objects.first()
    with pytest.raises(AppendOnlyError):
        ScoreAudit.objects.update(reason="고침")
    with pytest.raises(AppendOnlyError):
        ScoreAudit.objects.filter(pk=row.pk).delete()
    with pytest.raises(AppendOnlyError):
        ScoreAudit.objects.bulk_update([row], ["reason"])
    row.reason = "고침"
    with pytest.raises(AppendOnlyError):
        row.save()
    with pytest.raises(AppendOnlyError):
        row.delete()
    assert ScoreAudit.objects.count() == n
    assert not ScoreAudit.objects.exclude(reason="").exists()


def test_no_page_writes_to_the_trail(client_for, cleared_assignment, admin_user):
    fill(cleared_assignment)
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    client = client_for(User.objects.get(pk=admin_user.pk))
    url = reverse("evaluation:sheet_audit", args=[cleared_assignment.application_id])
    for method in ("post", "put", "patch", "delete"):
        assert getattr(client, method)(url).status_code == 405, method
    # Not registered in Django admin either: not even a superuser reaches it there.
    assert client.get("/django-admin/evaluation/scoreaudit/").status_code == 404
    assert ScoreAudit.objects.count() == 19


def test_import_is_recorded_as_import(cleared_assignment, admin_user):
    """Paper sheets imported by an admin: no version check, no password, ``import`` rows."""
    for item in Item.objects.filter(
        version_id=cleared_assignment.application.cycle.rubric_version_id
    ).select_related("indicator", "version"):
        score_record(
            assignment=cleared_assignment,
            item=item,
            by=admin_user,
            version=None,
            entry={"A.1.2": "5", "A.1.3": "90", "A.1.4": "0"}.get(item.code, "B"),
            strength="종이 평가표",
            action=AuditAction.IMPORT,
        )
    sheet = sheet_confirm_imported(assignment=cleared_assignment, by=admin_user)
    assert sheet.status == SheetStatus.CONFIRMED
    assert set(ScoreAudit.objects.values_list("action", flat=True)) == {AuditAction.IMPORT}
    assert ScoreAudit.objects.count() == 20
    assert ScoreAudit.objects.last().reason == "종이 평가표 가져오기"
    # 16 grade items × 6 + 5 + 8 + 0
    assert Decimal(ScoreAudit.objects.last().new["total"]) == Decimal("109")


def test_only_admins_import(cleared_assignment, manager):
    with pytest.raises(PermissionDenied):
        score_record(
            assignment=cleared_assignment,
            item=_item(cleared_assignment),
            by=manager,
            version=None,
            entry="A",
            action=AuditAction.IMPORT,
        )
    with pytest.raises(PermissionDenied):
        sheet_confirm_imported(assignment=cleared_assignment, by=manager)
    assert not Sheet.objects.exists()


def test_a_save_without_version_is_only_for_imports(cleared_assignment):
    with pytest.raises(ValueError):
        score_record(
            assignment=cleared_assignment,
            item=_item(cleared_assignment),
            by=cleared_assignment.evaluator,
            version=None,
            entry="A",
        )
