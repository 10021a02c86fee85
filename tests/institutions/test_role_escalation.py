"""Issue 15, finding 1: a 관리자 cannot make anyone (themselves included) a superuser or staff,
change groups or permissions, or set another user's password through Django admin; roles go
through the audited service and the 사용자·역할 pages; a reset link is sent, never a password."""

import re

import pytest
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.urls import reverse

from institutions.models import AccountAction, AccountAudit, User
from institutions.roles import GROUP_NAMES, Role
from institutions.services import user_grant_role, user_password_reset_send, user_revoke_role

from ..conftest import PASSWORD, PERSONAS

pytestmark = pytest.mark.django_db


def _admin_change_post(client, target, **changes):
    """POST Django admin's change form for ``target`` with its current values plus changes."""
    data = {
        "username": target.username,
        "name": target.name,
        "email": target.email,
        "first_name": "",
        "last_name": "",
        "is_active": "on",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "00:00:00",
        "initial-date_joined_0": "2026-01-01",
        "initial-date_joined_1": "00:00:00",
        **changes,
    }
    return client.post(reverse("admin:institutions_user_change", args=[target.pk]), data)


def test_admin_role_cannot_make_itself_superuser_or_change_groups(admin_user, client_for):
    client = client_for(admin_user)
    staff_group = Group.objects.get(name=GROUP_NAMES[Role.MANAGER])
    response = _admin_change_post(
        client,
        admin_user,
        is_superuser="on",
        is_staff="on",
        groups=[staff_group.pk],
        email="attacker@example.invalid",
    )
    assert response.status_code == 302  # the allowed fields saved; the others ignored
    admin_user.refresh_from_db()
    assert admin_user.is_superuser is False
    assert set(admin_user.groups.values_list("name", flat=True)) == {GROUP_NAMES[Role.ADMIN]}
    assert admin_user.email == ""


def test_admin_role_cannot_set_another_users_password(admin_user, evaluator, client_for):
    client = client_for(admin_user)
    url = reverse("admin:auth_user_password_change", args=[evaluator.pk])
    assert client.get(url).status_code == 403
    response = client.post(url, {"password1": "Hijack-9876!x", "password2": "Hijack-9876!x"})
    assert response.status_code == 403
    evaluator.refresh_from_db()
    assert evaluator.check_password(PASSWORD)
    assert not evaluator.check_password("Hijack-9876!x")


def test_admin_role_cannot_change_a_superuser(admin_user, client_for):
    root = User.objects.create_superuser("root", "root@example.invalid", PASSWORD)
    response = _admin_change_post(client_for(admin_user), root, is_active="")
    assert response.status_code == 403
    root.refresh_from_db()
    assert root.is_active


def test_superuser_still_may(admin_user, client_for):
    root = User.objects.create_superuser("root", "root@example.invalid", PASSWORD)
    response = _admin_change_post(client_for(root), admin_user, is_superuser="on")
    assert response.status_code == 302
    admin_user.refresh_from_db()
    assert admin_user.is_superuser


# --- the service -----------------------------------------------------------------------------


def test_grant_and_revoke_are_audited_with_who_what_why(admin_user, make_user):
    target = make_user("newcomer")
    assert user_grant_role(user=target, role=Role.MANAGER, by=admin_user, reason="신규 책임자")
    assert not user_grant_role(user=target, role=Role.MANAGER, by=admin_user, reason="again")
    assert user_revoke_role(user=target, role=Role.MANAGER, by=admin_user, reason="전보")
    rows = list(
        AccountAudit.objects.filter(user=target)
        .order_by("pk")
        .values_list("actor__username", "action", "role", "reason")
    )
    assert rows == [
        ("admin1", AccountAction.GRANT, Role.MANAGER, "신규 책임자"),
        ("admin1", AccountAction.REVOKE, Role.MANAGER, "전보"),
    ]
    assert not User.objects.get(pk=target.pk).has_role(Role.MANAGER)


def test_grant_names_every_refusal(admin_user, manager, make_user):
    from django.core.exceptions import PermissionDenied, ValidationError

    target = make_user("newcomer")
    with pytest.raises(PermissionDenied, match="관리자만"):
        user_grant_role(user=target, role=Role.ADMIN, by=manager, reason="x")
    with pytest.raises(ValidationError, match="사유를 입력"):
        user_grant_role(user=target, role=Role.ADMIN, by=admin_user, reason="  ")
    with pytest.raises(ValidationError, match="자신의 관리자 역할"):
        user_revoke_role(user=admin_user, role=Role.ADMIN, by=admin_user, reason="x")
    assert not AccountAudit.objects.filter(user=target).exists()


def test_audit_rows_are_append_only(admin_user, make_user):
    target = make_user("newcomer")
    user_grant_role(user=target, role=Role.EVALUATOR, by=admin_user, reason="위촉")
    row = AccountAudit.objects.get(user=target)
    row.reason = "changed"
    with pytest.raises(PermissionError):
        row.save()
    with pytest.raises(PermissionError):
        AccountAudit.objects.filter(pk=row.pk).update(reason="changed")
    with pytest.raises(PermissionError):
        AccountAudit.objects.filter(pk=row.pk).delete()


def test_reset_link_is_mailed_to_the_user_and_works_once(
    admin_user, evaluator, client_for, django_capture_on_commit_callbacks
):
    evaluator.email = "ev1@example.invalid"
    evaluator.save()
    with django_capture_on_commit_callbacks(execute=True):
        user_password_reset_send(
            user=evaluator, by=admin_user, reason="분실 신고", domain="testserver", use_https=False
        )
    assert [m.to for m in mail.outbox] == [["ev1@example.invalid"]]
    body = mail.outbox[0].body
    assert PASSWORD not in body
    link = re.search(r"http://testserver(/accounts/reset/\S+)", body).group(1)
    anonymous = client_for(None)
    form_url = anonymous.get(link)["Location"]  # Django swaps the token for a session marker
    response = anonymous.post(
        form_url, {"new_password1": "Fresh-pass-4321!", "new_password2": "Fresh-pass-4321!"}
    )
    assert response.status_code == 302
    evaluator.refresh_from_db()
    assert evaluator.check_password("Fresh-pass-4321!")
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert not default_token_generator.check_token(evaluator, token)  # used: dead
    entry = AccountAudit.objects.get(user=evaluator, action=AccountAction.PASSWORD_RESET)
    assert (entry.actor, entry.action, entry.reason) == (
        admin_user,
        AccountAction.PASSWORD_RESET,
        "분실 신고",
    )


def test_reset_refused_without_email(admin_user, evaluator):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="이메일 주소가 없어"):
        user_password_reset_send(user=evaluator, by=admin_user, reason="분실", domain="x")
    assert not AccountAudit.objects.filter(user=evaluator, actor__isnull=False).exists()


# --- the pages -------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_user_pages_are_for_admins_only(persona, persona_client, evaluator):
    user, client = persona_client
    urls = [
        reverse("institutions:user_list"),
        reverse("institutions:user_detail", args=[evaluator.pk]),
    ]
    for url in urls:
        response = client.get(url)
        if persona == "admin_user":
            assert response.status_code == 200
            assert "평가위원" in response.content.decode()
        elif persona == "anonymous":
            assert response.status_code == 302
        else:
            assert response.status_code == 404
    response = client.post(
        reverse("institutions:user_role_grant", args=[evaluator.pk]),
        {"role": Role.ADMIN, "reason": "escalate"},
    )
    granted = User.objects.get(pk=evaluator.pk).has_role(Role.ADMIN)
    assert granted == (persona == "admin_user")


def test_grant_page_round_trip(admin_user, evaluator, client_for):
    client = client_for(admin_user)
    url = reverse("institutions:user_role_grant", args=[evaluator.pk])
    assert client.post(url, {"role": Role.MANAGER, "reason": ""}).status_code == 400
    response = client.post(url, {"role": Role.MANAGER, "reason": "겸임"}, follow=True)
    assert "관리책임자 역할을 부여했습니다" in response.content.decode()
    assert "겸임" in response.content.decode()
    response = client.post(
        reverse("institutions:user_password_reset", args=[evaluator.pk]),
        {"reason": "분실"},
        follow=True,
    )
    assert "이메일 주소가 없어" in response.content.decode()


@pytest.mark.parametrize("n", [3, 30])
def test_user_list_queries_do_not_grow(
    n, admin_user, make_user, client_for, django_assert_max_num_queries
):
    for i in range(n):
        make_user(f"u{i}", Role.EVALUATOR)
    client = client_for(admin_user)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("institutions:user_list")).status_code == 200
