"""Issue 15, second factor: with REQUIRE_2FA, admins and managers (and evaluators where
REQUIRE_2FA_EVALUATORS says so) enrol a TOTP authenticator and enter a code after the
password; recovery codes work once; an admin resets another user's second factor only through
the audited service."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from institutions.models import AccountAction, AccountAudit
from institutions.roles import Role

from ..conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def required(settings):
    settings.REQUIRE_2FA = True


def _login(user) -> Client:
    client = Client()
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def _code(device: TOTPDevice, offset: int = 0) -> str:
    return (
        f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift + offset):06d}"
    )


def _enrol(client) -> tuple[TOTPDevice, list[str]]:
    before = TOTPDevice.objects.count()
    page = client.get(reverse("second_factor_setup"))
    assert page.status_code == 200 and "<svg" in page.content.decode()
    assert TOTPDevice.objects.count() == before  # a GET writes nothing
    key = client.session["otp:pending-key"]
    device = TOTPDevice(key=key)
    response = client.post(reverse("second_factor_setup"), {"code": _code(device)})
    assert response.status_code == 200
    codes = re.findall(r"<li>(\w+)</li>", response.content.decode())
    assert len(codes) == 10
    device = TOTPDevice.objects.get(key=key)
    assert device.confirmed
    return device, codes


@pytest.mark.parametrize("persona", ["admin_user", "manager"])
def test_staff_must_enrol_then_enter_a_code(required, persona, request):
    user = request.getfixturevalue(persona)
    client = _login(user)
    home = client.get(reverse("home"))
    assert home.status_code == 302
    assert home["Location"].startswith(reverse("second_factor_setup"))
    device, _codes = _enrol(client)
    assert client.get(reverse("home")).status_code == 200  # verified in this session

    # the next log-in asks for a code; nothing else opens before it
    client = _login(user)
    response = client.get(reverse("evaluation:cycle_list"))
    assert response.status_code == 302
    assert response["Location"] == (
        reverse("second_factor_verify")
        + "?next="
        + reverse("evaluation:cycle_list").replace("/", "%2F")
    )
    wrong = client.post(reverse("second_factor_verify"), {"code": "000000"})
    assert wrong.status_code == 400 and "코드가 맞지 않습니다" in wrong.content.decode()
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0)
    ok = client.post(
        reverse("second_factor_verify"),
        {"code": _code(device, offset=1), "next": reverse("evaluation:cycle_list")},
    )
    assert ok.status_code == 302 and ok["Location"] == reverse("evaluation:cycle_list")
    assert client.get(reverse("evaluation:cycle_list")).status_code == 200


def test_a_recovery_code_works_once(required, admin_user):
    client = _login(admin_user)
    _device, codes = _enrol(client)
    client = _login(admin_user)
    assert client.post(reverse("second_factor_verify"), {"code": codes[0]}).status_code == 302
    again = _login(admin_user)
    assert again.post(reverse("second_factor_verify"), {"code": codes[0]}).status_code == 400


def test_evaluators_and_members_are_not_asked_unless_configured(
    required, evaluator, member, settings
):
    assert _login(evaluator).get(reverse("home")).status_code == 200
    assert _login(member).get(reverse("home")).status_code == 200
    settings.REQUIRE_2FA_EVALUATORS = True
    assert _login(evaluator).get(reverse("home")).status_code == 302
    assert _login(member).get(reverse("home")).status_code == 200


def test_off_by_default_outside_production(admin_user):
    assert _login(admin_user).get(reverse("home")).status_code == 200


def test_htmx_requests_are_sent_to_the_code_page(required, admin_user):
    response = _login(admin_user).get(reverse("home"), headers={"HX-Request": "true"})
    assert response.status_code == 401
    assert response["HX-Redirect"].startswith(reverse("second_factor_setup"))


def test_admin_resets_a_second_factor_only_through_the_audited_service(
    required, admin_user, manager, client_for
):
    _enrol(_login(manager))
    admin = _login(admin_user)
    _enrol(admin)
    url = reverse("institutions:user_second_factor_reset", args=[manager.pk])
    assert admin.post(url, {"otp-reason": ""}).status_code == 400
    assert TOTPDevice.objects.filter(user=manager).exists()
    response = admin.post(url, {"otp-reason": "휴대전화 분실"}, follow=True)
    assert "2단계 인증을 초기화했습니다" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=manager).exists()
    entry = AccountAudit.objects.get(user=manager, action=AccountAction.SECOND_FACTOR_RESET)
    assert (entry.actor, entry.reason) == (admin_user, "휴대전화 분실")
    # the manager enrols again at the next log-in
    assert (
        _login(manager).get(reverse("home"))["Location"].startswith(reverse("second_factor_setup"))
    )


def test_a_manager_cannot_reset_anyones_second_factor(admin_user, manager, make_user):
    from django.core.exceptions import PermissionDenied

    from institutions.services import user_second_factor_reset

    with pytest.raises(PermissionDenied):
        user_second_factor_reset(user=admin_user, by=manager, reason="x")
    assert Role.ADMIN in admin_user.role_set()
