"""Certification pages: the public verification page and certified list (anonymous), the
admin's list and 인증 취소, the holder's page -- for every persona."""

import re
from datetime import date

import pytest
from django.urls import reverse

from evaluation.models import Certification
from evaluation.services.certification import (
    certification_revoke,
    certifications_issue_for_cycle,
)
from tests.conftest import PERSONAS

from .certification_data import at_stage, with_result
from .helpers import without_data_marks

pytestmark = pytest.mark.django_db


@pytest.fixture
def cert(application, admin_user):
    with_result(application)
    [cert] = certifications_issue_for_cycle(
        cycle=at_stage(application.cycle), by=admin_user, on=date(2026, 3, 1)
    )
    return cert


def _verify(client, cert_or_code):
    code = getattr(cert_or_code, "verification_code", cert_or_code)
    return client.get(reverse("evaluation:certification_verify", args=[code]))


def _visible_text(html: str) -> str:
    body = html.split('<main id="main"', 1)[1].split("</main>", 1)[0]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)).strip()


# --- public verification -----------------------------------------------------------------------


def test_anonymous_sees_exactly_the_listed_fields(client, cert, admin_user, member):
    response = _verify(client, cert)
    assert response.status_code == 200
    html = response.content.decode()
    text = _visible_text(html)
    assert "유효" in text
    assert cert.number in text
    assert cert.institution.name in text
    assert cert.rubric_version.rubric.title in text
    assert "2026-03-01 ~ 2029-02-28" in text
    # nothing else: no internal ids, no people, no cycle, no result
    for leak in (
        admin_user.username,
        admin_user.display_name,
        member.username,
        cert.cycle.title,
        cert.cycle.slug,
        cert.institution.business_number,
        "총점",
        f"/applications/{cert.application_id}/",
        f"/certifications/{cert.pk}/",
    ):
        assert leak not in html, leak
    # no logged-in navigation for anonymous visitors
    assert "로그아웃" not in html and 'id="mainnav"' not in html
    assert response["X-Robots-Tag"] == "noindex"


def test_revoked_certificate_says_when(client, cert, admin_user):
    revoked = certification_revoke(certification=cert, by=admin_user, reason="비공개 사유 문구")
    html = _verify(client, cert).content.decode()
    assert f"취소 ({revoked.revoked_on:%Y-%m-%d})" in html
    assert "비공개 사유 문구" not in html  # the reason is internal
    assert "유효기간" in html and "✖" in html


def test_expired_certificate_says_when(client, cert):
    Certification.objects.filter(pk=cert.pk).update(
        valid_from=date(2019, 1, 1), valid_until=date(2021, 12, 31)
    )
    html = _verify(client, cert).content.decode()
    assert "만료 (2021-12-31)" in html


def test_unknown_code_is_a_korean_404_that_reveals_nothing(client, cert):
    response = _verify(client, cert.verification_code[:-1] + "x")
    assert response.status_code == 404
    html = response.content.decode()
    assert "인증서를 찾을 수 없습니다" in html
    assert cert.number not in html and cert.institution.name not in html
    # the same page whatever the code looks like
    other = _verify(client, "A" * 60)
    assert other.status_code == 404
    assert _visible_text(other.content.decode()) == _visible_text(html)


def test_verification_is_rate_limited_per_client(client, cert, settings):
    settings.VERIFY_RATE_LIMIT = (3, 60)
    for _ in range(3):
        assert _verify(client, "nope").status_code == 404
    response = _verify(client, cert)
    assert response.status_code == 429
    assert response["Retry-After"] == "60"
    assert "요청이 너무 많습니다" in response.content.decode()
    assert cert.number not in response.content.decode()
    # another address is not affected
    assert (
        client.get(
            reverse("evaluation:certification_verify", args=[cert.verification_code]),
            REMOTE_ADDR="10.0.0.2",
        ).status_code
        == 200
    )


def test_verify_is_get_only(client, cert):
    url = reverse("evaluation:certification_verify", args=[cert.verification_code])
    assert client.post(url).status_code == 405


# --- public list ---------------------------------------------------------------------------------


def test_certified_list_shows_valid_certifications_per_programme(
    client, application, other_application, admin_user
):
    with_result(application)
    with_result(other_application)
    a, b = certifications_issue_for_cycle(cycle=at_stage(application.cycle), by=admin_user)
    certification_revoke(certification=b, by=admin_user, reason="제재")
    response = client.get(reverse("evaluation:certified_list"))
    assert response.status_code == 200
    text = _visible_text(response.content.decode())
    assert a.rubric_version.rubric.title in text
    assert a.institution.name in text and a.number in text
    assert b.institution.name not in text
    assert "로그아웃" not in response.content.decode()


def test_certified_list_leaves_out_expired(client, cert):
    Certification.objects.filter(pk=cert.pk).update(
        valid_from=date(2019, 1, 1), valid_until=date(2021, 12, 31)
    )
    text = _visible_text(client.get(reverse("evaluation:certified_list")).content.decode())
    assert cert.institution.name not in text
    assert "유효한 인증서를 보유한 기관이 없습니다" in text


@pytest.mark.parametrize("n", [1, 12])
def test_certified_list_query_count_is_constant(
    client, cert, n, make_institution, django_assert_max_num_queries
):
    for i in range(n):
        inst = make_institution(f"추가기관{i}")
        Certification.objects.create(
            programme=cert.programme,
            year=2026,
            sequence=100 + i,
            number=f"제2026-{100 + i:04d}호",
            institution=inst,
            application=_application(cert, inst),
            cycle=cert.cycle,
            rubric_version=cert.rubric_version,
            valid_from=cert.valid_from,
            valid_until=cert.valid_until,
            verification_code=f"code-{i}",
            issued_by=cert.issued_by,
        )
    with django_assert_max_num_queries(3):
        response = client.get(reverse("evaluation:certified_list"))
    assert response.content.decode().count("<tr><td>") == n + 1


def _application(cert, institution):
    from evaluation.models import Application

    Application.objects.bulk_create(
        [Application(cycle=cert.cycle, institution=institution, created_by=cert.issued_by)]
    )
    return Application.objects.get(cycle=cert.cycle, institution=institution)


# --- the admin's list and 인증 취소 ---------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_cycle_list_is_for_staff(persona, persona_client, cert):
    user, client = persona_client
    response = client.get(reverse("evaluation:certification_list", args=[cert.cycle.slug]))
    if persona == "anonymous":
        assert response.status_code == 302
    elif persona in ("admin_user", "manager"):
        assert response.status_code == 200
        html = response.content.decode()
        assert cert.number in html
        revoke_url = reverse("evaluation:certification_revoke", args=[cert.pk])
        assert (revoke_url in html) == (persona == "admin_user")
    else:
        assert response.status_code == 404


@pytest.mark.parametrize("persona", PERSONAS)
def test_revoke_page_is_for_admins(persona, persona_client, cert):
    user, client = persona_client
    url = reverse("evaluation:certification_revoke", args=[cert.pk])
    response = client.get(url)
    if persona == "anonymous":
        assert response.status_code == 302
    elif persona == "admin_user":
        assert response.status_code == 200
        html = response.content.decode()
        assert "되돌릴 수 없습니다" in html and "즉시 효력을 잃습니다" in html
        assert 'name="reason"' in html
    else:
        assert response.status_code == 404
        assert client.post(url, {"reason": "x"}).status_code == 404
        cert.refresh_from_db()
        assert cert.revoked_at is None


def test_revoke_without_reason_is_refused_and_changes_nothing(client_for, admin_user, cert):
    client = client_for(admin_user)
    url = reverse("evaluation:certification_revoke", args=[cert.pk])
    response = client.post(url, {"reason": "  "})
    assert response.status_code == 400
    assert f"인증서 {cert.number}: 취소 사유를 입력하십시오." in response.content.decode()
    cert.refresh_from_db()
    assert cert.revoked_at is None


def test_revoke_by_form(client_for, admin_user, cert):
    client = client_for(admin_user)
    url = reverse("evaluation:certification_revoke", args=[cert.pk])
    response = client.post(url, {"reason": "업무정지 처분"})
    assert response.status_code == 302
    assert response["Location"] == reverse("evaluation:certification_list", args=[cert.cycle.slug])
    cert.refresh_from_db()
    assert cert.revocation_reason == "업무정지 처분" and cert.revoked_by == admin_user
    page = client.get(response["Location"]).content.decode()
    assert "업무정지 처분" in page and "취소 (" in page


@pytest.mark.parametrize("n", [1, 10])
def test_cycle_list_query_count_is_constant(
    client_for, admin_user, cert, n, make_institution, django_assert_max_num_queries
):
    for i in range(n):
        inst = make_institution(f"목록기관{i}")
        Certification.objects.create(
            programme=cert.programme,
            year=2026,
            sequence=200 + i,
            number=f"제2026-{200 + i:04d}호",
            institution=inst,
            application=_application(cert, inst),
            cycle=cert.cycle,
            rubric_version=cert.rubric_version,
            valid_from=cert.valid_from,
            valid_until=cert.valid_until,
            verification_code=f"list-{i}",
            issued_by=cert.issued_by,
            revoked_at=cert.issued_at,
            revoked_by=cert.issued_by,
            revocation_reason="제재",
        )
    client = client_for(admin_user)
    url = reverse("evaluation:certification_list", args=[cert.cycle.slug])
    client.get(url)
    with django_assert_max_num_queries(12):
        response = client.get(url)
    assert response.status_code == 200


# --- the holder's page --------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_detail_for_holders_and_staff(persona, persona_client, cert):
    user, client = persona_client
    response = client.get(reverse("evaluation:certification_detail", args=[cert.pk]))
    if persona == "anonymous":
        assert response.status_code == 302
    elif persona in ("member", "admin_user", "manager"):
        assert response.status_code == 200
        html = response.content.decode()
        assert cert.number in html
        assert f"/verify/{cert.verification_code}/" in html
        assert "<svg" in html  # the QR code, inline
        assert reverse("reports:request_certification", args=[cert.pk]) in html
    else:
        assert response.status_code == 404


def test_verify_url_is_absolute_from_site_url(client_for, member, cert, settings):
    settings.SITE_URL = "https://cert.example.kr/"
    html = (
        client_for(member)
        .get(reverse("evaluation:certification_detail", args=[cert.pk]))
        .content.decode()
    )
    assert f"https://cert.example.kr/verify/{cert.verification_code}/" in html


# --- the portal and the 재인증 application ---------------------------------------------------------


def test_portal_lists_the_members_certifications(client_for, member, other_member, cert):
    html = client_for(member).get(reverse("evaluation:portal")).content.decode()
    assert "우리 기관의 인증서" in html and cert.number in html
    other = client_for(other_member).get(reverse("evaluation:portal")).content.decode()
    assert cert.number not in other


@pytest.fixture
def renewal(cert, admin_user, member, rubric_version):
    from datetime import timedelta

    from django.utils import timezone

    from evaluation import services
    from evaluation.models import Stage

    cycle = services.cycle_create(
        by=admin_user,
        title="2029 재인증 평가",
        slug="renew-2029",
        rubric_version=rubric_version,
        reference_date=date(2028, 12, 1),
        evidence_deadline=timezone.now() + timedelta(days=7),
        pass_threshold=100,
    )
    cycle = services.cycle_advance_stage(
        cycle=cycle, by=admin_user, expected_stage=Stage.ANNOUNCEMENT
    )
    return services.application_create(cycle=cycle, institution=cert.institution, by=member)


@pytest.mark.parametrize("persona", ["member", "admin_user", "manager"])
def test_renewal_application_shows_the_previous_certification_and_result(
    persona, persona_client, renewal, cert
):
    user, client = persona_client
    html = without_data_marks(
        client.get(reverse("evaluation:checklist", args=[renewal.pk])).content.decode()
    )
    assert 'data-testid="renewal"' in html
    assert f"인증서 {cert.number}({cert.cycle.title})의 재인증 신청입니다" in html
    assert "2026-03-01 ~ 2029-02-28" in html
    assert "이전 결과" in html and "152" in html and "인증" in html


def test_first_application_shows_no_renewal(client_for, member, application):
    html = (
        client_for(member)
        .get(reverse("evaluation:checklist", args=[application.pk]))
        .content.decode()
    )
    assert 'data-testid="renewal"' not in html


def test_rate_limit_counts_the_client_behind_a_trusted_proxy(client, cert, settings):
    """Behind the reverse proxy every request comes from the proxy's address: the limit is per
    client (X-Forwarded-For through TRUSTED_PROXY_COUNT proxies), not one bucket for all."""
    settings.TRUSTED_PROXY_COUNT = 1
    settings.VERIFY_RATE_LIMIT = (2, 60)
    url = reverse("evaluation:certification_verify", args=[cert.verification_code])
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    for _ in range(2):
        assert client.get(url, HTTP_X_FORWARDED_FOR="203.0.113.7", **proxy).status_code == 200
    assert client.get(url, HTTP_X_FORWARDED_FOR="203.0.113.7", **proxy).status_code == 429
    assert client.get(url, HTTP_X_FORWARDED_FOR="198.51.100.9", **proxy).status_code == 200
    # a client cannot escape by writing its own X-Forwarded-For in front
    spoofed = "1.2.3.4, 203.0.113.7"
    assert client.get(url, HTTP_X_FORWARDED_FOR=spoofed, **proxy).status_code == 429


def test_evaluators_do_not_see_the_previous_result(
    client_for, cleared_assignment, evaluator, admin_user, member, rubric_version, application
):
    """The assigned evaluator judges the evidence, not the history: no 재인증 box for them."""
    from datetime import timedelta

    from django.utils import timezone

    from evaluation import services
    from evaluation.models import Application, Stage

    old = services.cycle_create(
        by=admin_user,
        title="2023 인증 평가",
        slug="old-2023",
        rubric_version=rubric_version,
        reference_date=date(2023, 1, 1),
        evidence_deadline=timezone.now() + timedelta(days=7),
        pass_threshold=100,
    )
    old = services.cycle_advance_stage(cycle=old, by=admin_user, expected_stage=Stage.ANNOUNCEMENT)
    Application.objects.bulk_create(
        [Application(cycle=old, institution=application.institution, created_by=member)]
    )
    with_result(Application.objects.get(cycle=old))
    [previous] = certifications_issue_for_cycle(cycle=at_stage(old), by=admin_user)
    Application.objects.filter(pk=application.pk).update(renewal_of=previous)
    url = reverse("evaluation:checklist", args=[application.pk])
    seen = client_for(evaluator).get(url)
    assert seen.status_code == 200
    assert 'data-testid="renewal"' not in seen.content.decode()
    assert 'data-testid="renewal"' in client_for(member).get(url).content.decode()
