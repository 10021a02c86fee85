"""Evidence bytes leave only through permission-checked, logged views."""

import pytest
from django.urls import reverse

from evaluation import services
from evaluation.models import EvidenceAccess

from ..conftest import PERSONAS
from . import files as F

pytestmark = pytest.mark.django_db

READERS = {"member", "admin_user", "manager"}


@pytest.fixture
def pdf(application, member):
    [stored] = services.evidence_files_add(
        application=application,
        item=application.cycle.rubric_version.items.get(code="A.1.1"),
        uploads=[(F.upload("운영계획서 2026.pdf", F.pdf_bytes("plan")), "운영계획서 2026.pdf")],
        by=member,
    )
    return stored


@pytest.fixture
def hwp(application, member):
    [stored] = services.evidence_files_add(
        application=application,
        item=application.cycle.rubric_version.items.get(code="A.1.2"),
        uploads=[(F.upload("계획.hwp", F.hwp_bytes()), "계획.hwp")],
        by=member,
    )
    return stored


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(
    ("view", "query", "purpose"),
    [
        ("file_download", "", "download"),
        ("file_inline", "", "view"),
        ("file_inline", "?purpose=preview", "preview"),
    ],
)
def test_file_bytes_per_persona(persona, persona_client, pdf, view, query, purpose):
    user, client = persona_client
    response = client.get(
        reverse(f"evaluation:{view}", args=[pdf.pk]) + query, REMOTE_ADDR="10.1.2.3"
    )
    if persona in READERS:
        assert response.status_code == 200
        assert _body(response) == F.pdf_bytes("plan")
        assert response["Content-Type"] == "application/pdf"
        assert response["Cache-Control"] == "private, no-store"
        access = EvidenceAccess.objects.get()
        assert (access.user, access.file, access.purpose, access.ip) == (
            user,
            pdf,
            purpose,
            "10.1.2.3",
        )
    else:
        assert response.status_code == (302 if persona == "anonymous" else 404)
        assert not EvidenceAccess.objects.exists()


def test_download_is_an_attachment_with_the_korean_name(client_for, member, pdf):
    response = client_for(member).get(reverse("evaluation:file_download", args=[pdf.pk]))
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert (
        "filename*=utf-8''%EC%9A%B4%EC%98%81%EA%B3%84%ED%9A%8D%EC%84%9C%202026.pdf" in disposition
    )
    assert response["X-Content-Type-Options"] == "nosniff"


def test_inline_view_may_be_framed_by_our_own_pages_only(client_for, member, pdf):
    response = client_for(member).get(
        reverse("evaluation:file_inline", args=[pdf.pk]) + "?purpose=preview"
    )
    assert response["Content-Disposition"].startswith("inline;")
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" not in response["Content-Security-Policy"]
    # Every other page keeps framing forbidden.
    page = client_for(member).get(reverse("evaluation:file_preview", args=[pdf.pk]))
    assert page["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in page["Content-Security-Policy"]


def test_non_previewable_types_are_never_served_inline(client_for, member, hwp):
    response = client_for(member).get(reverse("evaluation:file_inline", args=[hwp.pk]))
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Type"] == "application/x-hwp"
    assert EvidenceAccess.objects.get().purpose == "download"


@pytest.mark.parametrize("persona", PERSONAS)
def test_preview_page_per_persona(persona, persona_client, pdf):
    _user, client = persona_client
    response = client.get(reverse("evaluation:file_preview", args=[pdf.pk]))
    if persona in READERS:
        assert response.status_code == 200
        text = response.content.decode()
        src = reverse("evaluation:file_inline", args=[pdf.pk]) + "?purpose=preview"
        assert f'src="{src}"' in text
        assert "<iframe" in text
    else:
        assert response.status_code == (302 if persona == "anonymous" else 404)


def test_image_preview_uses_an_img(client_for, member, application):
    [png] = services.evidence_files_add(
        application=application,
        item=application.cycle.rubric_version.items.get(code="A.1.3"),
        uploads=[(F.upload("사진.png", F.png_bytes(3)), "사진.png")],
        by=member,
    )
    text = (
        client_for(member).get(reverse("evaluation:file_preview", args=[png.pk])).content.decode()
    )
    assert '<img class="evidence-preview-image"' in text


def test_purged_versions_are_gone_for_everyone(
    client_for, member, admin_user, application, pdf, django_capture_on_commit_callbacks
):
    services.evidence_files_add(
        application=application,
        item=pdf.evidence.item,
        uploads=[(F.upload("new.pdf", F.pdf_bytes("new")), "new.pdf")],
        by=member,
        replaces=pdf,
    )
    assert (
        client_for(member).get(reverse("evaluation:file_download", args=[pdf.pk])).status_code
        == 200
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.application_submit(application=application, by=member)
    for user in (member, admin_user):
        url = reverse("evaluation:file_download", args=[pdf.pk])
        assert client_for(user).get(url).status_code == 404


@pytest.mark.parametrize("persona", PERSONAS)
def test_access_log_page_per_persona(persona, persona_client, pdf, member, client_for):
    client_for(member).get(reverse("evaluation:file_download", args=[pdf.pk]))
    _user, client = persona_client
    response = client.get(reverse("evaluation:access_log"))
    expected = (
        200 if persona in ("admin_user", "manager") else 302 if persona == "anonymous" else 404
    )
    assert response.status_code == expected
    if expected == 200:
        text = response.content.decode()
        assert "운영계획서 2026.pdf" in text
        assert "내려받기" in text and "member1" in text


def test_access_log_filtered_by_application(
    client_for, manager, pdf, member, other_application, other_member
):
    [theirs] = services.evidence_files_add(
        application=other_application,
        item=other_application.cycle.rubric_version.items.get(code="A.1.1"),
        uploads=[(F.upload("다른기관.pdf", F.pdf_bytes("other")), "다른기관.pdf")],
        by=other_member,
    )
    client_for(member).get(reverse("evaluation:file_download", args=[pdf.pk]))
    client_for(other_member).get(reverse("evaluation:file_download", args=[theirs.pk]))
    url = reverse("evaluation:access_log") + f"?application={pdf.application_id}"
    text = client_for(manager).get(url).content.decode()
    assert "운영계획서 2026.pdf" in text
    assert "다른기관.pdf" not in text


def test_a_missing_stored_object_is_404_and_not_logged(client_for, member, pdf, _uploads_in_tmp):
    (_uploads_in_tmp / pdf.storage_key).unlink()
    response = client_for(member).get(reverse("evaluation:file_download", args=[pdf.pk]))
    assert response.status_code == 404
    assert not EvidenceAccess.objects.exists()


@pytest.mark.parametrize("value", ["abc", "1.5", "9999999999999999999999", "-"])
def test_access_log_with_a_malformed_application_filter_is_404_not_500(
    client_for, admin_user, value
):
    """Issue 14, item 17: ``?application=abc`` was a 500."""
    response = client_for(admin_user).get(reverse("evaluation:access_log"), {"application": value})
    assert response.status_code == 404
