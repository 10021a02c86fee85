"""The streaming upload handler: to disk, hashed while streaming, bytes past the limit
dropped, the name as sent kept for validation."""

import hashlib
import os
from pathlib import Path

import pytest
from django.core.files.uploadedfile import TemporaryUploadedFile
from django.test import RequestFactory

from evaluation.models import EvidenceFile
from evaluation.uploads import EvidenceUploadHandler

from . import files as F
from .helpers import post_files

pytestmark = pytest.mark.django_db


def _stream(handler, name, content, chunk=64 * 1024):
    handler.new_file("files", name, "application/pdf", len(content))
    for start in range(0, len(content), chunk):
        handler.receive_data_chunk(content[start : start + chunk], start)
    return handler.file_complete(len(content))


def test_small_files_also_go_to_disk_and_are_hashed_while_streaming(settings):
    handler = EvidenceUploadHandler(RequestFactory().post("/"))
    content = F.pdf_bytes("small")
    uploaded = _stream(handler, "a.pdf", content)
    assert isinstance(uploaded, TemporaryUploadedFile)
    assert Path(uploaded.temporary_file_path()).parent == Path(settings.FILE_UPLOAD_TEMP_DIR)
    assert uploaded.sha256 == hashlib.sha256(content).hexdigest()
    assert uploaded.size == len(content)
    assert uploaded.exceeds_limit is False
    uploaded.close()


def test_bytes_past_the_limit_are_counted_but_not_written(settings):
    settings.EVIDENCE_MAX_FILE_BYTES = 100_000
    handler = EvidenceUploadHandler(RequestFactory().post("/"))
    uploaded = _stream(handler, "big.pdf", b"%PDF-" + b"x" * 1_000_000)
    assert uploaded.size == 1_000_005
    assert uploaded.exceeds_limit is True
    assert uploaded.sha256 is None
    assert os.path.getsize(uploaded.temporary_file_path()) <= 100_000
    uploaded.close()


def test_upload_through_the_view_stores_the_streamed_hash_and_the_korean_name(
    client_for, member, application, _uploads_in_tmp, settings
):
    content = F.pdf_bytes(pad=3 * 1024 * 1024)  # above FILE_UPLOAD_MAX_MEMORY_SIZE
    response = post_files(client_for(member), application, [("운영계획서 (최종).pdf", content)])
    assert response.status_code == 302
    stored = EvidenceFile.objects.get()
    assert stored.original_name == "운영계획서 (최종).pdf"
    assert stored.sha256 == hashlib.sha256(content).hexdigest()
    assert stored.size == len(content)
    assert (Path(_uploads_in_tmp) / stored.storage_key).read_bytes() == content
    # The temporary upload was moved into the storage, not copied and left behind.
    assert list(Path(settings.FILE_UPLOAD_TEMP_DIR).iterdir()) == []
