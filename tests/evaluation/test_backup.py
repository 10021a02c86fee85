"""Backup, wipe, restore: nothing is lost, every hash is checked."""

import json

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError

from evaluation.backup import BackupError, _walk_storage, archive_verify, evidence_hashes_verify
from evaluation.models import Application, EvidenceFile
from indicators.models import Item, RubricVersion
from institutions.models import User

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
