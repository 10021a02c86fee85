"""Backup and restore of the whole system: the database (as Django fixtures, so an archive
moves between SQLite and PostgreSQL), every file in the default storage (evidence, certificates,
reports), and a manifest of SHA-256 hashes, sealed with an HMAC under ``INTEGRITY_KEY``, that
restore verifies.

Archive layout (a directory):
    manifest.json   {"format": "certeval.backup/1", "created_at", "database": {"file", "sha256",
                     "objects"}, "files": {storage name: {"sha256", "size"}}, "encryption"?,
                     "seal": HMAC-SHA256 of the rest under INTEGRITY_KEY (evaluation/integrity.py)}
    database.json   ``dumpdata`` with natural keys (content types and permissions are rebuilt by
                     ``migrate``; sessions and log-in lock-out counters are left out; every
                     audit table is kept: Django admin's change log, the log-in records, the
                     score and account trails), in the exact format of ``backup_json``: every
                     row keeps its key, every datetime its microseconds
    files/<storage name>

The archive holds password hashes and personal data: directories are written 0700 and files
0600, whatever the umask. With ``BACKUP_ENCRYPTION_KEY`` set (a Fernet key, from the
environment, never stored beside the archive) ``database.json`` and every file are encrypted
(``"encryption": "fernet"`` in the manifest; the hashes are of the plain bytes); restore needs
the same key. See docs/decisions/014-security-round-two.md.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from cryptography.fernet import Fernet, InvalidToken
from django.apps import apps
from django.conf import settings
from django.core import management, serializers
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.utils import timezone

from evaluation import integrity

from . import backup_json

FORMAT = "certeval.backup/1"
# Rebuilt by ``migrate`` (content types, permissions) or state rather than record (sessions,
# axes' lock-out counters). Django admin's change log (admin.logentry) and axes' log-in records
# (accesslog, accessfailurelog) are audit and travel with the archive.
EXCLUDED_MODELS = [
    "contenttypes",
    "auth.permission",
    "sessions",
    "axes.accessattempt",
    "axes.accessattemptexpiration",
]
PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600
CHUNK = 1024 * 1024


class BackupError(Exception):
    pass


class _Codec:
    """Plain or Fernet-encrypted archive files."""

    def __init__(self, encryption: str | None):
        self.encryption = encryption
        self.fernet = None
        if encryption is None:
            return
        if encryption != "fernet":
            raise BackupError(f"지원하지 않는 백업 암호화 방식입니다: {encryption!r}")
        key = getattr(settings, "BACKUP_ENCRYPTION_KEY", "")
        if not key:
            raise BackupError(
                "암호화된 백업입니다. 백업할 때 쓴 키를 BACKUP_ENCRYPTION_KEY 환경변수로 "
                "설정하십시오."
            )
        try:
            self.fernet = Fernet(key)
        except ValueError as exc:
            raise BackupError(
                "BACKUP_ENCRYPTION_KEY가 올바른 Fernet 키가 아닙니다 (URL-safe base64 32바이트)."
            ) from exc

    @classmethod
    def for_writing(cls) -> _Codec:
        return cls("fernet" if getattr(settings, "BACKUP_ENCRYPTION_KEY", "") else None)

    def seal(self, data: bytes) -> bytes:
        return self.fernet.encrypt(data) if self.fernet else data

    def open(self, data: bytes, name: str) -> bytes:
        if not self.fernet:
            return data
        try:
            return self.fernet.decrypt(data)
        except InvalidToken as exc:
            raise BackupError(
                f"{name}: 복호화할 수 없습니다 (BACKUP_ENCRYPTION_KEY가 다르거나 파일이 "
                "변조되었습니다)."
            ) from exc

    def read(self, path: Path, name: str) -> bytes:
        return self.open(path.read_bytes(), name)


def _private_dir(path: Path) -> None:
    path.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR)
    os.chmod(path, PRIVATE_DIR)


def _private_write(path: Path, data: bytes) -> None:
    """Create ``path`` readable by the owner only (never 0644 for a moment)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    with os.fdopen(fd, "wb") as sink:
        sink.write(data)


def _sha256_stream(stream) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    for chunk in iter(lambda: stream.read(CHUNK), b""):
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


def _walk_storage(storage, prefix: str = "") -> list[str]:
    directories, files = storage.listdir(prefix)
    names = [str(PurePosixPath(prefix) / f) if prefix else f for f in files]
    for directory in directories:
        names += _walk_storage(
            storage, str(PurePosixPath(prefix) / directory) if prefix else directory
        )
    return sorted(names)


def _safe_name(name: str) -> str:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not name:
        raise BackupError(f"허용되지 않는 파일 이름이 목록에 있습니다: {name!r}")
    return name


def backup_create(*, out: Path) -> dict:
    """Write a consistent archive to ``out`` (which must not exist or be empty)."""
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        raise BackupError(f"백업 폴더({out})가 비어 있지 않습니다.")
    codec = _Codec.for_writing()
    _private_dir(out)
    _private_dir(out / "files")

    # One snapshot of the database: every row the dump holds was committed together.
    buffer = io.StringIO()
    serializers.register_serializer(backup_json.FORMAT, backup_json.__name__)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        management.call_command(
            "dumpdata",
            format=backup_json.FORMAT,  # JSON with datetimes to the microsecond
            natural_foreign=True,
            natural_primary=True,
            exclude=EXCLUDED_MODELS,
            indent=None,
            stdout=buffer,
        )
    dump = buffer.getvalue().encode("utf-8")
    _private_write(out / "database.json", codec.seal(dump))
    objects = len(json.loads(dump))

    # Files are written to storage before the rows that name them commit, so every file the
    # snapshot refers to exists now.
    files = {}
    try:
        names = _walk_storage(default_storage)
    except FileNotFoundError:  # a local storage nothing was ever saved to has no folder yet
        names = []
    for name in names:
        target = out / "files" / _safe_name(name)
        for parent in reversed(target.relative_to(out / "files").parents[:-1]):
            _private_dir(out / "files" / parent)
        with default_storage.open(name, "rb") as source:
            data = source.read()
        _private_write(target, codec.seal(data))
        files[name] = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}

    manifest = {
        "format": FORMAT,
        "created_at": timezone.now().isoformat(),
        "database": {
            "file": "database.json",
            "sha256": hashlib.sha256(dump).hexdigest(),
            "objects": objects,
        },
        "files": files,
    }
    if codec.encryption:
        manifest["encryption"] = codec.encryption
    # Keyed: whoever edits database.json and recomputes its SHA-256 cannot reseal (ADR 014).
    manifest["seal"] = integrity.mac(integrity.canonical(manifest))
    _private_write(
        out / "manifest.json",
        json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8"),
    )
    return manifest


@dataclass
class RestoreReport:
    objects: int = 0
    files: int = 0
    problems: list[str] = field(default_factory=list)


def _load_manifest(archive: Path) -> dict:
    try:
        manifest = json.loads((archive / "manifest.json").read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise BackupError(f"{archive}에 manifest.json이 없습니다.") from exc
    except json.JSONDecodeError as exc:
        raise BackupError(f"manifest.json을 읽을 수 없습니다: {exc}") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(
            f"지원하지 않는 백업 형식입니다: {manifest.get('format')!r} (지원: {FORMAT})"
        )
    return manifest


def archive_verify(*, archive: Path) -> list[str]:
    """Every hash in the manifest, checked against the archive's own (decrypted) bytes."""
    archive = Path(archive)
    manifest = _load_manifest(archive)
    codec = _Codec(manifest.get("encryption"))
    problems = []
    unsealed = {key: value for key, value in manifest.items() if key != "seal"}
    if not manifest.get("seal"):
        problems.append("manifest.json: 봉인(HMAC)이 없습니다")
    elif not integrity.mac_matches(integrity.canonical(unsealed), manifest["seal"]):
        problems.append(
            "manifest.json: 봉인(HMAC)이 맞지 않습니다 (매니페스트가 바뀌었거나 "
            "INTEGRITY_KEY가 백업할 때와 다릅니다)"
        )
    db_file = archive / manifest["database"]["file"]
    dump = codec.read(db_file, "database.json")
    if hashlib.sha256(dump).hexdigest() != manifest["database"]["sha256"]:
        problems.append("database.json: SHA-256이 매니페스트와 다릅니다")
    for name, meta in manifest["files"].items():
        path = archive / "files" / _safe_name(name)
        if not path.exists():
            problems.append(f"{name}: 백업에 파일이 없습니다")
            continue
        data = codec.read(path, name)
        if (hashlib.sha256(data).hexdigest(), len(data)) != (meta["sha256"], meta["size"]):
            problems.append(f"{name}: SHA-256 또는 크기가 매니페스트와 다릅니다")
    return problems


def _database_is_empty() -> bool:
    user_model = apps.get_model("institutions", "User")
    checked = [user_model, apps.get_model("evaluation", "Application")]
    checked.append(apps.get_model("indicators", "RubricVersion"))
    return not any(model.objects.exists() for model in checked)


def backup_restore(*, archive: Path) -> RestoreReport:
    """Restore an archive into an empty (migrated) database and storage, then verify."""
    archive = Path(archive)
    manifest = _load_manifest(archive)
    problems = archive_verify(archive=archive)
    if problems:
        raise BackupError("백업이 손상되었습니다: " + "; ".join(problems))
    if not _database_is_empty():
        raise BackupError(
            "복원은 빈 데이터베이스에만 할 수 있습니다 (사용자·평가지표·신청 자료가 이미 있습니다)."
        )
    existing = [name for name in manifest["files"] if default_storage.exists(name)]
    if existing:
        raise BackupError(
            f"저장소가 비어 있지 않습니다: {existing[:3]} 외 {max(0, len(existing) - 3)}개"
        )

    report = RestoreReport()
    codec = _Codec(manifest.get("encryption"))
    plain_dir = Path(tempfile.mkdtemp(prefix="certeval-restore-"))  # 0700 by mkdtemp
    try:
        plain = plain_dir / "database.json"
        _private_write(plain, codec.read(archive / manifest["database"]["file"], "database.json"))
        with transaction.atomic():
            management.call_command("loaddata", str(plain), verbosity=0)
    finally:
        shutil.rmtree(plain_dir, ignore_errors=True)
    report.objects = manifest["database"]["objects"]
    for name, meta in manifest["files"].items():
        data = codec.read(archive / "files" / _safe_name(name), name)
        saved = default_storage.save(name, ContentFile(data, name=name))
        if saved != name:
            raise BackupError(f"{name}: 저장소가 다른 이름({saved})으로 저장했습니다")
        with default_storage.open(name, "rb") as stream:
            digest, size = _sha256_stream(stream)
        if (digest, size) != (meta["sha256"], meta["size"]):
            report.problems.append(f"{name}: 복원된 파일의 SHA-256이 매니페스트와 다릅니다")
        report.files += 1
    report.problems += evidence_hashes_verify()
    return report


def evidence_hashes_verify() -> list[str]:
    """Every evidence file's stored bytes against the SHA-256 recorded at upload."""
    evidence_file = apps.get_model("evaluation", "EvidenceFile")
    problems = []
    for pk, key, sha in evidence_file.objects.values_list("pk", "storage_key", "sha256"):
        try:
            with default_storage.open(key, "rb") as stream:
                digest, _size = _sha256_stream(stream)
        except FileNotFoundError:
            problems.append(f"증빙 파일 #{pk} ({key}): 저장소에 없습니다")
            continue
        if digest != sha:
            problems.append(f"증빙 파일 #{pk} ({key}): SHA-256이 업로드 시 기록과 다릅니다")
    return problems
