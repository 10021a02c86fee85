"""Backup, wipe, restore: nothing is lost, every hash is checked."""

import hashlib
import io
import json

import pytest
from django.apps import apps
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from evaluation.models import Application, Cycle, EvidenceFile, ItemScore, Result, ScoreAudit
from evaluation.services.results import result_committee_decide
from indicators.models import Item, RubricVersion
from institutions.models import User
from operations.backup import BackupError, _walk_storage, archive_verify, evidence_hashes_verify
from reports.models import Report, ReportStatus
from reports.services import report_request_result, report_request_summary

from ..conftest import REQUIRE_SERVICES

pytestmark = pytest.mark.django_db(transaction=True)


def _snapshot():
    return {
        "users": sorted(User.objects.values_list("username", "password")),
        "versions": sorted(RubricVersion.objects.values_list("rubric__code", "version", "status")),
        "items": Item.objects.count(),
        "applications": sorted(
            Application.objects.values_list("cycle__slug", "institution__name", "status")
        ),
        "files": sorted(EvidenceFile.objects.values_list("storage_key", "sha256", "size")),
    }


def _wipe():
    call_command("flush", interactive=False, verbosity=0)
    for name in _walk_storage(default_storage):
        default_storage.delete(name)
    assert not User.objects.exists()
    assert _walk_storage(default_storage) == []


def test_backup_wipe_restore_round_trip(tmp_path):
    call_command("seed_demo", verbosity=0)
    before = _snapshot()
    assert before["files"], "the demo must hold evidence files"
    stored = {key: default_storage.open(key).read() for key, _sha, _size in before["files"]}

    archive = tmp_path / "backup"
    call_command("backup", out=archive)
    manifest = json.loads((archive / "manifest.json").read_text())
    assert set(manifest["files"]) >= set(stored)
    assert archive_verify(archive=archive) == []

    _wipe()
    for key in stored:
        assert not default_storage.exists(key)

    call_command("restore", str(archive))
    assert _snapshot() == before
    for key, data in stored.items():
        assert default_storage.open(key).read() == data
    assert evidence_hashes_verify() == []
    assert User.objects.get(username="inst1").check_password("demo1234!")


def test_restore_refuses_a_tampered_archive_and_writes_nothing(tmp_path):
    call_command("seed_demo", verbosity=0)
    archive = tmp_path / "backup"
    call_command("backup", out=archive)
    manifest = json.loads((archive / "manifest.json").read_text())
    victim = next(iter(manifest["files"]))
    (archive / "files" / victim).write_bytes(b"tampered")
    _wipe()
    with pytest.raises(CommandError, match=f"백업이 손상되었습니다: {victim}"):
        call_command("restore", str(archive))
    assert not User.objects.exists()
    assert not default_storage.exists(victim)


def test_restore_refuses_a_database_that_is_not_empty(tmp_path):
    call_command("seed_demo", verbosity=0)
    archive = tmp_path / "backup"
    call_command("backup", out=archive)
    with pytest.raises(CommandError, match="빈 데이터베이스에만"):
        call_command("restore", str(archive))


def test_backup_refuses_a_folder_that_is_not_empty(tmp_path, db):
    (tmp_path / "old.txt").write_text("x")
    with pytest.raises(CommandError, match="비어 있지 않습니다"):
        call_command("backup", out=tmp_path)


def test_evidence_hash_check_finds_a_changed_file(tmp_path):
    call_command("seed_demo", verbosity=0)
    evidence = EvidenceFile.objects.first()
    default_storage.delete(evidence.storage_key)
    default_storage.save(evidence.storage_key, __import__("io").BytesIO(b"changed"))
    problems = evidence_hashes_verify()
    assert problems == [
        f"증빙 파일 #{evidence.pk} ({evidence.storage_key}): SHA-256이 업로드 시 기록과 다릅니다"
    ]


def test_unsupported_archive_format(tmp_path, db):
    (tmp_path / "manifest.json").write_text('{"format": "other/9"}')
    with pytest.raises(BackupError, match="지원하지 않는 백업 형식"):
        archive_verify(archive=tmp_path)


# --- the whole system, checked after the round trip ------------------------------------------

# Rebuilt by ``migrate`` or deliberately left out of the archive (see operations/backup.py).
NOT_ARCHIVED_APPS = {"contenttypes", "sessions"}
NOT_ARCHIVED_MODELS = {"auth.permission", "axes.accessattempt", "axes.accessattemptexpiration"}


def _rows_per_model() -> dict[str, int]:
    """The row count of every model the archive holds, many-to-many tables included."""
    return {
        model._meta.label_lower: model._default_manager.count()
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_label not in NOT_ARCHIVED_APPS
        and model._meta.label_lower not in NOT_ARCHIVED_MODELS
    }


def _sha256(name: str) -> str:
    with default_storage.open(name, "rb") as stream:
        return hashlib.sha256(stream.read()).hexdigest()


def _system() -> dict:
    """What must survive, by natural identifiers (users by username, not by key)."""
    who = (
        "sheet__assignment__application__institution__name",
        "sheet__assignment__evaluator__username",
    )
    return {
        "rows": _rows_per_model(),
        "users": sorted(User.objects.values_list("pk", "username")),
        "storage": {name: _sha256(name) for name in _walk_storage(default_storage)},
        "evidence": sorted(EvidenceFile.objects.values_list("storage_key", "sha256", "size")),
        "reports": sorted(
            Report.objects.values_list(
                "kind", "status", "storage_key", "xlsx_key", "sha256", "size", "input_hash"
            ),
            key=repr,
        ),
        "results": list(
            Result.objects.order_by(
                "application__cycle__slug", "application__institution__name"
            ).values(
                "application__institution__name",
                "total",
                "areas",
                "penalties",
                "decision",
                "reasons",
                "rank",
                "sheets_counted",
                "disagreement",
                "computed_at",
                "committee_decision",
                "committee_reason",
                "committee_by__username",
                "committee_at",
            )
        ),
        "scores": sorted(
            ItemScore.objects.values_list(
                *who,
                "item__code",
                "grade",
                "value",
                "count",
                "points",
                "strength",
                "improvement",
                "version",
                "sheet__status",
                "sheet__content_hash",
            ),
            key=repr,  # None and values side by side
        ),
        "audit": sorted(
            (
                (
                    *row[:-2],
                    json.dumps(row[-2], sort_keys=True),
                    json.dumps(row[-1], sort_keys=True),
                )
                for row in ScoreAudit.objects.values_list(
                    *who, "item__code", "actor__username", "at", "action", "reason", "old", "new"
                )
            ),
            key=repr,
        ),
    }


@pytest.mark.services
def test_round_trip_loses_no_row_file_hash_report_or_result(tmp_path):
    """Backup, wipe the database and the storage, restore; then verify_results recomputes every
    result from the restored scores (and every 확정 hash), and every evidence file and stored
    report still has the SHA-256 recorded for it. Runs on any database; CI (REQUIRE_SERVICES=1)
    runs it on PostgreSQL.

    Regressions: timestamps came back cut to the millisecond, and users came back under new
    keys -- so every confirmed sheet failed its hash check (the hash covers the evaluator's key).
    """
    if REQUIRE_SERVICES:
        assert connection.vendor == "postgresql", "CI must run the round trip on PostgreSQL"
    User.objects.create_user(username="gone", password="x").delete()  # keys with a gap
    call_command("seed_demo", verbosity=0)
    admin = User.objects.get(username="admin")
    cycle = Cycle.objects.get(slug="demo-2026")
    decided = (
        Result.objects.filter(application__cycle=cycle, total__isnull=False)
        .order_by("rank")
        .first()
    )
    result_committee_decide(result=decided, by=admin)
    summary = report_request_summary(cycle=cycle, by=admin)  # a PDF and its XLSX twin
    result_report = report_request_result(application=decided.application, by=admin)
    for report in (summary, result_report):
        report.refresh_from_db()
        assert report.status == ReportStatus.DONE, report.error
    before = _system()
    assert before["evidence"] and before["results"] and before["audit"]
    assert {Report.objects.get(pk=summary.pk).xlsx_key, result_report.storage_key} <= set(
        before["storage"]
    )

    archive = tmp_path / "backup"
    call_command("backup", out=archive, stdout=io.StringIO())
    _wipe()
    assert Result.objects.count() == ScoreAudit.objects.count() == Report.objects.count() == 0
    call_command("restore", str(archive), stdout=io.StringIO())

    after = _system()
    for part in before:  # one assertion per part, so a failure names what was lost
        assert after[part] == before[part], part
    for key, sha256, _size in after["evidence"]:
        assert _sha256(key) == sha256
    assert evidence_hashes_verify() == []
    for report in Report.objects.filter(status=ReportStatus.DONE):
        assert _sha256(report.storage_key) == report.sha256
        assert not report.xlsx_key or default_storage.exists(report.xlsx_key)
    out = io.StringIO()
    call_command("verify_results", "demo-2026", stdout=out)  # raises on any difference
    n = Result.objects.filter(application__cycle=cycle).count()
    assert f"평가 주기 demo-2026: 결과 {n}건이 모두 재계산 값과 같습니다." in out.getvalue()
