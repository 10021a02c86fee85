"""Password reset by e-mail: Korean pages, no hint whether an address exists, rate-limited,
a used or expired link says so and offers a new one."""

import html
import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "brand-new-pw-2026!"


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()
    yield
    cache.clear()


def _text(response) -> str:
    return html.unescape(response.content.decode())


def _main(response) -> str:
    return re.search(r"<main.*</main>", _text(response), re.S).group(0)


def _link(message) -> str:
    return re.search(r"https?://[^/\s]+(/\S+)", message.body).group(1)


def test_login_page_links_to_reset(client):
    text = _text(client.get(reverse("login")))
    assert reverse("password_reset") in text and "비밀번호를 잊으셨나요?" in text
    assert reverse("people:register") in text


def test_reset_journey(client, make_user, smtp_server):
    """Through a real SMTP server (aiosmtpd)."""
    user = make_user("member5", email="m5@agency.example")
    response = client.post(reverse("password_reset"), {"email": "m5@agency.example"})
    assert response.status_code == 302 and response["Location"] == reverse("password_reset_done")
    [message] = smtp_server.messages
    assert smtp_server.envelopes == [["m5@agency.example"]]
    assert "비밀번호 재설정" in message["Subject"]
    link = re.search(r"https?://[^/\s]+(/\S+)", smtp_server.text(message)).group(1)
    response = client.get(link, follow=True)  # Django moves the token into the session
    assert response.status_code == 200 and 'name="new_password1"' in _text(response)
    form_url = response.redirect_chain[-1][0]
    response = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    # the used link: says so, offers a new one
    response = Client().get(link, follow=True)
    text = _text(response)
    assert "유효기간이 지났거나 이미 사용되었습니다" in text
    assert reverse("password_reset") in text


def test_no_hint_whether_the_address_exists(client, make_user):
    make_user("member6", email="known@agency.example")
    known = client.post(reverse("password_reset"), {"email": "known@agency.example"}, follow=True)
    unknown = client.post(
        reverse("password_reset"), {"email": "unknown@agency.example"}, follow=True
    )
    assert _main(known) == _main(unknown)
    assert [m.to for m in mail.outbox] == [["known@agency.example"]]


def test_rate_limited_per_address_whether_it_exists_or_not(client, make_user, settings):
    settings.PASSWORD_RESET_RATE_LIMIT = (2, 3600)
    make_user("member7", email="known@agency.example")
    for email in ("known@agency.example", "unknown@agency.example"):
        for _ in range(2):
            assert client.post(reverse("password_reset"), {"email": email}).status_code == 302
        response = client.post(reverse("password_reset"), {"email": email})
        assert response.status_code == 429
        assert "비밀번호 재설정 요청이 너무 많습니다. 60분 뒤에" in _text(response)
    assert len(mail.outbox) == 2  # the known address, twice


def test_rate_limited_per_client_address(client, settings):
    settings.PASSWORD_RESET_RATE_LIMIT = (1, 3600)  # 4 per client address
    statuses = [
        client.post(reverse("password_reset"), {"email": f"a{i}@x.example"}).status_code
        for i in range(5)
    ]
    assert statuses == [302, 302, 302, 302, 429]


def test_reset_form_refuses_a_bad_address(client):
    response = client.post(reverse("password_reset"), {"email": "not-an-address"})
    assert response.status_code == 200 and "올바른 이메일" in _text(response)
    assert mail.outbox == []
