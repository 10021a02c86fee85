"""Institution registration with approval: sign-up, e-mail confirmation by a signed link, the
admin's decision, and every refusal writing nothing."""

import html
import re
from datetime import date

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from institutions.models import (
    Institution,
    PeopleEvent,
    Registration,
    RegistrationStatus,
    User,
)
from institutions.people import services
from institutions.roles import Role

pytestmark = pytest.mark.django_db

VALID_NUMBER = "2208162517"  # a real check digit (demo data)


def form_data(**overrides):
    data = {
        "institution_name": "새길일자리",
        "business_number": "220-81-62517",
        "institution_type": "wide",
        "registered_on": "2016-03-02",
        "representative": "김대표",
        "address": "서울특별시 중구 세종대로 110",
        "contact_name": "이담당",
        "email": "contact@saegil.example",
        "phone": "02-123-4567",
        "username": "saegil",
        "password": "sae-gil-2026!pw",
        "password_again": "sae-gil-2026!pw",
        "privacy_consent": "on",
        "terms_consent": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def link_in_text(body: str) -> str:
    return re.search(r"https?://\S+", body).group(0).split("://", 1)[1].split("/", 1)[1]


def link_in(message) -> str:
    return link_in_text(message.body)


def text_of(response) -> str:
    return html.unescape(response.content.decode())


def can_log_in(username, password) -> bool:
    response = Client().post(reverse("login"), {"username": username, "password": password})
    return response.status_code == 302 and response["Location"] == reverse("home")


def rows():
    return (
        Registration.objects.count(),
        Institution.objects.count(),
        User.objects.count(),
        PeopleEvent.objects.count(),
    )


def register(client, django_capture_on_commit_callbacks, **overrides):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(reverse("people:register"), form_data(**overrides))


def test_register_page_shows_the_consent_in_full(client):
    response = client.get(reverse("people:register"))
    text = text_of(response)
    assert response.status_code == 200
    for heading in ("수집·이용 목적", "수집 항목", "보유·이용 기간", "동의를 거부할 권리"):
        assert heading in text
    # two separate tick boxes
    assert 'name="privacy_consent"' in text and 'name="terms_consent"' in text


def test_full_journey(client, admin_user, django_capture_on_commit_callbacks, smtp_server):
    """Through a real SMTP server (aiosmtpd): the messages as the recipient gets them."""
    response = register(client, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert response["Location"] == reverse("people:register_sent")
    registration = Registration.objects.get()
    assert registration.status == RegistrationStatus.UNCONFIRMED
    assert registration.business_number == VALID_NUMBER
    assert registration.password_hash.startswith(("pbkdf2", "argon2", "md5", "bcrypt"))
    [confirm] = smtp_server.messages
    assert smtp_server.envelopes == [["contact@saegil.example"]]
    assert "이메일 확인" in confirm["Subject"]

    # not yet approved: the person cannot log in
    assert not can_log_in("saegil", "sae-gil-2026!pw")

    link = "/" + link_in_text(smtp_server.text(confirm))
    assert client.get(link).status_code == 200
    assert (
        Registration.objects.get().status == RegistrationStatus.UNCONFIRMED
    )  # GET changes nothing
    response = client.post(link)
    assert response.status_code == 200
    assert "이메일 주소를 확인했습니다" in text_of(response)
    assert Registration.objects.get().status == RegistrationStatus.PENDING
    # the same link again: says it was used
    response = client.get(link)
    assert "이미 확인된" in text_of(response)

    admin = Client()
    admin.force_login(admin_user, backend="django.contrib.auth.backends.ModelBackend")
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(reverse("people:registration_approve", args=[registration.pk]))
    assert response.status_code == 302
    institution = Institution.objects.get(business_number=VALID_NUMBER)
    assert (institution.name, institution.representative, institution.contact_email) == (
        "새길일자리",
        "김대표",
        "contact@saegil.example",
    )
    user = User.objects.get(username="saegil")
    assert user.has_role(Role.INSTITUTION)
    assert institution.memberships.filter(user=user).exists()
    approved = smtp_server.messages[-1]
    assert smtp_server.envelopes[-1] == ["contact@saegil.example"]
    assert "승인" in approved["Subject"] and "saegil" in smtp_server.text(approved)
    assert can_log_in("saegil", "sae-gil-2026!pw")
    kinds = list(PeopleEvent.objects.order_by("pk").values_list("kind", flat=True))
    assert kinds == ["registered", "email_confirmed", "approved"]


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"business_number": "2208162518"}, "사업자등록번호('2208162518')가 올바르지 않습니다"),
        ({"business_number": "12345"}, "사업자등록번호('12345')가 올바르지 않습니다"),
        ({"privacy_consent": None}, "개인정보 수집·이용에 동의해야"),
        ({"terms_consent": None}, "이용약관에 동의해야"),
        ({"password": "1234", "password_again": "1234"}, "비밀번호:"),
    ],
)
def test_refusals_write_nothing(client, overrides, message, django_capture_on_commit_callbacks):
    before = rows()
    response = register(client, django_capture_on_commit_callbacks, **overrides)
    assert response.status_code == 400
    assert message in text_of(response)
    assert rows() == before and mail.outbox == []


def test_privacy_consent_is_separate_from_terms(client, django_capture_on_commit_callbacks):
    """Agreeing to the terms alone is not consent to the collection of personal data."""
    response = register(client, django_capture_on_commit_callbacks, privacy_consent=None)
    text = text_of(response)
    assert "개인정보 수집·이용에 동의해야" in text and "이용약관에 동의해야" not in text


def test_duplicate_number_names_whom_to_contact_never_whose(
    client, make_institution, django_capture_on_commit_callbacks, settings
):
    settings.SUPPORT_EMAIL = "help@agency.example"
    make_institution("비밀기관", business_number=VALID_NUMBER, contact_email="boss@secret.example")
    before = rows()
    response = register(client, django_capture_on_commit_callbacks)
    text = text_of(response)
    assert response.status_code == 400
    assert "이미 등록되어 있거나" in text and "help@agency.example" in text
    assert "비밀기관" not in text and "boss@secret.example" not in text
    assert rows() == before and mail.outbox == []


def test_a_pending_registration_holds_its_number(client, django_capture_on_commit_callbacks):
    register(client, django_capture_on_commit_callbacks)
    before = rows()
    response = register(
        client, django_capture_on_commit_callbacks, username="other", email="x@y.example"
    )
    assert response.status_code == 400 and "이미 등록되어 있거나" in text_of(response)
    assert rows() == before


def test_taken_username_refused(client, make_user, django_capture_on_commit_callbacks):
    make_user("saegil")
    before = rows()
    response = register(client, django_capture_on_commit_callbacks)
    assert response.status_code == 400 and "'saegil' 아이디" in text_of(response)
    assert rows() == before


def _registration(**overrides) -> Registration:
    data = form_data(**overrides)
    data.pop("password_again")
    data["registered_on"] = date.fromisoformat(data["registered_on"])
    data["privacy_consent"] = data["terms_consent"] = True
    return services.registration_submit(**data)


def test_unconfirmed_email_cannot_be_approved(admin_user):
    registration = _registration()
    before = rows()
    with pytest.raises(ValidationError) as exc:
        services.registration_approve(registration=registration, by=admin_user)
    assert "이메일 주소를 확인하지 않아" in exc.value.messages[0]
    assert rows() == before
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.UNCONFIRMED


def test_reject_needs_a_reason_and_tells_the_applicant(
    admin_user, django_capture_on_commit_callbacks
):
    registration = _registration()
    with pytest.raises(ValidationError) as exc:
        services.registration_reject(registration=registration, by=admin_user, reason="  ")
    assert "반려 사유를 입력하십시오" in exc.value.messages[0]
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_reject(
            registration=registration, by=admin_user, reason="사업자등록증 사본 불일치"
        )
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.REJECTED
    assert mail.outbox[-1].to == ["contact@saegil.example"]
    assert "사업자등록증 사본 불일치" in mail.outbox[-1].body
    assert not Institution.objects.exists() and not User.objects.filter(username="saegil").exists()
    # a rejected number may register again
    again = _registration(username="saegil2")
    assert again.status == RegistrationStatus.UNCONFIRMED


def test_only_admins_decide(make_user, manager):
    registration = _registration()
    for user in (manager, make_user("m1", Role.INSTITUTION)):
        with pytest.raises(PermissionDenied):
            services.registration_approve(registration=registration, by=user)
        with pytest.raises(PermissionDenied):
            services.registration_reject(registration=registration, by=user, reason="x")


def test_expired_confirmation_link_says_so_and_offers_a_new_one(
    client, settings, django_capture_on_commit_callbacks
):
    register(client, django_capture_on_commit_callbacks)
    link = "/" + link_in(mail.outbox[0])
    settings.REGISTRATION_CONFIRM_MAX_AGE = -1
    response = client.post(link)
    text = text_of(response)
    assert response.status_code == 400 and "유효기간이 지났습니다" in text
    assert reverse("people:register_resend") in text
    assert Registration.objects.get().status == RegistrationStatus.UNCONFIRMED
    settings.REGISTRATION_CONFIRM_MAX_AGE = 3600
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("people:register_resend"), {"email": "contact@saegil.example"})
    assert len(mail.outbox) == 2
    client.post("/" + link_in(mail.outbox[1]))
    assert Registration.objects.get().status == RegistrationStatus.PENDING


def test_forged_confirmation_link(client, django_capture_on_commit_callbacks):
    register(client, django_capture_on_commit_callbacks)
    link = "/" + link_in(mail.outbox[0])
    forged = link.rstrip("/")[:-3] + "xyz/"
    response = client.post(forged)
    assert response.status_code == 400 and "올바르지 않습니다" in text_of(response)
    assert Registration.objects.get().status == RegistrationStatus.UNCONFIRMED


def test_resend_never_says_whether_an_address_is_known(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        unknown = client.post(
            reverse("people:register_resend"), {"email": "nobody@x.example"}, follow=True
        )
    assert mail.outbox == []
    register(client, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post(
            reverse("people:register_resend"), {"email": "contact@saegil.example"}, follow=True
        )
    assert len(mail.outbox) == 2
    main = re.compile(r"<main.*</main>", re.S)
    assert main.search(text_of(unknown)).group(0) == main.search(text_of(known)).group(0)
