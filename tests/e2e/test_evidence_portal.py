"""Browser journey: an institution uploads a PDF for A.1.1 (XHR with progress), previews it
and submits; a member of another institution cannot open it (404)."""

import pytest
from django.urls import reverse

from evaluation.models import ApplicationStatus, EvidenceAccess, EvidenceFile

from ..evaluation import files as F

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_upload_preview_submit_and_outsider_404(
    page, login, application, member, other_member, tmp_path
):
    pdf_path = tmp_path / "운영계획서.pdf"
    pdf_path.write_bytes(F.pdf_bytes("operating plan 2026"))

    login(member.username)
    page.goto(reverse("evaluation:checklist", args=[application.pk]))
    row = page.locator("tr[data-item='A.1.1']")
    assert "없음" in row.inner_text()
    assert "증빙 첨부 0 / 19 항목" in page.get_by_test_id("progress").inner_text()
    row.get_by_role("link", name="A.1.1 항목 A.1.1").click()

    # Upload through the enhanced form: XHR with a progress bar, the file list refreshed.
    page.get_by_label("파일 올리기 (여러 개 가능)").set_input_files(str(pdf_path))
    page.get_by_role("button", name="올리기", exact=True).click()
    status = page.get_by_test_id("upload-form").locator("[data-upload-status]")
    status.get_by_text("✔ A.1.1: 파일 1개를 첨부했습니다.").wait_for()
    assert status.locator("progress").get_attribute("value") == "100"
    page.get_by_test_id("evidence-files").locator(".file-name").get_by_text(
        "운영계획서.pdf", exact=True
    ).wait_for()
    stored = EvidenceFile.objects.get()
    assert (stored.original_name, stored.kind) == ("운영계획서.pdf", "pdf")

    # Preview: the PDF is framed from our own origin and the access is logged.
    with page.expect_response(lambda r: "/inline/" in r.url) as framed:
        page.get_by_role("link", name="미리보기").click()
    response = framed.value
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["x-frame-options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in response.headers["content-security-policy"]
    assert page.get_by_test_id("preview-frame").is_visible()
    assert EvidenceAccess.objects.filter(user=member, purpose="preview").count() == 1

    # Submit, with the confirmation listing what is still missing.
    page.goto(reverse("evaluation:checklist", args=[application.pk]))
    assert "✔ 첨부됨" in page.locator("tr[data-item='A.1.1']").inner_text()
    page.get_by_test_id("submit-link").click()
    missing = page.get_by_test_id("missing-items")
    assert "증빙이 없는 항목이 18개 있습니다." in missing.inner_text()
    assert "A.1.2 항목 A.1.2" in missing.inner_text()
    page.get_by_role("button", name="누락 항목이 있지만 제출합니다").click()
    page.get_by_test_id("application-status").get_by_text("제출 완료").wait_for()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED

    # Another institution's member gets 404 for every way to the file.
    page.context.clear_cookies()
    login(other_member.username)
    for name in ("file_preview", "file_inline", "file_download"):
        url = reverse(f"evaluation:{name}", args=[stored.pk])
        assert page.request.get(url).status == 404, name
    assert page.goto(reverse("evaluation:checklist", args=[application.pk])).status == 404
    assert not EvidenceAccess.objects.filter(user=other_member).exists()
