"""Issue 14, items 1-6: active content, locked files, ZIP bombs, file-count caps, linking one
file to several items, and size messages that never contradict themselves. Every refusal
names the item and the file, says why and what to do, and stores NOTHING."""

import html
import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse

from evaluation import services
from evaluation.filechecks import ZipLimits, check
from evaluation.models import EvidenceAccess, EvidenceFile, FileState
from evaluation.services.evidence import sizes_apart

from . import files as F
from .helpers import nothing_stored, post_files, stored_files

pytestmark = pytest.mark.django_db


@pytest.fixture
def member_client(client_for, member):
    return client_for(member)


@pytest.fixture
def upload_tmp():
    return Path(settings.FILE_UPLOAD_TEMP_DIR)


@pytest.fixture(scope="module")
def gigabyte_docx():
    """The issue's case: a ~1 MB DOCX whose word/document.xml expands to 1 GB."""
    return F.zip_bomb("docx", 1024**3)


def _text(response) -> str:
    return html.unescape(response.content.decode())


def _refused(response, *fragments):
    assert response.status_code == 400, response.content[:500]
    text = _text(response)
    assert "아무 파일도 저장하지 않았습니다" in text
    for fragment in fragments:
        assert fragment in text, fragment
    return text


def _item(application, code):
    return application.cycle.rubric_version.items.get(code=code)


def _add(application, member, code, name, content):
    [stored] = services.evidence_files_add(
        application=application,
        item=_item(application, code),
        uploads=[(F.upload(name, content), name)],
        by=member,
    )
    return stored


# --- 2. locked files ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("잠긴.pdf", F.encrypted_pdf_bytes(), "암호로 잠긴 PDF입니다"),
        ("잠긴.hwp", F.locked_hwp_bytes(), "암호가 걸린 HWP 문서입니다"),
    ],
    ids=["encrypted-pdf", "password-hwp"],
)
def test_password_locked_files_are_refused_saying_why_and_what_to_do(
    application, member_client, _uploads_in_tmp, upload_tmp, name, content, expected
):
    response = post_files(member_client, application, [(name, content)])
    _refused(response, "A.1.1", name, expected, "평가위원이 열 수 없으므로", "다시 올리십시오")
    assert nothing_stored(_uploads_in_tmp, upload_tmp)


def test_pdf_with_only_an_owner_password_opens_for_anyone_and_is_accepted(
    application, member_client
):
    response = post_files(member_client, application, [("권한만.pdf", F.encrypted_pdf_bytes(""))])
    assert response.status_code == 302
    assert EvidenceFile.objects.get().kind == "pdf"


# --- 3. ZIP bombs ---------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["docx", "xlsx", "pptx", "hwpx"])
def test_zip_bomb_of_each_type_is_refused_by_its_ratio(
    application, member_client, _uploads_in_tmp, upload_tmp, kind
):
    bomb = F.zip_bomb(kind, 20 * 1024 * 1024)  # 20 MB of zeros in ~20 KB
    response = post_files(member_client, application, [(f"폭탄.{kind}", bomb)])
    _refused(response, "A.1.1", f"폭탄.{kind}", "압축률이", "한도 100:1을 넘습니다", "압축 폭탄")
    assert nothing_stored(_uploads_in_tmp, upload_tmp)


def test_one_megabyte_docx_expanding_to_a_gigabyte_is_refused_without_extracting(
    application, member_client, _uploads_in_tmp, upload_tmp, gigabyte_docx
):
    assert len(gigabyte_docx) < 1.5 * 1024 * 1024
    response = post_files(member_client, application, [("실적.docx", gigabyte_docx)])
    _refused(response, "압축을 풀면 1,024 MB로 한도 512 MB를 넘습니다")
    assert nothing_stored(_uploads_in_tmp, upload_tmp)


def test_archive_with_too_many_members_is_refused(
    application, member_client, settings, _uploads_in_tmp, upload_tmp
):
    settings.EVIDENCE_ZIP_MAX_MEMBERS = 50
    archive = F.zip_bomb("hwpx", 100, members=60)
    response = post_files(member_client, application, [("항목많음.hwpx", archive)])
    _refused(response, "압축 안의 항목이 61개로 한도 50개를 넘습니다")
    assert nothing_stored(_uploads_in_tmp, upload_tmp)


def test_uncompressed_total_limit_comes_from_settings(
    application, member_client, settings, _uploads_in_tmp, upload_tmp
):
    settings.EVIDENCE_ZIP_MAX_UNCOMPRESSED_BYTES = 4 * 1024 * 1024
    settings.EVIDENCE_ZIP_MAX_RATIO = 10**6
    response = post_files(
        member_client, application, [("큰표.xlsx", F.zip_bomb("xlsx", 5 * 1024 * 1024))]
    )
    _refused(response, "압축을 풀면 5 MB로 한도 4 MB를 넘습니다")
    assert nothing_stored(_uploads_in_tmp, upload_tmp)


@pytest.mark.parametrize("kind", ["docx", "xlsx", "pptx", "hwpx"])
def test_genuine_office_and_hancom_files_pass_the_bomb_check(kind):
    name, build = F.ACCEPTED[kind]
    limits = ZipLimits(512 * 1024 * 1024, 100, 10_000)
    assert check(kind, io.BytesIO(build()), limits).problem == ""


# --- 1. active content ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "found"),
    [
        (F.JS_PDF, "JavaScript"),
        (F.NAMED_JS_PDF, "JavaScript"),
        (F.LAUNCH_PDF, "외부 프로그램 실행(Launch)"),
        (F.EMBEDDED_PDF, "첨부 파일(Embedded file)"),
    ],
    ids=["openaction-js", "named-js", "launch", "embedded-file"],
)
def test_active_content_is_detected_recorded_and_shown_to_the_institution(
    application, member_client, content, found
):
    response = post_files(member_client, application, [("스크립트.pdf", content)])
    assert response.status_code == 302
    stored = EvidenceFile.objects.get()
    assert stored.active_content == found
    page = _text(
        member_client.get(reverse("evaluation:item_evidence", args=[application.pk, "A.1.1"]))
    )
    assert f"능동 콘텐츠({found})" in page


def test_plain_pdf_has_no_active_content_flag(application, member_client):
    assert post_files(member_client, application, [("보통.pdf", F.pdf_bytes())]).status_code == 302
    assert EvidenceFile.objects.get().active_content == ""


def test_evaluator_sees_the_active_content_warning_on_the_sheet(
    application, member, client_for, evaluator, request
):
    _add(application, member, "A.1.1", "스크립트.pdf", F.JS_PDF)
    # uploaded while a draft; then submitted and under review (ADR 011)
    cleared_assignment = request.getfixturevalue("cleared_assignment")
    page = _text(
        client_for(evaluator).get(reverse("evaluation:sheet", args=[cleared_assignment.pk]))
    )
    assert "능동 콘텐츠(JavaScript)" in page


@pytest.mark.parametrize("content", [F.JS_PDF, F.pdf_bytes()], ids=["js-pdf", "plain-pdf"])
def test_every_inline_preview_is_served_sandboxed(application, member, client_for, content):
    stored = _add(application, member, "A.1.1", "보기.pdf", content)
    client = client_for(member)
    response = client.get(reverse("evaluation:file_inline", args=[stored.pk]))
    assert response.status_code == 200
    directives = [d.strip() for d in response["Content-Security-Policy"].split(";")]
    assert "sandbox" in directives
    preview = _text(client.get(reverse("evaluation:file_preview", args=[stored.pk])))
    assert "<iframe sandbox " in preview


def test_image_inline_is_sandboxed_too(application, member, client_for):
    stored = _add(application, member, "A.1.1", "사진.png", F.png_bytes(3))
    response = client_for(member).get(reverse("evaluation:file_inline", args=[stored.pk]))
    assert "sandbox" in [d.strip() for d in response["Content-Security-Policy"].split(";")]


# --- 4. file-count caps ---------------------------------------------------------------------


def test_too_many_files_in_one_request_are_refused(
    application, member_client, settings, _uploads_in_tmp, upload_tmp
):
    settings.EVIDENCE_MAX_FILES_PER_REQUEST = 3
    files = [(f"문서{n}.pdf", F.pdf_bytes(f"doc {n}")) for n in range(4)]
    response = post_files(member_client, application, files)
    _refused(response, "A.1.1", "한 번에 4개를 올렸습니다", "3개까지입니다", "나누어 올리십시오")
    assert nothing_stored(_uploads_in_tmp, upload_tmp)


def test_too_many_files_on_one_item_are_refused(
    application, member_client, settings, _uploads_in_tmp, upload_tmp
):
    settings.EVIDENCE_MAX_FILES_PER_ITEM = 3
    first = [(f"문서{n}.pdf", F.pdf_bytes(f"doc {n}")) for n in range(2)]
    assert post_files(member_client, application, first).status_code == 302
    before = stored_files(_uploads_in_tmp)
    more = [(f"추가{n}.pdf", F.pdf_bytes(f"more {n}")) for n in range(2)]
    response = post_files(member_client, application, more)
    _refused(response, "A.1.1", "3개까지입니다 (지금 2개, 올린 파일 2개)")
    assert stored_files(_uploads_in_tmp) == before
    assert EvidenceFile.objects.count() == 2
    # Another item has its own allowance.
    assert post_files(member_client, application, more, code="B.1.1").status_code == 302


# --- 6. size messages -----------------------------------------------------------------------


def test_size_refusal_one_byte_over_fifty_megabytes_is_not_self_contradictory():
    limit = 50 * 1024 * 1024
    shown, shown_limit = sizes_apart(limit + 1, limit)
    assert shown != shown_limit
    assert shown == "52,428,801바이트"
    assert shown_limit == "52,428,800바이트 = 50.0\xa0MB"
    assert sizes_apart(80 * 1024 * 1024, limit) == ("80.0\xa0MB", "50.0\xa0MB")


def test_size_refusal_through_the_view_names_both_sizes_apart(
    application, member_client, settings, _uploads_in_tmp, upload_tmp
):
    settings.EVIDENCE_MAX_FILE_BYTES = 4096
    content = F.pdf_bytes(pad=4096 - len(F.pdf_bytes()) - 2)  # "%" + pad + "\n"
    assert len(content) == 4097
    response = post_files(member_client, application, [("큰.pdf", content)])
    _refused(response, "파일 크기(4,097바이트)가 파일당 한도(4,096바이트 = 4.0\xa0KB)를 넘습니다")
    assert nothing_stored(_uploads_in_tmp, upload_tmp)


# --- 5. one file, several items -------------------------------------------------------------


def test_second_upload_of_the_same_content_points_to_linking(
    application, member_client, _uploads_in_tmp
):
    content = F.pdf_bytes("report")
    assert post_files(member_client, application, [("실적보고서.pdf", content)]).status_code == 302
    response = post_files(member_client, application, [("실적.pdf", content)], code="B.1.1")
    _refused(response, "이미 A.1.1에", "'이미 올린 파일 연결'로 연결하십시오")


def test_link_attaches_without_a_second_copy_and_survives_removal_of_the_original(
    application, member, member_client, _uploads_in_tmp
):
    original = _add(application, member, "A.1.1", "실적보고서.pdf", F.pdf_bytes("report"))
    page = _text(
        member_client.get(reverse("evaluation:item_evidence", args=[application.pk, "B.1.1"]))
    )
    assert "이미 올린 파일 연결" in page and "A.1.1 · 실적보고서.pdf" in page
    response = member_client.post(
        reverse("evaluation:file_link", args=[application.pk, "B.1.1"]), {"file": original.pk}
    )
    assert response.status_code == 302
    link = EvidenceFile.objects.get(evidence__item__code="B.1.1")
    assert (link.linked_from, link.storage_key, link.sha256) == (
        original,
        original.storage_key,
        original.sha256,
    )
    assert len(stored_files(_uploads_in_tmp)) == 1
    # Linked bytes do not count twice against the application's total.
    from evaluation import queries

    assert queries.application_total_bytes(application) == original.size

    # Removing it from A.1.1 keeps it on B.1.1, and submission keeps the shared bytes.
    services.evidence_file_remove(file=original, by=member)
    link.refresh_from_db()
    assert link.state == FileState.CURRENT
    services.application_submit(application=application, by=member)
    assert len(stored_files(_uploads_in_tmp)) == 1
    body = member_client.get(reverse("evaluation:file_download", args=[link.pk]))
    assert b"".join(body.streaming_content) == F.pdf_bytes("report")


def test_removing_the_link_keeps_the_original(application, member, member_client):
    original = _add(application, member, "A.1.1", "실적보고서.pdf", F.pdf_bytes("report"))
    link = services.evidence_file_link(file=original, item=_item(application, "B.1.1"), by=member)
    services.evidence_file_remove(file=link, by=member)
    original.refresh_from_db()
    assert original.state == FileState.CURRENT


def test_linking_twice_to_the_same_item_is_refused(application, member):
    original = _add(application, member, "A.1.1", "실적보고서.pdf", F.pdf_bytes("report"))
    services.evidence_file_link(file=original, item=_item(application, "B.1.1"), by=member)
    with pytest.raises(ValidationError) as exc:
        services.evidence_file_link(file=original, item=_item(application, "B.1.1"), by=member)
    assert "이미 이 항목에 있습니다" in str(exc.value)


def test_a_file_of_another_application_cannot_be_linked(
    application, other_application, member, other_member, client_for
):
    theirs = _add(other_application, other_member, "A.1.1", "남의.pdf", F.pdf_bytes("theirs"))
    response = client_for(member).post(
        reverse("evaluation:file_link", args=[application.pk, "B.1.1"]), {"file": theirs.pk}
    )
    assert response.status_code == 404
    assert EvidenceFile.objects.count() == 1


def test_access_log_records_each_view_with_its_item(application, member, client_for, manager):
    original = _add(application, member, "A.1.1", "실적보고서.pdf", F.pdf_bytes("report"))
    link = services.evidence_file_link(file=original, item=_item(application, "B.1.1"), by=member)
    client = client_for(manager)
    for file in (original, link):
        assert client.get(reverse("evaluation:file_download", args=[file.pk])).status_code == 200
    items = list(
        EvidenceAccess.objects.order_by("pk").values_list("file__evidence__item__code", flat=True)
    )
    assert items == ["A.1.1", "B.1.1"]
