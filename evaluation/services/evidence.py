"""Writes for evidence: narratives, file uploads (checked, hashed, sniffed), replace, remove,
and the access log.

An upload is checked completely before anything is stored; a refused upload leaves no row
and no stored object. Refusals are Korean and name the item and the file.
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from indicators.models import Item

from .. import queries
from ..filechecks import ZipLimits
from ..filechecks import check as content_check
from ..models import (
    AccessPurpose,
    Application,
    Evidence,
    EvidenceAccess,
    EvidenceFile,
    FileState,
)
from ..sniff import ACCEPTED_LABEL, EXTENSIONS, extension_matches, extension_of, sniff
from .storage import storage_delete, storage_save

MAX_NAME_CHARS = 255
MAX_NARRATIVE_CHARS = 20_000
HASH_CHUNK = 1024 * 1024


@dataclass
class _Checked:
    upload: File
    name: str
    kind: str
    size: int
    sha256: str
    active: tuple[str, ...] = ()


def _fail(item: Item, name: str, message: str) -> str:
    shown = name if len(name) <= 60 else name[:57] + "…"
    shown = shown.replace("\x00", "\\0")
    return f"{item.code} · '{shown}': {message}"


def _name_problem(name: str) -> str | None:
    if not name or not name.strip():
        return _("파일 이름이 없습니다.")
    if len(name) > MAX_NAME_CHARS:
        return _("파일 이름이 너무 깁니다 (%(n)s자, 최대 %(max)s자).") % {
            "n": len(name),
            "max": MAX_NAME_CHARS,
        }
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in name):
        return _("파일 이름에 제어 문자(NUL 등)가 들어 있습니다.")
    if "/" in name or "\\" in name or name.strip() in (".", "..") or name.startswith(".."):
        return _("파일 이름에 경로(../, / 또는 \\)가 들어 있습니다. 파일 이름만 쓰십시오.")
    if not extension_of(name):
        return _("파일 이름에 확장자가 없습니다. 허용 형식: %(accepted)s.") % {
            "accepted": ACCEPTED_LABEL
        }
    return None


def _sha256(upload: File) -> str:
    precomputed = getattr(upload, "sha256", None)
    if precomputed:
        return precomputed
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks(HASH_CHUNK):
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def _check_one(item: Item, upload: File, name: str) -> tuple[_Checked | None, str | None]:
    problem = _name_problem(name)
    if problem:
        return None, _fail(item, name, problem)
    limit = settings.EVIDENCE_MAX_FILE_BYTES
    size = upload.size or 0
    if size == 0:
        return None, _fail(item, name, _("빈 파일(0바이트)입니다."))
    if getattr(upload, "exceeds_limit", False) or size > limit:
        shown, shown_limit = sizes_apart(size, limit)
        return None, _fail(
            item,
            name,
            _(
                "파일 크기(%(size)s)가 파일당 한도(%(limit)s)를 넘습니다. "
                "나누거나 압축률을 높여 다시 저장하십시오."
            )
            % {"size": shown, "limit": shown_limit},
        )
    sniffed = sniff(upload)
    if sniffed.kind is None:
        return None, _fail(
            item,
            name,
            _(
                "받을 수 없는 파일입니다: %(reason)s. 허용 형식: %(accepted)s "
                "(확장자가 아니라 파일 내용으로 판단합니다)."
            )
            % {"reason": sniffed.reason, "accepted": ACCEPTED_LABEL},
        )
    if not extension_matches(sniffed.kind, name):
        expected = _(" 또는 ").join(f".{e}" for e in EXTENSIONS[sniffed.kind])
        return None, _fail(
            item,
            name,
            _(
                "파일 내용은 %(kind)s인데 확장자가 '.%(ext)s'입니다. "
                "확장자를 %(expected)s 형식에 맞추어 다시 올리십시오."
            )
            % {"kind": sniffed.kind.upper(), "ext": extension_of(name), "expected": expected},
        )
    verdict = content_check(sniffed.kind, upload, _zip_limits())
    if verdict.problem:
        return None, _fail(item, name, verdict.problem)
    return _Checked(upload, name, sniffed.kind, size, _sha256(upload), verdict.active), None


def _zip_limits() -> ZipLimits:
    return ZipLimits(
        max_uncompressed_bytes=settings.EVIDENCE_ZIP_MAX_UNCOMPRESSED_BYTES,
        max_ratio=settings.EVIDENCE_ZIP_MAX_RATIO,
        max_members=settings.EVIDENCE_ZIP_MAX_MEMBERS,
    )


def sizes_apart(size: int, limit: int) -> tuple[str, str]:
    """``size`` and ``limit`` for a message saying that one exceeds the other: rounded
    (``50.0 MB``) when the rounding keeps them apart, else in exact bytes, so the message
    never reads "50.0 MB exceeds 50.0 MB"."""
    shown, shown_limit = filesizeformat(size), filesizeformat(limit)
    if shown != shown_limit:
        return shown, shown_limit
    return (
        _("%(n)s바이트") % {"n": f"{size:,}"},
        _("%(n)s바이트 = %(shown)s") % {"n": f"{limit:,}", "shown": shown_limit},
    )


@transaction.atomic
def evidence_files_add(
    *,
    application: Application,
    item: Item,
    uploads: list[tuple[File, str]],
    by,
    replaces: EvidenceFile | None = None,
) -> list[EvidenceFile]:
    """Attach files to ``item`` of ``application``. ``uploads`` holds (file, name as sent)
    pairs. All or nothing: if any file is refused, none is stored and every refusal is
    reported (ValidationError with one Korean message per problem)."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    if not queries.is_member_of(by, application):
        raise PermissionDenied
    if item.version_id != application.cycle.rubric_version_id:
        raise ValidationError(
            _("%(code)s: 이 신청의 평가지표 항목이 아닙니다.") % {"code": item.code}
        )
    lock = queries.evidence_lock_reason(application)
    if lock:
        raise ValidationError(lock)
    if not uploads:
        raise ValidationError(_("%(code)s: 올릴 파일을 선택하십시오.") % {"code": item.code})
    per_request = settings.EVIDENCE_MAX_FILES_PER_REQUEST
    if len(uploads) > per_request:
        raise ValidationError(
            _(
                "%(code)s: 한 번에 %(n)s개를 올렸습니다. 한 번에 올릴 수 있는 파일은 "
                "%(max)s개까지입니다. 나누어 올리십시오."
            )
            % {"code": item.code, "n": len(uploads), "max": per_request}
        )
    if replaces is not None:
        if replaces.application_id != application.pk or replaces.state != FileState.CURRENT:
            raise ValidationError(
                _("%(code)s: 바꿀 파일을 찾을 수 없습니다.") % {"code": item.code}
            )
        if len(uploads) != 1:
            raise ValidationError(
                _("%(code)s: 파일을 바꿀 때는 한 개만 올리십시오.") % {"code": item.code}
            )

    errors: list[str] = []
    checked: list[_Checked] = []
    for upload, name in uploads:
        ok, error = _check_one(item, upload, name)
        if error:
            errors.append(error)
        else:
            checked.append(ok)

    current_files = list(
        EvidenceFile.objects.filter(
            application=application, state=FileState.CURRENT
        ).select_related("evidence__item")
    )
    existing: dict[str, EvidenceFile] = {}  # one per content: a link shares its bytes
    for f in current_files:
        existing.setdefault(f.sha256, f)
    on_item = sum(1 for f in current_files if f.evidence.item_id == item.pk)
    per_item = settings.EVIDENCE_MAX_FILES_PER_ITEM
    after = on_item + len(uploads) - (1 if replaces is not None else 0)
    if after > per_item:
        errors.append(
            _(
                "%(code)s: 한 항목에 첨부할 수 있는 파일은 %(max)s개까지입니다 "
                "(지금 %(now)s개, 올린 파일 %(n)s개). 필요 없는 파일을 빼거나 "
                "여러 파일을 하나로 묶어 올리십시오."
            )
            % {"code": item.code, "max": per_item, "now": on_item, "n": len(uploads)}
        )
    seen: dict[str, str] = {}
    for c in checked:
        twin = existing.get(c.sha256)
        if twin is not None and twin != replaces:
            errors.append(
                _fail(
                    item,
                    c.name,
                    _(
                        "같은 내용의 파일이 이미 %(code)s에 '%(name)s' 이름으로 첨부되어 "
                        "있어 다시 저장하지 않았습니다. 이 항목에도 쓰려면 '이미 올린 파일 "
                        "연결'로 연결하십시오."
                    )
                    % {"code": twin.evidence.item.code, "name": twin.original_name},
                )
            )
        elif twin is not None:
            errors.append(_fail(item, c.name, _("바꾸려는 파일과 내용이 같습니다.")))
        elif c.sha256 in seen:
            errors.append(
                _fail(
                    item,
                    c.name,
                    _("같이 올린 '%(name)s' 파일과 내용이 같습니다.") % {"name": seen[c.sha256]},
                )
            )
        else:
            seen[c.sha256] = c.name

    current_total = sum(f.size for f in existing.values())  # a link stores no bytes
    if replaces is not None:
        current_total -= replaces.size
    new_total = current_total + sum(c.size for c in checked)
    app_limit = settings.EVIDENCE_MAX_APPLICATION_BYTES
    if not errors and new_total > app_limit:
        errors.append(
            _(
                "%(code)s: 이 신청의 증빙 파일 합계(%(total)s)가 신청당 한도(%(limit)s)를 "
                "넘습니다 (현재 %(used)s 사용 중)."
            )
            % {
                "code": item.code,
                "total": filesizeformat(new_total),
                "limit": filesizeformat(app_limit),
                "used": filesizeformat(current_total),
            }
        )
    if errors:
        raise ValidationError(errors)

    evidence, _created = Evidence.objects.get_or_create(
        application=application, item=item, defaults={"updated_by": by}
    )
    now = timezone.now()
    stored_keys: list[str] = []
    created: list[EvidenceFile] = []
    try:
        with transaction.atomic():
            if replaces is not None:
                EvidenceFile.objects.filter(pk=replaces.pk).update(
                    state=FileState.SUPERSEDED, superseded_at=now
                )
            for c in checked:
                key = storage_save(c.upload)
                stored_keys.append(key)
                created.append(
                    EvidenceFile.objects.create(
                        evidence=evidence,
                        application=application,
                        original_name=c.name,
                        storage_key=key,
                        size=c.size,
                        sha256=c.sha256,
                        kind=c.kind,
                        active_content="; ".join(c.active),
                        replaces=replaces,
                        uploaded_by=by,
                        uploaded_at=now,
                    )
                )
            Evidence.objects.filter(pk=evidence.pk).update(updated_at=now, updated_by=by)
    except IntegrityError as exc:
        storage_delete(stored_keys)
        raise ValidationError(
            f"{item.code}: 같은 내용의 파일이 방금 다른 곳에서 첨부되었습니다. "
            "화면을 새로 고쳐 확인하십시오."
        ) from exc
    except BaseException:
        storage_delete(stored_keys)
        raise
    return created


@transaction.atomic
def evidence_file_link(*, file: EvidenceFile, item: Item, by) -> EvidenceFile:
    """Attach an already-uploaded file of the same application to another item, without a
    second copy: the new row shares the original's stored bytes (``linked_from``). Removing
    either row later leaves the other attached; each view is logged with its own item."""
    application = Application.objects.select_for_update().get(pk=file.application_id)
    if not queries.is_member_of(by, application):
        raise PermissionDenied
    if item.version_id != application.cycle.rubric_version_id:
        raise ValidationError(
            _("%(code)s: 이 신청의 평가지표 항목이 아닙니다.") % {"code": item.code}
        )
    lock = queries.evidence_lock_reason(application)
    if lock:
        raise ValidationError(lock)
    file = EvidenceFile.objects.select_related("evidence__item").get(pk=file.pk)
    if file.state != FileState.CURRENT or file.purged_at is not None:
        raise ValidationError(
            _("%(code)s: '%(name)s' 파일은 현재 첨부된 파일이 아니어서 연결할 수 없습니다.")
            % {"code": item.code, "name": file.original_name}
        )
    source = file.linked_from if file.linked_from_id else file
    here = EvidenceFile.objects.filter(
        application=application, evidence__item=item, state=FileState.CURRENT
    )
    if here.filter(sha256=file.sha256).exists():
        raise ValidationError(
            _("%(code)s: '%(name)s' 파일은 이미 이 항목에 있습니다.")
            % {"code": item.code, "name": file.original_name}
        )
    per_item = settings.EVIDENCE_MAX_FILES_PER_ITEM
    if here.count() >= per_item:
        raise ValidationError(
            _(
                "%(code)s: 한 항목에 첨부할 수 있는 파일은 %(max)s개까지입니다. "
                "필요 없는 파일을 먼저 빼십시오."
            )
            % {"code": item.code, "max": per_item}
        )
    evidence, _created = Evidence.objects.get_or_create(
        application=application, item=item, defaults={"updated_by": by}
    )
    now = timezone.now()
    link = EvidenceFile.objects.create(
        evidence=evidence,
        application=application,
        original_name=file.original_name,
        storage_key=file.storage_key,
        size=file.size,
        sha256=file.sha256,
        kind=file.kind,
        active_content=file.active_content,
        linked_from=source,
        uploaded_by=by,
        uploaded_at=now,
    )
    Evidence.objects.filter(pk=evidence.pk).update(updated_at=now, updated_by=by)
    return link


@transaction.atomic
def evidence_file_remove(*, file: EvidenceFile, by) -> EvidenceFile:
    """Take a file off the item. Its bytes are kept (as 'removed') until submission."""
    application = Application.objects.select_for_update().get(pk=file.application_id)
    if not queries.is_member_of(by, application):
        raise PermissionDenied
    lock = queries.evidence_lock_reason(application)
    if lock:
        raise ValidationError(lock)
    file = EvidenceFile.objects.select_for_update().get(pk=file.pk)
    if file.state != FileState.CURRENT:
        raise ValidationError(
            _("'%(name)s' 파일은 이미 현재 파일이 아닙니다.") % {"name": file.original_name}
        )
    file.state = FileState.REMOVED
    file.superseded_at = timezone.now()
    file.save(update_fields=["state", "superseded_at"])
    return file


@transaction.atomic
def evidence_narrative_save(
    *, application: Application, item: Item, narrative: str, by
) -> Evidence:
    application = Application.objects.select_for_update().get(pk=application.pk)
    if not queries.is_member_of(by, application):
        raise PermissionDenied
    if item.version_id != application.cycle.rubric_version_id:
        raise ValidationError(
            _("%(code)s: 이 신청의 평가지표 항목이 아닙니다.") % {"code": item.code}
        )
    lock = queries.evidence_lock_reason(application)
    if lock:
        raise ValidationError(lock)
    narrative = narrative.replace("\x00", "").strip()
    if len(narrative) > MAX_NARRATIVE_CHARS:
        raise ValidationError(
            _("%(code)s: 설명이 너무 깁니다 (%(n)s자, 최대 %(max)s자).")
            % {"code": item.code, "n": len(narrative), "max": MAX_NARRATIVE_CHARS}
        )
    evidence, _created = Evidence.objects.get_or_create(
        application=application, item=item, defaults={"updated_by": by}
    )
    evidence.narrative = narrative
    evidence.updated_at = timezone.now()
    evidence.updated_by = by
    evidence.save(update_fields=["narrative", "updated_at", "updated_by"])
    return evidence


@transaction.atomic
def evidence_access_record(
    *, file: EvidenceFile, user, ip: str | None, purpose: str
) -> EvidenceAccess:
    """One row per view, preview or download (called by the views that serve bytes)."""
    return EvidenceAccess.objects.create(
        file=file,
        application_id=file.application_id,
        user=user,
        ip=ip or None,
        purpose=AccessPurpose(purpose),
    )
