"""Issue 15, finding 2: tamper evidence that a database writer cannot recompute.

Each forgery of the issue is performed here, with SQL as an attacker with database access but
without INTEGRITY_KEY would, and ``verify_results`` and ``restore`` must refuse."""

import hashlib
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from evaluation import integrity
from evaluation.models import AuditAction, ItemScore, ScoreAudit, Sheet
from evaluation.queries.results import results_differences
from evaluation.services.results import application_result_recompute
from evaluation.services.sheet import canonical_json, sheet_canonical_content, sheet_confirm
from operations.backup import archive_verify

from ..conftest import PASSWORD
from .sheet_data import fill, mixed_rubric

pytestmark = pytest.mark.django_db


@pytest.fixture
def rubric_version(db):
    return mixed_rubric()


@pytest.fixture
def confirmed(cleared_assignment, evaluator):
    fill(cleared_assignment)
    return sheet_confirm(assignment=cleared_assignment, by=evaluator, password=PASSWORD)


def _sql(statement, *params):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def _differences(sheet):
    return results_differences(sheet.assignment.application.cycle)


def _forge_score(sheet):
    """Raise one confirmed score with SQL, then do what the issue did: recompute the content
    hash with the published algorithm (unkeyed: the attacker has no key) and write it into the
    sheet and into its 확정 audit row, and recompute the result so the figures agree."""
    score = ItemScore.objects.filter(sheet=sheet, points__gt=0).order_by("pk").first()
    _sql("UPDATE evaluation_itemscore SET points = points + 1 WHERE id = %s", score.pk)
    sheet = Sheet.objects.get(pk=sheet.pk)
    forged = hashlib.sha256(canonical_json(sheet_canonical_content(sheet))).hexdigest()
    _sql("UPDATE evaluation_sheet SET content_hash = %s WHERE id = %s", forged, sheet.pk)
    row = ScoreAudit.objects.get(sheet=sheet, action=AuditAction.CONFIRM)
    _sql(
        "UPDATE evaluation_scoreaudit SET new = %s WHERE id = %s",
        json.dumps({**row.new, "content_hash": forged}),
        row.pk,
    )
    application_result_recompute(application=sheet.assignment.application)
    return score, row


def test_an_untouched_cycle_verifies(confirmed):
    assert confirmed.content_hash == integrity.mac(
        canonical_json(sheet_canonical_content(confirmed))
    )
    rows = list(ScoreAudit.objects.filter(sheet=confirmed).order_by("pk"))
    assert len(rows) > 2 and all(len(row.mac) == 64 for row in rows)
    assert _differences(confirmed) == []


def test_a_score_changed_with_sql_and_a_recomputed_hash_is_found(confirmed):
    score, confirm_row = _forge_score(confirmed)
    differences = _differences(confirmed)
    joined = "\n".join(differences)
    assert "평가표 내용이 확정 시점의 봉인(HMAC)과 다릅니다" in joined
    assert f"{score.item.code}: 저장된 값이 점수 이력의 마지막 값과 다릅니다" in joined
    assert f"이력 #{confirm_row.pk}: 봉인(HMAC)이 맞지 않습니다" in joined
    with pytest.raises(CommandError, match="다른 곳이"):
        call_command(
            "verify_results",
            confirmed.assignment.application.cycle.slug,
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )


def test_rewriting_the_trail_to_match_breaks_the_chain(confirmed):
    score, _ = _forge_score(confirmed)
    row = ScoreAudit.objects.filter(sheet=confirmed, item=score.item).order_by("pk").last()
    score.refresh_from_db()
    _sql(
        "UPDATE evaluation_scoreaudit SET new = %s WHERE id = %s",
        json.dumps({**row.new, "points": integrity_points(score.points)}),
        row.pk,
    )
    joined = "\n".join(_differences(confirmed))
    assert f"이력 #{row.pk}: 봉인(HMAC)이 맞지 않습니다" in joined
    assert "저장된 값이 점수 이력의 마지막 값과 다릅니다" not in joined  # the forger matched it


def integrity_points(value):
    from evaluation.scoring import fmt

    return fmt(value)


def test_deleting_a_row_from_the_middle_breaks_the_chain(confirmed):
    rows = list(ScoreAudit.objects.filter(sheet=confirmed).order_by("pk"))
    _sql("DELETE FROM evaluation_scoreaudit WHERE id = %s", rows[1].pk)
    joined = "\n".join(_differences(confirmed))
    assert f"이력 #{rows[2].pk}: 봉인(HMAC)이 맞지 않습니다" in joined


def test_a_row_resealed_with_a_guessed_key_is_refused(confirmed, settings):
    row = ScoreAudit.objects.filter(sheet=confirmed).order_by("pk").first()
    settings.INTEGRITY_KEY = settings.SECRET_KEY  # the attacker's best guess
    forged = integrity.mac(integrity.audit_content(row, ""))
    settings.INTEGRITY_KEY = "dev-only-integrity-key-not-for-production-0123456789ab"
    _sql("UPDATE evaluation_scoreaudit SET mac = %s WHERE id = %s", forged, row.pk)
    assert f"이력 #{row.pk}: 봉인(HMAC)이 맞지 않습니다" in "\n".join(_differences(confirmed))


def test_key_rotation_keeps_old_seals_verifiable(confirmed, settings):
    old = settings.INTEGRITY_KEY
    settings.INTEGRITY_KEY = "a-new-integrity-key-after-rotation-0123456789-abcdefghij"
    assert _differences(confirmed) != []  # without the retired key nothing verifies
    settings.INTEGRITY_KEYS_OLD = [old]
    assert _differences(confirmed) == []


# The backup takes its own REPEATABLE READ snapshot, which PostgreSQL allows only at the start
# of a transaction: not inside the test's own (as tests/evaluation/test_backup.py does too).
@pytest.mark.django_db(transaction=True)
def test_backup_manifest_is_sealed_and_a_recomputed_sha256_is_refused(confirmed, tmp_path):
    archive = tmp_path / "backup"
    call_command("backup", out=archive, stdout=io.StringIO())
    assert archive_verify(archive=archive) == []
    # the forgery: edit database.json, recompute the manifest's SHA-256
    dump = json.loads((archive / "database.json").read_text())
    for row in dump:
        if row["model"] == "evaluation.itemscore" and row["fields"]["points"] not in (None, "0"):
            row["fields"]["points"] = "99"
            break
    else:
        pytest.fail("no score in the dump")
    data = json.dumps(dump).encode()
    (archive / "database.json").write_bytes(data)
    manifest = json.loads((archive / "manifest.json").read_text())
    manifest["database"]["sha256"] = hashlib.sha256(data).hexdigest()
    (archive / "manifest.json").write_text(json.dumps(manifest))
    assert archive_verify(archive=archive) == [
        "manifest.json: 봉인(HMAC)이 맞지 않습니다 (매니페스트가 바뀌었거나 INTEGRITY_KEY가 "
        "백업할 때와 다릅니다)"
    ]
    with pytest.raises(CommandError, match="백업이 손상되었습니다: manifest.json: 봉인"):
        call_command("restore", str(archive), stdout=io.StringIO())
    # and without a seal at all
    del manifest["seal"]
    (archive / "manifest.json").write_text(json.dumps(manifest))
    assert archive_verify(archive=archive) == ["manifest.json: 봉인(HMAC)이 없습니다"]


def _make_legacy(sheet):
    """The state before issue 15: no seals on the trail, a plain SHA-256 at 확정."""
    plain = hashlib.sha256(canonical_json(sheet_canonical_content(sheet))).hexdigest()
    ScoreAudit._base_manager.filter(sheet=sheet).update(mac="")
    Sheet._base_manager.filter(pk=sheet.pk).update(content_hash=plain)
    row = ScoreAudit.objects.get(sheet=sheet, action=AuditAction.CONFIRM)
    _sql(
        "UPDATE evaluation_scoreaudit SET new = %s WHERE id = %s",
        json.dumps({**row.new, "content_hash": plain}),
        row.pk,
    )
    return plain


def test_existing_data_is_sealed_once_by_the_legacy_command(confirmed):
    _make_legacy(confirmed)
    assert "봉인(HMAC)이 없습니다" in "\n".join(_differences(confirmed))
    out = io.StringIO()
    call_command("integrity_seal_legacy", stdout=out)
    rows = ScoreAudit.objects.filter(sheet=confirmed).count()
    assert (
        out.getvalue().strip()
        == f"봉인한 이력 {rows}행 (평가표 1개의 이력), 봉인한 확정 평가표 1개"
    )
    assert _differences(confirmed) == []
    # after that, a forgery is found as for new data
    _forge_score(confirmed)
    assert _differences(confirmed) != []


def test_the_legacy_command_refuses_a_sheet_changed_after_confirm(confirmed):
    plain = _make_legacy(confirmed)
    _sql("UPDATE evaluation_itemscore SET strength = 'changed' WHERE sheet_id = %s", confirmed.pk)
    with pytest.raises(CommandError, match="1개는 봉인하지 않았습니다"):
        call_command("integrity_seal_legacy", stdout=io.StringIO(), stderr=io.StringIO())
    assert Sheet.objects.get(pk=confirmed.pk).content_hash == plain  # not resealed
    assert "평가표 내용이 확정 시점의 봉인(HMAC)과 다릅니다" in "\n".join(_differences(confirmed))
