"""The attack corpus: every bad upload is refused with a Korean message naming the item and
the file, and stores NOTHING -- no row, no stored object, no temporary file left behind."""

import html
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from evaluation.models import Cycle, EvidenceFile

from . import files as F
from .helpers import nothing_stored, post_files, stored_files

pytestmark = pytest.mark.django_db


@pytest.fixture
def member_client(client_for, member):
    return client_for(member)


@pytest.fixture
def upload_tmp():
    return Path(settings.FILE_UPLOAD_TEMP_DIR)


def _refused(response, *fragments):
    assert response.status_code == 400, response.content[:500]
    text = html.unescape(response.content.decode())
    assert "아무 파일도 저장하지 않았습니다" in text
    for fragment in fragments:
        assert fragment in text, fragment
    return text


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("계획서.pdf", F.EXE_BYTES, "실행 파일(EXE/DLL)입니다"),
        ("계획서.pdf", F.HTML_SCRIPT, "HTML 문서입니다"),
        ("그림.svg", F.SVG_BYTES, "SVG 그림입니다"),
        ("그림.pdf", F.SVG_BYTES, "SVG 그림입니다"),
        ("문서.hwpx", F.PLAIN_ZIP, "일반 ZIP 압축 파일입니다"),
        ("문서.hwp", F.ole_doc_bytes(), "HWP가 아닌 OLE 문서입니다"),
        ("빈파일.pdf", b"", "빈 파일(0바이트)입니다"),
        ("잘린파일.pdf", F.pdf_bytes()[:-40], "%%EOF"),
    ],
    ids=[
        "exe-as-pdf",
        "html-script-as-pdf",
        "svg",
        "svg-as-pdf",
        "zip-as-hwpx",
        "doc-as-hwp",
        "empty",
        "truncated-pdf",
    ],
)
def test_bad_content_is_refused_and_nothing_is_stored(
    application, member_client, _uploads_in_tmp, upload_tmp, name, content, expected
):
    response = post_files(member_client, application, [(name, content)])
    _refused(response, "A.1.1", name, expected)
    assert nothing_stored(_uploads_in_tmp, upload_tmp)


def test_extension_that_lies_about_the_content_is_refused(
    application, member_client, _uploads_in_tmp, upload_tmp
):
    response = post_files(member_client, application, [("보고서.hwp", F.pdf_bytes())])
    _refused(response, "파일 내용은 PDF인데 확장자가 '.hwp'입니다")
    assert nothing_stored(_uploads_in_tmp, upload_tmp)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../etc/passwd.pdf", "경로(../, / 또는 \\)"),
        ("..\\..\\boot.pdf", "경로(../, / 또는 \\)"),
        ("evil\x00.pdf", "제어 문자(NUL 등)"),
        ("가" * 296 + ".pdf", "파일 이름이 너무 깁니다 (300자, 최대 255자)"),
        ("확장자없음", "확장자가 없습니다"),
    ],
    ids=["dot-dot-slash", "backslashes", "nul", "300-chars", "no-extension"],
)
def test_bad_names_are_refused_not_silently_renamed(
    application, member_client, _uploads_in_tmp, upload_tmp, name, expected
):
    response = post_files(member_client, application, [(name, F.pdf_bytes())])
    _refused(response, "A.1.1", expected)
    assert nothing_stored(_uploads_in_tmp, upload_tmp)


def test_file_over_the_per_file_limit_is_refused(
    application, member_client, settings, _uploads_in_tmp, upload_tmp
):
    settings.EVIDENCE_MAX_FILE_BYTES = 4096
    big = F.pdf_bytes(pad=10_000)
    response = post_files(member_client, application, [("큰파일.pdf", big)])
    _refused(response, "큰파일.pdf", "파일당 한도(4.0")
    assert nothing_stored(_uploads_in_tmp, upload_tmp)


def test_upload_over_the_application_total_is_refused(
    application, member_client, settings, _uploads_in_tmp, upload_tmp
):
    first = F.pdf_bytes("first")
    settings.EVIDENCE_MAX_APPLICATION_BYTES = len(first) + 100
    assert post_files(member_client, application, [("첫째.pdf", first)]).status_code == 302
    before = stored_files(_uploads_in_tmp)
    response = post_files(
        member_client, application, [("둘째.pdf", F.pdf_bytes("second"))], "B.1.1"
    )
    _refused(response, "B.1.1", "신청당 한도")
    assert stored_files(_uploads_in_tmp) == before
    assert EvidenceFile.objects.count() == 1


def test_same_file_twice_is_reported_and_stored_once(
    application, member_client, _uploads_in_tmp, upload_tmp
):
    content = F.pdf_bytes("same")
    assert post_files(member_client, application, [("원본.pdf", content)]).status_code == 302
    response = post_files(member_client, application, [("사본.pdf", content)], code="B.1.1")
    _refused(response, "B.1.1", "사본.pdf", "이미 A.1.1에 '원본.pdf' 이름으로 첨부되어")
    assert EvidenceFile.objects.count() == 1
    assert len(stored_files(_uploads_in_tmp)) == 1


def test_same_file_twice_in_one_request_is_reported_and_nothing_stored(
    application, member_client, _uploads_in_tmp, upload_tmp
):
    content = F.pdf_bytes("twice")
    response = post_files(member_client, application, [("a.pdf", content), ("b.pdf", content)])
    _refused(response, "'b.pdf'", "같이 올린 'a.pdf' 파일과 내용이 같습니다")
    assert nothing_stored(_uploads_in_tmp, upload_tmp)


def test_one_bad_file_in_a_batch_stores_none_of_them(
    application, member_client, _uploads_in_tmp, upload_tmp
):
    response = post_files(
        member_client, application, [("좋은.pdf", F.pdf_bytes()), ("나쁜.pdf", F.EXE_BYTES)]
    )
    _refused(response, "나쁜.pdf")
    assert nothing_stored(_uploads_in_tmp, upload_tmp)


def test_upload_after_the_deadline_is_refused(
    application, member_client, _uploads_in_tmp, upload_tmp
):
    Cycle.objects.filter(pk=application.cycle_id).update(
        evidence_deadline=timezone.now() - timedelta(minutes=1)
    )
    response = post_files(member_client, application, [("늦은.pdf", F.pdf_bytes())])
    assert response.status_code == 400
    text = html.unescape(response.content.decode())
    assert "증빙 제출 기한(" in text
    assert "이 지나 증빙을 변경할 수 없습니다" in text
    assert nothing_stored(_uploads_in_tmp, upload_tmp)


def test_upload_to_another_institutions_application_is_404(
    other_application, member_client, _uploads_in_tmp, upload_tmp
):
    response = post_files(member_client, other_application, [("침입.pdf", F.pdf_bytes())])
    assert response.status_code == 404
    assert nothing_stored(_uploads_in_tmp, upload_tmp)


def test_refusal_as_json_for_the_xhr_upload(application, member_client, _uploads_in_tmp):
    response = post_files(member_client, application, [("계획서.pdf", F.EXE_BYTES)], json=True)
    assert response.status_code == 400
    body = response.json()
    assert body["ok"] is False
    assert body["errors"] == [
        "A.1.1 · '계획서.pdf': 받을 수 없는 파일입니다: 실행 파일(EXE/DLL)입니다. "
        "허용 형식: PDF, HWP, HWPX, DOCX, XLSX, PPTX, JPG, PNG "
        "(확장자가 아니라 파일 내용으로 판단합니다)."
    ]
    assert nothing_stored(_uploads_in_tmp)


def test_upload_without_csrf_token_is_refused(application, member, _uploads_in_tmp):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member, backend="django.contrib.auth.backends.ModelBackend")
    response = post_files(client, application, [("보고서.pdf", F.pdf_bytes())])
    assert response.status_code == 403
    assert nothing_stored(_uploads_in_tmp)


def test_name_too_long_for_the_multipart_header_is_refused_in_korean(
    application, member_client, _uploads_in_tmp, upload_tmp
):
    name = "\x01" + "가" * 400 + ".pdf"  # percent-encoded: > Django's 1 KB header limit
    response = post_files(member_client, application, [(name, F.pdf_bytes())])
    assert response.status_code == 400
    assert "올린 요청을 읽을 수 없습니다" in html.unescape(response.content.decode())
    assert nothing_stored(_uploads_in_tmp, upload_tmp)
