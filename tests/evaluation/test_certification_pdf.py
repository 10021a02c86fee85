"""The certification PDF (인증서) through the reports pipeline: requested by its holder or
staff, rendered by WeasyPrint (Korean fonts embedded as subsets), with the QR code of the
public verification address; read back with poppler."""

import re
from datetime import date

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from evaluation.qr import qr_svg
from evaluation.services.certification import (
    certification_revoke,
    certifications_issue_for_cycle,
)
from reports import documents
from reports.certification import certification_inputs
from reports.models import Report, ReportKind, ReportStatus
from reports.services import report_request_certification
from tests.reports.pdftools import fonts_of, pages_of, text_of

from .certification_data import at_stage, with_result

pytestmark = pytest.mark.django_db


@pytest.fixture
def cert(application, admin_user, settings):
    settings.SITE_URL = "https://cert.example.kr"
    with_result(application)
    [cert] = certifications_issue_for_cycle(
        cycle=at_stage(application.cycle), by=admin_user, on=date(2026, 3, 1)
    )
    return cert


def _pdf(report, tmp_path):
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE, report.error
    path = tmp_path / "cert.pdf"
    with default_storage.open(report.storage_key, "rb") as handle:
        path.write_bytes(handle.read())
    return path


def test_member_downloads_their_certificate(
    client_for, member, cert, tmp_path, django_capture_on_commit_callbacks
):
    client = client_for(member)
    with django_capture_on_commit_callbacks(execute=True):  # the render is enqueued on commit
        response = client.post(reverse("reports:request_certification", args=[cert.pk]))
    assert response.status_code == 302
    report = Report.objects.get(kind=ReportKind.CERTIFICATION)
    assert response["Location"] == reverse("reports:detail", args=[report.pk])
    assert report.application_id == cert.application_id
    path = _pdf(report, tmp_path)
    assert pages_of(path) == 1
    text = re.sub(r"\s+", " ", text_of(path))
    assert "인 증 서" in text
    assert cert.number in text
    assert cert.institution.name in text
    assert "2026-03-01 ~ 2029-02-28" in text
    assert f"https://cert.example.kr/verify/{cert.verification_code}/" in text
    assert "2026년 3월 1일" in text
    # Korean fonts embedded as subsets, nothing else
    rows = fonts_of(path)
    assert rows
    for row in rows:
        assert "+" in row[0] and row[0].split("+")[-1].startswith("Nanum"), row
        assert row[-5:-2] == ["yes", "yes", "yes"], row
    detail = client.get(response["Location"])
    assert detail.status_code == 200 and "인증서" in detail.content.decode()
    download = client.get(reverse("reports:download", args=[report.pk]))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"


def test_the_qr_code_encodes_the_verification_address(cert):
    data = certification_inputs(cert)
    url = f"https://cert.example.kr/verify/{cert.verification_code}/"
    assert data["verify_url"] == url
    html = documents.render_html("certification", data)
    assert qr_svg(url, title="진위 확인") in html
    # a different address is a different picture
    assert qr_svg(url + "x", title="진위 확인") not in html


def test_same_certificate_is_served_not_rendered_again(member, cert):
    first = report_request_certification(certification=cert, by=member)
    again = report_request_certification(certification=cert, by=member)
    assert first.pk == again.pk
    assert Report.objects.filter(kind=ReportKind.CERTIFICATION).count() == 1


def test_outsiders_get_404(client_for, other_member, evaluator, cert):
    for user in (other_member, evaluator):
        url = reverse("reports:request_certification", args=[cert.pk])
        assert client_for(user).post(url).status_code == 404
    assert not Report.objects.exists()


def test_revoked_certificate_is_refused_to_members_and_marked_for_staff(
    client_for, member, manager, admin_user, cert, tmp_path, django_capture_on_commit_callbacks
):
    member_report = report_request_certification(certification=cert, by=member)
    certification_revoke(certification=cert, by=admin_user, reason="제재")
    cert.refresh_from_db()
    client = client_for(member)
    response = client.post(reverse("reports:request_certification", args=[cert.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("evaluation:certification_detail", args=[cert.pk])
    follow = client.get(response["Location"]).content.decode()
    assert "취소되어 내려받을 수 없습니다" in follow
    # the copy rendered before the revocation is no longer the member's to download
    assert client.get(reverse("reports:download", args=[member_report.pk])).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        staff_report = report_request_certification(certification=cert, by=manager)
    assert staff_report.pk != member_report.pk  # the snapshot changed: 취소
    text = text_of(_pdf(staff_report, tmp_path))
    assert f"취소된 인증서 ({cert.revoked_on:%Y-%m-%d} 취소)" in text
